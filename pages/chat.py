"""The chat page: drop, paste or shoot a picture, ask, watch the answer stream."""

from __future__ import annotations

import streamlit as st

from components.i18n import t
from components.images.uploads import (
    IMAGE_EXTENSIONS,
    PreparedUploads,
    Upload,
    combine,
    prepare_uploads,
)
from components.ui import state_keys as keys
from components.ui.chat import (
    conversation,
    drop_exchange,
    follow_exchange,
    prepared_photo,
    render_history,
    render_images,
    settle_exchange,
    start_exchange,
)
from components.ui.pending import PendingMessage, needs_a_look, render_pending, resolve
from components.ui.sidebar import SidebarChoice, render_new_chat
from components.ui.welcome import render_welcome

choice: SidebarChoice = st.session_state[keys.SIDEBAR_CHOICE]
lang = choice.lang
conv = conversation()

# An answer that ended since the last run (Stop included) is recorded before anything is drawn.
running = settle_exchange(conv)
if st.session_state[keys.NEW_CHAT_REQUESTED]:
    st.session_state[keys.NEW_CHAT_REQUESTED] = False
    drop_exchange()
    running = None
    conv.clear()
    st.session_state.pop(keys.DISPLAY_COPIES, None)

retrying = st.session_state[keys.RETRY] and running is None and conv.can_retry()
st.session_state[keys.RETRY] = False
if retrying:
    conv.drop_failed_answer()

# A message none of whose pictures could be sent comes back to the input, so nothing is retyped.
restore = st.session_state.pop(keys.RESTORE_INPUT, None)
if restore:
    st.session_state[keys.CHAT_INPUT] = restore

submission = st.chat_input(
    t("chat.placeholder", lang),
    key=keys.CHAT_INPUT,
    accept_file="multiple",
    file_type=list(IMAGE_EXTENSIONS),
    # Disabled while an answer streams, so a new message never silently ends it; the answer
    # has its own Stop button.
    submit_mode="disable",
)

if not conv.entries and submission is None and not st.session_state[keys.SEND_CAMERA]:
    render_welcome(choice)
history = st.container()
live = st.container()  # the answer being fetched goes here, above the camera

# The camera: its photo waits, shown with its prepared size, and goes with the next message.
camera_on = st.toggle(t("chat.camera_toggle", lang), key=keys.CAMERA_ON)
camera_key = keys.camera_key(st.session_state[keys.CAMERA_ROUND])
photo = PreparedUploads(images=(), refusals=())
if camera_on:
    shot = st.camera_input(t("chat.camera_label", lang), key=camera_key, resolution="1080p")
    if shot is not None:
        photo = prepared_photo(shot, choice)
        render_images(photo.images, lang)
        for refusal in photo.refusals:
            st.warning(refusal.message(lang), icon="🚫")
        st.button(
            t("chat.send_photo", lang),
            icon="📤",
            on_click=st.session_state.__setitem__,
            args=(keys.SEND_CAMERA, True),
        )

has_photo = bool(photo.images or photo.refusals)
send_photo_now = st.session_state[keys.SEND_CAMERA] and has_photo
st.session_state[keys.SEND_CAMERA] = False
photo_sent = False

pending: PendingMessage | None = st.session_state.get(keys.PENDING)
action = st.session_state.pop(keys.PENDING_ACTION, None)


def ask(question: str, prepared: PreparedUploads, typed: str) -> None:
    """Record the question with its pictures and send it; if all were refused, nothing is sent
    and the ``typed`` text goes back to the input."""
    sent = bool(prepared.images) or not prepared.refusals
    conv.add_user(question, prepared.images, prepared.refusals, sent=sent)
    if sent:
        start_exchange(conv, choice)  # the request leaves now; the page is drawn meanwhile
    elif typed.strip():
        st.session_state[keys.RESTORE_INPUT] = typed.strip()


if submission is not None or send_photo_now:
    text = (submission.text if submission else "") or ""
    uploads = [Upload(f.name, f.getvalue()) for f in (submission.files if submission else [])]
    if text.strip() or uploads or has_photo:
        if running is not None:  # only after a reload: a new question ends the answer still coming
            running.stop()
            running = settle_exchange(conv)
        if has_photo:
            st.session_state[keys.CAMERA_ROUND] += 1  # the photo is used: the camera starts empty
            photo_sent = True
        prepared = combine(
            prepare_uploads(
                uploads, detail=choice.detail, model=choice.model, max_slices=choice.max_slices
            ),
            photo,
        )
        question = text.strip() or t("chat.default_question", lang)
        st.session_state.pop(keys.PENDING, None)  # a new message replaces one left waiting
        pending = None
        if needs_a_look(prepared, choice):  # shown first, with what slicing would cost
            pending = PendingMessage(question, tuple(uploads), prepared)
            st.session_state[keys.PENDING] = pending
        else:
            ask(question, prepared, text)
elif pending is not None and action is not None:
    st.session_state.pop(keys.PENDING, None)
    if action[0] != "cancel" and running is None:
        ask(pending.question, resolve(pending, action, choice), pending.question)
    pending = None
elif retrying:
    start_exchange(conv, choice)

with history:
    render_history(conv, lang, choice)
    if pending is not None:
        render_pending(pending, choice)

render_new_chat(lang)  # at the sidebar's top, once the conversation has entries

running = st.session_state.get(keys.EXCHANGE)
if running is not None:
    with live:
        follow_exchange(running, conv, choice)
if photo_sent or keys.RESTORE_INPUT in st.session_state:
    st.rerun()  # show the camera empty again, or put the text back in the input
