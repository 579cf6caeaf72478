"""Drop and paste anywhere on the chat page: files go to the chat input as if attached there.

Streamlit's chat input takes files dropped on itself or pasted into its own text area; a photo
dropped anywhere else is swallowed by its window-wide drag handler. An invisible
``st.components.v2`` snippet (it runs in the page, not an iframe) listens on the page instead:
while files are dragged over it an overlay says where they will go, and a drop outside the
input, or a paste while the focus is on no other text field, hands the files to the input's own
hidden ``<input type=file>`` (a ``DataTransfer`` and a ``change`` event: the path the file chooser
takes). So each file gets its chip, its price and the input's checks (type, size, count), and a
file the input refuses is refused the same way. Drops on the input itself are left to it.
``tests/e2e/test_drop_anywhere.py`` pins this to the installed Streamlit.
"""

from __future__ import annotations

import streamlit as st

from components.i18n import Lang, t
from components.ui import state_keys as keys

# The selectors are state_keys' (the browser tests' way in too).
_JS = """
const CHAT_INPUT = '{chat_input}';
const FILE_INPUT = '{file_input}';
const STYLE = `
.kantu-drop-overlay {
  position: fixed; inset: 0; z-index: 1000100; pointer-events: none;
  display: flex; align-items: center; justify-content: center;
  background: rgba(255, 140, 0, 0.12); border: 3px dashed rgb(255, 140, 0);
  font-size: 1.5rem; font-weight: 600; color: rgb(49, 51, 63);
}
html[data-kantu-scheme="dark"] .kantu-drop-overlay { color: rgb(250, 250, 250); }
.kantu-drop-overlay[hidden] { display: none; }
.kantu-drop-overlay span {
  padding: 0.75rem 1.5rem; border-radius: 0.75rem; background: rgba(255, 255, 255, 0.9);
}
html[data-kantu-scheme="dark"] .kantu-drop-overlay span { background: rgba(14, 17, 23, 0.9); }
`;

function carriesFiles(event) {
  return Array.from(event.dataTransfer?.types || []).includes("Files");
}

// Files are dragged and the chat input can take them: only then is the page a drop target.
function hasFiles(event) {
  return carriesFiles(event) && fileInput() !== null;
}

function editable(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'));
}

// The chat input's file input while it takes files (not while an answer is coming), else null.
function fileInput() {
  const input = document.querySelector(FILE_INPUT);
  return input && !input.disabled ? input : null;
}

// Hand files to the chat input as its file chooser would; false when it cannot take them now.
function attach(files) {
  const input = fileInput();
  if (!input || files.length === 0) return false;
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  return true;
}

function install() {
  if (window.__kantuDrop) return window.__kantuDrop;
  const style = document.createElement("style");
  style.textContent = STYLE;
  const overlay = document.createElement("div");
  overlay.className = "kantu-drop-overlay";
  overlay.dataset.testid = "kantuDropOverlay";
  overlay.setAttribute("aria-hidden", "true");
  overlay.hidden = true;
  const label = document.createElement("span");
  overlay.appendChild(label);
  document.head.appendChild(style);
  document.body.appendChild(overlay);

  let depth = 0;  // dragenter/dragleave pairs: leaving a child is not leaving the page
  const hide = () => { depth = 0; overlay.hidden = true; };
  const show = () => { overlay.hidden = false; };
  const outside = (event) => event.clientX <= 0 || event.clientY <= 0
    || event.clientX >= window.innerWidth || event.clientY >= window.innerHeight;
  const on = {
    dragenter(event) {
      if (!hasFiles(event)) return;
      depth += 1;
      show();
    },
    dragover(event) {
      if (!hasFiles(event)) return;
      event.preventDefault();  // a drop is welcome anywhere on the page
      show();
    },
    dragleave(event) {
      if (!carriesFiles(event)) return;
      depth -= 1;
      if (depth <= 0 || outside(event)) hide();  // off the page, or out of the window
    },
    drop(event) {
      hide();
      if (!hasFiles(event)) return;
      if (event.target instanceof Element && event.target.closest(CHAT_INPUT)) return;  // its own
      event.preventDefault();
      attach(Array.from(event.dataTransfer.files));
    },
    paste(event) {
      if (event.defaultPrevented || editable(event.target)) return;  // a text field's paste
      const files = Array.from(event.clipboardData?.files || []);
      if (files.length === 0 || fileInput() === null) return;
      event.preventDefault();
      attach(files);
    },
    keydown(event) {
      if (event.key === "Escape") hide();
    },
  };
  // Capture: seen before Streamlit's own window-wide handlers, which swallow the drop.
  for (const [name, handler] of Object.entries(on)) window.addEventListener(name, handler, true);
  const state = {
    label,
    remove() {
      for (const [name, handler] of Object.entries(on)) {
        window.removeEventListener(name, handler, true);
      }
      overlay.remove();
      style.remove();
      window.__kantuDrop = null;
    },
  };
  window.__kantuDrop = state;
  return state;
}

export default function ({ data }) {
  const state = install();
  state.label.textContent = data.text;
  return () => state.remove();  // leaving the chat page: drops are the other pages' own again
}
"""

_snippet = st.components.v2.component(
    "kantu_drop_anywhere",
    js=_JS.replace("{chat_input}", keys.CHAT_INPUT_SELECTOR).replace(
        "{file_input}", keys.CHAT_FILE_INPUT_SELECTOR
    ),
)


def mount_drop_anywhere(lang: Lang) -> None:
    """Make the whole page a drop and paste target for the chat input (an invisible snippet)."""
    _snippet(key=keys.DROP_ANYWHERE, data={"text": t("chat.drop_overlay", lang)}, height=0)
