"""Rendering the conversation: messages, pictures, the quiet meta line, errors and the stream."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import requests
import streamlit as st

from components.conversation.history import (
    AnswerMeta,
    Conversation,
    Entry,
    ErrorInfo,
    partial_status,
)
from components.errors import ConfigError, KantuError, ProviderError
from components.i18n import Lang, t
from components.images.prepared import PreparedImage
from components.providers.client import ChatClient, ChatStream, StreamResult
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS, ProviderPreset
from components.ui import state_keys as keys
from components.ui.markdown_safety import safe_markdown, stream_safely
from components.ui.sidebar import SidebarChoice

THUMB_WIDTH = 220


@dataclass
class Answering:
    """The answer a run is streaming, so that the next run can end it and wait for it."""

    done: threading.Event = field(default_factory=threading.Event)
    stream: ChatStream | None = None
    stopped: bool = False


def settle_previous_answer(timeout_s: float = 5.0) -> None:
    """End an answer that an earlier run is still streaming, and wait until it is in the history.

    On any interaction (Stop included) Streamlit starts the new run at once in a new thread while
    the old run may still be blocked reading the stream; without this the new run would draw the
    history before the old run has recorded its partial answer.
    """
    answering: Answering | None = st.session_state.get(keys.ANSWERING)
    if answering is None or answering.done.is_set():
        return
    answering.stopped = True
    if answering.stream is not None:
        answering.stream.close()  # wakes a read blocked on the socket
    answering.done.wait(timeout_s)


def conversation() -> Conversation:
    """Return this browser session's conversation (created on first use)."""
    if keys.CONVERSATION not in st.session_state:
        st.session_state[keys.CONVERSATION] = Conversation()
    return st.session_state[keys.CONVERSATION]


def http_session() -> requests.Session:
    """Return this browser session's HTTP session (one per person, reused across reruns)."""
    if keys.HTTP_SESSION not in st.session_state:
        st.session_state[keys.HTTP_SESSION] = requests.Session()
    return st.session_state[keys.HTTP_SESSION]


def image_caption(image: PreparedImage, lang: Lang) -> str:
    """Return "W×H · ~N tokens" plus what preparation did to the picture."""
    notes = [
        t(
            "chat.image_caption",
            lang,
            width=image.width,
            height=image.height,
            tokens=f"{image.tokens:,}",
        )
    ]
    source = image.source
    if source.orientation_applied:
        notes.append(t("source.rotated", lang))
    if source.frames > 1:
        notes.append(t("source.frames", lang, frames=source.frames))
    if source.truncated:
        notes.append(t("source.truncated", lang))
    return " · ".join(notes)


def render_images(images: Sequence[PreparedImage], lang: Lang) -> None:
    """Show thumbnails made from the prepared bytes, captioned with size and tokens."""
    if images:
        st.image(
            [image.data for image in images],
            caption=[image_caption(image, lang) for image in images],
            width=THUMB_WIDTH,
        )


def render_error(info: ErrorInfo, lang: Lang, choice: SidebarChoice) -> None:
    """Show a translated, actionable error with the provider's own words in small print.

    A cut answer is a warning (its partial text is above); key problems say where to get a key.
    """
    show = st.warning if info.kind == "interrupted" else st.error
    show(info.message(lang), icon="⚠️")
    if info.kind in ("auth", "config"):
        preset = _key_preset(info, choice.preset)
        if preset is not None:
            render_key_help(preset, lang)
    if info.detail and info.kind not in ("image", "config"):
        st.caption(t("error.provider_said", lang, detail=info.detail))


def _key_preset(info: ErrorInfo, chosen: ProviderPreset) -> ProviderPreset | None:
    # 冰橙's own "key wrong or expired" body (codes 900) identifies the provider even when it is
    # reached through a custom base URL.
    if info.vendor_code == "900":
        return PRESETS[DEFAULT_PRESET_ID]
    return chosen if chosen.needs_key or chosen.key_help_en else None


def render_key_help(preset: ProviderPreset, lang: Lang) -> None:
    """Explain where to get a key for ``preset``."""
    help_text = preset.key_help_zh if lang == "zh" else preset.key_help_en
    with st.expander(t("chat.get_key", lang, provider=preset.name(lang)), expanded=True):
        st.markdown(help_text)


def meta_line(meta: AnswerMeta, lang: Lang) -> str:
    """Return the quiet line under an answer: model, tokens, time to first token, total."""
    parts = []
    if meta.model:
        parts.append(meta.model)
    if meta.prompt_tokens is not None:
        parts.append(
            t(
                "meta.tokens",
                lang,
                prompt=f"{meta.prompt_tokens:,}",
                completion=f"{meta.completion_tokens or 0:,}",
            )
        )
    elif meta.estimated_image_tokens:
        parts.append(t("meta.estimated", lang, tokens=f"{meta.estimated_image_tokens:,}"))
    if meta.ttft_s is not None:
        parts.append(t("meta.ttft", lang, seconds=f"{meta.ttft_s:.1f}"))
    if meta.total_s is not None:
        parts.append(t("meta.total", lang, seconds=f"{meta.total_s:.1f}"))
    return " · ".join(parts)


def render_answer_footer(entry: Entry, lang: Lang, choice: SidebarChoice, *, last: bool) -> None:
    """Show an answer's status marks, error, meta line and (when it failed) a Retry button."""
    if entry.status == "interrupted" and (entry.error is None or entry.error.kind != "interrupted"):
        st.warning(t("chat.status_interrupted", lang), icon="⚠️")
    elif entry.status == "stopped":
        st.info(t("chat.status_stopped", lang), icon="⏹️")
    if entry.meta and entry.meta.finish_reason == "length":
        st.info(t("chat.status_length", lang), icon="✂️")
    if entry.error is not None:
        render_error(entry.error, lang, choice)
    if entry.meta:
        st.caption(meta_line(entry.meta, lang))
    if last and entry.status != "ok":
        st.button(
            t("chat.retry", lang),
            icon="🔁",
            key=f"retry_{len(conversation().entries)}",
            on_click=st.session_state.__setitem__,
            args=(keys.RETRY, True),
        )


def render_entry(
    entry: Entry, conv: Conversation, lang: Lang, choice: SidebarChoice, *, last: bool
) -> None:
    """Render one history entry as a chat message."""
    with st.chat_message(entry.role):
        if entry.role == "user":
            st.text(entry.text)
            render_images(conv.images_of(entry), lang)
            for refusal in entry.refusals:
                st.warning(f"{t('chat.refused', lang)}: {refusal.message(lang)}", icon="🚫")
            if entry.status == "not_sent":
                st.info(t("chat.not_sent", lang))
            return
        if entry.text:
            st.markdown(safe_markdown(entry.text))
        render_answer_footer(entry, lang, choice, last=last)


def render_history(conv: Conversation, lang: Lang, choice: SidebarChoice) -> None:
    """Render every entry; the last one may offer Retry."""
    for i, entry in enumerate(conv.entries):
        render_entry(entry, conv, lang, choice, last=i == len(conv.entries) - 1)


def stream_answer(conv: Conversation, choice: SidebarChoice) -> None:
    """Ask the model about the conversation so far and stream the answer into a new message.

    Whatever happens (an error, a cut, the person pressing Stop or doing anything else that reruns
    the page) the answer is recorded: complete, partial and marked, or as an error.
    """
    lang = choice.lang
    with st.chat_message("assistant"):
        if choice.settings is None or not choice.has_key:
            error = choice.config_error or ConfigError("no_key", provider=choice.preset.name(lang))
            entry = conv.add_answer("", status="error", error=error)
            render_answer_footer(entry, lang, choice, last=True)
            return
        turns = conv.request_turns()
        image_tokens = sum(image.tokens for turn in turns for image in turn.images)
        received: list[str] = []
        failure: list[KantuError] = []
        result: StreamResult | None = None
        status = "stopped"  # stays so if the run ends mid-stream (Stop, or any rerun)
        answering = st.session_state[keys.ANSWERING] = Answering()
        live = st.empty()
        stop = st.empty()
        # Pressing Stop reruns the script, which ends this run at the next delta; `finally`
        # below keeps what arrived, and the rerun shows it marked "stopped" with Retry.
        stop.button(t("chat.stop", lang), icon="⏹️", key=keys.STOP)
        try:
            client = ChatClient(choice.settings, session=http_session())
            stream = answering.stream = client.stream_chat(turns, choice.options)
            try:
                with live.container():
                    st.write_stream(stream_safely(_collect(stream, received, failure)))
            finally:
                stream.close()
            result = stream.result
            status = partial_status(failure[0]) if failure else "ok"
        except KantuError as err:  # refused before sending (e.g. too large)
            failure.append(err)
            status = "error"
        finally:
            if answering.stopped:  # a newer run ended this one (see settle_previous_answer)
                status, failure = "stopped", []
            text = "".join(received)
            error = failure[0] if failure else None
            meta = _meta(result, choice, image_tokens)
            entry = conv.add_answer(text, status=status, meta=meta, error=error)
            answering.done.set()
        live.empty()
        stop.empty()
        if entry.text:
            st.markdown(safe_markdown(entry.text))
        render_answer_footer(entry, lang, choice, last=True)


def _collect(
    stream: Iterator[str], received: list[str], failure: list[KantuError]
) -> Iterator[str]:
    # A delta is kept once it has been handed on to be shown: if the person stops the answer
    # while it is drawn, the kept text is what they saw.
    try:
        for delta in stream:
            yield delta
            received.append(delta)
    except ProviderError as err:
        failure.append(err)


def _meta(
    result: StreamResult | None, choice: SidebarChoice, image_tokens: int
) -> AnswerMeta | None:
    if result is None:
        return None
    usage = result.usage
    return AnswerMeta(
        model=result.model or choice.model,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        ttft_s=result.ttft_s,
        total_s=result.total_s,
        finish_reason=result.finish_reason,
        estimated_image_tokens=image_tokens,
    )
