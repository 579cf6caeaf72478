"""The usage ledger: one row per request sent with the operator's key, and nothing personal.

A row holds when, which model, Kantu's estimate and the provider's billed tokens, the cost at the
operator's prices, how it ended, and salted hashes that tell sessions and visitors apart without
naming them (``visitor_hash``). Never a question, an answer or a picture.

A row is opened (``outcome = "pending"``) when the request leaves, so requests in flight count
towards the limits, and closed when the answer ends. Two backends share the SQL (their
transactions are ``components.hosting.database``'s):

- ``SQLiteLedger(path)``: the embedded default; WAL mode, a busy timeout, one short connection
  per call (safe from any thread).
- ``SQLAlchemyLedger(session_factory)``: any SQLAlchemy URL, e.g. Postgres shared by replicas;
  the UI passes ``st.connection(..., type="sql")``'s sessions (never ``conn.query``: its results
  are cached and shared by every visitor).

Deciding and recording happen in one serialised transaction, so that threads, processes and
replicas sharing a ledger cannot all read "one left" and all go: ``admit`` (a request against
the limits), ``judge_try`` (a typed code against the throttle, whose failed tries live in
``kantu_code_tries`` beside the rows) and ``charge_slices`` (the offline reader's hourly budget,
its charges in ``kantu_reader_slices``: ``LedgerSliceCharges``). SQLite takes its write lock first (``BEGIN IMMEDIATE``);
PostgreSQL takes a transaction-scoped advisory lock before reading. Other SQLAlchemy databases
get plain transactions (a warning is logged: admission is not serialised there).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Protocol, TypeVar

from components.hosting.database import (
    Database,
    SQLAlchemyBackend,
    SQLiteBackend,
)
from components.ocr.quota import MemoryCharges, WaitRule

log = logging.getLogger(__name__)

TABLE = "kantu_ledger"
TRIES_TABLE = "kantu_code_tries"
READER_TABLE = "kantu_reader_slices"
# PostgreSQL advisory lock keys (any constants unlikely to clash with another application's)
ADMIT_LOCK = 0x4B414E5455_01
TRIES_LOCK = 0x4B414E5455_02
READER_LOCK = 0x4B414E5455_03
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
    ip_id VARCHAR(32),
    attempts INTEGER DEFAULT 1,
    error_kind VARCHAR(40)
)"""
_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_started ON {TABLE} (started)"
# Columns added after the first release: (name, SQL type), added to an older table when missing.
_ADDED_COLUMNS = (("attempts", "INTEGER DEFAULT 1"), ("error_kind", "VARCHAR(40)"))
_TRIES_SCHEMA = f"""CREATE TABLE IF NOT EXISTS {TRIES_TABLE} (
    scope VARCHAR(20) NOT NULL,
    client VARCHAR(32) NOT NULL,
    at DOUBLE PRECISION NOT NULL
)"""
_TRIES_INDEX = f"CREATE INDEX IF NOT EXISTS {TRIES_TABLE}_scope_at ON {TRIES_TABLE} (scope, at)"
_READER_SCHEMA = f"""CREATE TABLE IF NOT EXISTS {READER_TABLE} (
    visitor VARCHAR(32) NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    slices INTEGER NOT NULL
)"""
_READER_INDEX = f"CREATE INDEX IF NOT EXISTS {READER_TABLE}_at ON {READER_TABLE} (at)"
_READER_VISITOR_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {READER_TABLE}_visitor_at ON {READER_TABLE} (visitor, at)"
)


@dataclass(frozen=True)
class LedgerRow:
    """One request made with the operator's key. Ids are salted hashes; times epoch seconds.

    ``cost`` is at the operator's prices in ``currency`` (None: the model has no known price).
    ``attempts``: how many times the request was actually sent (POSTs), recorded at its close.
    ``error_kind``: the ``KantuError`` kind it failed with (None: it did not fail, or the row
    predates the column).
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
    attempts: int = 1
    error_kind: str | None = None


COLUMNS = tuple(f.name for f in fields(LedgerRow))
_INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})"
)
_CLOSE = (
    f"UPDATE {TABLE} SET outcome = :outcome, prompt_tokens = :prompt_tokens, "
    "completion_tokens = :completion_tokens, cost = :cost, attempts = :attempts, "
    "error_kind = :error_kind WHERE id = :id"
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE started >= :since ORDER BY started"
_TRIES_SELECT = (
    f"SELECT client, at FROM {TRIES_TABLE} WHERE scope = :scope AND at >= :since ORDER BY at"
)
_TRIES_PRUNE = f"DELETE FROM {TRIES_TABLE} WHERE scope = :scope AND at < :since"
_TRIES_INSERT = f"INSERT INTO {TRIES_TABLE} (scope, client, at) VALUES (:scope, :client, :at)"
_TRIES_FORGIVE = f"DELETE FROM {TRIES_TABLE} WHERE scope = :scope AND client = :client"
_READER_PRUNE = f"DELETE FROM {READER_TABLE} WHERE at <= :since"
_READER_SELECT = (
    f"SELECT at, slices FROM {READER_TABLE} WHERE visitor = :visitor AND at > :since ORDER BY at"
)
_READER_INSERT = f"INSERT INTO {READER_TABLE} (visitor, at, slices) VALUES (:visitor, :at, :slices)"


Refusal = TypeVar("Refusal")


@dataclass(frozen=True)
class FailedTry:
    """A wrong code typed at ``at`` (epoch seconds) by ``client`` (a salted hash of its address)."""

    client: str
    at: float


class TryVerdict(Protocol):
    """What ``judge_try`` needs to know of a verdict to record it."""

    @property
    def failed(self) -> bool:
        """Whether a wrong code was compared (recorded as a failed try)."""

    @property
    def forgive(self) -> bool:
        """Whether the client's failed tries are forgotten (a right code)."""


Verdict = TypeVar("Verdict", bound=TryVerdict)


def new_row_id() -> str:
    """Return a fresh random row id."""
    return uuid.uuid4().hex


class Ledger(Database):
    """What the limits and the operator page need from a ledger: the SQL both backends share,
    over the two transactions a backend opens (``components.hosting.database``)."""

    def _migrate(self) -> None:
        """Create the tables when missing and add the columns an older table lacks; serialised,
        so that two processes or replicas starting at once migrate once."""
        with self._serialised(ADMIT_LOCK) as tx:
            tables = (_SCHEMA, _INDEX, _TRIES_SCHEMA, _TRIES_INDEX)
            for statement in (*tables, _READER_SCHEMA, _READER_INDEX, _READER_VISITOR_INDEX):
                tx.run(statement, {})
            present = tx.columns(TABLE)
            for name, kind in _ADDED_COLUMNS:
                if name not in present:
                    tx.run(f"ALTER TABLE {TABLE} ADD COLUMN {name} {kind}", {})

    def open(self, row: LedgerRow) -> None:
        """Record a request as it leaves."""
        with self._transaction() as tx:
            tx.run(_INSERT, asdict(row))

    def close(
        self,
        row_id: str,
        *,
        outcome: str,
        prompt_tokens: int | None,
        completion_tokens: int | None,
        cost: float | None,
        attempts: int = 1,
        error_kind: str | None = None,
    ) -> None:
        """Record how the request ended (and the kind of error it failed with), and how many
        times it was sent."""
        values = {
            "id": row_id,
            "outcome": outcome,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cost": cost,
            "attempts": attempts,
            "error_kind": error_kind,
        }
        with self._transaction() as tx:
            tx.run(_CLOSE, values)

    def rows(self, since: float = 0.0) -> list[LedgerRow]:
        """Return the rows started at or after ``since``, oldest first."""
        with self._transaction() as tx:
            return [LedgerRow(*r) for r in tx.run(_SELECT, {"since": since})]

    def admit(
        self,
        row: LedgerRow,
        *,
        since: float,
        decide: Callable[[list[LedgerRow]], Refusal | None],
    ) -> Refusal | None:
        """Read the rows started at or after ``since``, ask ``decide`` about them, and insert
        ``row`` when it returns None; return what it returned. One serialised transaction."""
        with self._serialised(ADMIT_LOCK) as tx:
            refusal = decide([LedgerRow(*r) for r in tx.run(_SELECT, {"since": since})])
            if refusal is None:
                tx.run(_INSERT, asdict(row))
            return refusal

    def failed_tries(self, scope: str, since: float) -> list[FailedTry]:
        """Return the wrong codes of ``scope`` typed at or after ``since``, oldest first."""
        with self._transaction() as tx:
            return [FailedTry(*r) for r in tx.run(_TRIES_SELECT, {"scope": scope, "since": since})]

    def judge_try(
        self,
        scope: str,
        client: str,
        *,
        now: float,
        since: float,
        decide: Callable[[list[FailedTry]], Verdict],
    ) -> Verdict:
        """Forget ``scope``'s tries older than ``since``, ask ``decide`` about the rest, record a
        failed try by ``client`` at ``now`` or forget its tries as the verdict says, and return
        it. One serialised transaction, so ``decide`` may compare the code inside it."""
        with self._serialised(TRIES_LOCK) as tx:
            tx.run(_TRIES_PRUNE, {"scope": scope, "since": since})
            verdict = decide(
                [FailedTry(*r) for r in tx.run(_TRIES_SELECT, {"scope": scope, "since": since})]
            )
            if verdict.failed:
                tx.run(_TRIES_INSERT, {"scope": scope, "client": client, "at": now})
            elif verdict.forgive:
                tx.run(_TRIES_FORGIVE, {"scope": scope, "client": client})
            return verdict

    def charge_slices(
        self, visitor_id: str, slices: int, *, now: float, since: float, wait: WaitRule
    ) -> float | None:
        """Forget the reader's charges made at or before ``since``, ask ``wait`` about
        ``visitor_id``'s others (oldest first), record ``slices`` at ``now`` when it returns None,
        and return what it returned. One serialised transaction (``SliceCharges``)."""
        with self._serialised(READER_LOCK) as tx:
            tx.run(_READER_PRUNE, {"since": since})
            spent = tx.run(_READER_SELECT, {"visitor": visitor_id, "since": since})
            refusal = wait([(float(at), int(n)) for at, n in spent])
            if refusal is None:
                tx.run(_READER_INSERT, {"visitor": visitor_id, "at": now, "slices": slices})
            return refusal


class LedgerSliceCharges:
    """The offline reader's charges in the ledger's database, shared by every replica using it
    (``components.ocr.quota.SliceCharges``). Visitor ids are hashed again with the ledger's salt
    before they are stored. When the database fails, this process's memory counts instead (the
    failure is logged): the reader keeps answering, its budget per replica until it is back."""

    def __init__(self, ledger: Ledger, salt: str) -> None:
        self.ledger = ledger
        self.salt = salt
        self.fallback = MemoryCharges()

    def charge_slices(
        self, visitor_id: str, slices: int, *, now: float, since: float, wait: WaitRule
    ) -> float | None:
        """See ``SliceCharges.charge_slices``."""
        stored = visitor_hash(self.salt, "reader:" + visitor_id)
        try:
            return self.ledger.charge_slices(stored, slices, now=now, since=since, wait=wait)
        except self.ledger.failures:
            log.exception("ledger unavailable: the reader's budget is counted in memory")
            return self.fallback.charge_slices(visitor_id, slices, now=now, since=since, wait=wait)


class SQLiteLedger(SQLiteBackend, Ledger):
    """The ledger in one SQLite file (see ``SQLiteBackend``)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Create the file and tables when missing. Raises sqlite3.Error / OSError when the path
        cannot be used."""
        super().__init__(path)
        self._migrate()


class SQLAlchemyLedger(SQLAlchemyBackend, Ledger):
    """The ledger in any database SQLAlchemy reaches, through sessions from ``session_factory``
    (e.g. ``lambda: conn.session`` for ``st.connection("kantu_ledger", type="sql")``)."""

    def __init__(self, session_factory: Callable[[], Any]) -> None:
        """Create the tables when missing and add columns an older table lacks. Raises
        sqlalchemy errors when the database refuses."""
        super().__init__(session_factory)
        self._migrate()


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
