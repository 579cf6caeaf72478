"""Transactions over SQLite or any SQLAlchemy database: the plumbing the ledger and the saved
chats share.

A store class derives from ``Database`` and writes its SQL against ``Tx.run`` (named
``:parameters``, the common subset of SQLite and PostgreSQL); a backend mixin opens the two
kinds of transaction:

- ``_transaction()``: committed at the end, rolled back on error;
- ``_serialised(lock)``: one that no other on the same database interleaves with. SQLite takes
  the file's write lock first (``BEGIN IMMEDIATE``); PostgreSQL takes the transaction-scoped
  advisory lock ``lock``; other SQLAlchemy databases get a plain transaction and a warning.

``SQLiteBackend(path)`` lends each call a connection of its own from a small pool (safe from any
thread; opening one per call was about 6 % of a photo question's server CPU), in WAL mode with a
busy timeout. ``SQLAlchemyBackend(session_factory)`` uses sessions from the factory (e.g.
``lambda: conn.session`` for ``st.connection(..., type="sql")``; never ``conn.query``, whose
results are cached and shared by every visitor).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
POOL_SIZE = 4  # idle connections kept per file and kind; more are opened when needed, then closed


class Tx(Protocol):
    """One open transaction (serialised or not, as the backend opened it)."""

    def run(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Execute ``sql``; return its rows (none for a write)."""

    def columns(self, table: str) -> set[str]:
        """Return the names of ``table``'s columns."""


class Database:
    """A store over the two transactions a backend opens (see the module doc). ``failures`` are
    the exceptions its backend raises when the database refuses or cannot be reached."""

    failures: tuple[type[BaseException], ...] = ()

    def _transaction(self) -> contextlib.AbstractContextManager[Tx]:
        raise NotImplementedError

    def _serialised(self, lock: int) -> contextlib.AbstractContextManager[Tx]:
        raise NotImplementedError


@dataclass(frozen=True)
class _SQLiteTx:
    db: sqlite3.Connection

    def run(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()

    def columns(self, table: str) -> set[str]:
        return {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}


class SQLiteBackend(Database):
    """One SQLite file: WAL mode (readers never block the writer) and a busy timeout (two writers
    wait rather than fail). Each call borrows a connection from a pool, used by one thread at a
    time, so any thread may call; a connection that saw an error is closed, never lent again."""

    failures = (sqlite3.Error, OSError)
    # FULL: a commit is on disk when it returns. A store may choose NORMAL (WAL: a power cut can
    # lose the last commits, never corrupt the file) for commits several times faster.
    synchronous = "FULL"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Create the file when missing. Raises sqlite3.Error / OSError when the path cannot be
        used."""
        self.path = Path(path)
        # idle connections: plain ones (Python's transactions) and autocommit ones (BEGIN IMMEDIATE)
        self._idle: dict[bool, queue.SimpleQueue[sqlite3.Connection]] = {
            False: queue.SimpleQueue(),
            True: queue.SimpleQueue(),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def _open(self, autocommit: bool) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None if autocommit else "DEFERRED",
            check_same_thread=False,  # the pool lends it to one thread at a time
        )
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute(f"PRAGMA synchronous={self.synchronous}")
        return db

    @contextlib.contextmanager
    def _borrowed(self, autocommit: bool) -> Iterator[sqlite3.Connection]:
        """Lend a connection; it goes back to the pool only when the block ended cleanly."""
        idle = self._idle[autocommit]
        try:
            db = idle.get_nowait()
        except queue.Empty:
            db = self._open(autocommit)
        try:
            yield db
        except BaseException:
            db.close()
            raise
        if idle.qsize() < POOL_SIZE:
            idle.put(db)
        else:
            db.close()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self._borrowed(autocommit=False) as db, db:  # one transaction: committed, or not
            yield db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Tx]:
        with self._connect() as db:
            yield _SQLiteTx(db)

    @contextlib.contextmanager
    def _serialised(self, lock: int) -> Iterator[Tx]:
        """Open a transaction holding the file's write lock from its first statement, so no
        other connection (thread or process) can write between our read and our write. The
        lock covers the whole file, whatever ``lock`` names."""
        with self._borrowed(autocommit=True) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteTx(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def journal_mode(self) -> str:
        """Return SQLite's journal mode for the file ("wal")."""
        with self._connect() as db:
            return str(db.execute("PRAGMA journal_mode").fetchone()[0])


class SQLAlchemyBackend(Database):
    """Any database SQLAlchemy reaches, through sessions from ``session_factory``."""

    def __init__(self, session_factory: Callable[[], Any]) -> None:
        """Keep the factory; nothing is opened yet."""
        from sqlalchemy import inspect, text  # only this backend needs SQLAlchemy
        from sqlalchemy.exc import SQLAlchemyError

        self.failures = (SQLAlchemyError,)
        self._text = text
        self._inspect = inspect
        self._session = session_factory

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def dialect(self) -> str:
        """Return the database's dialect name ("sqlite", "postgresql", ...)."""
        with self._session() as session:
            return str(session.get_bind().dialect.name)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Tx]:
        with self._session() as session:
            yield _SessionTx(session, self._text, self._inspect)
            session.commit()

    @contextlib.contextmanager
    def _serialised(self, lock: int) -> Iterator[Tx]:
        """Open a transaction that no other one on this database interleaves with: SQLite's write
        lock taken at BEGIN, or a PostgreSQL advisory lock held until commit or rollback."""
        with self._session() as session:
            dialect = session.get_bind().dialect.name
            if dialect == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            elif dialect == "postgresql":
                session.execute(self._text(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}"))
                session.execute(self._text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
            else:
                _warn_unserialised(dialect)
            try:
                yield _SessionTx(session, self._text, self._inspect)
            except BaseException:
                session.rollback()
                raise
            session.commit()


@dataclass(frozen=True)
class _SessionTx:
    session: Any
    text: Callable[[str], Any]
    inspect: Callable[[Any], Any]

    def run(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        result = self.session.execute(self.text(sql), params)
        return [tuple(r) for r in result] if result.returns_rows else []

    def columns(self, table: str) -> set[str]:
        return {c["name"] for c in self.inspect(self.session.connection()).get_columns(table)}


_warned_dialects: set[str] = set()


def _warn_unserialised(dialect: str) -> None:
    if dialect not in _warned_dialects:
        _warned_dialects.add(dialect)
        log.warning(
            "database on %s: serialised transactions are plain ones here (SQLite and PostgreSQL "
            "serialise them); concurrent requests may pass a limit",
            dialect,
        )
