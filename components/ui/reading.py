"""Reading while an answer streams: the page follows the answer only while the reader is at the
bottom, a floating "↓ Latest" takes them back, Stop sits where the send button was and Esc
presses it, and the next question can be typed (Enter keeps it in the input until the answer
ends).

Streamlit 1.67 keeps its scrolling element (``main``, ``stAppScrollToBottomContainer``) stuck
to the bottom by setting ``scrollTop`` whenever the content grows, and a scroll by the reader
only unsticks it when nothing grew in between: while an answer streams something always has,
so the reader was pulled back within a few frames. An invisible ``st.components.v2`` snippet
(it runs in the page) gives that element a ``scrollTop`` setter that lets Streamlit's scrolling
through only while the reader follows; the reader leaves by scrolling up more than
``NEAR_PX`` (wheel, touch, keys, scroll bar) and comes back by reaching the bottom by hand or
by the button. The welcome (no message yet) is not followed at all: Streamlit sticks a page with a
chat input to its end, and on a phone that hid the welcome's top. Whether an answer is streaming is read from the page itself: the Stop button
(``keys.STOP``) is there exactly then. ``tests/e2e/test_reading.py`` pins this to the
installed Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.i18n import Lang, t
from components.ui import state_keys as keys
from components.ui.gallery import (
    PHONE_THUMB_HEIGHT,
    TALL_CROP_RATIO,
    TALL_RATIO,
    THUMB_HEIGHT,
    THUMB_MAX_WIDTH,
)
from components.ui.page_script import PageScript
from components.ui.run_watch import QUESTION_ECHO_JS, WHEN_NOT_TAKEN_JS

NEAR_PX = 48  # "at the bottom": within about two lines of the end

_JS = """
const NEAR_PX = {near};
const INTENT_MS = 700;   // a scroll this soon after the reader's own input is theirs
const STOP = ".st-key-{stop} button";
const INPUT = '{input}';
const THUMB_TALL = {thumb_tall};
const THUMB_WIDEST = {thumb_widest};
const THUMB_CROP = { above: {tall_ratio}, keep: {tall_crop} };  // gallery.thumb_size's
const THUMB_SIZES = { tall: THUMB_TALL, widest: THUMB_WIDEST, crop: THUMB_CROP };
const HELD = ".st-key-{held}";
const SEND = '[data-testid="stChatInputSubmitButton"]';
const native = Object.getOwnPropertyDescriptor(Element.prototype, "scrollTop");

function install() {
  if (window.__kantuReading) return window.__kantuReading;
  const state = { follow: true, main: null, intent: 0, dragging: false, touchY: null,
                  outside: 0, lastTop: 0, up: 0, later: 0, labels: {} };
  const gap = (el) => el.scrollHeight - native.get.call(el) - el.clientHeight;
  const streaming = () => document.querySelector(STOP);
  const inDialog = () => document.querySelector('[role="dialog"]');
  const welcome = () => !document.querySelector('[data-testid="stChatMessage"]');

  // Leaving is the reader's upward move; near the end, only a move down or a settled position
  // rejoins (a wheel's smooth scroll up starts within a line of the end).
  const leave = () => { state.follow = false; state.up = Date.now(); };
  const rejoin = () => { if (Date.now() - state.up > INTENT_MS) state.follow = true; };
  const mine = () => Date.now() - state.intent < INTENT_MS || state.dragging;

  function adopt(main) {
    state.main = main;
    // Streamlit's stick-to-bottom writes scrollTop; only a reader who follows is moved.
    Object.defineProperty(main, "scrollTop", {
      configurable: true,
      get() { return native.get.call(this); },
      set(value) {
        state.outside = Date.now();
        // The welcome (no message yet) is read from its top: nothing to follow there.
        if (state.follow && !welcome()) native.set.call(this, value);
      },
    });
    if (welcome()) native.set.call(main, 0);  // Streamlit may have stuck it to its end already
    main.addEventListener("wheel", (e) => {
      state.intent = Date.now();
      if (e.deltaY < 0 && gap(main) + Math.abs(e.deltaY) > NEAR_PX) leave();
      // A wheel down that reaches the end rejoins, even if the answer grew meanwhile.
      else if (e.deltaY > 0 && e.deltaY >= gap(main) - NEAR_PX) state.follow = true;
    }, { passive: true, capture: true });
    main.addEventListener("touchstart", (e) => {
      state.intent = Date.now();
      state.touchY = e.touches[0]?.clientY ?? null;
    }, { passive: true, capture: true });
    main.addEventListener("touchmove", (e) => {
      state.intent = Date.now();
      const y = e.touches[0]?.clientY;
      if (state.touchY !== null && y !== undefined && y - state.touchY > NEAR_PX / 2) leave();
    }, { passive: true, capture: true });
    // The scroll bar belongs to the element itself: a press on it has the element as target.
    main.addEventListener("pointerdown", (e) => {
      if (e.target === main) { state.dragging = true; state.intent = Date.now(); }
    }, { passive: true, capture: true });
    window.addEventListener("pointerup", () => { state.dragging = false; }, { passive: true });
    main.addEventListener("scroll", () => {
      const top = native.get.call(main);
      const up = top < state.lastTop - 1;    // following only ever moves down
      state.lastTop = top;
      // At the bottom by hand (moving down, or settled): following again.
      if (gap(main) <= NEAR_PX) { if (!up) state.follow = true; }
      else if (up && mine()) leave();
      tick();
    }, { passive: true });
  }

  function toLatest() {
    const main = state.main;
    state.follow = true;
    if (main) native.set.call(main, main.scrollHeight);
    tick();
  }

  const button = document.createElement("button");
  button.type = "button";
  button.className = "kantu-latest";
  button.hidden = true;
  button.addEventListener("click", toLatest);
  document.body.appendChild(button);

  const hint = document.createElement("div");
  hint.className = "kantu-wait-hint";
  hint.setAttribute("role", "status");
  hint.hidden = true;
  document.body.appendChild(hint);
  let hintTimer = 0;

  function showHint(text = state.labels.hint, kind = "wait") {
    state.hintKind = kind;
    hint.textContent = text || "";
    hint.hidden = false;
    place(hint, 12);
    tick();  // ↓ Latest moves above the hint at once
    clearTimeout(hintTimer);
    hintTimer = setTimeout(() => { hint.hidden = true; tick(); }, 4000);
  }

  // Floating elements sit centred over the conversation, just above the input's area.
  function place(node, lift) {
    const main = state.main;
    const bottom = document.querySelector('[data-testid="stBottom"]');
    if (!main) return;
    const box = main.getBoundingClientRect();
    const above = bottom ? bottom.getBoundingClientRect().top : box.bottom;
    node.style.left = `${box.left + box.width / 2}px`;
    node.style.bottom = `${window.innerHeight - above + lift}px`;
  }

  function tick() {
    const main = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
    if (main && main !== state.main) adopt(main);
    if (!state.main) return;
    const away = gap(state.main) > NEAR_PX;
    if (!away) rejoin();
    // Streamlit stopped following (its stickiness ended on a scroll between two deltas):
    // follow the growing answer here, never while Streamlit is still scrolling.
    if (state.follow && gap(state.main) > 1 && streaming()) {
      const wait = 400 - (Date.now() - state.outside);
      if (wait < 0) native.set.call(state.main, state.main.scrollHeight);
      else if (!state.later) {
        state.later = setTimeout(() => { state.later = 0; soon(); }, wait + 10);
      }
    }
    if (!streaming() && state.hintKind === "wait") hint.hidden = true;  // Enter sends again
    const show = !state.follow && away;
    if (show) {
      button.textContent = state.labels.latest || "↓";
      place(button, 12 + (hint.hidden ? 0 : hint.offsetHeight + 8));
    }
    button.hidden = !show;
  }
  // Checked when the page changes (an answer grows, Stop comes or goes, Streamlit swaps its
  // scrolling element) or is resized, at most once a frame: a page that waits or rests costs
  // nothing (a 200 ms timer here cost a waiting page 10 ms of CPU a second).
  let queued = 0;
  function soon() {
    if (!queued) queued = requestAnimationFrame(() => { queued = 0; tick(); });
  }
  new MutationObserver(soon).observe(document.body,
    { childList: true, subtree: true, characterData: true });
  window.addEventListener("resize", soon, { passive: true });

  window.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !inDialog()) {
      const stop = streaming();
      if (stop) { e.preventDefault(); stop.click(); }
      return;
    }
    // Enter while an answer streams keeps the text (and any pictures) in the input.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.target?.matches?.(INPUT)
        && streaming()) {
      e.preventDefault();
      e.stopImmediatePropagation();
      showHint();
      return;
    }
    const keys = ["PageUp", "ArrowUp", "Home"];
    const typing = e.target?.closest?.("input, textarea, [contenteditable]");
    if (keys.includes(e.key) && !typing) {
      state.intent = Date.now();
      if (e.key !== "ArrowUp") leave();
    } else if (e.key === "End" && !typing) {
      state.follow = true;
    }
  }, { capture: true });
  // A question Python never heard (whenNotTaken, prepended from when_not_taken.js; the input
  // was already emptied) goes back in the input with a hint. Python counts the questions it
  // heard (`heard`, in the data of its runs), so a run for anything else does not pass for this
  // one; and a question it did hear is never put back, so nothing is asked twice.
  function watchSent(text, heard) {
    whenNotTaken(heard, () => {
      dropEcho();  // it was not sent: not shown as sent
      const input = document.querySelector(INPUT);
      if (!text || !input || input.value) return;  // pictures only, or a new question typed
      const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
      setValue.call(input, text);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
      performance.mark("kantu-question-returned");
      showHint(state.labels.lost, "lost");
    });
  }
  function sending() {
    // Streamlit sends nothing while its send button is off (a picture still uploading).
    if (document.querySelector(SEND)?.disabled) return;
    window.dispatchEvent(new Event(QUESTION_SENT));  // the browser store's status goes with it
    const text = document.querySelector(INPUT)?.value.trim() ?? "";
    const before = state.heard;
    const heard = () => state.heard !== before;
    watchSent(text, heard);
    // Drawn at once (question_echo.js); not while an earlier question is being edited, which
    // is replaced where it stands.
    if (state.labels.echo) {
      echoQuestion(text, state.labels.fallback, { ...THUMB_SIZES, held: HELD, heard });
    }
    toLatest();  // a question sent is followed to its answer
  }
  window.addEventListener("click", (e) => {
    if (e.target?.closest?.(SEND)) sending();
  }, { capture: true });
  window.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.target?.matches?.(INPUT)
        && !streaming()) {
      sending();
    }
  }, { capture: true });

  watchPreviews(THUMB_SIZES);
  state.toLatest = toLatest;
  window.__kantuReading = state;
  tick();
  return state;
}

function takeMount({ data }) {  // each run's labels and count (page_script.py)
  const state = install();
  state.labels = { latest: data.latest, hint: data.hint, lost: data.lost, echo: data.echo,
                   fallback: data.fallback };
  state.heard = data.heard;
  const button = document.querySelector("button.kantu-latest");
  if (button) button.setAttribute("aria-label", data.latest);
}
"""

# The script goes to the page once; each run's data beside it (page_script.py).
_snippet = PageScript(
    "kantu_reading",
    WHEN_NOT_TAKEN_JS
    + QUESTION_ECHO_JS
    + _JS.replace("{near}", str(NEAR_PX))
    .replace("{thumb_tall}", str(THUMB_HEIGHT))
    .replace("{thumb_widest}", str(THUMB_MAX_WIDTH))
    .replace("{tall_ratio}", str(TALL_RATIO))
    .replace("{tall_crop}", str(TALL_CROP_RATIO))
    .replace("{held}", keys.PENDING_BOX)
    .replace("{stop}", keys.STOP)
    .replace("{input}", keys.CHAT_TEXT_SELECTOR),
)

# Stop takes the send button's place (32 px, 13 px above the input's bottom and 17 px in from
# its right end, as Streamlit 1.67 draws it) and the send button steps aside while it is there.
# Its label stays for screen readers and tests; the eye sees the square.
_CSS = (
    """<style>
[data-testid="stBottomBlockContainer"] [data-testid="stVerticalBlock"]:has(> .st-key-{stop}) {
  position: relative;
}
.st-key-{stop} { position: absolute; right: 17px; bottom: 13px; width: auto !important;
  z-index: 3; }
.st-key-{stop} button { min-height: 32px; height: 32px; width: 32px; padding: 0;
  border-radius: 50%; }
.st-key-{stop} button [data-testid="stMarkdownContainer"] {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap;
}
[data-testid="stBottomBlockContainer"]:has(.st-key-{stop})
  [data-testid="stChatInputSubmitButton"] { visibility: hidden; }
.kantu-latest, .kantu-wait-hint {
  position: fixed; transform: translateX(-50%); z-index: 99;
  font: inherit; font-size: 0.875rem; line-height: 1.2;
  background: #ffffff; color: #31333f; border: 1px solid rgba(49, 51, 63, 0.2);
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15);
}
.kantu-latest { border-radius: 999px; padding: 0.4rem 0.9rem; cursor: pointer; }
.kantu-latest:hover { border-color: #A84800; color: #A84800; }
.kantu-wait-hint { border-radius: 0.5rem; padding: 0.45rem 0.8rem; max-width: min(90vw, 28rem);
  text-align: center; }
html[data-kantu-scheme="dark"] :is(.kantu-latest, .kantu-wait-hint) {
  background: #262730; color: #fafafa; border-color: rgba(250, 250, 250, 0.2);
}
html[data-kantu-scheme="dark"] .kantu-latest:hover { border-color: #E8772E; color: #E8772E; }
/* A question's stand-in until Streamlit draws it: Streamlit 1.67's user message, as drawn. */
.kantu-echo { display: flex; gap: 8px; padding: 16px; border-radius: 8px; margin: 0 0 16px;
  background: rgba(240, 242, 246, 0.5); }
.kantu-echo:first-child { margin-top: 16px; }  /* in the welcome's place: where the message goes */
.kantu-echo-avatar { flex: 0 0 32px; height: 32px; border-radius: 8px;
  background: rgb(217, 74, 87); }
.kantu-echo-avatar::after { content: "face"; display: flex; height: 100%; align-items: center;
  justify-content: center; color: #fff; font: 20px "Material Symbols Rounded"; }
.kantu-echo-body { display: flex; flex-direction: column; gap: 16px; min-width: 0; }
.kantu-echo-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.kantu-echo-thumbs { display: flex; gap: 16px; overflow-x: auto; }
.kantu-echo-thumb { flex: none; border-radius: 0.5rem; background: rgba(49, 51, 63, 0.1);
  object-fit: cover; object-position: top; }
canvas.kantu-echo-thumb { width: var(--kantu-w, auto); height: var(--kantu-h, auto); }
@media (max-width: 640px) { :is(img, canvas).kantu-echo-thumb { height: {phone}px; width: auto; } }
html[data-kantu-scheme="dark"] .kantu-echo { background: rgba(38, 39, 48, 0.5); }
html.kantu-echoing .st-key-{welcome} { display: none; }
</style>""".replace("{stop}", keys.STOP)
    .replace("{welcome}", keys.WELCOME)
    .replace("{phone}", str(PHONE_THUMB_HEIGHT))
)


def mount_reading(lang: Lang, *, heard: int, editing: bool = False) -> None:
    """Mount, once per run and before an answer is followed, the reading snippet (an invisible
    element; call it inside the sidebar) and its style rules. ``heard`` counts the questions
    the chat input brought this session (a question it did not bring goes back in the input).
    While an earlier question is ``editing``, a question sent is not drawn ahead of Streamlit
    (it replaces that one)."""
    st.html(_CSS)
    _snippet.mount(
        keys.READING_SNIPPET,
        keys.READING_SCRIPT,
        {
            "latest": t("chat.latest", lang),
            "hint": t("chat.wait_hint", lang),
            "lost": t("chat.not_sent_hint", lang),
            "echo": not editing,
            "fallback": t("chat.default_question", lang),
            "heard": heard,
        },
    )


def stop_slot() -> DeltaGenerator:
    """Return the place for Stop: by the chat input (call it right after the input is drawn)."""
    return st.bottom.empty()


def render_stop(slot: DeltaGenerator, lang: Lang, on_stop: Callable[[], None]) -> None:
    """Draw Stop in ``slot`` (``stop_slot``): the send button's place while an answer streams."""
    slot.button(
        t("chat.stop", lang),
        icon=":material/stop:",
        type="primary",
        key=keys.STOP,
        help=t("chat.stop_help", lang),
        on_click=on_stop,
    )
