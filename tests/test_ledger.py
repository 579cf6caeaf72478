"""The usage ledger: rows survive a restart, WAL mode, nothing personal in a row."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import threading

import pytest

from components.hosting.ledger import (
    LedgerRow,
    SQLAlchemyLedger,
    SQLiteLedger,
    ledger_salt,
    new_row_id,
    visitor_hash,
)
from tests.conftest import ROOT


def _row(started: float = 1_800_000_000.0, **changes) -> LedgerRow:
    row = LedgerRow(
        id=new_row_id(),
        started=started,
        model="gpt-4o-mini",
        preset="bingcheng",
        estimated_tokens=2900,
        prompt_tokens=None,
        completion_tokens=None,
        cost=0.0031,
        currency="CNY",
        outcome="pending",
        session_id=visitor_hash("salt", "session:abc"),
        visitor_id=visitor_hash("salt", "user:someone@example.com"),
        ip_id=visitor_hash("salt", "ip:203.0.113.9"),
    )
    return dataclasses.replace(row, **changes)


def test_rows_survive_a_restart_of_the_server_process(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    code = (
        "import sys; from tests.test_ledger import _row; "
        "from components.hosting.ledger import SQLiteLedger; "
        "ledger = SQLiteLedger(sys.argv[1]); row = _row(); ledger.open(row); "
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
            ledger.open(_row(started=1_800_000_000.0 + n * 100 + i))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ledger.rows()) == 120


def test_a_row_holds_no_personal_data(tmp_path):
    path = tmp_path / "l.sqlite3"
    ledger = SQLiteLedger(path)
    ledger.open(_row())
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
        ledger.open(_row(started=t))
    assert [r.started for r in ledger.rows(since=200.0)] == [200.0, 300.0]


def test_any_sqlalchemy_database_works_through_its_sessions(tmp_path):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(f"sqlite:///{tmp_path / 'sa.sqlite3'}")
    ledger = SQLAlchemyLedger(lambda: Session(engine))
    row = _row()
    ledger.open(row)
    ledger.close(row.id, outcome="error", prompt_tokens=None, completion_tokens=None, cost=0.0)
    again = SQLAlchemyLedger(lambda: Session(engine))  # a restart: the table is kept
    assert [(r.id, r.outcome, r.cost) for r in again.rows()] == [(row.id, "error", 0.0)]
