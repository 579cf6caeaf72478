"""One turn of a conversation, as the client sends it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.images.prepared import PreparedImage


@dataclass(frozen=True)
class ChatTurn:
    """A user or assistant turn: its text and, for user turns, its pictures."""

    role: Literal["user", "assistant"]
    text: str
    images: tuple[PreparedImage, ...] = ()
