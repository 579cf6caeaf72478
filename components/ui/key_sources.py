"""Whose key the last answer went with, read for the sidebar's warning about a refused site key.

Each answer carries its own key source (``Entry.key_source``, set when it is recorded); this
module reads it. Kept apart from the chat and the sidebar so neither imports the other.
"""

from __future__ import annotations

from components.conversation.history import Conversation, Entry
from components.ui import chat_state


def question_of(answer: Entry, conv: Conversation) -> Entry | None:
    """Return the question ``answer`` follows."""
    for i, entry in enumerate(conv.entries):
        if entry is answer:
            before = conv.entries[i - 1] if i else None
            return before if before is not None and before.role == "user" else None
    return None


def operator_key_refused() -> bool:
    """Return whether the conversation's last answer is the provider refusing the site's key."""
    conv = chat_state.chat().conversation
    if not conv.entries:
        return False
    last = conv.entries[-1]
    if last.role != "assistant" or last.error is None or last.error.kind != "auth":
        return False
    return last.key_source == "operator"
