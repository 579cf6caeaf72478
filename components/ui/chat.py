"""Rendering the conversation: messages, pictures, the quiet meta line, errors and the live answer.

The answer itself is fetched by ``components.conversation.exchange.Exchange`` in a thread of its
own, kept in the session; this module only starts it, draws what it has collected and records it.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import time
from collections.abc import Mapping
from contextlib import nullcontext

import requests
import streamlit as st
from PIL import Image
from streamlit.delta_generator import DeltaGenerator

from components.conversation.clients import AnySettings
from components.conversation.exchange import AnswerMeta, Exchange
from components.conversation.history import (
    REFUSED_FOR_PICTURES,
    REFUSED_FOR_WORDS,
    Conversation,
    Entry,
    ErrorInfo,
)
from components.conversation.meta_text import meta_text
from components.errors import ConfigError, KantuError
from components.i18n import Lang, t
from components.images.upload import Upload
from components.images.uploads import Preparation, prepare_uploads
from components.ocr.engine import reader_status, shared_reader
from components.providers.client import ChatClient, ChatOptions
from components.providers.error_mapping import BINGCHENG_CODES, about_pictures
from components.providers.presets import (
    CUSTOM_PRESET_ID,
    DEFAULT_PRESET_ID,
    LOCAL_PRESET_ID,
    PRESETS,
    ProviderPreset,
)
from components.providers.settings import resolve_settings
from components.turns import ChatTurn
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.answer_actions import render_actions, render_thinking
from components.ui.conversation_tools import context_policy
from components.ui.costs import billed_line, plan_next
from components.ui.gallery import render_images
from components.ui.key_sources import question_of
from components.ui.markdown_view import LiveMarkdown, safe_label, show_answer, show_markdown
from components.ui.reading import render_stop
from components.ui.sending import send_exchange
from components.ui.sidebar import SidebarChoice, first_preset_id, read_secrets

log = logging.getLogger("kantu")

# How long the live answer waits for new text before checking in with Streamlit (which is when a
# newer run can take over), and the least time between two redraws of a fast answer.
POLL_S = 0.25
SHOWN_ENTRIES = 20  # the last ten questions and answers; earlier ones a click away
FRAME_S = 0.12


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Start loading, once per server and in the background, what the first question would
    otherwise load between Enter and the request: Pillow's codecs, the payload and request
    machinery, numpy (which ``st.image`` imports on its first call), and the local text reader's
    models when it is the default here (no operator key; shared by every session: no user data).
    Elsewhere the reader loads on first use, in the exchange's thread."""
    local_first = first_preset_id(read_secrets(), dict(os.environ)) == LOCAL_PRESET_ID
    thread = threading.Thread(
        target=_rehearse, args=(local_first,), name="kantu-warm-up", daemon=True
    )
    thread.start()
    return thread


def _rehearse(load_reader: bool) -> None:
    """Prepare a tiny picture and build (but do not send) a request with it; load the local
    reader when ``load_reader``."""
    try:
        import numpy  # noqa: F401  # st.image imports it on every call; the first time is slow

        photo = io.BytesIO()
        Image.new("RGB", (64, 48), (255, 140, 0)).save(photo, "JPEG")
        upload = Upload("warm-up.jpg", photo.getvalue())
        images = prepare_uploads([upload], Preparation("auto", "gpt-4o-mini")).images
        settings = resolve_settings(base_url="http://127.0.0.1:9/v1", api_key="", model="warm-up")
        with ChatClient(settings) as client:
            client.stream_chat([ChatTurn("user", "?", images)], ChatOptions()).close()
            request = requests.Request("POST", settings.base_url, json={"warm": "up"})
            prepared = client.session.prepare_request(request)  # reads ~/.netrc the first time
            client.session.merge_environment_settings(prepared.url, {}, None, None, None)
    except Exception:  # a rehearsal that fails costs the first question some time, nothing else
        log.warning("warm-up failed", exc_info=True)
    if load_reader:
        try:
            shared_reader().load()
        except KantuError:  # the preset then shows as unavailable, with why
            log.warning("local text reader unavailable: %s", reader_status().reason)


def conversation() -> Conversation:
    """Return this browser session's conversation (created on first use)."""
    return chat_state.chat().conversation


def http_session() -> requests.Session:
    """Return this browser session's HTTP session (one per person, reused across reruns)."""
    return chat_state.chat().http


# Each error kind's main action (see ``_main_action``; the kinds refused for their words or
# pictures come from the history, which leaves those questions out). Retry is offered only where
# asking again can help: not for a question refused for what it says, nor for pictures too big.
_KEY_CONFIG_MESSAGES = frozenset(
    {"config.no_key", "config.bad_key", "config.bad_operator_key", "config.operator_key_withheld"}
)
# 冰橙's error bodies are fixed texts that the translated message already says.
_CANNED_VENDOR_CODES = frozenset(str(code) for code in BINGCHENG_CODES)
# Sidebar fields an action points to (Streamlit adds the class ``st-key-<key>`` to a keyed widget).
# The access code's box is above the page, not in the sidebar.
_FIELDS = {
    "key": keys.API_KEY,
    "model": keys.MODEL,
    "settings": keys.BASE_URL,
    "code": keys.ACCESS_CODE,
}
_FOCUS_SCRIPT = """<script>
(() => {
  const field = () => document.querySelector(".st-key-%s input");
  // A collapsed sidebar is moved off screen, not hidden: its field still has an offsetParent.
  const collapsed = document.querySelector('[data-testid="stSidebar"]')?.dataset.collapsed;
  const inSidebar = !field() || field().closest('[data-testid="stSidebar"]');
  if (inSidebar && (!field() || field().offsetParent === null || collapsed === "true")) {
    document.querySelector('[data-testid="stExpandSidebarButton"]')?.click();
  }
  const details = field()?.closest("details");  // a closed expander around the field
  if (details && !details.open) details.querySelector("summary")?.click();
  // After the sidebar's slide; a widget drawn for the first time on the page may still be
  // fetching its code (a grey box, no input yet): look again until it is there.
  const since = performance.now();
  const focus = () => {
    const input = field();
    if (input) {
      input.scrollIntoView({block: "center"});
      input.focus();
    } else if (performance.now() - since < 10000) {
      setTimeout(focus, 100);
    }
  };
  setTimeout(focus, 350);
})();
</script>"""


def _main_action(info: ErrorInfo) -> str:
    """Return what the person should do first: key, code, top_up, model, rephrase, fewer,
    settings or retry."""
    if info.kind == "auth" or info.key in _KEY_CONFIG_MESSAGES:
        return "key"
    if info.key == "config.access_code_required":
        return "code"
    if info.kind == "config":
        return "settings"
    if info.kind == "quota":
        return "top_up"
    if info.kind == "model_not_found":
        return "model"
    if info.kind in REFUSED_FOR_WORDS:
        return "rephrase"
    if info.kind in REFUSED_FOR_PICTURES:
        return "fewer"
    return "retry"


def error_message(info: ErrorInfo, lang: Lang, key_source: str | None = None) -> str:
    """Return the error's message; a refused key that was the site's own says so."""
    if info.kind == "auth" and key_source == "operator":
        return t("error.operator_key_refused", lang)
    return info.message(lang)


def provider_words(info: ErrorInfo, shown: str) -> str | None:
    """Return the provider's own words when they add something to ``shown``, else None."""
    if not info.detail or info.kind in ("image", "config"):
        return None
    if info.vendor_code in _CANNED_VENDOR_CODES:
        return None

    def core(text: str) -> str:
        return re.sub(r"[\W_]+", "", text).casefold()

    return None if core(info.detail) in core(shown) else info.detail


def render_error(
    info: ErrorInfo, lang: Lang, choice: SidebarChoice, key_source: str | None = None
) -> None:
    """Show a translated error with the provider's own words in small print, when they add any.

    A cut answer is a warning (its partial text is above); key problems say where to get a key.
    """
    show = st.warning if info.kind == "interrupted" else st.error
    message = error_message(info, lang, key_source)
    show(safe_label(message), icon="⚠️")
    preset = None
    if _main_action(info) == "key":
        preset = _key_preset(info, choice.preset)
        if preset is not None:
            render_key_help(preset, lang)
    shown = " ".join(
        [error_message(info, "zh", key_source), error_message(info, "en", key_source)]
        + ([preset.key_help_zh, preset.key_help_en] if preset is not None else [])
    )
    words = provider_words(info, shown)
    if words is not None:
        st.caption(safe_label(t("error.provider_said", lang, detail=words)))


def render_error_actions(
    info: ErrorInfo, conv: Conversation, lang: Lang, choice: SidebarChoice, question: str
) -> None:
    """Offer the error's main action first, then Retry where asking again can help."""
    action = _main_action(info)
    n = len(conv.entries)
    with st.container(horizontal=True, gap="small"):
        if action in _FIELDS:
            label = {
                "key": "action.enter_key",
                "model": "action.pick_model",
                "settings": "action.fix_settings",
                "code": "action.enter_code",
            }[action]
            st.button(
                t(label, lang),
                icon={"key": "🔑", "model": "🔀", "settings": "⚙️", "code": "🔒"}[action],
                type="primary",
                key=f"action_{n}",
                on_click=_ask_focus,
                args=(_FIELDS[action],),
            )
        elif action == "top_up":
            preset = _top_up_preset(info, choice.preset)
            if preset is not None:
                st.link_button(
                    t("action.top_up", lang, provider=preset.name(lang)),
                    preset.key_url,
                    icon="💳",
                    type="primary",
                )
        elif action in ("rephrase", "fewer"):
            st.button(
                t("action.rephrase" if action == "rephrase" else "action.send_fewer", lang),
                icon="✏️",
                type="primary",
                key=f"action_{n}",
                on_click=put_back,
                args=(question,),
            )
        if action not in ("rephrase", "fewer"):
            st.button(
                t("chat.retry", lang),
                icon="🔁",
                type="primary" if action == "retry" else "secondary",
                key=f"retry_{n}",
                on_click=session.requester(session.Retry()),
            )


def put_back(text: str) -> None:
    """Put ``text`` back in the chat input (a callback: it runs before the input is drawn)."""
    session.set_widget(keys.CHAT_INPUT, text)


def _ask_focus(field: str) -> None:
    chat_state.chat().focus_field = field


def focus_requested_field() -> None:
    """Focus, once, the sidebar field an error's action pointed to (opening the sidebar)."""
    state = chat_state.chat()
    field, state.focus_field = state.focus_field, None
    if field is not None:
        # Streamlit's class for a key: every character outside [a-zA-Z0-9_-] becomes "-"
        css_key = re.sub(r"[^a-zA-Z0-9_-]", "-", field.strip())
        st.html(_FOCUS_SCRIPT % css_key, unsafe_allow_javascript=True)


def _top_up_preset(info: ErrorInfo, chosen: ProviderPreset) -> ProviderPreset | None:
    preset = PRESETS[DEFAULT_PRESET_ID] if info.vendor_code == "300" else chosen
    return preset if preset.key_url else None


def _key_preset(info: ErrorInfo, chosen: ProviderPreset) -> ProviderPreset | None:
    # 冰橙's own "key wrong or expired" body (codes 900) identifies the provider even when it is
    # reached through a custom base URL.
    if info.vendor_code == "900":
        return PRESETS[DEFAULT_PRESET_ID]
    return chosen if chosen.needs_key or chosen.key_help_en else None


def key_help(preset: ProviderPreset, lang: Lang) -> str:
    """Return where to get a key for ``preset`` (for a custom provider: where such keys come
    from)."""
    if preset.id == CUSTOM_PRESET_ID:
        return t("key_help.custom", lang)
    return preset.key_help_zh if lang == "zh" else preset.key_help_en


def render_key_help(preset: ProviderPreset, lang: Lang, *, expanded: bool = True) -> None:
    """Explain where to get a key for ``preset``, with a link to its sign-up page."""
    with st.expander(
        safe_label(t("chat.get_key", lang, provider=preset.name(lang))), expanded=expanded
    ):
        show_markdown(st, key_help(preset, lang))
        if preset.needs_key and preset.key_url:
            st.link_button(
                safe_label(t("chat.open_signup", lang, provider=preset.name(lang))),
                preset.key_url,
                icon="🔗",
            )


def meta_line(meta: AnswerMeta, lang: Lang, cost: str | None = None) -> str:
    """Return the quiet line under an answer: model, tokens in and out, seconds, and ``cost``."""
    return meta_text(meta, lang, cost)


def render_answer_footer(
    entry: Entry,
    conv: Conversation,
    lang: Lang,
    choice: SidebarChoice,
    *,
    last: bool,
    question: str = "",
    key_source: str | None = None,
    index: int | None = None,
) -> None:
    """Show an answer's status marks and meta line in its bubble, its action buttons (copy,
    regenerate, delete; when ``index`` is given), and an error as the app's notice below it,
    with the action that fits (Retry only where it can help).

    Raises nothing; a failed answer without text draws no assistant bubble at all. It draws one
    element at the top, as a question does (``render_history``): a bubble and an error notice
    go in one container.
    """
    with st.container() if entry.text and entry.error is not None else nullcontext():
        if entry.text or entry.error is None:
            with st.chat_message("assistant"):
                if entry.text:
                    show_answer(st, entry.text, chat_state.chat().made_safe)
                render_answer_end(entry, conv, lang, choice, last=last, index=index)
        if entry.error is None:
            return
        with st.container(border=True):
            render_error(entry.error, lang, choice, key_source)
            if _may_refuse_pictures(entry, conv, choice):
                st.info(t("sidebar.text_only_suggested", lang), icon="🔤")
            if last and entry.status != "ok":
                render_error_actions(entry.error, conv, lang, choice, question)


def render_answer_end(
    entry: Entry,
    conv: Conversation,
    lang: Lang,
    choice: SidebarChoice,
    *,
    last: bool,
    index: int | None,
) -> None:
    """What follows an answer's text in its bubble: its status marks, its meta line and, with
    ``index``, its buttons; Retry under a ``last`` answer that was cut."""
    _render_marks(entry, lang)
    notes = _quiet_lines(entry, lang, choice)
    if index is not None and entry.text.strip():
        render_actions(entry, index, conv, lang, notes=notes)  # one element, not three
    else:
        for line in notes:
            st.caption(chat_state.chat().made_safe(line))
    if last and entry.error is None and entry.status != "ok":
        st.button(
            t("chat.retry", lang),
            icon="🔁",
            key=f"retry_{len(conv.entries)}",
            on_click=session.requester(session.Retry()),
        )


def _render_marks(entry: Entry, lang: Lang) -> None:
    if entry.status == "interrupted" and (entry.error is None or entry.error.kind != "interrupted"):
        st.warning(t("chat.status_interrupted", lang), icon="⚠️")
    elif entry.status == "stopped":
        stopped = "chat.status_stopped" if entry.text.strip() else "chat.status_stopped_empty"
        st.info(t(stopped, lang), icon="⏹️")
    if entry.meta and entry.meta.finish_reason == "length":
        st.info(t("chat.status_length", lang), icon="✂️")


def _quiet_lines(entry: Entry, lang: Lang, choice: SidebarChoice) -> tuple[str, ...]:
    """A finished answer's meta line, and its calibration flag if it has one (plain text)."""
    if not entry.meta or entry.status != "ok":
        return ()
    line = meta_line(entry.meta, lang, cost=billed_line(entry.meta, choice))
    flag = entry.calibration_flag
    return (line,) if flag is None else (line, "📏 " + flag.message(lang))


def _may_refuse_pictures(entry: Entry, conv: Conversation, choice: SidebarChoice) -> bool:
    """Whether to suggest "this model cannot see pictures": the provider refused a request that
    carried pictures (400 or an unknown model) in words about pictures, and pictures are not
    already sent as text."""
    if entry.error is None or entry.error.kind not in ("invalid_input", "model_not_found"):
        return False
    if not about_pictures(entry.error.detail):
        return False
    if choice.text_only or choice.preset.local or not reader_status().available:
        return False
    return any(conv.images_of(e) for e in conv.entries if e.role == "user")


def render_entry(
    entry: Entry,
    conv: Conversation,
    lang: Lang,
    choice: SidebarChoice,
    *,
    last: bool,
    index: int | None = None,
    notes: Mapping[str, str] | None = None,
) -> None:
    """Render one history entry: a question in its bubble, an answer with its notices; with
    ``index`` (its place in the history), its action buttons too. ``notes`` adds a word to a
    picture's caption, by sha256 (whether it goes with the next question). Draws one element
    where it is called (a bubble, or a container of a bubble and its notice)."""
    if entry.role == "user":
        pictures = conv.images_of(entry)
        # nothing between the words and the buttons: the two go as one element (render_actions)
        with_row = index is not None and not (
            pictures or entry.refusals or entry.status == "not_sent"
        )
        with st.chat_message("user"):
            if not with_row:
                st.text(entry.text)
            render_images(pictures, lang, alt=entry.text, key_prefix=f"e{id(entry)}", notes=notes)
            for refusal in entry.refusals:
                st.warning(
                    safe_label(t("chat.refused_line", lang, reason=refusal.message(lang))),
                    icon="🚫",
                )
            if entry.status == "not_sent":
                st.info(t("chat.not_sent_restored", lang))
            if index is not None:
                render_actions(entry, index, conv, lang, words=with_row)
        return
    question = question_of(entry, conv)
    render_answer_footer(
        entry,
        conv,
        lang,
        choice,
        last=last,
        question=question.text if question is not None else "",
        key_source=entry.key_source,
        index=index,
    )


def render_history(
    conv: Conversation,
    lang: Lang,
    choice: SidebarChoice,
    *,
    answering: bool = False,
) -> dict[str, str]:
    """Render the last ``SHOWN_ENTRIES`` entries (earlier ones behind "Show earlier messages",
    ``SHOWN_ENTRIES`` more a click); the last one may offer its error's action or Retry. Each
    entry has its action buttons (hidden by the page's style while an answer streams:
    ``answer_actions``); ``answering``: an answer is coming below, which counts as the last
    entry (the page shows what its next run will). Return the pictures' notes drawn
    (``travel_notes``).

    Every rerun draws and sends what it shows, so a long chat drawn whole made every click and
    its reload slower with each turn (a 30-photo chat took 1.6 s to come back)."""
    entries = list(conv.entries)  # an answer may be recorded meanwhile; it is drawn live instead
    notes = travel_notes(conv, choice)
    coming = 1 if answering else 0
    start = max(0, len(entries) + coming - SHOWN_ENTRIES - revealed(conv))
    if start:
        more = min(start, SHOWN_ENTRIES)
        st.button(
            t("chat.show_earlier", lang, n=more)
            if more == start
            else t("chat.show_earlier_of", lang, n=more, hidden=start),
            icon=":material/expand_less:",
            key=keys.SHOW_EARLIER,
            type="tertiary",
            on_click=_reveal,
            args=(conv,),
        )
    for i, entry in enumerate(entries[start:], start=start):
        # one element per entry (``render_entry``): see ``follow_exchange``'s ``place``
        render_entry(
            entry,
            conv,
            lang,
            choice,
            last=i == len(entries) - 1,
            index=i,
            notes=notes,
        )
    focus_requested_field()
    return notes


def revealed(conv: Conversation) -> int:
    """How many earlier entries of ``conv`` the visitor asked to see beyond the last ones."""
    shown_for, count = chat_state.chat().revealed
    return count if shown_for is conv else 0


def _reveal(conv: Conversation) -> None:
    chat_state.chat().revealed = (conv, revealed(conv) + SHOWN_ENTRIES)


def travel_notes(conv: Conversation, choice: SidebarChoice) -> dict[str, str]:
    """Return, per picture of the conversation, whether it goes with a text follow-up (the plan
    of the next request, under the session's context policy); nothing while no picture has been
    sent."""
    if not conv.images:
        return {}
    follow_up = ChatTurn("user", "")
    plan = plan_next(conv, choice, context_policy(), follow_up)
    return {sha: t(f"context.travel.{how}", choice.lang) for sha, how in plan.travels.items()}


# -- the exchange ------------------------------------------------------------------------------


def ask_last(state: chat_state.ChatState, conv: Conversation, choice: SidebarChoice) -> None:
    """Start the answer to the question just recorded (the conversation's last entry).

    Call it right after recording the question, with nothing in between that reads the session:
    the question is marked as waiting for its answer first. A newer trigger can stop this run
    at any session read before the request starts (the gate reads the session), and the next run
    then starts it (``resume_answer``) instead of leaving a question no answer follows.
    """
    state.to_answer = conv.entries[-1]
    start_exchange(conv, choice)


def resume_answer(
    state: chat_state.ChatState, conv: Conversation, choice: SidebarChoice
) -> Exchange | None:
    """Start the answer a stopped run left waiting (``ask_last``), if that question is still the
    last of the open chat; return the session's exchange."""
    waiting = state.to_answer
    if waiting is not None and state.exchange is None:
        if conv.entries and conv.entries[-1] is waiting:
            start_exchange(conv, choice)
        else:  # another chat is open, or the question went: nothing to answer
            state.to_answer = None
    return state.exchange


def start_exchange(conv: Conversation, choice: SidebarChoice) -> None:
    """Ask about the conversation so far: the request leaves at once, in the exchange's thread.

    Sent the one way (``sending.send_exchange``): the key is resolved here, for this request
    only, and the request is admitted with it. When the settings cannot work or the gate
    refuses, the answer is recorded as that error (with Retry) and nothing is sent.
    """
    plan = plan_next(conv, choice, context_policy())
    state, http = chat_state.chat(), http_session()

    def begin(settings: AnySettings, exchange: Exchange) -> Exchange:
        # Kept the moment it starts: reading the session lets Streamlit stop this run for a
        # newer one, and an exchange started but not kept would answer no one.
        state.exchange = exchange.start(settings, session=http)
        state.to_answer = None
        return state.exchange

    try:
        send_exchange(choice, plan, begin, feature="chat")
    except ConfigError as err:
        conv.add_answer("", status="error", error=err)
        state.to_answer = None
    except Exception:
        state.to_answer = None  # failed, not stopped (a stop is no Exception): not tried again
        raise


def settle_exchange(conv: Conversation) -> Exchange | None:
    """Record the session's exchange if it has finished (once); return it if still running."""
    state = chat_state.chat()
    exchange = state.exchange
    if exchange is None:
        return None
    if not exchange.finished:
        return exchange
    exchange.record_once(conv.record)
    state.exchange = None
    return None


def drop_exchange() -> None:
    """Stop the session's exchange, if any, without recording it (the conversation starts over)."""
    state = chat_state.chat()
    exchange, state.exchange = state.exchange, None
    if exchange is not None:
        exchange.stop()


def follow_exchange(
    exchange: Exchange,
    conv: Conversation,
    choice: SidebarChoice,
    *,
    place: DeltaGenerator,
    stop_at: DeltaGenerator,
) -> DeltaGenerator | None:
    """Draw the answer as it arrives in ``place``: the slot right after the history's entries,
    where the next run's history draws the recorded answer, the same way (``show_answer``: the
    page keeps each piece it already shows, and the browser never shows both); Stop goes in
    ``stop_at`` (``reading.stop_slot``: the send button's place) meanwhile.

    Until the first word, a "thinking" mark shows. Finished blocks are sent once; at the end
    the live view is finished where it stands (``LiveMarkdown.finish``: only what changed is
    sent). Stop (or any other click) starts a newer run at once, which draws the stopped answer
    from the history; this loop checks in with Streamlit at least every ``POLL_S`` and ends
    there. Return the answer's bubble when this run recorded the answer (its end, and Stop's
    removal, are the caller's: ``closes_in_place``), else None.
    """
    lang = choice.lang
    made_safe = chat_state.chat().made_safe
    render_stop(stop_at, lang, exchange.stop)
    bubble = place.chat_message("assistant")
    with bubble:
        live = st.empty()
        shown = ""
        if not exchange.text:
            render_thinking(live, lang)
        view: LiveMarkdown | None = None
        while not exchange.finished:
            exchange.wait(len(shown), POLL_S)
            if chat_state.chat().exchange is not exchange:
                return None  # New chat, or a newer run settled it
            text = exchange.text
            if text != shown:
                # Finished blocks are drawn once each; only the open tail is drawn again.
                view = view or LiveMarkdown(
                    live.container(), min_interval=FRAME_S, made_safe=made_safe
                )
                if view.update(text):
                    shown = text
                time.sleep(FRAME_S)  # let a burst of small deltas arrive: one redraw for all
        exchange.record_once(conv.record)
        chat_state.chat().exchange = None
        answer = conv.entries[-1].text
        if answer:
            (view or LiveMarkdown(live.container(), made_safe=made_safe)).finish(answer)
    return bubble


def closes_in_place(entry: Entry) -> bool:
    """Whether an answer just followed live can be finished where it stands
    (``render_answer_end`` in its bubble): one with text and no error, nor cut. Any other (an
    error's notice and actions, Retry) is drawn by the page's next run."""
    return (
        entry.role == "assistant"
        and entry.status == "ok"
        and entry.error is None
        and bool(entry.text.strip())
    )
