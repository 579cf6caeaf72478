"""Saved chats on the server, and the share links made from them.

Chats are kept per owner: ``owner_key`` turns a signed-in visitor's subject (``st.user``) or an
anonymous visitor's browser secret into a salted one-way id (the ledger's ``visitor_hash``), so
neither appears in the database. Every call names its owner, and every query is scoped by it:
one owner never reads, changes or learns about another's chats, even knowing a chat's id.

Two backends, as the ledger has (``components.hosting.database``): ``SQLiteChatStore(path)``
for a local run, ``SQLAlchemyChatStore(session_factory)`` for ``[connections.…]`` (Postgres for
replicas). Tables are created when missing, as the ledger's are.

``apply(owner, ops)`` saves ops (``components.history.ops``) in one transaction serialised per
owner: all of them or none. It refuses, with a ``HistoryError`` and nothing changed, ops that do
not make a sound chat (``damaged``), a save that would take the owner over the size or count
caps (``full_bytes``, ``full_count``: never a silent loss), and a database that refuses or is
down (``unavailable``).

A share link is a frozen snapshot of one chat (its questions, answers, the pictures as sent,
each answer's model, tokens and timings: the export's entry objects, nothing else) behind a
token of 192 random bits, of which only a hash is kept. ``open_share`` answers an unknown and a
revoked token alike (``share_not_found``), so tokens cannot be probed; an expired one says so.
Sharing needs a store that lasts (``durable``), and has per-owner limits a day and in size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from components.conversation.transfer import as_shown, pictures_named
from components.errors import HistoryError
from components.history.ops import (
    MAX_TITLE,
    ChatMeta,
    ChatOp,
    DeleteOp,
    EntryOp,
    Op,
    PictureOp,
    TruncateOp,
    chat_id,
    new_chat_id,
    picture_sha,
)
from components.history.records import LoadedChat, loaded_from_json
from components.history.settings import MB, HistorySettings
from components.hosting.database import Database, SQLAlchemyBackend, SQLiteBackend, Tx
from components.hosting.ledger import visitor_hash

CHATS = "kantu_chats"
ENTRIES = "kantu_chat_entries"
PICTURES = "kantu_chat_pictures"
REFS = "kantu_chat_refs"
SHARES = "kantu_shares"
DAY_S = 86400.0
# PostgreSQL advisory lock keys: one for creating the tables, and one per owner taken from the
# owner's hash (60 bits, so within a bigint; a clash only makes two owners wait for each other).
_MIGRATE_LOCK = 0x4B414E5455_03
_META = "id, title, title_edited, created, updated, pictures, turns"
_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS {CHATS} (
    owner VARCHAR(64) NOT NULL,
    id VARCHAR(64) NOT NULL,
    title VARCHAR(400) NOT NULL,
    title_edited INTEGER NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    updated DOUBLE PRECISION NOT NULL,
    pictures INTEGER NOT NULL,
    turns INTEGER NOT NULL,
    PRIMARY KEY (owner, id)
)""",
    f"CREATE INDEX IF NOT EXISTS {CHATS}_updated ON {CHATS} (owner, updated)",
    f"""CREATE TABLE IF NOT EXISTS {ENTRIES} (
    owner VARCHAR(64) NOT NULL,
    chat VARCHAR(64) NOT NULL,
    idx INTEGER NOT NULL,
    body TEXT NOT NULL,
    size INTEGER NOT NULL,
    words TEXT NOT NULL,
    PRIMARY KEY (owner, chat, idx)
)""",
    f"""CREATE TABLE IF NOT EXISTS {PICTURES} (
    owner VARCHAR(64) NOT NULL,
    sha VARCHAR(64) NOT NULL,
    body TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (owner, sha)
)""",
    f"""CREATE TABLE IF NOT EXISTS {REFS} (
    owner VARCHAR(64) NOT NULL,
    chat VARCHAR(64) NOT NULL,
    idx INTEGER NOT NULL,
    sha VARCHAR(64) NOT NULL
)""",
    f"CREATE INDEX IF NOT EXISTS {REFS}_chat ON {REFS} (owner, chat, idx)",
    f"CREATE INDEX IF NOT EXISTS {REFS}_sha ON {REFS} (owner, sha)",
    f"""CREATE TABLE IF NOT EXISTS {SHARES} (
    id VARCHAR(32) PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    owner VARCHAR(64) NOT NULL,
    chat VARCHAR(64) NOT NULL,
    title VARCHAR(400) NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    expires DOUBLE PRECISION NOT NULL,
    revoked DOUBLE PRECISION,
    size INTEGER NOT NULL,
    snapshot TEXT NOT NULL
)""",
    f"CREATE INDEX IF NOT EXISTS {SHARES}_owner ON {SHARES} (owner, created)",
)
# Columns added after the first release: (table, name, SQL type), added when missing.
_ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = ()


def owner_key(salt: str, *, subject: str | None = None, visitor_secret: str | None = None) -> str:
    """Return the owner id of a signed-in ``subject`` (wins) or of a browser's
    ``visitor_secret``: a salted one-way hash. Raises ValueError when neither is given."""
    if subject:
        return visitor_hash(salt, f"user:{subject}")
    if visitor_secret:
        return visitor_hash(salt, f"visitor:{visitor_secret}")
    raise ValueError("an owner needs a subject or a visitor secret")


@dataclass(frozen=True)
class ShareInfo:
    """A share link as its owner's list shows it (never the token: only its hash is kept)."""

    id: str
    chat: str
    title: str
    created: float
    expires: float
    revoked: float | None

    def live(self, now: float) -> bool:
        """Whether the link still opens at ``now``."""
        return self.revoked is None and now < self.expires


@dataclass(frozen=True)
class Usage:
    """What an owner's saved chats take."""

    chats: int
    bytes: int


class ChatStore(Database):
    """Saved chats and share links over a backend's transactions (see the module doc)."""

    settings: HistorySettings
    durable: bool

    def _setup(self, settings: HistorySettings | None, durable: bool) -> None:
        self.settings = settings or HistorySettings()
        self.durable = durable
        with self._guard(), self._serialised(_MIGRATE_LOCK) as tx:
            for statement in _SCHEMA:
                tx.run(statement, {})
            for table, name, kind in _ADDED_COLUMNS:
                if name not in tx.columns(table):
                    tx.run(f"ALTER TABLE {table} ADD COLUMN {name} {kind}", {})

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn the backend's failures into HistoryError("unavailable"), and text that cannot
        be stored (a lone surrogate from a hand-made file) into HistoryError("damaged")."""
        try:
            yield
        except UnicodeError as exc:
            raise HistoryError("damaged", "text that is not Unicode") from exc
        except self.failures as exc:
            raise HistoryError("unavailable", type(exc).__name__) from exc

    def _owned(self, owner: str) -> contextlib.AbstractContextManager[Tx]:
        return self._serialised(int(hashlib.sha256(owner.encode()).hexdigest()[:15], 16))

    # --- chats ----------------------------------------------------------------------------

    def apply(self, owner: str, ops: Sequence[Op]) -> None:
        """Save ``ops`` for ``owner``: all or none.

        Raises HistoryError: damaged (ops that do not make a sound chat), full_bytes /
        full_count (over the caps), unavailable (the database refused or is down).
        """
        if not ops:
            return
        with self._guard(), self._owned(owner) as tx:
            touched: dict[str, bool] = {}  # chat → whether it has a meta row now
            created = grew = False
            for op in ops:
                grew |= isinstance(op, EntryOp | PictureOp)
                if isinstance(op, ChatOp):
                    fresh = not _exists(tx, owner, op.chat.id)
                    created |= fresh
                    touched[op.chat.id] = True
                elif isinstance(op, DeleteOp):
                    touched[op.chat] = False
                elif isinstance(op, EntryOp | TruncateOp) and op.chat not in touched:
                    touched[op.chat] = _exists(tx, owner, op.chat)
                _apply(tx, owner, op)
            for chat, has_meta in touched.items():
                _check_sound(tx, owner, chat, has_meta)
            tx.run(
                f"DELETE FROM {PICTURES} WHERE owner = :o AND sha NOT IN "
                f"(SELECT sha FROM {REFS} WHERE owner = :o)",
                {"o": owner},
            )
            if created:
                count = int(
                    tx.run(f"SELECT COUNT(*) FROM {CHATS} WHERE owner = :o", {"o": owner})[0][0]
                )
                if count > self.settings.max_chats:
                    raise HistoryError(
                        "full_count", f"{count} chats", limit=self.settings.max_chats
                    )
            if grew and _bytes(tx, owner) > self.settings.max_bytes:
                raise HistoryError(
                    "full_bytes", "over the cap", limit_mb=f"{self.settings.max_bytes / MB:g}"
                )

    def list_chats(self, owner: str) -> list[ChatMeta]:
        """Return ``owner``'s chats, the most recently updated first."""
        with self._guard(), self._transaction() as tx:
            rows = tx.run(
                f"SELECT {_META} FROM {CHATS} WHERE owner = :o ORDER BY updated DESC, id",
                {"o": owner},
            )
        return [_meta(row) for row in rows]

    def search(self, owner: str, words: str) -> list[ChatMeta]:
        """Return ``owner``'s chats whose title, questions or answers hold every one of
        ``words`` (case-insensitive; a CJK word is found inside a longer run), newest first."""
        terms = [w.casefold() for w in words.split()]
        chats = self.list_chats(owner)
        if not terms:
            return chats
        with self._guard(), self._transaction() as tx:
            found: set[str] | None = None
            for term in terms:
                pattern = "%" + _escape_like(term) + "%"
                hits = {
                    r[0]
                    for r in tx.run(
                        f"SELECT DISTINCT chat FROM {ENTRIES} WHERE owner = :o "
                        "AND words LIKE :p ESCAPE '\\'",
                        {"o": owner, "p": pattern},
                    )
                }
                hits |= {c.id for c in chats if term in c.title.casefold()}
                found = hits if found is None else found & hits
        return [c for c in chats if found and c.id in found]

    def load(self, owner: str, chat: str) -> LoadedChat:
        """Return ``owner``'s chat ``chat`` whole (check it with ``records.conversation_of``).

        Raises HistoryError: not_found, damaged, unavailable.
        """
        with self._guard(), self._transaction() as tx:
            return _load(tx, owner, chat)

    def rename(self, owner: str, chat: str, title: str) -> None:
        """Give ``owner``'s chat ``chat`` the title ``title`` (kept as the visitor's own).
        Raises HistoryError: not_found, unavailable."""
        with self._guard(), self._owned(owner) as tx:
            if not _exists(tx, owner, chat):
                raise HistoryError("not_found")
            tx.run(
                f"UPDATE {CHATS} SET title = :t, title_edited = 1 WHERE owner = :o AND id = :c",
                {"t": _storable(title.strip()[:MAX_TITLE]), "o": owner, "c": chat},
            )

    def delete(self, owner: str, chat: str) -> None:
        """Delete ``owner``'s chat ``chat`` and the pictures no other chat of theirs shows (its
        share links stay until revoked or expired). Raises HistoryError("unavailable")."""
        self.apply(owner, [DeleteOp(chat)])

    def delete_all(self, owner: str) -> None:
        """Delete every chat, picture and share link of ``owner``."""
        with self._guard(), self._owned(owner) as tx:
            for table in (CHATS, ENTRIES, REFS, PICTURES, SHARES):
                tx.run(f"DELETE FROM {table} WHERE owner = :o", {"o": owner})

    def usage(self, owner: str) -> Usage:
        """Return how many chats ``owner`` keeps and the bytes they take."""
        with self._guard(), self._transaction() as tx:
            count = tx.run(f"SELECT COUNT(*) FROM {CHATS} WHERE owner = :o", {"o": owner})
            return Usage(int(count[0][0]), _bytes(tx, owner))

    # --- share links ----------------------------------------------------------------------

    def share(self, owner: str, chat: str, now: float) -> str:
        """Freeze ``owner``'s chat ``chat`` as it is now and return the token that opens it
        (shown once: only its hash is kept).

        Raises HistoryError: not_durable, not_found, share_rate, share_too_big, unavailable.
        """
        if not self.durable:
            raise HistoryError("not_durable")
        token = secrets.token_urlsafe(24)
        limits = self.settings
        with self._guard(), self._owned(owner) as tx:
            loaded = _load(tx, owner, chat)
            snapshot = json.dumps(_snapshot(loaded), ensure_ascii=False)
            size = len(snapshot.encode("utf-8"))
            made = tx.run(
                f"SELECT COUNT(*) FROM {SHARES} WHERE owner = :o AND created > :since",
                {"o": owner, "since": now - DAY_S},
            )[0][0]
            if made >= limits.shares_per_day:
                raise HistoryError("share_rate", f"{made} today", limit=limits.shares_per_day)
            live = tx.run(
                f"SELECT COALESCE(SUM(size), 0) FROM {SHARES} WHERE owner = :o "
                "AND revoked IS NULL AND expires > :now",
                {"o": owner, "now": now},
            )[0][0]
            if int(live) + size > limits.share_max_bytes:
                raise HistoryError(
                    "share_too_big", f"{live} + {size}", limit_mb=f"{limits.share_max_bytes / MB:g}"
                )
            tx.run(
                f"INSERT INTO {SHARES} (id, token_hash, owner, chat, title, created, expires, "
                "revoked, size, snapshot) VALUES (:id, :h, :o, :c, :t, :now, :exp, NULL, :size, :s)",
                {
                    "id": secrets.token_hex(8),
                    "h": _token_hash(token),
                    "o": owner,
                    "c": chat,
                    "t": loaded.meta.title,
                    "now": now,
                    "exp": now + limits.share_days * DAY_S,
                    "size": size,
                    "s": snapshot,
                },
            )
        return token

    def open_share(self, token: str, now: float) -> LoadedChat:
        """Return the snapshot ``token`` opens (check it with ``records.conversation_of``).

        Raises HistoryError: share_not_found (unknown or revoked alike), share_expired,
        damaged, unavailable.
        """
        with self._guard(), self._transaction() as tx:
            rows = tx.run(
                f"SELECT revoked, expires, snapshot FROM {SHARES} WHERE token_hash = :h",
                {"h": _token_hash(token)},
            )
        if not rows or rows[0][0] is not None:
            raise HistoryError("share_not_found")
        if now >= rows[0][1]:
            raise HistoryError("share_expired")
        try:
            raw = json.loads(rows[0][2])
        except ValueError as exc:
            raise HistoryError("damaged", "snapshot is not JSON") from exc
        return loaded_from_json(raw)

    def list_shares(self, owner: str) -> list[ShareInfo]:
        """Return ``owner``'s share links, newest first (revoked and expired ones too)."""
        with self._guard(), self._transaction() as tx:
            rows = tx.run(
                f"SELECT id, chat, title, created, expires, revoked FROM {SHARES} "
                "WHERE owner = :o ORDER BY created DESC",
                {"o": owner},
            )
        return [ShareInfo(*row) for row in rows]

    def revoke(self, owner: str, share_id: str, now: float) -> None:
        """Stop ``owner``'s link ``share_id`` opening, and drop its snapshot.
        Raises HistoryError: share_not_found, unavailable."""
        with self._guard(), self._owned(owner) as tx:
            found = tx.run(
                f"SELECT id FROM {SHARES} WHERE owner = :o AND id = :i", {"o": owner, "i": share_id}
            )
            if not found:
                raise HistoryError("share_not_found")
            tx.run(
                f"UPDATE {SHARES} SET revoked = COALESCE(revoked, :now), snapshot = '', size = 0 "
                "WHERE owner = :o AND id = :i",
                {"now": now, "o": owner, "i": share_id},
            )


class SQLiteChatStore(SQLiteBackend, ChatStore):
    """Saved chats in one SQLite file (the local default)."""

    # A save is the rerun's cost: a power cut may lose the last turn saved, never the file.
    synchronous = "NORMAL"

    def __init__(
        self,
        path: str | os.PathLike[str],
        settings: HistorySettings | None = None,
        *,
        durable: bool = True,
    ) -> None:
        """Create the file and tables when missing. ``durable``: whether the file outlives a
        restart (not on a host that wipes its disk). Raises HistoryError("unavailable")."""
        try:
            super().__init__(path)
        except self.failures as exc:
            raise HistoryError("unavailable", type(exc).__name__) from exc
        self._setup(settings, durable)


class SQLAlchemyChatStore(SQLAlchemyBackend, ChatStore):
    """Saved chats in any database SQLAlchemy reaches, through sessions from
    ``session_factory`` (e.g. ``lambda: conn.session`` of ``st.connection(..., type="sql")``)."""

    def __init__(
        self,
        session_factory: Callable[[], Any],
        settings: HistorySettings | None = None,
        *,
        durable: bool = True,
    ) -> None:
        """Create the tables when missing. Raises HistoryError("unavailable")."""
        super().__init__(session_factory)
        self._setup(settings, durable)


# --- the SQL of one op ----------------------------------------------------------------------


def _apply(tx: Tx, owner: str, op: Op) -> None:
    match op:
        case ChatOp(chat=meta):
            values = asdict(meta) | {
                "o": owner,
                "title": _storable(meta.title),
                "title_edited": int(meta.title_edited),
            }
            tx.run(
                f"INSERT INTO {CHATS} (owner, {_META}) VALUES (:o, :id, :title, :title_edited, "
                ":created, :updated, :pictures, :turns) ON CONFLICT (owner, id) DO UPDATE SET "
                "title = excluded.title, title_edited = excluded.title_edited, "
                "updated = excluded.updated, pictures = excluded.pictures, turns = excluded.turns",
                values,
            )
        case EntryOp(chat=chat, index=index, entry=entry):
            body = json.dumps(entry, ensure_ascii=False)
            shas = _entry_pictures(entry)
            text = entry.get("text")
            where = {"o": owner, "c": chat, "i": index}
            tx.run(
                f"INSERT INTO {ENTRIES} (owner, chat, idx, body, size, words) VALUES "
                "(:o, :c, :i, :b, :s, :w) ON CONFLICT (owner, chat, idx) DO UPDATE SET "
                "body = excluded.body, size = excluded.size, words = excluded.words",
                where
                | {
                    "b": body,
                    "s": len(body.encode("utf-8")),
                    "w": _storable(text.casefold()) if isinstance(text, str) else "",
                },
            )
            tx.run(f"DELETE FROM {REFS} WHERE owner = :o AND chat = :c AND idx = :i", where)
            for sha in shas:
                tx.run(
                    f"INSERT INTO {REFS} (owner, chat, idx, sha) VALUES (:o, :c, :i, :s)",
                    where | {"s": sha},
                )
        case TruncateOp(chat=chat, length=length):
            where = {"o": owner, "c": chat, "i": length}
            for table in (ENTRIES, REFS):
                tx.run(f"DELETE FROM {table} WHERE owner = :o AND chat = :c AND idx >= :i", where)
        case PictureOp(sha=sha, picture=picture):
            body = json.dumps(picture, ensure_ascii=False)
            tx.run(
                f"INSERT INTO {PICTURES} (owner, sha, body, size) VALUES (:o, :s, :b, :n) "
                "ON CONFLICT (owner, sha) DO UPDATE SET body = excluded.body, size = excluded.size",
                {"o": owner, "s": sha, "b": body, "n": len(body.encode("utf-8"))},
            )
        case DeleteOp(chat=chat):
            tx.run(f"DELETE FROM {CHATS} WHERE owner = :o AND id = :c", {"o": owner, "c": chat})
            for table in (ENTRIES, REFS):
                tx.run(
                    f"DELETE FROM {table} WHERE owner = :o AND chat = :c", {"o": owner, "c": chat}
                )


def _entry_pictures(entry: Any) -> list[str]:
    try:
        return [picture_sha(sha) for sha in pictures_named(entry)]
    except (TypeError, ValueError) as exc:
        raise HistoryError("damaged", f"entry pictures: {exc}") from exc


def _check_sound(tx: Tx, owner: str, chat: str, has_meta: bool) -> None:
    """Refuse entries of a chat with no meta, gaps in a chat's entries, or a picture named and
    never sent."""
    where = {"o": owner, "c": chat}
    count, top = tx.run(
        f"SELECT COUNT(*), COALESCE(MAX(idx), -1) FROM {ENTRIES} WHERE owner = :o AND chat = :c",
        where,
    )[0]
    if count and not has_meta:
        raise HistoryError("damaged", "entries of a chat with no meta")
    if int(top) + 1 != int(count):
        raise HistoryError("damaged", "a gap in a chat's entries")
    missing = tx.run(
        f"SELECT COUNT(*) FROM {REFS} r WHERE r.owner = :o AND r.chat = :c AND NOT EXISTS "
        f"(SELECT 1 FROM {PICTURES} p WHERE p.owner = r.owner AND p.sha = r.sha)",
        where,
    )[0][0]
    if missing:
        raise HistoryError("damaged", "an entry names a picture never sent")


def _load(tx: Tx, owner: str, chat: str) -> LoadedChat:
    where = {"o": owner, "c": chat}
    meta = tx.run(f"SELECT {_META} FROM {CHATS} WHERE owner = :o AND id = :c", where)
    if not meta:
        raise HistoryError("not_found")
    entries = tx.run(
        f"SELECT body FROM {ENTRIES} WHERE owner = :o AND chat = :c ORDER BY idx", where
    )
    pictures = tx.run(
        f"SELECT sha, body FROM {PICTURES} WHERE owner = :o AND sha IN "
        f"(SELECT sha FROM {REFS} WHERE owner = :o AND chat = :c)",
        where,
    )
    try:
        return LoadedChat(
            _meta(meta[0]),
            tuple(json.loads(body) for (body,) in entries),
            {sha: json.loads(body) for sha, body in pictures},
        )
    except ValueError as exc:
        raise HistoryError("damaged", "a stored entry is not JSON") from exc


def _snapshot(loaded: LoadedChat) -> dict[str, Any]:
    """The frozen copy a share link opens: the chat's entries as shown and their pictures (no
    earlier version: a question edited away stays the owner's), and of its meta only what the
    page shows (under an id of its own); nothing of the owner or other chats."""
    entries = tuple(as_shown(entry) for entry in loaded.entries)
    named = {sha for entry in entries for sha in pictures_named(entry)}
    pictures = {sha: raw for sha, raw in loaded.pictures.items() if sha in named}
    meta = replace(loaded.meta, id=new_chat_id())
    return replace(loaded, meta=meta, entries=entries, pictures=pictures).to_json()


def _meta(row: Sequence[Any]) -> ChatMeta:
    chat, title, edited, created, updated, pictures, turns = row
    return ChatMeta(chat_id(chat), title, bool(edited), created, updated, pictures, turns)


def _exists(tx: Tx, owner: str, chat: str) -> bool:
    return bool(
        tx.run(f"SELECT 1 FROM {CHATS} WHERE owner = :o AND id = :c", {"o": owner, "c": chat})
    )


def _bytes(tx: Tx, owner: str) -> int:
    rows = tx.run(
        f"SELECT (SELECT COALESCE(SUM(size), 0) FROM {ENTRIES} WHERE owner = :o) + "
        f"(SELECT COALESCE(SUM(size), 0) FROM {PICTURES} WHERE owner = :o)",
        {"o": owner},
    )
    return int(rows[0][0])


def _storable(text: str) -> str:
    # PostgreSQL's text cannot hold NUL; JSON bodies escape it, plain columns drop it.
    return text.replace("\x00", "")


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
