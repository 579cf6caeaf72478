"""The usage ledger: one row per request sent with the operator's key, and nothing personal.

A row holds when, which model, Kantu's estimate and the provider's billed tokens, the cost at the
operator's prices, how it ended, and salted hashes that tell sessions and visitors apart without
naming them (``visitor_hash``). Never a question, an answer or a picture.

A row is opened (``outcome = "pending"``) when the request leaves, so requests in flight count
towards the limits, and closed when the answer ends. Two backends share the SQL:

- ``SQLiteLedger(path)``: the embedded default; WAL mode, a busy timeout, one short connection
  per call (safe from any thread).
- ``SQLAlchemyLedger(session_factory)``: any SQLAlchemy URL, e.g. Postgres shared by replicas;
  the UI passes ``st.connection(..., type="sql")``'s sessions (never ``conn.query``: its results
  are cached and shared by every visitor).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Protocol, TypeVar

TABLE = "kantu_ledger"
BUSY_TIMEOUT_MS = 5000
_SCHEMA = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    id VARCHAR(32) PRIMARY KEY,
    started DOUBLE PRECISION NOT NULL,
    model VARCHAR(200) NOT NULL,
    preset VARCHAR(50) NOT NULL,
    estimated_tokens INTEGER,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    cost DOUBLE PRECISION,
    currency VARCHAR(3),
    outcome VARCHAR(20) NOT NULL,
    session_id VARCHAR(32) NOT NULL,
    visitor_id VARCHAR(32) NOT NULL,
    ip_id VARCHAR(32)
)"""
_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_started ON {TABLE} (started)"


@dataclass(frozen=True)
class LedgerRow:
    """One request made with the operator's key. Ids are salted hashes; times epoch seconds.

    ``cost`` is at the operator's prices in ``currency`` (None: the model has no known price).
    """

    id: str
    started: float
    model: str
    preset: str
    estimated_tokens: int | None
    prompt_tokens: int | None
    completion_tokens: int | None
    cost: float | None
    currency: str | None
    outcome: str
    session_id: str
    visitor_id: str
    ip_id: str | None = None


COLUMNS = tuple(f.name for f in fields(LedgerRow))
_INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"
)
_CLOSE = (
    f"UPDATE {TABLE} SET outcome = :outcome, prompt_tokens = :prompt_tokens, "
    "completion_tokens = :completion_tokens, cost = :cost WHERE id = :id"
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE started >= :since ORDER BY started"


Refusal = TypeVar("Refusal")


def new_row_id() -> str:
    """Return a fresh random row id."""
    return uuid.uuid4().hex


class Ledger(Protocol):
    """What the limits and the operator page need from a ledger backend."""

    def open(self, row: LedgerRow) -> None:
        """Record a request as it leaves."""

    def close(
        self,
        row_id: str,
        *,
        outcome: str,
        prompt_tokens: int | None,
        completion_tokens: int | None,
        cost: float | None,
    ) -> None:
        """Record how the request ended."""

    def rows(self, since: float = 0.0) -> list[LedgerRow]:
        """Return the rows started at or after ``since``, oldest first."""

    def admit(
        self,
        row: LedgerRow,
        *,
        since: float,
        decide: Callable[[list[LedgerRow]], Refusal | None],
    ) -> Refusal | None:
        """Read the rows started at or after ``since``, ask ``decide`` about them, and insert
        ``row`` when it returns None; return what it returned. One serialised transaction."""


def _close_params(row_id: str, **values: Any) -> dict[str, Any]:
    return {"id": row_id, **values}


class SQLiteLedger:
    """The ledger in one SQLite file: WAL mode (readers never block the writer) and a busy
    timeout (two writers wait rather than fail). A connection per call, so any thread may use it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Create the file and table when missing. Raises sqlite3.Error / OSError when the path
        cannot be used."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.execute(_INDEX)

    def __repr__(self) -> str:
        return f"SQLiteLedger({str(self.path)!r})"

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            with db:  # one transaction: committed, or rolled back on error
                yield db
        finally:
            db.close()

    def journal_mode(self) -> str:
        """Return SQLite's journal mode for the file ("wal")."""
        with self._connect() as db:
            return str(db.execute("PRAGMA journal_mode").fetchone()[0])

    def open(self, row: LedgerRow) -> None:
        with self._connect() as db:
            db.execute(_INSERT, asdict(row))

    def close(self, row_id: str, **values: Any) -> None:
        with self._connect() as db:
            db.execute(_CLOSE, _close_params(row_id, **values))

    def rows(self, since: float = 0.0) -> list[LedgerRow]:
        with self._connect() as db:
            return [LedgerRow(*r) for r in db.execute(_SELECT, {"since": since})]

    def admit(
        self,
        row: LedgerRow,
        *,
        since: float,
        decide: Callable[[list[LedgerRow]], Refusal | None],
    ) -> Refusal | None:
        # TODO(issue 19 item 3): not yet serialised
        refusal = decide(self.rows(since))
        if refusal is None:
            self.open(row)
        return refusal


class SQLAlchemyLedger:
    """The ledger in any database SQLAlchemy reaches, through sessions from ``session_factory``
    (e.g. ``lambda: conn.session`` for ``st.connection("kantu_ledger", type="sql")``)."""

    def __init__(self, session_factory: Callable[[], Any]) -> None:
        """Create the table when missing. Raises sqlalchemy errors when the database refuses."""
        from sqlalchemy import text  # only this backend needs SQLAlchemy

        self._text = text
        self._session = session_factory
        with self._session() as session:
            session.execute(text(_SCHEMA))
            session.execute(text(_INDEX))
            session.commit()

    def __repr__(self) -> str:
        return "SQLAlchemyLedger()"

    def open(self, row: LedgerRow) -> None:
        with self._session() as session:
            session.execute(self._text(_INSERT), asdict(row))
            session.commit()

    def close(self, row_id: str, **values: Any) -> None:
        with self._session() as session:
            session.execute(self._text(_CLOSE), _close_params(row_id, **values))
            session.commit()

    def rows(self, since: float = 0.0) -> list[LedgerRow]:
        with self._session() as session:
            result = session.execute(self._text(_SELECT), {"since": since})
            return [LedgerRow(*r) for r in result]

    def admit(
        self,
        row: LedgerRow,
        *,
        since: float,
        decide: Callable[[list[LedgerRow]], Refusal | None],
    ) -> Refusal | None:
        # TODO(issue 19 item 3): not yet serialised
        refusal = decide(self.rows(since))
        if refusal is None:
            self.open(row)
        return refusal


def default_ledger_path() -> Path:
    """Return ``~/.kantu/ledger.sqlite3``, or one in the temporary directory when the home
    directory cannot be written."""
    home = Path.home() / ".kantu"
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.access(home, os.W_OK):
            return home / "ledger.sqlite3"
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / "kantu" / "ledger.sqlite3"


def ledger_salt(configured: str | None, beside: Path) -> str:
    """Return the salt for visitor ids: ``configured`` (``KANTU_LEDGER_SALT``), else the one kept
    in ``<beside>.salt``, made once (readable by the owner only)."""
    if configured:
        return configured
    path = beside.with_name(beside.name + ".salt")
    with contextlib.suppress(FileNotFoundError):
        kept = path.read_text().strip()
        if kept:
            return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(salt)
    return salt


def visitor_hash(salt: str, identity: str) -> str:
    """Return a salted, one-way id for ``identity`` (a session id, an e-mail, an address)."""
    return hashlib.sha256(f"{salt}\x00{identity}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Totals:
    """Requests and money counted for one limit."""

    requests: int = 0
    cost: float = 0.0


def totals(rows: Sequence[LedgerRow], currency: str) -> Totals:
    """Return the number of ``rows`` and their cost in ``currency`` (rows in another currency or
    with no known price add requests, not money)."""
    cost = sum(r.cost or 0.0 for r in rows if r.currency == currency)
    return Totals(len(rows), cost)


def now() -> float:
    """Return the time the ledger records (epoch seconds; tests pass their own)."""
    return time.time()
