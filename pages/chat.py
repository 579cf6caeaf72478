"""The chat page: drop, paste or shoot a picture, ask, watch the answer stream."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.ui.first_screen import first_screen_due, render_first_screen
from components.ui.language import current_lang

if first_screen_due():  # a session's first run: its chat input and the welcome's words alone
    render_first_screen(current_lang())
    st.stop()

# Past the first screen: the conversation's machinery (app.py's docstring).
from collections.abc import Callable
from functools import partial

from components.i18n import t
from components.images.uploads import (
    PreparedUploads,
    combine,
    prepare_uploads,
)
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.answer_actions import (
    index_of,
    inject_styles,
    mount_listener,
    render_editing_notice,
    take_click,
)
from components.ui.camera import close_camera, render_camera_tray
from components.ui.chat import (
    ask_last,
    closes_in_place,
    conversation,
    drop_exchange,
    follow_exchange,
    render_answer_end,
    render_history,
    resume_answer,
    settle_exchange,
    travel_notes,
)
from components.ui.chat_input import render_bottom
from components.ui.chat_list import render_chat_list, render_scroll, render_undo_notice
from components.ui.conversation_tools import context_policy, known_blind
from components.ui.costs import learn_from, needs_confirmation, next_cost
from components.ui.drop_anywhere import mount_drop_anywhere
from components.ui.markdown_view import safe_label
from components.ui.navigation import shell_choice
from components.ui.pending import PendingMessage, needs_a_look, render_pending, resolve
from components.ui.picture_code import load_picture_code
from components.ui.pictures_ahead import pictures_ready
from components.ui.reading import mount_reading, stop_slot
from components.ui.saved_chats import (
    delete_message,
    handle,
    keep,
    keep_answer,
    mount_browser_store,
    new_chat,
)
from components.ui.sent_cache import rerun_knowing_sent
from components.ui.settings_panel import draw_panel_left
from components.ui.shortcuts import mount_shortcuts
from components.ui.sidebar import SidebarChoice, render_new_chat
from components.ui.sidebar_tools import refresh_after_answer
from components.ui.welcome import render_welcome, sample_upload

choice: SidebarChoice = shell_choice()
lang = choice.lang
conv = conversation()
state = chat_state.chat()
asks = session.asks()  # the question heard and the button clicked, until acted on
camera = session.camera()
take_click(conv)  # an entry's button (regenerate, edit, delete, ‹ ›), clicked since the last run
# What a button asked for (Retry, New chat, send the photo, a held message's or an entry's
# button): it stays in the session until a branch below lets it go, just before acting on it.
asked = session.asked_action()
inject_styles()

# An answer that ended since the last run (Stop included) is recorded before anything is drawn.
running = settle_exchange(conv)
# The chat list's click (open, rename, delete, delete all, undo), once the answer is recorded
# in the chat it belongs to.
handle(asked, asks, answering=running is not None)
conv = conversation()
running = settle_exchange(conv)  # None when the list opened another chat
# An imported chat was put in place by the sidebar (apply_import), before this run drew it.
learn_from(conv)  # each new bill against its estimate: the flag, and the session's calibration
policy = context_policy()
if isinstance(asked, session.NewChat):
    session.let_go(asks)
    drop_exchange()
    running = None
    new_chat()  # the chat open stays saved; an undo notice can bring it back
    conv = conversation()
# A question a stopped run recorded without starting its answer: started now.
if running is None:
    running = resume_answer(state, conv, choice)

# An answer asked for again (Retry, an entry's regenerate): done below, with its request.
ask_again: Callable[[], bool] | None = None
if isinstance(asked, session.Retry) and running is None and conv.can_retry():
    ask_again = conv.drop_failed_answer

# An entry's button (regenerate, delete, another version) asked for something on the last run:
# done here, once, and only while no answer is coming (the buttons are hidden then; this guards a
# stale click).
if isinstance(asked, session.EntryAction) and running is None:
    verb, target = asked.verb, asked.entry
    where = index_of(conv, target)
    if where is not None and verb == "delete":
        session.let_go(asks)
        delete_message(where)  # an undo notice can bring it back
    elif where is not None and verb == "regenerate":
        ask_again = partial(conv.regenerate_at, where)
    elif where is not None and verb in ("older", "newer"):  # a question's ‹ › between versions
        to = target.version + (1 if verb == "newer" else -1)
        if 0 <= to < target.version_count:
            session.let_go(asks)
            conv.switch_version(where, to)

# The question being edited in the input, while it is still in the history.
editing = state.editing
if editing is not None and index_of(conv, editing) is None:  # deleted, or another chat opened
    state.editing = editing = None

# A message none of whose pictures could be sent comes back to the input, so nothing is retyped.
restore = state.restore_input
if restore:
    session.set_widget(keys.CHAT_INPUT, restore)
state.restore_input = None  # once in the input (a run stopped before puts it there next run)

# Nothing said yet: the welcome shows (unless this run sends a message).
welcoming = (
    not conv.entries
    and state.pending is None
    and not isinstance(asked, (session.SendPhoto, session.TrySample))
)
camera_tray = render_bottom(lang)  # above the chat input, which Streamlit pins below it
heard = asks.heard
stop_at = stop_slot()
with st.sidebar:  # invisible; the sidebar stays mounted while the conversation redraws
    mount_drop_anywhere(lang)  # a picture dropped or pasted anywhere joins the input's files

# The welcome has a slot of its own: as soon as a message is sent, the slot is emptied at the top
# of the run, instead of the old welcome lingering greyed out under the answer while it streams.
welcome = st.empty()
if welcoming and heard is None:
    with welcome.container(key=keys.WELCOME):
        render_welcome(choice)
history = st.container()
live = st.container()  # the answer being fetched goes here, above the camera

# The camera: a 📷 popover just above the input; its photo waits by the input (with its cost and
# a remove button) and goes with the next message only while it is shown there.
with camera_tray:
    photo = render_camera_tray(choice)
has_photo = bool(photo.images or photo.refusals)
send_photo_now = isinstance(asked, session.SendPhoto) and has_photo
photo_sent = False

pending: PendingMessage | None = state.pending
action = asked.action if isinstance(asked, session.HeldMessageAction) else None


def ask(question: str, prepared: PreparedUploads, typed: str) -> None:
    """Record the question with its pictures and send it; if all were refused, nothing is sent
    and the ``typed`` text goes back to the input."""
    sent = bool(prepared.images) or not prepared.refusals
    conv.add_user(question, prepared.images, prepared.refusals, sent=sent)
    if sent:
        ask_last(state, conv, choice)  # the request leaves now; the page is drawn meanwhile
    elif typed.strip():
        state.restore_input = typed.strip()


sample = asked if isinstance(asked, session.TrySample) else None
if heard is not None or send_photo_now or sample is not None:
    text = (heard.text if heard else sample.question if sample else "") or ""
    uploads = list(heard.uploads) if heard else []
    if sample is not None:  # the welcome's sample picture, sent with its question
        uploads.append(sample_upload(lang))
    if text.strip() or uploads or has_photo:
        prepared = combine(
            # as the pictures prepared while it was typed were (app.py: expect_pictures)
            prepare_uploads(uploads, choice.pictures, ready=pictures_ready()),
            photo,
        )
        question = text.strip() or t("chat.default_question", lang)
        state.pending = pending = None  # a new message replaces one left waiting
        where = index_of(conv, editing) if editing is not None else None
        hold_first = (
            running is None
            and where is None
            and (
                needs_a_look(prepared, choice)  # shown first, with what slicing would cost
                or needs_confirmation(
                    next_cost(conv, choice, policy, text=question, images=prepared.images)
                )
                or bool(prepared.images and known_blind(choice))  # a check found it cannot see
            )
        )
        # Acted on from here, with nothing that could stop this run before it is recorded (a
        # new message replaces a held one: its click goes too).
        asks.heard = None
        session.let_go(asks)
        if has_photo:
            close_camera(camera)  # the photo is used: gone from the input, camera shut
            photo_sent = True
        if running is not None:
            # Sent in the moment before the page held Enter: it waits, the answer goes on.
            pending = PendingMessage(question, tuple(uploads), prepared, queued=True)
            state.pending = pending
        elif where is not None:
            # the edited question and a new answer: what followed it is kept as a version
            state.editing = editing = None
            edited = conv.edit_question(where, question, prepared.images, prepared.refusals)
            if edited.status != "not_sent":
                ask_last(state, conv, choice)
            elif text.strip():
                state.restore_input = text.strip()
        elif hold_first:
            pending = PendingMessage(question, tuple(uploads), prepared)
            state.pending = pending
        else:
            ask(question, prepared, text)
    else:
        asks.heard = None  # nothing was sent
elif pending is not None and action is not None and (running is None or action[0] == "cancel"):
    # its pictures (sliced or zoomed, as asked) made first: a run stopped meanwhile loses nothing
    sending = (
        resolve(pending, action, choice) if action[0] != "cancel" and running is None else None
    )
    session.let_go(asks)
    state.pending = None
    if sending is not None:
        ask(pending.question, sending, pending.question)
    pending = None
elif ask_again is not None:
    session.let_go(asks)
    if ask_again():
        ask_last(state, conv, choice)
session.let_go(asks)  # a click nothing above acted on (a stale one) is not kept for later
# The question has left: now the sidebar's settings (app.py left them for this moment), which
# the rest of the page is drawn from as they show.
choice = draw_panel_left() or choice

# This run's changes are saved (only what changed moves), and a chat asked of a store is put in
# place, before anything draws the conversation.
conv = keep()
render_chat_list(lang)


def show_next_cost(where: DeltaGenerator) -> None:
    """What the next question would cost, in ``where``."""
    line = next_cost(conv, choice, policy).line
    where.caption(safe_label("💰 " + t("costs.next", lang, line=line)))


next_line: DeltaGenerator | None = None  # the next question's cost, once no answer is coming
with history:
    drawn_notes = render_history(conv, lang, choice, answering=state.exchange is not None)
    # where an answer recorded on this run is drawn, as the next run's history draws it there:
    # an empty slot, so its bubble is the history's next entry itself, not inside a container
    recorded = st.empty()
    if pending is not None:
        held = next_cost(
            conv, choice, policy, text=pending.question, images=pending.prepared.images
        )
        blind = pending.prepared.images and known_blind(choice)
        over = needs_confirmation(held)
        render_pending(
            pending,
            choice,
            cost_line=held.line,
            warnings=[t("tools.blind_warning", lang, model=choice.model)] if blind else [],
            title=(
                t("chat.queued_title", lang)
                if pending.queued
                else t("costs.held_title", lang)
                if over
                else ""
            ),
            over_limit=held if over else None,
        )
    elif conv.entries:
        next_line = st.empty()
        if state.exchange is None:
            show_next_cost(next_line)
    if editing is not None:
        render_editing_notice(lang)
    render_undo_notice(lang, in_chat=True)  # a message deleted: Undo where it was
# The browser store's ops go once the pictures are drawn (its place in the page is keep()'s).
mount_browser_store()
with st.sidebar:  # follows the answer only while the reader is at the bottom; Esc stops it
    mount_reading(lang, heard=asks.questions_heard, editing=editing is not None)
    mount_shortcuts(lang)  # Ctrl/⌘+Shift+O, /, P, and ? for the list
    mount_listener()  # every entry's buttons: copy, and the clicks take_click turns into actions
    # the first question's thumbnails are drawn without waiting for Streamlit's picture code; last
    # on the page, so the browser fetches that code after what the first screen needs
    load_picture_code(first_screen=welcoming and heard is None)

render_new_chat(lang)  # at the sidebar's top, once the conversation has entries
render_scroll()  # to the end of a chat just opened

running = state.exchange
bubble = None
if running is not None:
    with live:
        bubble = follow_exchange(running, conv, choice, place=recorded, stop_at=stop_at)
if bubble is not None:
    learn_from(conv)  # its bill against the estimate, before its meta line says it
answer = conv.entries[-1] if bubble is not None else None  # as learn_from left it
if (
    bubble is not None
    and answer is not None
    and closes_in_place(answer)
    and next_line is not None
    and not photo_sent
    and state.restore_input is None
    and travel_notes(conv, choice) == drawn_notes
):
    # The answer is finished where it stands, with no run of its own: saved, its meta line and
    # buttons in its bubble, the next question's cost and the chat's total; then Stop goes, and
    # with it the style that kept every entry's buttons hidden meanwhile.
    keep_answer()  # first: Copy then names the saved answer instead of carrying it
    with bubble:
        render_answer_end(answer, conv, lang, choice, last=True, index=len(conv.entries) - 1)
    show_next_cost(next_line)
    refresh_after_answer(conv, choice)
    stop_at.empty()
elif answer is not None or photo_sent or state.restore_input is not None:
    # an error's notice and actions, the camera shown closed again, the text back in the input,
    # or a picture's note that changed; the answer just drawn is not sent again
    rerun_knowing_sent()
