"""What a person can do with a message: copy an answer, regenerate any answer, edit any question
(what it replaces stays as an earlier version, shown ‹ n / m ›), delete a question or an answer;
and the "thinking" mark an answer shows before its first word.

The buttons only record what was asked (``keys.ENTRY_ACTION``, ``keys.EDITING``); the page does
the work on its next run. Copy happens in the browser alone: one listener on the page writes the
answer's Markdown (carried by its button) to the clipboard, with no rerun.
"""

from __future__ import annotations

import base64
import html
import importlib
import io

import streamlit as st
from PIL import Image, ImageDraw

from components.conversation.history import Conversation, Entry
from components.i18n import Lang, t
from components.ui import session
from components.ui import state_keys as keys

# Streamlit imports its icon list on the first ":material/…:" icon: load it with the page, not
# between the first question and its answer.
importlib.import_module("streamlit.material_icon_names")

# The buttons show their icon only; their label stays for screen readers and Playwright (an
# accessible name), the tooltip says what they do. Streamlit gives a keyed widget the class
# ``st-key-<key>``.

# The thinking mark's dots: a small animated PNG used as a mask over the text colour (so they
# follow the theme). The browser paints an animated image only when its frame changes, about 12 ms
# of CPU a second in headless Chromium; the pulsing CSS animation it replaces repainted every
# frame, 55-75 ms a second for each waiting page.
DOTS_SIZE = (34, 8)
DOT_STEP_MS = 400


def _dots_png(lit: list[int | None]) -> str:
    """Return a ``data:`` URL of three dots, one PNG frame per entry of ``lit`` (the dot drawn
    opaque; ``None``: all at 60 %), each shown ``DOT_STEP_MS``."""
    scale = 4  # drawn large and scaled down: round edges
    width, height = DOTS_SIZE
    frames = []
    for bright in lit:
        frame = Image.new("LA", (width * scale, height * scale), (0, 0))
        draw = ImageDraw.Draw(frame)
        for i in range(3):
            alpha = 150 if bright is None else 255 if i == bright else 64
            left = i * 13 * scale
            draw.ellipse((left, 0, left + height * scale - 1, height * scale - 1), fill=(0, alpha))
        frames.append(frame.resize(DOTS_SIZE, Image.Resampling.LANCZOS))
    png = io.BytesIO()
    frames[0].save(
        png, "PNG", save_all=len(frames) > 1, append_images=frames[1:], duration=DOT_STEP_MS, loop=0
    )
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


# Sent with the mark only (not with every run's styles): most runs show no mark.
_THINKING_STYLE = f"""<style>
.kantu-thinking {{ display: flex; align-items: center; gap: 0.6rem; min-height: 2rem; }}
.kantu-thinking .dots {{
  display: inline-block; width: {DOTS_SIZE[0]}px; height: {DOTS_SIZE[1]}px;
  background: currentColor; mask: url({_dots_png([0, 1, 2])}) no-repeat;
}}
@media (prefers-reduced-motion: reduce) {{
  .kantu-thinking .dots {{ mask-image: url({_dots_png([None])}); }}
}}
</style>"""

# Copy happens in the browser alone. Each answer's button is a plain ``<button>`` in an
# ``st.html`` element holding the answer's Markdown (base64: DOMPurify drops an attribute whose
# value looks like markup, "-->" or "</style>", and answers hold code); one listener on the page
# copies it. A component per answer cost three times an element's server time on every rerun.
_COPY_BUTTON = (
    '<button type="button" class="kantu-copy" data-markdown="{markdown}" aria-label="{label}"'
    ' title="{help}" data-copied="{copied}" data-failed="{failed}"></button>'
    '<span class="kantu-copy-status" role="status" aria-live="polite"></span>'
)


def _icon_mask(path: str) -> str:
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><path d='{path}'/></svg>"
    return 'url("data:image/svg+xml;base64,' + base64.b64encode(svg.encode()).decode() + '")'


_COPY_ICON = _icon_mask(
    "M9 18q-.825 0-1.412-.587T7 16V4q0-.825.588-1.412T9 2h9q.825 0 1.413.588T20 4v12q0 "
    ".825-.587 1.413T18 18zm0-2h9V4H9zm-4 6q-.825 0-1.412-.587T3 20V6h2v14h11v2zm4-6V4z"
)
_DONE_ICON = _icon_mask("m9.55 18-5.7-5.7 1.425-1.425L9.55 15.15l9.175-9.175L20.15 7.4z")

_COPY_STYLE = f"""
button.kantu-copy {{
  display: inline-flex; align-items: center; justify-content: center;
  width: 2rem; height: 2rem; padding: 0; border: none; border-radius: 0.5rem;
  background: transparent; color: inherit; cursor: pointer; vertical-align: middle;
}}
button.kantu-copy::before {{
  content: ""; width: 18px; height: 18px; background: currentColor;
  mask: {_COPY_ICON} center / contain no-repeat;
}}
button.kantu-copy.copied::before {{ mask-image: {_DONE_ICON}; }}
button.kantu-copy:hover {{ background: rgba(128, 128, 128, 0.15); }}
button.kantu-copy:focus-visible {{ outline: 2px solid currentColor; outline-offset: 1px; }}
.kantu-copy-status {{ margin-left: 0.25rem; font-size: 0.85rem; vertical-align: middle; }}
"""

# Installed once per page; navigator.clipboard needs a secure context (https or localhost),
# elsewhere the old execCommand route still copies.
_COPY_JS = """
export default function () {
  if (window.__kantuCopy) return;
  window.__kantuCopy = true;
  const fallback = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    if (!done) throw new Error("copy refused");
  };
  const markdown = (button) => {
    const bytes = Uint8Array.from(atob(button.dataset.markdown || ""), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  };
  document.addEventListener("click", async (event) => {
    const button = event.target.closest?.("button.kantu-copy");
    if (!button) return;
    const status = button.parentElement.querySelector(".kantu-copy-status");
    const say = (text, copied) => {
      if (status) status.textContent = text;
      button.classList.toggle("copied", copied);
      clearTimeout(button.__kantuTimer);
      button.__kantuTimer = setTimeout(() => {
        if (status) status.textContent = "";
        button.classList.remove("copied");
      }, 2500);
    };
    try {
      const text = markdown(button);
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
      } else {
        fallback(text);
      }
      say(button.dataset.copied, true);
    } catch (err) {
      say(button.dataset.failed, false);
    }
  });
};
"""

# Defined once, at import, as Streamlit intends: each run mounts it on its own runtime.
_COPY_LISTENER = st.components.v2.component("kantu_copy_answers", js=_COPY_JS)


_STYLES = f"""<style>{_COPY_STYLE}
[class*="st-key-{keys.ACTION_PREFIX}_"] button [data-testid="stMarkdownContainer"] {{
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap;
}}
[class*="st-key-{keys.ACTION_PREFIX}_"] button {{ min-height: 2rem; padding: 0 0.35rem; }}
</style>"""


def inject_styles() -> None:
    """Add the page's styles for the action buttons (once per run)."""
    st.html(_STYLES)


def render_thinking(slot: st.delta_generator.DeltaGenerator, lang: Lang) -> None:
    """Show, in ``slot``, that the provider is working on the answer: stepping dots and words."""
    words = html.escape(t("chat.thinking", lang))
    slot.html(
        _THINKING_STYLE + '<div class="kantu-thinking" role="status" aria-live="polite">'
        '<span class="dots" aria-hidden="true"></span>'
        f"<span>{words}</span></div>"
    )


def _ask(verb: str, entry: Entry) -> None:
    session.request(session.EntryAction(verb, entry))


def _edit(entry: Entry) -> None:
    state = session.chat()
    state.editing = entry
    state.restore_input = entry.text


def _button(verb: str, index: int, icon: str, lang: Lang, help_key: str, **click) -> None:
    st.button(
        t(f"actions.{verb}", lang),
        key=keys.action_key(verb, index),
        icon=icon,
        help=t(help_key, lang),
        type="tertiary",
        **click,
    )


def render_actions(entry: Entry, index: int, conv: Conversation, lang: Lang) -> None:
    """Show one entry's action buttons in a row: an answer's copy, regenerate (any answer but a
    last one that failed or was cut: Retry covers it) and delete; a question's edit, delete and,
    once it has several versions, ‹ n / m › between them."""
    with st.container(horizontal=True, gap="xxsmall", vertical_alignment="center"):
        if entry.role == "assistant":
            copy_answer(entry.text, lang)
            if index < len(conv.entries) - 1 or entry.status == "ok":
                _button(
                    "regenerate",
                    index,
                    ":material/refresh:",
                    lang,
                    "actions.regenerate_help",
                    on_click=_ask,
                    args=("regenerate", entry),
                )
            help_key = "actions.delete_answer_help"
        else:
            if entry.version_count > 1:
                _versions(entry, index, lang)
            if entry.status != "not_sent":
                _button(
                    "edit",
                    index,
                    ":material/edit:",
                    lang,
                    "actions.edit_help",
                    on_click=_edit,
                    args=(entry,),
                )
            help_key = "actions.delete_question_help"
        _button(
            "delete",
            index,
            ":material/delete:",
            lang,
            help_key,
            on_click=_ask,
            args=("delete", entry),
        )


def _versions(entry: Entry, index: int, lang: Lang) -> None:
    """‹ n / m ›: the question's versions, the one shown and the way to the others."""
    n, count = entry.version + 1, entry.version_count
    _button(
        "older",
        index,
        ":material/chevron_left:",
        lang,
        "actions.older",
        on_click=_ask,
        args=("older", entry),
        disabled=n == 1,
    )
    st.caption(f"{n} / {count}", width="content")
    _button(
        "newer",
        index,
        ":material/chevron_right:",
        lang,
        "actions.newer",
        on_click=_ask,
        args=("newer", entry),
        disabled=n == count,
    )


def copy_answer(text: str, lang: Lang) -> None:
    """Show the copy button for an answer's Markdown ``text`` (``mount_copy`` makes it work)."""
    st.html(
        _COPY_BUTTON.format(
            markdown=base64.b64encode(text.encode("utf-8")).decode("ascii"),
            label=_attribute(t("actions.copy", lang)),
            help=_attribute(t("actions.copy_help", lang)),
            copied=_attribute(t("actions.copied", lang)),
            failed=_attribute(t("actions.copy_failed", lang)),
        ),
        width="content",
    )


def _attribute(text: str) -> str:
    return html.escape(text, quote=True)


def mount_copy() -> None:
    """Mount the page's one listener for the answers' copy buttons (an invisible element; call
    it in the sidebar)."""
    _COPY_LISTENER(key=keys.COPY_LISTENER, height=0)


def render_editing_notice(lang: Lang) -> None:
    """Say that the chat input holds a question for editing, with a way to cancel."""
    with st.container(horizontal=True, vertical_alignment="center"):
        st.info(t("actions.editing", lang), icon="✏️")
        st.button(
            t("actions.cancel_edit", lang),
            key=keys.CANCEL_EDIT,
            icon=":material/close:",
            on_click=cancel_edit,
        )


def cancel_edit() -> None:
    """Leave editing: the question stays as it was and the input is emptied."""
    session.chat().editing = None
    session.set_widget(keys.CHAT_INPUT, "")


def index_of(conv: Conversation, entry: Entry) -> int | None:
    """Return where ``entry`` (this very object) stands in the history, or None if gone."""
    return next((i for i, e in enumerate(conv.entries) if e is entry), None)
