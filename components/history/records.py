"""A saved chat as a whole: its list line (``describe``: title, picture count) and a loaded chat
turned back into a ``Conversation`` through the export's own validators (``conversation_of``).

A loaded chat is ``{"chat": meta, "entries": [entry, ...], "pictures": {sha: picture}}``. What a
store gives back is untrusted (a browser store can be edited in DevTools): anything that is not
a sound chat raises ``HistoryError("damaged")``, as an imported file would be refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from components.conversation.history import Conversation
from components.conversation.transfer import (
    conversation_from_json,
    entry_to_json,
    pictures_to_json,
)
from components.errors import HistoryError, TransferError
from components.history.ops import MAX_TITLE, ChatMeta, meta_from_json

TITLE_COLUMNS = 60  # a CJK character takes two columns, as it does on screen


@dataclass(frozen=True)
class LoadedChat:
    """A whole chat as a store gives it back: meta, entry objects, picture objects by sha256."""

    meta: ChatMeta
    entries: tuple[Mapping[str, Any], ...] = field(repr=False)
    pictures: Mapping[str, Mapping[str, Any]] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """Return the chat as its JSON object."""
        return {
            "chat": asdict(self.meta),
            "entries": [dict(e) for e in self.entries],
            "pictures": {sha: dict(p) for sha, p in self.pictures.items()},
        }


def loaded_from_json(raw: Any) -> LoadedChat:
    """Return the loaded chat in ``raw`` (untrusted; entries and pictures are checked by
    ``conversation_of``). Raises HistoryError("damaged") for a wrong shape."""
    try:
        if not isinstance(raw, dict):
            raise TypeError("a chat is not an object")
        entries, pictures = raw["entries"], raw["pictures"]
        if not isinstance(entries, list) or not isinstance(pictures, dict):
            raise TypeError("entries or pictures missing")
        return LoadedChat(meta_from_json(raw["chat"]), tuple(entries), pictures)
    except (KeyError, TypeError, ValueError) as exc:
        raise HistoryError("damaged", f"{type(exc).__name__}: {exc}") from exc


def conversation_of(chat: LoadedChat) -> Conversation:
    """Return ``chat`` as a conversation, checked as an imported file is.

    Raises HistoryError("damaged") when an entry or a picture is not sound.
    """
    try:
        return conversation_from_json(list(chat.entries), dict(chat.pictures))
    except TransferError as exc:
        raise HistoryError("damaged", f"{exc.reason}: {exc.detail}") from exc


def chat_of(conv: Conversation, meta: ChatMeta) -> LoadedChat:
    """Return ``conv`` as a whole chat with ``meta`` (only the pictures its entries and their
    versions name)."""
    return LoadedChat(
        meta, tuple(entry_to_json(entry) for entry in conv.entries), pictures_to_json(conv)
    )


def describe(
    conv: Conversation,
    chat_id: str,
    *,
    created: float,
    updated: float,
    title: str | None = None,
) -> ChatMeta:
    """Return ``conv``'s list line: ``title`` when the visitor gave one (kept as edited), else
    one taken from the first question; the pictures it names and the questions asked."""
    questions = [entry for entry in conv.entries if entry.role == "user"]
    pictures = {sha for entry in conv.entries for sha in entry.image_ids}
    edited = title is not None
    if title is None:
        title = title_from(questions[0].text if questions else "")
    return ChatMeta(
        id=chat_id,
        title=title.strip()[:MAX_TITLE],
        title_edited=edited,
        created=created,
        updated=updated,
        pictures=len(pictures),
        turns=len(questions),
    )


def title_from(question: str) -> str:
    """Return a title from a question's first non-blank line, cut to ``TITLE_COLUMNS`` columns
    (a wide CJK character counts two) with an ellipsis when cut; "" for no words."""
    line = next((ln for ln in question.splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    if sum(map(_columns, line)) <= TITLE_COLUMNS:
        return line
    used, kept = 0, []
    for char in line:
        used += _columns(char)
        if used > TITLE_COLUMNS - 1:  # one column left for the ellipsis
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _columns(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
