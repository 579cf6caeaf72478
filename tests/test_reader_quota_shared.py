"""The offline reader's hourly budget counted in the shared ledger's database, so that replicas
give a visitor one budget, not one each; each replica still reads one message per tab at a time
and cancels a closed tab's reading. Every backend (SQLite, SQLAlchemy on SQLite, PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from components.hosting.ledger import READER_TABLE, LedgerSliceCharges, SQLiteLedger
from components.ocr.quota import HOUR_S, MemoryCharges, ReaderQuota
from components.ui.reader_quota import use_charges

SALT = "shared-reader-test-salt"
JOIN_S = 30.0  # a bound on waiting for a thread, never an expectation about time


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def replicas(ledger, budget: int, clock: Clock) -> tuple[ReaderQuota, ReaderQuota]:
    """Two replicas' quotas on one ledger (each with its own charges object, as each process)."""
    return (
        ReaderQuota(budget, clock=clock, charges=LedgerSliceCharges(ledger, SALT)),
        ReaderQuota(budget, clock=clock, charges=LedgerSliceCharges(ledger, SALT)),
    )


def test_a_visitor_gets_one_budget_across_two_replicas(any_ledger) -> None:
    clock = Clock()
    a, b = replicas(any_ledger, 200, clock)
    assert a.admit("visitor", "tab-on-a", 150) is None
    refusal = b.admit("visitor", "tab-on-b", 100)  # the other replica knows what A charged
    assert refusal is not None and refusal.reason == "hourly"
    assert refusal.facts["minutes"] == 60
    assert b.admit("visitor", "tab-on-b", 50) is None
    assert b.admit("someone-else", "their-tab", 200) is None
    a.finish("tab-on-a")
    b.finish("tab-on-b")
    clock.now += HOUR_S  # an hour on, the charges have gone
    assert a.admit("visitor", "tab-on-a", 200) is None


def test_tabs_stay_one_message_at_a_time_and_a_closed_tab_is_cancelled_per_replica(
    any_ledger,
) -> None:
    a, b = replicas(any_ledger, 200, Clock())
    assert a.admit("visitor", "tab", 10) is None
    busy = a.admit("visitor", "tab", 10)
    assert busy is not None and busy.reason == "busy"  # and the refusal charged nothing:
    assert b.admit("visitor", "other-tab", 190) is None
    assert a.end_session("tab") and a.cancelled("tab")
    assert not b.cancelled("other-tab")
    a.finish("tab")
    assert a.sessions() == [] and b.sessions() == ["other-tab"]


def test_replicas_racing_for_the_last_room_never_overspend(any_ledger) -> None:
    clock = Clock()
    quotas = replicas(any_ledger, 100, clock)
    racers = 8
    start = threading.Barrier(racers)
    admitted: list[bool] = []

    def run(n: int) -> None:
        start.wait()
        refusal = quotas[n % 2].admit("visitor", f"tab-{n}", 30)
        admitted.append(refusal is None)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_S)
    assert sum(admitted) == 3  # 3 × 30 of 100: a fourth would overspend


def test_the_stored_ids_are_salted_again_and_old_charges_are_deleted(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    clock = Clock()
    quota, _ = replicas(SQLiteLedger(path), 200, clock)
    assert quota.admit("reader-visitor-id", "tab", 5) is None
    quota.finish("tab")
    clock.now += HOUR_S + 1
    assert quota.admit("another-visitor-id", "tab", 5) is None
    with sqlite3.connect(path) as db:
        stored = db.execute(f"SELECT visitor, at FROM {READER_TABLE}").fetchall()
    assert len(stored) == 1  # the hour-old charge went as the next was made
    assert "visitor-id" not in stored[0][0]


def test_a_ledger_that_fails_falls_back_to_this_replicas_memory(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    quota, _ = replicas(SQLiteLedger(path), 100, Clock())
    for name in ("ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    path.mkdir()  # the database can no longer be opened
    assert quota.admit("visitor", "tab", 60) is None  # the reader still answers...
    quota.finish("tab")
    refusal = quota.admit("visitor", "tab", 60)  # ...and still counts, in memory
    assert refusal is not None and refusal.reason == "hourly"


def test_the_page_switches_where_the_budget_is_counted_only_when_the_ledger_changes(
    tmp_path: Path,
) -> None:
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    quota = ReaderQuota(100)
    first = LedgerSliceCharges(ledger, SALT)
    use_charges(quota, first)
    use_charges(quota, LedgerSliceCharges(ledger, SALT))  # the next run's, on the same ledger
    assert quota.charges is first  # its memory fallback is kept
    use_charges(quota, None)  # the shared ledger is no longer configured
    assert isinstance(quota.charges, MemoryCharges)
