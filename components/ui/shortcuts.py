"""Keyboard shortcuts on the chat page, and the ``?`` overlay that lists them.

The usual ones of the chat apps people know: Ctrl/⌘+Shift+O starts a new chat (ChatGPT's),
``/`` or Shift+Esc puts the cursor in the input, Esc stops the answer (``reading.py`` owns it),
``P`` opens the last picture of the conversation large, and ``?`` shows them all (GitHub's and
Gmail's). Single keys act only when the focus is outside a text field, so typing is never taken.
Each shortcut presses the page's own button (New chat, 🔍 View large), so it does exactly what a
click does. An invisible ``st.components.v2`` snippet (it runs in the page) listens; the overlay
is a modal dialog of its own, in the visitor's language, closed by Esc, its button or a click
outside, and gives the focus back where it was.
"""

from __future__ import annotations

import streamlit as st

from components.i18n import Lang, t
from components.ui import state_keys as keys

_JS = """
const NEW_CHAT = ".st-key-{new_chat} button";
const VIEW = '[data-testid="stChatMessage"] [class*="st-key-{view}-"] button';
const INPUT = '{input}';

function install() {
  if (window.__kantuShortcuts) return window.__kantuShortcuts;
  const state = { data: null, overlay: null, back: null };
  const typing = (target) => target?.closest?.("input, textarea, select, [contenteditable]");
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

  function press(selector) {
    const found = document.querySelectorAll(selector);
    const button = found[found.length - 1];
    if (!button || button.disabled) return false;
    button.click();
    return true;
  }

  function close() {
    if (!state.overlay) return;
    state.overlay.remove();
    state.overlay = null;
    state.back?.focus?.();
  }

  function open() {
    const d = state.data;
    if (!d || state.overlay) return;
    state.back = document.activeElement;
    const mod = mac ? "⌘" : "Ctrl";
    const rows = [
      [[mod, "Shift", "O"], d.new_chat], [["/"], d.focus_input], [["Shift", "Esc"], d.focus_input],
      [["Esc"], d.stop], [["P"], d.last_picture], [["?"], d.help],
    ];
    const shade = document.createElement("div");
    shade.className = "kantu-shortcuts";
    shade.addEventListener("click", (e) => { if (e.target === shade) close(); });
    const box = document.createElement("div");
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-labelledby", "kantu-shortcuts-title");
    const title = document.createElement("h2");
    title.id = "kantu-shortcuts-title";
    title.textContent = d.title;
    const list = document.createElement("dl");
    for (const [combo, what] of rows) {
      const keysCell = document.createElement("dt");
      combo.forEach((name, i) => {
        if (i) keysCell.append(" + ");
        const kbd = document.createElement("kbd");
        kbd.textContent = name;
        keysCell.append(kbd);
      });
      const whatCell = document.createElement("dd");
      whatCell.textContent = what;
      list.append(keysCell, whatCell);
    }
    const note = document.createElement("p");
    note.textContent = d.outside_fields;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = d.close;
    button.addEventListener("click", close);
    box.append(title, list, note, button);
    shade.append(box);
    document.body.append(shade);
    state.overlay = shade;
    button.focus();
  }

  window.addEventListener("keydown", (e) => {
    if (state.overlay) {
      if (e.key === "Escape" || e.key === "?") { e.preventDefault(); e.stopImmediatePropagation(); close(); }
      else if (e.key === "Tab") { e.preventDefault(); state.overlay.querySelector("button").focus(); }
      return;
    }
    if (e.isComposing) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.shiftKey && !e.altKey && e.code === "KeyO") {
      if (press(NEW_CHAT)) e.preventDefault();
      return;
    }
    if (e.key === "Escape" && e.shiftKey) {
      const input = document.querySelector(INPUT);
      if (input) { e.preventDefault(); input.focus(); }
      return;
    }
    if (mod || e.altKey || typing(e.target) || document.querySelector('[role="dialog"]')) return;
    if (e.key === "?") { e.preventDefault(); open(); }
    else if (e.key === "/") {
      const input = document.querySelector(INPUT);
      if (input) { e.preventDefault(); input.focus(); }
    } else if (e.key === "p" || e.key === "P") {
      if (press(VIEW)) e.preventDefault();
    }
  }, { capture: true });

  window.__kantuShortcuts = state;
  return state;
}

export default function ({ data }) {
  install().data = data;
}
"""

_snippet = st.components.v2.component(
    "kantu_shortcuts",
    js=_JS.replace("{new_chat}", keys.NEW_CHAT)
    .replace("{view}", keys.GALLERY_VIEW)
    .replace("{input}", keys.CHAT_TEXT_SELECTOR),
)

_CSS = """<style>
.kantu-shortcuts { position: fixed; inset: 0; z-index: 1000100; display: flex;
  align-items: center; justify-content: center; background: rgba(14, 17, 23, 0.45); }
.kantu-shortcuts [role="dialog"] { background: #ffffff; color: #31333f; border-radius: 0.75rem;
  padding: 1.25rem 1.5rem; max-width: min(92vw, 30rem); box-shadow: 0 8px 32px rgba(0, 0, 0, 0.3);
  font: inherit; }
.kantu-shortcuts h2 { font-size: 1.15rem; margin: 0 0 0.75rem; padding: 0; }
.kantu-shortcuts dl { display: grid; grid-template-columns: auto 1fr; gap: 0.45rem 1rem;
  margin: 0 0 0.75rem; }
.kantu-shortcuts dt { white-space: nowrap; }
.kantu-shortcuts dd { margin: 0; }
.kantu-shortcuts kbd { border: 1px solid rgba(49, 51, 63, 0.3); border-bottom-width: 2px;
  border-radius: 0.3rem; padding: 0.05rem 0.4rem; font-family: inherit; font-size: 0.85rem; }
.kantu-shortcuts p { font-size: 0.85rem; opacity: 0.8; margin: 0 0 0.75rem; }
.kantu-shortcuts button { font: inherit; border-radius: 0.5rem; padding: 0.3rem 0.9rem;
  border: 1px solid #A84800; background: #A84800; color: #ffffff; cursor: pointer; }
.kantu-shortcuts button:focus-visible { outline: 2px solid #31333f; outline-offset: 2px; }
html[data-kantu-scheme="dark"] .kantu-shortcuts [role="dialog"] { background: #262730;
  color: #fafafa; }
html[data-kantu-scheme="dark"] .kantu-shortcuts kbd { border-color: rgba(250, 250, 250, 0.35); }
html[data-kantu-scheme="dark"] .kantu-shortcuts button:focus-visible { outline-color: #fafafa; }
</style>"""


def mount_shortcuts(lang: Lang) -> None:
    """Mount the keyboard shortcuts for this run (an invisible element; call it in the sidebar)."""
    st.html(_CSS)
    data = {
        "title": t("shortcuts.title", lang),
        "close": t("shortcuts.close", lang),
        "help": t("shortcuts.help", lang),
        "new_chat": t("shortcuts.new_chat", lang),
        "focus_input": t("shortcuts.focus_input", lang),
        "stop": t("shortcuts.stop", lang),
        "last_picture": t("shortcuts.last_picture", lang),
        "outside_fields": t("shortcuts.outside_fields", lang),
    }
    _snippet(key=keys.SHORTCUTS_SNIPPET, data=data, height=0)
