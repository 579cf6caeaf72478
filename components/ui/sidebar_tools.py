"""The sidebar's tools, placed in the slots ``render_settings`` left for them: the model check
under the model and key, then cost and the conversation's tools above the advanced options."""

from __future__ import annotations

import streamlit as st

from components.conversation.history import Conversation
from components.i18n import t
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.chat import conversation, drop_exchange
from components.ui.conversation_tools import (
    render_context_policy,
    render_exports,
    render_import,
    render_import_outcome,
    render_model_tools,
    take_unheard_import,
)
from components.ui.costs import (
    conversation_total,
    learn_from,
    refresh_calibration_note,
    render_cost_settings,
)
from components.ui.lazy_section import open_section
from components.ui.markdown_view import safe_label
from components.ui.saved_chats import detach, save_open
from components.ui.share import render_share
from components.ui.sidebar import SidebarChoice


def render_sidebar_tools(choice: SidebarChoice, *, conversation_tools: bool = True) -> None:
    """Fill the sidebar's slots for this run (the choice is known only once all are drawn); the
    conversation's total and tools only with ``conversation_tools`` (the chat page)."""
    layout = session.layout()
    slots, layout.slots = layout.slots, None
    if slots is None:
        return
    model_slot, sections = slots
    lang = choice.lang
    apply_import()
    conv = conversation()
    with model_slot:
        render_model_tools(choice)
    with sections:
        learn_from(conv)  # the answer recorded on the last run counts before the note is drawn
        layout.total_slot = st.empty() if conversation_tools else None
        _draw_total(conv, choice)
        render_cost_settings(choice)
        if not conversation_tools:
            return
        tools = open_section(t("tools.title", lang), keys.TOOLS_OPEN, icon="💬")
        if tools is not None:
            with tools:
                render_context_policy(lang)
                render_exports(conv, lang)
                render_share(conv, lang)  # a read-only link for colleagues, and the links made
                render_import(lang)
        render_import_outcome()


def refresh_after_answer(conv: Conversation, choice: SidebarChoice) -> None:
    """Draw again what an answer finished after the sidebar was drawn changed there: the
    conversation's total and the calibration note."""
    _draw_total(conv, choice)
    refresh_calibration_note(choice)


def _draw_total(conv: Conversation, choice: SidebarChoice) -> None:
    slot = session.layout().total_slot
    if slot is None:  # no conversation's tools on this page
        return
    total = conversation_total(conv, choice)
    if total:
        slot.caption(safe_label("💰 " + total))


def apply_import() -> None:
    """Put a chat imported on the last click in place of this one, before anything draws the
    conversation (the sidebar's export buttons and totals too): the answer still coming, a held
    message and the display copies belong to the chat it replaces."""
    take_unheard_import()
    state = chat_state.chat()
    imported = state.imported
    if imported is None:
        return
    drop_exchange()
    save_open()  # the chat it replaces stays saved as it was
    hist = chat_state.history()
    # Let go and put in place with no session read in between: a run a newer trigger stops
    # before here puts it in place on the next run; none loses it (the outcome already says
    # it was imported) or saves it over the chat it replaces.
    state.imported = None
    state.conversation = imported
    detach(hist)  # the import lands in the chat list as a new chat
    state.display_copies = {}
    state.pending = None
