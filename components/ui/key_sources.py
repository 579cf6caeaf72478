"""Whose key each question went with (the person's or the site's), remembered for its answer.

The chat records it when an exchange starts; the answer's meta and the sidebar's warning about a
refused site key read it. Kept apart from both so neither imports the other.
"""

from __future__ import annotations

import streamlit as st

from components.conversation.history import Conversation, Entry
from components.ui import state_keys as keys


def question_of(answer: Entry, conv: Conversation) -> Entry | None:
    """Return the question ``answer`` follows."""
    for i, entry in enumerate(conv.entries):
        if entry is answer:
            before = conv.entries[i - 1] if i else None
            return before if before is not None and before.role == "user" else None
    return None


def remember_key_source(conv: Conversation, source: str) -> None:
    """Record whose key the exchange starting now sends, by the question it answers."""
    question = conv.entries[-1]
    sources = {
        k: v
        for k, v in st.session_state.get(keys.KEY_SOURCES, {}).items()
        if any(v[0] is e for e in conv.entries)
    }
    sources[id(question)] = (question, source)
    st.session_state[keys.KEY_SOURCES] = sources


def key_source_of(question: Entry | None) -> str | None:
    """Return whose key ``question`` was sent with ("argument", "operator" or "none"), or None."""
    if question is None:
        return None
    stored = st.session_state.get(keys.KEY_SOURCES, {}).get(id(question))
    return stored[1] if stored is not None and stored[0] is question else None


def operator_key_refused() -> bool:
    """Return whether the conversation's last answer is the provider refusing the site's key."""
    conv = st.session_state.get(keys.CONVERSATION)
    if conv is None or not conv.entries:
        return False
    last = conv.entries[-1]
    if last.role != "assistant" or last.error is None or last.error.kind != "auth":
        return False
    return key_source_of(question_of(last, conv)) == "operator"
