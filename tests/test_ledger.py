"""The usage ledger: rows survive a restart, WAL mode, nothing personal in a row."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading

import pytest

from components.hosting.config import Limits
from components.hosting.ledger import (
    SQLAlchemyLedger,
    SQLiteLedger,
    ledger_salt,
    visitor_hash,
)
from components.hosting.limits import check_limits, window_start
from tests.conftest import ROOT
from tests.helpers import ledger_row


def test_rows_survive_a_restart_of_the_server_process(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    code = (
        "import sys; from tests.helpers import ledger_row; "
        "from components.hosting.ledger import SQLiteLedger; "
        "ledger = SQLiteLedger(sys.argv[1]); row = ledger_row(); ledger.open(row); "
        "ledger.close(row.id, outcome='ok', prompt_tokens=2911, completion_tokens=40, cost=0.0033)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    rows = SQLiteLedger(path).rows()  # a new process's ledger, as after a reboot
    assert len(rows) == 1
    assert (rows[0].outcome, rows[0].prompt_tokens, rows[0].completion_tokens) == ("ok", 2911, 40)
    assert rows[0].cost == pytest.approx(0.0033)


def test_the_file_is_in_wal_mode_with_a_busy_timeout(tmp_path):
    ledger = SQLiteLedger(tmp_path / "l.sqlite3")
    assert ledger.journal_mode() == "wal"
    with sqlite3.connect(tmp_path / "l.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file


def test_writers_in_many_threads_lose_no_row(tmp_path):
    ledger = SQLiteLedger(tmp_path / "l.sqlite3")

    def write(n: int) -> None:
        for i in range(20):
            ledger.open(ledger_row(started=1_800_000_000.0 + n * 100 + i))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ledger.rows()) == 120


def test_a_row_holds_no_personal_data(tmp_path):
    path = tmp_path / "l.sqlite3"
    ledger = SQLiteLedger(path)
    ledger.open(ledger_row())
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # the file, its WAL, if any
    for personal in (b"someone@example.com", b"example.com", b"203.0.113.9", b"session:abc"):
        assert personal not in raw
    with sqlite3.connect(path) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(kantu_ledger)")]
    assert not {"question", "answer", "text", "image", "picture", "email", "ip"} & set(columns)


def test_visitor_ids_are_salted_one_way_hashes(tmp_path):
    assert visitor_hash("a", "user:x@y.z") != visitor_hash("b", "user:x@y.z")
    assert visitor_hash("a", "user:x@y.z") == visitor_hash("a", "user:x@y.z")
    beside = tmp_path / "ledger.sqlite3"
    salt = ledger_salt(None, beside)
    assert len(salt) == 64 and ledger_salt(None, beside) == salt  # made once, kept
    kept = tmp_path / "ledger.sqlite3.salt"
    assert kept.stat().st_mode & 0o077 == 0  # readable by the owner only
    assert ledger_salt("configured", beside) == "configured"


def test_rows_can_be_read_from_a_moment_on(tmp_path):
    ledger = SQLiteLedger(tmp_path / "l.sqlite3")
    for t in (100.0, 200.0, 300.0):
        ledger.open(ledger_row(started=t))
    assert [r.started for r in ledger.rows(since=200.0)] == [200.0, 300.0]


def test_any_sqlalchemy_database_works_through_its_sessions(tmp_path):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{tmp_path / 'sa.sqlite3'}")
    ledger = SQLAlchemyLedger(lambda: Session(engine))
    row = ledger_row()
    ledger.open(row)
    ledger.close(row.id, outcome="error", prompt_tokens=None, completion_tokens=None, cost=0.0)
    again = SQLAlchemyLedger(lambda: Session(engine))  # a restart: the table is kept
    assert [(r.id, r.outcome, r.cost) for r in again.rows()] == [(row.id, "error", 0.0)]


# -- admission is one serialised transaction (issue 19 item 3) ----------------------------------

NOW = 1_800_000_000.0
RACERS = 16


def _admit_one(ledger, limits: Limits, session: str) -> bool:
    """Admit one request from ``session`` against ``limits`` the way the gate does."""
    row = ledger_row(started=NOW, session_id=visitor_hash("salt", session), ip_id=None)
    hit = ledger.admit(
        row,
        since=window_start(NOW),
        decide=lambda rows: check_limits(
            rows,
            limits,
            session_id=row.session_id,
            visitor_id=row.visitor_id,
            ip_id=None,
            estimate=0.0,
            now=NOW,
        ),
    )
    return hit is None


def _race(ledger, limits: Limits, *, one_session: bool) -> int:
    """Let ``RACERS`` threads (visitors, or one session's batch workers) admit at the same
    instant; return how many got through."""
    start = threading.Barrier(RACERS)
    admitted: list[bool] = []

    def run(n: int) -> None:
        start.wait()
        admitted.append(_admit_one(ledger, limits, "session:batch" if one_session else f"s:{n}"))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(admitted)


@pytest.mark.parametrize(
    "limits",
    [Limits(daily_requests=1), Limits(visitor_hour_requests=1), Limits(session_requests=1)],
    ids=["daily", "visitor_hour", "session"],
)
def test_sixteen_visitors_pressing_run_at_once_get_exactly_the_limit(any_ledger, limits):
    # a session's limit: every racer in one session, as a 16-worker batch's are
    got = _race(any_ledger, limits, one_session=bool(limits.session_requests))
    assert got == 1, f"{got} of {RACERS} got through a limit of 1"
    assert len(any_ledger.rows()) == 1  # and only its row was written


def test_a_refused_admission_writes_nothing_and_returns_the_refusal(any_ledger):
    limits = Limits(daily_requests=2)
    assert _admit_one(any_ledger, limits, "session:a")
    assert _admit_one(any_ledger, limits, "session:b")
    row = ledger_row(started=NOW)
    hit = any_ledger.admit(row, since=0.0, decide=lambda rows: ("full", len(rows)))
    assert hit == ("full", 2)
    assert row.id not in {r.id for r in any_ledger.rows()}


def test_an_error_in_decide_leaves_the_ledger_usable(any_ledger):
    def broken(rows):
        raise ValueError("decide failed")

    with pytest.raises(ValueError):
        any_ledger.admit(ledger_row(started=NOW), since=0.0, decide=broken)
    assert _admit_one(any_ledger, Limits(daily_requests=1), "session:a")  # not left locked
    assert len(any_ledger.rows()) == 1


def _admit_in_process(path: str, limit: int, start, results) -> None:
    """One server process: 8 threads admitting against ``limit`` on the ledger file at ``path``."""
    ledger = SQLiteLedger(path)
    limits = Limits(daily_requests=limit)
    start.wait()
    got = [False] * 8

    def run(n: int) -> None:
        got[n] = _admit_one(ledger, limits, f"session:{os.getpid()}:{n}")

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(sum(got))


def test_two_server_processes_on_one_ledger_file_admit_exactly_the_limit(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    SQLiteLedger(path)  # the table exists before the race
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(2), spawn.Queue()
    workers = [
        spawn.Process(target=_admit_in_process, args=(path, 3, start, results)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    counts = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sum(counts) == 3, f"{counts} admitted by the two processes against a limit of 3"
    assert len(SQLiteLedger(path).rows()) == 3


# -- attempts: how many times a request was sent (issue 19 item 6) ------------------------------

_OLD_SCHEMA = """CREATE TABLE kantu_ledger (
    id VARCHAR(32) PRIMARY KEY, started DOUBLE PRECISION NOT NULL, model VARCHAR(200) NOT NULL,
    preset VARCHAR(50) NOT NULL, estimated_tokens INTEGER, prompt_tokens INTEGER,
    completion_tokens INTEGER, cost DOUBLE PRECISION, currency VARCHAR(3),
    outcome VARCHAR(20) NOT NULL, session_id VARCHAR(32) NOT NULL, visitor_id VARCHAR(32) NOT NULL,
    ip_id VARCHAR(32)
)"""
_OLD_ROW = (
    "INSERT INTO kantu_ledger VALUES ('old', 1.0, 'gpt-4o-mini', 'bingcheng', 10, 10, 5, 0.01, "
    "'CNY', 'ok', 's', 'v', NULL)"
)


def _last_releases_table(kind: str, tmp_path, request):
    """Return how to open a ledger on a table written by the release before ``attempts``."""
    if kind == "sqlite":
        path = tmp_path / "old.sqlite3"
        with sqlite3.connect(path) as db:
            db.execute(_OLD_SCHEMA)
            db.execute(_OLD_ROW)
        return lambda: SQLiteLedger(path)
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    url = (
        f"sqlite:///{tmp_path / 'old-sa.sqlite3'}"
        if kind == "sqlalchemy-sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_engine(url)
    request.addfinalizer(engine.dispose)
    with engine.begin() as db:
        db.execute(text("DROP TABLE IF EXISTS kantu_ledger"))
        db.execute(text(_OLD_SCHEMA))
        db.execute(text(_OLD_ROW))
    return lambda: SQLAlchemyLedger(lambda: Session(engine))


@pytest.mark.parametrize("kind", ["sqlite", "sqlalchemy-sqlite", "sqlalchemy-postgres"])
def test_an_older_ledger_gains_attempts_and_keeps_its_rows(kind, tmp_path, request):
    open_ledger = _last_releases_table(kind, tmp_path, request)
    ledger = open_ledger()
    old = ledger.rows()
    assert [(r.id, r.cost, r.attempts) for r in old] == [("old", 0.01, 1)]
    row = ledger_row(started=NOW)
    ledger.open(row)
    ledger.close(
        row.id, outcome="error", prompt_tokens=2911, completion_tokens=0, cost=0.003, attempts=3
    )
    closed = {r.id: r for r in open_ledger().rows()}[row.id]  # a restart: migrated once only
    assert (closed.outcome, closed.attempts) == ("error", 3)


def test_a_request_sent_once_records_one_attempt(any_ledger):
    row = ledger_row(started=NOW)
    any_ledger.open(row)
    any_ledger.close(row.id, outcome="ok", prompt_tokens=1, completion_tokens=1, cost=0.0)
    assert [r.attempts for r in any_ledger.rows()] == [1]


# -- error kinds: what a failed request failed with (issue 23 item 4) ---------------------------


def test_a_failed_request_keeps_its_error_kind_on_every_backend(any_ledger):
    failed, fine = ledger_row(started=NOW), ledger_row(started=NOW + 1)
    for row in (failed, fine):
        any_ledger.open(row)
    any_ledger.close(
        failed.id, outcome="error~est", prompt_tokens=None, completion_tokens=None, cost=0.003,
        error_kind="rate_limited",
    )  # fmt: skip
    any_ledger.close(fine.id, outcome="ok", prompt_tokens=1, completion_tokens=1, cost=0.0)
    kinds = {r.id: (r.outcome, r.error_kind) for r in any_ledger.rows()}
    assert kinds == {failed.id: ("error~est", "rate_limited"), fine.id: ("ok", None)}


@pytest.mark.parametrize("kind", ["sqlite", "sqlalchemy-sqlite", "sqlalchemy-postgres"])
def test_an_older_ledger_gains_error_kinds_and_its_old_rows_have_none(kind, tmp_path, request):
    ledger = _last_releases_table(kind, tmp_path, request)()
    row = ledger_row(started=NOW)
    ledger.open(row)
    ledger.close(
        row.id, outcome="error", prompt_tokens=None, completion_tokens=None, cost=0.0,
        error_kind="auth",
    )  # fmt: skip
    assert {r.id: r.error_kind for r in ledger.rows()} == {"old": None, row.id: "auth"}
