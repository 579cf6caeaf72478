"""Streamlit's own texts in the visitor's language: the one owner of that translation.

Streamlit 1.67 writes some texts itself, in English, with no parameter or option to change them:
the file uploader's "Drag and drop files here", "Upload" and "50MB per file", the inputs' "Press
Enter to submit form", the camera's "Take Photo", the dialogs' "Close", the selects' "Choose an
option", and the labels screen readers hear ("Help for …", "Collapse sidebar", "Show password").
``WIDGET_TEXTS`` lists each (exactly as Streamlit writes it, or a pattern for the ones with a
value inside) with its i18n key. An invisible ``st.components.v2`` snippet (it runs in the page)
rewrites those texts and attributes where Streamlit draws them, and again whenever Streamlit
redraws them; in English it puts Streamlit's own words back. Messages, answers and any other
Markdown (except a button's label), code, icons and typed text are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components.i18n import Lang, t
from components.ui import state_keys as keys
from components.ui.component_data import UNPACK_JS, packed


@dataclass(frozen=True)
class WidgetText:
    """One text Streamlit writes: ``english`` exactly, or a JS regex when ``pattern``; ``key``
    gives the translation, whose ``{value}`` is the pattern's first group."""

    english: str
    key: str
    pattern: bool = False


WIDGET_TEXTS: tuple[WidgetText, ...] = (
    WidgetText("Drag and drop files here", "widget.drop_files"),
    WidgetText("Drag and drop a file here", "widget.drop_file"),
    WidgetText("Upload", "widget.upload"),
    WidgetText("Upload files", "widget.upload_files"),
    WidgetText("file upload", "widget.upload_files"),
    WidgetText("Add files", "widget.add_files"),
    WidgetText(r"^(\S+) per file$", "widget.per_file", pattern=True),
    WidgetText("Press Enter to submit form", "widget.enter_submit"),
    WidgetText("Press Enter to apply", "widget.enter_apply"),
    WidgetText(r"^Press (⌘|Ctrl)\+Enter to submit form$", "widget.keys_submit", pattern=True),
    WidgetText(r"^Press (⌘|Ctrl)\+Enter to apply$", "widget.keys_apply", pattern=True),
    WidgetText(r"^Help for (.+)$", "widget.help_for", pattern=True),
    WidgetText("Send message", "widget.send"),
    WidgetText("Take Photo", "widget.take_photo"),
    WidgetText("Clear photo", "widget.clear_photo"),
    WidgetText("Switch camera", "widget.switch_camera"),
    WidgetText("This app would like to use your camera.", "widget.camera_ask"),
    WidgetText("Learn how to allow access.", "widget.camera_how"),
    WidgetText("Close", "widget.close"),
    WidgetText("Choose an option", "widget.choose"),
    WidgetText("Choose or add an option", "widget.choose_or_add"),
    WidgetText("No results", "widget.no_results"),
    WidgetText("Clear value", "widget.clear"),
    WidgetText("Clear all", "widget.clear_all"),
    WidgetText("Open", "widget.open"),
    WidgetText("Show password", "widget.show_password"),
    WidgetText("Hide password", "widget.hide_password"),
    WidgetText("Increment", "widget.increment"),
    WidgetText("Decrement", "widget.decrement"),
    WidgetText("Skip to main content", "widget.skip"),
    WidgetText("Sidebar", "widget.sidebar"),
    WidgetText("Collapse sidebar", "widget.collapse_sidebar"),
    WidgetText("Expand sidebar", "widget.expand_sidebar"),
    WidgetText("App pages", "widget.pages"),
    WidgetText("Link to heading", "widget.heading_link"),
    WidgetText("Main menu", "widget.main_menu"),
    WidgetText("Stop script", "widget.stop"),
)

_JS = """
const ATTRS = ["aria-label", "placeholder", "title"];
// Never translated: what people and models wrote (Markdown, except Streamlit's own button
// labels), icons, and what a person is typing.
const SKIP = '[data-testid="stIconMaterial"], [data-testid="stChatMessage"], code, pre, '
  + 'textarea, [contenteditable="true"]';
const skipped = (el) => Boolean(el.closest(SKIP))
  || Boolean(el.closest('[data-testid="stMarkdownContainer"]') && !el.closest("button"));

function install() {
  if (window.__kantuTexts) return window.__kantuTexts;
  const state = { exact: new Map(), patterns: [], originals: new WeakMap() };

  const translate = (english) => {
    const core = english.trim();
    if (!core) return null;
    let out = state.exact.get(core);
    if (out === undefined) {
      for (const [re, template] of state.patterns) {
        if (re.test(core)) { out = core.replace(re, template); break; }
      }
    }
    return out === undefined ? null : english.replace(core, out);
  };
  const originalOf = (node, name) => {
    const kept = state.originals.get(node);
    return kept && name in kept ? kept[name] : null;
  };
  const put = (node, name, english, value) => {
    const kept = state.originals.get(node) || {};
    kept[name] = { english, shown: value };
    state.originals.set(node, kept);
  };
  // The English a node holds now: Streamlit's own text, unless it is still our translation.
  const englishOf = (node, name, current) => {
    const kept = originalOf(node, name);
    return kept && kept.shown === current ? kept.english : current;
  };
  const fixText = (node) => {
    const parent = node.parentElement;
    if (!parent || skipped(parent)) return;
    const english = englishOf(node, "#text", node.nodeValue);
    const value = translate(english) ?? english;
    if (value !== node.nodeValue) node.nodeValue = value;
    if (value !== english) put(node, "#text", english, value);
  };
  const fixAttrs = (el) => {
    if (el.closest(SKIP)) return;  // a heading's link is Markdown's, its label Streamlit's
    for (const name of ATTRS) {
      const current = el.getAttribute(name);
      if (current === null) continue;
      const english = englishOf(el, name, current);
      const value = translate(english) ?? english;
      if (value !== current) el.setAttribute(name, value);
      if (value !== english) put(el, name, english, value);
    }
  };
  const sweep = (root) => {
    if (root.nodeType === Node.TEXT_NODE) { fixText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    fixAttrs(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.nodeType === Node.TEXT_NODE) fixText(node); else fixAttrs(node);
    }
  };
  state.sweep = () => sweep(document.body);
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "childList") record.addedNodes.forEach(sweep);
      else if (record.type === "characterData") fixText(record.target);
      else fixAttrs(record.target);
    }
  }).observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRS,
  });
  window.__kantuTexts = state;
  return state;
}

export default function ({ data, parentElement }) {
  // no box in the page: not even the gap above the heading that follows it
  const host = parentElement.host || parentElement;
  const box = host.closest && host.closest('[data-testid="stElementContainer"]');
  if (box) box.style.display = "none";
  const state = install();
  const table = unpacked(data);  // component_data.packed
  if (state.lang === table.lang) return;
  state.lang = table.lang;
  state.exact = new Map(Object.entries(table.exact));
  state.patterns = table.patterns.map(([source, template]) => [new RegExp(source), template]);
  state.sweep();
}
"""

_snippet = st.components.v2.component("kantu_widget_texts", js=UNPACK_JS + _JS)


def widget_table(lang: Lang) -> dict[str, object]:
    """Return the snippet's data for ``lang``: exact texts and patterns with their translations
    (empty in English: Streamlit's own words stay)."""
    exact: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    if lang != "en":
        for text in WIDGET_TEXTS:
            if text.pattern:
                patterns.append((text.english, t(text.key, lang, value="$1")))
            else:
                exact[text.english] = t(text.key, lang)
    return {"lang": lang, "exact": exact, "patterns": patterns}


def translate_widget_texts(lang: Lang) -> None:
    """Put Streamlit's own texts on this page in ``lang`` (an invisible snippet, once per run)."""
    _snippet(key=keys.WIDGET_TEXTS, data=packed(widget_table(lang)), height=0)
