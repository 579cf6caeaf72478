"""What a person can do with a message: copy an answer, regenerate any answer, edit any question
(what it replaces stays as an earlier version, shown ‹ n / m ›), delete a question or an answer;
and the "thinking" mark an answer shows before its first word.

Each entry's buttons are plain ``<button>`` elements in one ``st.html`` element, and one
listener on the page (a component, ``mount_listener``) handles every click: copy happens in the
browser alone (the answer's Markdown is carried by its button) with no rerun; any other click
becomes the listener's value, which the page's next run turns into what was asked
(``take_click``: ``AskState.action`` or the question being edited) and acts on. Twenty
Streamlit buttons a screen cost more server time on every rerun than the rest of the
conversation (``bench/long_chat.py``), and the browser drew each button with a tooltip twice.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import io
from collections.abc import Iterator

import streamlit as st
from PIL import Image, ImageDraw

from components.conversation.history import Conversation, Entry
from components.i18n import Lang, t
from components.images.prepared import data_url
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.browser_store import SAVED_TEXTS_JS, BrowserStore

# Streamlit imports its icon list on the first ":material/…:" icon: load it with the page, not
# between the first question and its answer.
importlib.import_module("streamlit.material_icon_names")

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
    return data_url(png.getvalue(), "image/png")


# In every run's styles (sent once, then referred to: the browser holds it), not with each
# question's mark: sent with the mark, it went again whole with every question.
_THINKING_STYLE = f"""
.kantu-thinking {{ display: flex; align-items: center; gap: 0.6rem; min-height: 2rem; }}
.kantu-thinking .dots {{
  display: inline-block; width: {DOTS_SIZE[0]}px; height: {DOTS_SIZE[1]}px;
  background: currentColor; mask: url({_dots_png([0, 1, 2])}) no-repeat;
}}
@media (prefers-reduced-motion: reduce) {{
  .kantu-thinking .dots {{ mask-image: url({_dots_png([None])}); }}
}}
"""


def _icon_mask(path: str) -> str:
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><path d='{path}'/></svg>"
    return f'url("{data_url(svg.encode(), "image/svg+xml")}")'


# Material Symbols (Apache 2.0), the icons Streamlit's own buttons showed here
_ICONS = {
    "copy": "M9 18q-.825 0-1.412-.587T7 16V4q0-.825.588-1.412T9 2h9q.825 0 1.413.588T20 4v12q0 "
    ".825-.587 1.413T18 18zm0-2h9V4H9zm-4 6q-.825 0-1.412-.587T3 20V6h2v14h11v2zm4-6V4z",
    "copied": "m9.55 18-5.7-5.7 1.425-1.425L9.55 15.15l9.175-9.175L20.15 7.4z",
    "regenerate": "M12 20q-3.35 0-5.675-2.325T4 12t2.325-5.675T12 4q1.725 0 3.3.712T18 6.75V4h2v7h-7"
    "V9h4.2q-.8-1.4-2.187-2.2T12 6Q9.5 6 7.75 7.75T6 12t1.75 4.25T12 18q1.925 0 3.475-1.1T17.65 "
    "14h2.1q-.7 2.65-2.85 4.325T12 20",
    "edit": "M5 19h1.425L16.2 9.225L14.775 7.8L5 17.575zm-2 2v-4.25L16.2 3.575q.3-.275.663-.425t"
    ".762-.15t.775.15t.65.45L20.425 5q.3.275.438.65T21 6.4q0 .4-.137.763t-.438.662L7.25 21z",
    "delete": "M7 21q-.825 0-1.412-.587T5 19V6H4V4h5V3h6v1h5v2h-1v13q0 .825-.587 1.413T17 21zM17 "
    "6H7v13h10zM9 17h2V8H9zm4 0h2V8h-2z",
    "older": "M14 18l-6-6 6-6 1.4 1.4-4.6 4.6 4.6 4.6z",
    "newer": "M12.6 12L8 7.4 9.4 6l6 6-6 6L8 16.6z",
}

# One row of plain buttons per entry, icon only: the label is the accessible name (screen readers,
# Playwright), the tooltip says what it does. Copy's button names the answer where the page has it
# already (``BrowserStore.holds``), else carries its Markdown (``copy_payload``); the others carry
# the entry they act on (``entry_token``).
_ACTIONS_STYLE = (
    """
.kantu-actions { display: flex; align-items: center; gap: 0.125rem; flex-wrap: wrap; }
button.kantu-act {
  display: inline-flex; align-items: center; justify-content: center;
  width: 2rem; height: 2rem; padding: 0; border: none; border-radius: 0.5rem;
  background: transparent; color: inherit; cursor: pointer;
}
button.kantu-act::before {
  content: ""; width: 18px; height: 18px; background: currentColor;
  mask: var(--kantu-icon) center / contain no-repeat;
}
button.kantu-act:hover:not(:disabled) { background: rgba(128, 128, 128, 0.15); }
button.kantu-act:focus-visible { outline: 2px solid currentColor; outline-offset: 1px; }
button.kantu-act:disabled { cursor: default; opacity: 0.4; }
/* every entry's row waits for the answer's end, where it has kept its place (none jumps) */
ANSWERING .kantu-actions { visibility: hidden; }
.kantu-copy-status, .kantu-versions { margin: 0 0.25rem; font-size: 0.85rem; }
.kantu-versions { opacity: 0.6; }
/* a question's words as st.text shows them, the gap between two elements below */
.kantu-words { margin: 0 0 1rem; white-space: pre-wrap; word-break: break-word; }
.kantu-quiet { margin: 0 0 0.25rem; font-size: 0.875rem; opacity: 0.6; overflow-wrap: anywhere; }
"""
    + "".join(
        f'button.kantu-act[data-icon="{name}"] {{ --kantu-icon: {_icon_mask(path)}; }}\n'
        for name, path in _ICONS.items()
    )
    + f"button.kantu-act.copied {{ --kantu-icon: {_icon_mask(_ICONS['copied'])}; }}\n"
).replace("ANSWERING", keys.ANSWERING)

# Installed once per page; navigator.clipboard needs a secure context (https or localhost),
# elsewhere the old execCommand route still copies. Any other entry button sets the component's
# value, with a number of its own: the same button clicked twice is two clicks.
_LISTENER_JS = """
export default function ({ setStateValue }) {
  const page = (window.__kantuEntryActions = window.__kantuEntryActions || {});
  page.ask = setStateValue; // the page's latest mount
  if (page.listening) return;
  page.listening = true;
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
  const markdown = (button) =>
    button.dataset.markdown === undefined
      ? savedText(button.dataset.chat, Number(button.dataset.index))
      : decodeURIComponent(button.dataset.markdown);
  const copy = async (button) => {
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
      const text = await markdown(button);
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
      } else {
        fallback(text);
      }
      say(button.dataset.copied, true);
    } catch (err) {
      say(button.dataset.failed, false);
    }
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest?.("button.kantu-act");
    if (!button || button.disabled) return;
    if (button.dataset.verb === "copy") {
      copy(button);
      return;
    }
    const click = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    page.ask("asked", { verb: button.dataset.verb, entry: button.dataset.entry, click });
  });
}
"""

# Defined once, at import, as Streamlit intends: each run mounts it on its own runtime.
_LISTENER = st.components.v2.component("kantu_entry_actions", js=SAVED_TEXTS_JS + _LISTENER_JS)

_STYLES = f"<style>{_ACTIONS_STYLE}{_THINKING_STYLE}</style>"


def inject_styles() -> None:
    """Add the page's styles for the entries' buttons and the thinking mark (once per run)."""
    st.html(_STYLES)


def render_thinking(slot: st.delta_generator.DeltaGenerator, lang: Lang) -> None:
    """Show, in ``slot``, that the provider is working on the answer: stepping dots and words."""
    words = html.escape(t("chat.thinking", lang))
    slot.html(
        '<div class="kantu-thinking" role="status" aria-live="polite">'
        '<span class="dots" aria-hidden="true"></span>'
        f"<span>{words}</span></div>"
    )


def entry_token(index: int, entry: Entry) -> str:
    """Return what an entry's buttons carry to name it: its place and a digest of what it says,
    so that a click drawn for another state of the conversation (a stale page) finds nothing."""
    content = "\0".join(
        (entry.role, entry.text, *entry.image_ids, entry.status, str(entry.version))
    )
    digest = hashlib.blake2s(
        f"{content}\0{entry.version_count}".encode(), digest_size=8
    ).hexdigest()
    return f"{index}:{digest}"


def entry_named(conv: Conversation, token: object) -> int | None:
    """Return where the entry ``token`` (``entry_token``) names stands in ``conv`` as it is now,
    or None (gone, changed, or not a token)."""
    if not isinstance(token, str):
        return None
    place, _, _ = token.partition(":")
    if not place.isdigit() or int(place) >= len(conv.entries):
        return None
    index = int(place)
    return index if entry_token(index, conv.entries[index]) == token else None


def take_click(conv: Conversation) -> None:
    """Turn the last click on an entry's button, if the page has not taken it yet, into what it
    asks: ``AskState.action`` (regenerate, delete, ‹ ›), or the question to edit in the input.

    Call it at the top of the chat page's run, before ``session.asked_action``. A click on a
    button drawn for another state of the conversation, or with a verb the entry does not offer,
    is dropped. Nothing is read from the session between marking the click taken and setting
    what it asks: a run stopped around it neither loses the click nor takes it twice.
    """
    asked = session.component_value(keys.ENTRY_ACTIONS, "asked")
    state, asks = chat_state.chat(), session.asks()
    if not isinstance(asked, dict):
        return
    click, verb = asked.get("click"), asked.get("verb")
    if not isinstance(click, str) or click == asks.click_taken:
        return
    index = entry_named(conv, asked.get("entry"))
    offered = index is not None and verb in tuple(_verbs_offered(conv, index))
    asks.click_taken = click
    if index is None or not offered:
        return
    entry = conv.entries[index]
    if verb == "edit":
        state.editing = entry
        state.restore_input = entry.text
    else:
        asks.action = session.EntryAction(str(verb), entry)


def _verbs_offered(conv: Conversation, index: int) -> Iterator[str]:
    """The buttons entry ``index`` shows, in their order (copy not among them: no rerun)."""
    entry = conv.entries[index]
    if entry.role == "assistant":
        if index < len(conv.entries) - 1 or entry.status == "ok":
            yield "regenerate"  # any answer but a last one that failed or was cut: Retry does
    else:
        if entry.version_count > 1:
            yield "older"
            yield "newer"
        if entry.status != "not_sent":
            yield "edit"
    yield "delete"


_HELP = {
    "regenerate": "actions.regenerate_help",
    "edit": "actions.edit_help",
    "older": "actions.older",
    "newer": "actions.newer",
}


def render_actions(
    entry: Entry,
    index: int,
    conv: Conversation,
    lang: Lang,
    *,
    notes: tuple[str, ...] = (),
    words: bool = False,
) -> None:
    """Show one entry's buttons in a row: an answer's copy, regenerate (any answer but a last one
    that failed or was cut: Retry covers it) and delete; a question's edit, delete and, once it
    has several versions, ‹ n / m › between them. ``notes`` (plain text: an answer's meta line)
    go above the row, in the same element, as quiet lines; with ``words``, a question's text goes
    first, as its bubble's text (one element for the two, on every rerun of a long chat)."""
    token = entry_token(index, entry)
    shown, count = entry.version + 1, entry.version_count
    helps = {
        **_HELP,
        "delete": "actions.delete_question_help"
        if entry.role == "user"
        else "actions.delete_answer_help",
    }
    parts = [_copy_button(entry.text, index, lang)] if entry.role == "assistant" else []
    for verb in _verbs_offered(conv, index):
        off = (verb == "older" and shown == 1) or (verb == "newer" and shown == count)
        parts.append(_button(verb, token, lang, helps[verb], disabled=off))
        if verb == "older":
            parts.append(f'<span class="kantu-versions">{shown} / {count}</span>')
    said = f'<p class="kantu-words">{html.escape(entry.text)}</p>' if words else ""
    quiet = "".join(f'<p class="kantu-quiet">{html.escape(note)}</p>' for note in notes)
    row = f'<div class="kantu-actions" role="group">{"".join(parts)}</div>'
    st.html(said + quiet + row, width="stretch" if notes or words else "content")


def _button(verb: str, token: str, lang: Lang, help_key: str, *, disabled: bool = False) -> str:
    return (
        f'<button type="button" class="kantu-act" data-verb="{verb}" data-icon="{verb}"'
        f' data-entry="{token}" aria-label="{_attribute(t(f"actions.{verb}", lang))}"'
        f' title="{_attribute(t(help_key, lang))}"{" disabled" if disabled else ""}></button>'
    )


# What Copy's attribute cannot carry as written, sent as %XX (the listener decodes with
# decodeURIComponent, so "%" itself too): "<" and ">" (DOMPurify drops an attribute whose value
# looks like markup, "-->", "]]>" or "</style", and answers hold code), CR and NUL (the HTML
# parser reads them as LF and U+FFFD). Everything else goes as it is: base64 made a long answer's
# row 1.33 times its size, a Chinese one too.
_COPY_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in "%<>\r\0"})


def copy_payload(text: str) -> str:
    """Return ``text`` as Copy's button carries it (before HTML attribute escaping): every
    character the attribute could lose or that would make DOMPurify drop it, percent-encoded."""
    return text.translate(_COPY_ESCAPES)


def _copy_button(text: str, index: int, lang: Lang) -> str:
    hist = chat_state.history()
    if hist.chat_id is not None and BrowserStore(hist.book).holds(hist.chat_id, index, text):
        source = f' data-chat="{_attribute(hist.chat_id)}" data-index="{index}"'
    else:
        source = f' data-markdown="{_attribute(copy_payload(text))}"'
    return (
        f'<button type="button" class="kantu-act" data-verb="copy" data-icon="copy"{source}'
        f' aria-label="{_attribute(t("actions.copy", lang))}"'
        f' title="{_attribute(t("actions.copy_help", lang))}"'
        f' data-copied="{_attribute(t("actions.copied", lang))}"'
        f' data-failed="{_attribute(t("actions.copy_failed", lang))}"></button>'
        '<span class="kantu-copy-status" role="status" aria-live="polite"></span>'
    )


def _attribute(text: str) -> str:
    return html.escape(text, quote=True)


def mount_listener() -> None:
    """Mount the page's one listener of the entries' buttons (an invisible element; call it in
    the sidebar)."""
    _LISTENER(key=keys.ENTRY_ACTIONS, height=0)


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
    chat_state.chat().editing = None
    session.set_widget(keys.CHAT_INPUT, "")


def index_of(conv: Conversation, entry: Entry) -> int | None:
    """Return where ``entry`` (this very object) stands in the history, or None if gone."""
    return next((i for i, e in enumerate(conv.entries) if e is entry), None)
