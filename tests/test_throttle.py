"""Code guessing is throttled on the server: per address and for everyone, in the ledger's
database, so fresh sessions, processes and replicas share one count (issue 19 item 4)."""

from __future__ import annotations

import itertools
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.hosting.access import FREE_TRIES, MAX_WAIT_S, short_code_settings
from components.hosting.config import hosting_config
from components.hosting.ledger import FailedTry, SQLiteLedger
from components.hosting.throttle import (
    GLOBAL_PER_MINUTE,
    WINDOW_S,
    CodeCheck,
    check_code,
    client_key,
    judge,
    pending,
)

CODE = "orange-sesame-42"
T0 = 1_800_000_000.0


def _most_in_a_minute(times: list[float]) -> int:
    """Return the most ``times`` inside any rolling ``WINDOW_S``."""
    times = sorted(times)
    return max((sum(1 for u in times if t <= u < t + WINDOW_S) for t in times), default=0)


# -- the arithmetic, on a clock the test moves ---------------------------------------------------


def test_one_address_waits_twice_as_long_after_each_wrong_code():
    tries: list[FailedTry] = []
    now, waits = T0, []
    for n in range(FREE_TRIES + 4):
        check = judge(tries, "a", f"guess-{n}", (CODE,), now)
        assert check.outcome == "wrong"
        tries.append(FailedTry("a", now))
        waits.append(check.wait_left(now))
        now = check.retry_at or now
    assert waits == [0.0] * (FREE_TRIES - 1) + [1.0, 2.0, 4.0, 8.0, 16.0]
    early = judge(tries, "a", CODE, (CODE,), now - 0.5)
    assert early == CodeCheck("wait", now)  # the right code, not compared during the wait
    assert judge(tries, "a", CODE, (CODE,), now).outcome == "right"
    assert judge(tries, "b", "guess", (CODE,), now - 0.5).outcome == "wrong"  # another address


def test_past_thirty_wrong_codes_a_minute_nobody_is_compared_until_the_oldest_ages_out():
    tries = [FailedTry(f"client-{n}", T0 + n) for n in range(GLOBAL_PER_MINUTE)]
    late = T0 + GLOBAL_PER_MINUTE
    busy = judge(tries, "fresh", CODE, (CODE,), late)
    assert busy == CodeCheck("busy", T0 + WINDOW_S)  # even the right code waits
    assert judge(tries, "fresh", CODE, (CODE,), T0 + WINDOW_S).outcome == "right"


@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.floats(0.0, 5.0, allow_nan=False)),
        min_size=1,
        max_size=400,
    )
)
def test_no_schedule_of_guesses_gets_more_than_thirty_compared_a_minute(schedule):
    """Whatever addresses guess, in whatever order and pace: at most 30 wrong codes are compared
    in any minute, each address's compared tries keep the backoff's spacing, and afterwards the
    right code opens once the wait it was told has passed."""
    tries: list[FailedTry] = []
    now = T0
    for address, pause in schedule:
        now += pause
        client = f"address-{address}"
        check = judge(tries, client, "wrong-guess", (CODE,), now)
        if check.failed:
            tries.append(FailedTry(client, now))
        else:
            assert check.outcome in ("wait", "busy") and check.retry_at > now
    assert _most_in_a_minute([one.at for one in tries]) <= GLOBAL_PER_MINUTE
    for address in {a for a, _ in schedule}:
        mine = [one.at for one in tries if one.client == f"address-{address}"]
        for n, (before, after) in enumerate(itertools.pairwise(mine), start=1):
            if n >= FREE_TRIES:
                assert after - before >= min(2.0 ** (n - FREE_TRIES), MAX_WAIT_S)
    told = judge(tries, "address-0", CODE, (CODE,), now)
    later = now if told.outcome == "right" else told.retry_at
    assert judge(tries, "address-0", CODE, (CODE,), later).outcome == "right"


# -- against the real ledgers: atomic, shared by every session ----------------------------------


def test_forty_addresses_guessing_at_once_get_thirty_codes_compared(any_ledger):
    start = threading.Barrier(40)
    checks: list[CodeCheck] = []

    def guess(n: int) -> None:
        start.wait()
        checks.append(
            check_code(any_ledger, "access", f"client-{n}", f"guess-{n}", (CODE,), now=T0)
        )

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(c.outcome for c in checks)
    assert outcomes == ["busy"] * 10 + ["wrong"] * GLOBAL_PER_MINUTE
    assert pending(any_ledger, "access", "visitor", now=T0).outcome == "busy"
    assert pending(any_ledger, "operator", "visitor", now=T0) is None  # the other code is apart
    right = check_code(any_ledger, "access", "visitor", CODE, (CODE,), now=T0 + WINDOW_S)
    assert right.outcome == "right"  # the legitimate visitor gets in after the wait


def test_fresh_sessions_from_many_addresses_for_three_minutes_guess_thirty_a_minute(tmp_path):
    """20 addresses, each opening a fresh session for every guess, once a second for 3 minutes:
    what is compared is counted in the database, so no session starts with credit."""
    ledger = SQLiteLedger(tmp_path / "l.sqlite3")
    compared: list[float] = []
    for second in range(180):
        now = T0 + second
        for address in range(20):
            client = client_key("salt", f"198.51.100.{address}")
            check = check_code(ledger, "operator", client, f"g{second}-{address}", (CODE,), now=now)
            if check.failed:
                compared.append(now)
    assert _most_in_a_minute(compared) <= GLOBAL_PER_MINUTE
    assert len(compared) >= 2 * GLOBAL_PER_MINUTE  # the budget is used, not stuck shut


def test_a_right_code_forgets_the_addresss_wrong_ones(any_ledger):
    for n in range(FREE_TRIES):
        check_code(any_ledger, "access", "a", f"guess-{n}", (CODE,), now=T0)
    assert pending(any_ledger, "access", "a", now=T0) is not None
    assert check_code(any_ledger, "access", "a", CODE, (CODE,), now=T0 + 60).outcome == "right"
    assert pending(any_ledger, "access", "a", now=T0 + 60) is None
    assert any_ledger.failed_tries("access", 0.0) == []


def test_addresses_are_kept_as_salted_hashes_and_a_missing_one_shares_a_bucket():
    assert client_key("salt", "203.0.113.9") != client_key("pepper", "203.0.113.9")
    assert "203.0.113.9" not in client_key("salt", "203.0.113.9")
    assert client_key("salt", None) == client_key("salt", None)


def test_the_operator_is_told_about_codes_shorter_than_eight_characters():
    config = hosting_config({"KANTU_ACCESS_CODE": ["long-enough", "1234"]}, {})
    assert short_code_settings(config) == ("KANTU_ACCESS_CODE",)
    both = hosting_config({"KANTU_ACCESS_CODE": "1234", "KANTU_ADMIN_CODE": "boss"}, {})
    assert short_code_settings(both) == ("KANTU_ACCESS_CODE", "KANTU_ADMIN_CODE")
    assert short_code_settings(hosting_config({"KANTU_ADMIN_CODE": "12345678"}, {})) == ()


@pytest.mark.parametrize("scope", ["access", "operator"])
def test_the_typed_code_never_reaches_the_database(tmp_path, scope):
    ledger = SQLiteLedger(tmp_path / "l.sqlite3")
    check_code(ledger, scope, client_key("salt", "203.0.113.9"), "secret-guess", (CODE,), now=T0)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"secret-guess" not in raw and b"203.0.113.9" not in raw
