"""The ops that move a saved chat: only what changed, never the whole chat on each rerun.

The format (version 1) is shared with the browser store, whose JavaScript accepts exactly this:

- ``{"op": "chat", "chat": {id, title, title_edited, created, updated, pictures, turns}}``
- ``{"op": "entry", "chat": ID, "index": n, "entry": {...}}`` (the export's entry object)
- ``{"op": "truncate", "chat": ID, "length": n}``
- ``{"op": "picture", "sha": sha256, "picture": {...}}`` (the export's picture object)
- ``{"op": "delete", "chat": ID}``

``diff(saved, conv, meta)`` gives the ops that bring a store holding ``saved`` to ``conv``;
``saved.after(ops)`` is what the store then holds, so the next diff compares digests and
sha256s, never whole entries or pictures. Ops read back (``op_from_json``) are untrusted: a
wrong shape raises ``HistoryError("damaged")``; entries and pictures stay opaque here and are
checked by the export's own validators when a chat is loaded (``components.history.records``).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from components.conversation.history import Conversation, Entry
from components.conversation.transfer import MAX_ENTRIES, entry_to_json, picture_to_json
from components.errors import HistoryError

VERSION = 1
ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{22,64}")
SHA_SHAPE = re.compile(r"[0-9a-f]{64}")
MAX_TITLE = 200


def new_chat_id() -> str:
    """Return a fresh chat id (22 URL-safe characters, 128 random bits)."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class ChatMeta:
    """What a chat list shows of a chat. Times are epoch seconds."""

    id: str
    title: str
    title_edited: bool
    created: float
    updated: float
    pictures: int
    turns: int


@dataclass(frozen=True)
class ChatOp:
    """Create or update a chat's meta."""

    chat: ChatMeta


@dataclass(frozen=True)
class EntryOp:
    """Put entry number ``index`` (0-based) of chat ``chat``."""

    chat: str
    index: int
    entry: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class TruncateOp:
    """Drop chat ``chat``'s entries from ``length`` on."""

    chat: str
    length: int


@dataclass(frozen=True)
class PictureOp:
    """Put a prepared picture, shared between chats by sha256."""

    sha: str
    picture: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class DeleteOp:
    """Delete a chat."""

    chat: str


Op = ChatOp | EntryOp | TruncateOp | PictureOp | DeleteOp


def op_to_json(op: Op) -> dict[str, Any]:
    """Return ``op`` as its JSON object."""
    match op:
        case ChatOp(chat=meta):
            return {"op": "chat", "chat": asdict(meta)}
        case EntryOp(chat=chat, index=index, entry=entry):
            return {"op": "entry", "chat": chat, "index": index, "entry": dict(entry)}
        case TruncateOp(chat=chat, length=length):
            return {"op": "truncate", "chat": chat, "length": length}
        case PictureOp(sha=sha, picture=picture):
            return {"op": "picture", "sha": sha, "picture": dict(picture)}
        case DeleteOp(chat=chat):
            return {"op": "delete", "chat": chat}
    raise TypeError(f"not an op: {type(op).__name__}")


def op_from_json(raw: Any) -> Op:
    """Return the op in ``raw`` (untrusted). Raises HistoryError("damaged") for a wrong shape."""
    try:
        if not isinstance(raw, dict):
            raise TypeError("an op is not an object")
        kind = raw["op"]
        if kind == "chat":
            return ChatOp(meta_from_json(raw["chat"]))
        if kind == "entry":
            if not isinstance(raw["entry"], dict):
                raise TypeError("an entry is not an object")
            return EntryOp(chat_id(raw["chat"]), _index(raw["index"]), raw["entry"])
        if kind == "truncate":
            return TruncateOp(chat_id(raw["chat"]), _index(raw["length"]))
        if kind == "picture":
            if not isinstance(raw["picture"], dict):
                raise TypeError("a picture is not an object")
            return PictureOp(picture_sha(raw["sha"]), raw["picture"])
        if kind == "delete":
            return DeleteOp(chat_id(raw["chat"]))
        raise ValueError(f"unknown op {str(kind)[:20]!r}")
    except (KeyError, TypeError, ValueError) as exc:
        raise HistoryError("damaged", f"{type(exc).__name__}: {exc}") from exc


def meta_from_json(raw: Any) -> ChatMeta:
    """Return the chat meta in ``raw`` (untrusted). Raises KeyError, TypeError or ValueError."""
    if not isinstance(raw, dict):
        raise TypeError("chat meta is not an object")
    title = raw["title"]
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        raise ValueError("title is not a short text")
    edited = raw["title_edited"]
    if not isinstance(edited, bool):
        raise TypeError("title_edited is not true or false")
    return ChatMeta(
        id=chat_id(raw["id"]),
        title=title,
        title_edited=edited,
        created=_time(raw["created"]),
        updated=_time(raw["updated"]),
        pictures=_index(raw["pictures"]),
        turns=_index(raw["turns"]),
    )


def chat_id(raw: Any) -> str:
    """Return ``raw`` if it is shaped like a chat id. Raises ValueError otherwise."""
    if not isinstance(raw, str) or not ID_SHAPE.fullmatch(raw):
        raise ValueError("not a chat id")
    return raw


def picture_sha(raw: Any) -> str:
    """Return ``raw`` if it is a lowercase hex sha256. Raises ValueError otherwise."""
    if not isinstance(raw, str) or not SHA_SHAPE.fullmatch(raw):
        raise ValueError("not a sha256")
    return raw


def _index(raw: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= MAX_ENTRIES:
        raise ValueError(f"expected a count in [0, {MAX_ENTRIES}]")
    return raw


def _time(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw < 1e11:
        raise ValueError("expected epoch seconds")
    return float(raw)


def entry_digest(entry: Mapping[str, Any]) -> str:
    """Return a digest of an entry's JSON object: equal digests, equal entries."""
    text = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SavedState:
    """What a store holds of one chat since the last save: its meta, a digest per entry, and
    the sha256 of the pictures already sent (they are shared, so never sent twice).

    ``sources`` are the entries as they were saved, when known: an entry that is still the same
    object (entries are immutable) is not encoded again to be compared.
    """

    meta: ChatMeta | None = None
    entries: tuple[str, ...] = ()
    pictures: frozenset[str] = frozenset()
    sources: tuple[Entry, ...] = field(default=(), repr=False, compare=False)

    def after(self, ops: Iterable[Op], conv: Conversation | None = None) -> SavedState:
        """Return the state once ``ops`` (for this chat) are saved; pass ``conv`` when they
        came from ``diff`` against it, so the next diff skips the entries it already holds."""
        state = replace(self, sources=tuple(conv.entries) if conv is not None else ())
        for op in ops:
            match op:
                case ChatOp(chat=meta):
                    state = replace(state, meta=meta)
                case EntryOp(index=index, entry=entry):
                    entries = list(state.entries[:index])
                    entries += [""] * (index - len(entries))
                    entries.append(entry_digest(entry))
                    entries += state.entries[index + 1 :]
                    state = replace(state, entries=tuple(entries))
                case TruncateOp(length=length):
                    state = replace(state, entries=state.entries[:length])
                case PictureOp(sha=sha):
                    state = replace(state, pictures=state.pictures | {sha})
                case DeleteOp():
                    state = SavedState()
        if conv is not None:  # a store drops pictures no entry names any more: forget those too
            state = replace(state, pictures=state.pictures & set(conv.image_ids()))
        return state


def diff(saved: SavedState, conv: Conversation, meta: ChatMeta) -> list[Op]:
    """Return the ops that bring a store holding ``saved`` to ``conv`` with ``meta``: the meta
    when anything changed, a truncate when the chat got shorter, and the new or changed entries
    (each after the pictures it names that were never sent). Nothing when nothing changed (a
    different ``updated`` alone is no change)."""
    ops: list[Op] = []
    if len(conv.entries) < len(saved.entries):
        ops.append(TruncateOp(meta.id, len(conv.entries)))
    sent = set(saved.pictures)
    for index, source in enumerate(conv.entries):
        known = (
            saved.sources[index] if index < min(len(saved.sources), len(saved.entries)) else None
        )
        if known is not None and (known is source or known == source):
            continue
        entry = entry_to_json(source)
        if index < len(saved.entries) and saved.entries[index] == entry_digest(entry):
            continue
        for sha in source.all_image_ids():  # its earlier versions' pictures too
            if sha not in sent and sha in conv.images:
                sent.add(sha)
                ops.append(PictureOp(sha, picture_to_json(conv.images[sha])))
        ops.append(EntryOp(meta.id, index, entry))
    if ops or saved.meta is None or _changed(saved.meta, meta):
        ops.insert(0, ChatOp(meta))  # first: a store may want the chat before its entries
    return ops


def _changed(before: ChatMeta, after: ChatMeta) -> bool:
    return replace(before, updated=after.updated) != after


def ops_size(ops: Sequence[Op]) -> int:
    """Return the bytes ``ops`` take as JSON (what a save moves)."""
    return sum(len(json.dumps(op_to_json(op), ensure_ascii=False).encode()) for op in ops)
