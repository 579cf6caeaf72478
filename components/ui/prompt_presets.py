"""Prompt presets: one click fills the question (describe, read the text, translate it, explain a
screenshot or error, count objects, write alt text), in the page's language."""

from __future__ import annotations

import streamlit as st

from components.i18n import Lang, t
from components.ui import session
from components.ui import state_keys as keys

PRESETS = ("describe", "read_text", "translate", "explain", "count", "alt_text")
TRAY = "tray"  # where the presets are: the menu by the chat input


def preset_question(preset: str, lang: Lang) -> str:
    """Return the full question a preset puts in the input."""
    return t(f"preset.{preset}.question", lang)


def _presets_key(where: str, lang: Lang) -> str:
    return f"kantu_presets_{where}.{lang}"


def _fill(widget_key: str, lang: Lang) -> None:
    chosen = session.widget(widget_key)
    if chosen:
        session.set_widget(keys.CHAT_INPUT, preset_question(chosen, lang))
    session.set_widget(widget_key, None)  # a chip, not a state: the next click fills again


def take_unfilled_preset(lang: Lang) -> None:
    """A chip clicked whose callback a newer trigger stopped (Streamlit does not run it again; a
    chip is never left chosen otherwise): its question goes in the input. Call it before the chat
    input is drawn."""
    widget_key = _presets_key(TRAY, lang)
    if session.widget(widget_key):
        _fill(widget_key, lang)


def render_prompt_presets(lang: Lang, *, where: str) -> None:
    """Show the presets as chips; a click puts its question in the chat input."""
    widget_key = _presets_key(where, lang)
    st.pills(
        t("preset.label", lang),
        options=PRESETS,
        format_func=lambda p: t(f"preset.{p}.label", lang),
        key=widget_key,
        on_change=_fill,
        args=(widget_key, lang),
        label_visibility="collapsed",
    )


def render_presets_menu(lang: Lang) -> None:
    """A "✨ presets" button by the chat input that opens the presets."""
    with st.popover(t("preset.label", lang), icon="✨"):
        render_prompt_presets(lang, where=TRAY)
