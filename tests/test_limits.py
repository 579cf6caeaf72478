"""Limits on the operator's key: models, requests and money, per session, visitor hour and day."""

from __future__ import annotations

import dataclasses

from components.hosting.config import Limits, hosting_config, parse_limits
from components.hosting.ledger import LedgerRow
from components.hosting.limits import HOUR_S, check_limits, day_start, model_allowed

NOW = day_start(1_800_000_000.0) + 12 * HOUR_S  # noon UTC


def _row(started: float, *, session="s1", visitor="v1", ip=None, cost=0.01, currency="CNY"):
    return LedgerRow(
        "id",
        started,
        "gpt-4o-mini",
        "bingcheng",
        100,
        None,
        None,
        cost,
        currency,
        "ok",
        session,
        visitor,
        ip,
    )


def _check(rows, limits, *, session="s1", visitor="v1", ip=None, estimate=0.0):
    return check_limits(
        rows, limits, session_id=session, visitor_id=visitor, ip_id=ip, estimate=estimate, now=NOW
    )


def test_the_allow_list_decides_which_models_the_key_may_ask():
    assert model_allowed("GPT-4o-mini ", ("gpt-4o-mini", "gpt-4o"))
    assert not model_allowed("o1-pro", ("gpt-4o-mini", "gpt-4o"))
    config = hosting_config({}, {"KANTU_ALLOWED_MODELS": "gpt-4o-mini, qwen-vl-max"})
    assert config.allowed_models == ("gpt-4o-mini", "qwen-vl-max")


def test_daily_request_limit_resets_at_utc_midnight():
    limits = Limits(daily_requests=3)
    rows = [_row(NOW - 60 * i, session=f"s{i}", visitor=f"v{i}") for i in range(3)]
    hit = _check(rows[:2], limits)
    assert hit is None
    hit = _check(rows, limits)
    assert hit is not None and (hit.scope, hit.unit) == ("daily", "requests")
    assert hit.resets_at == day_start(NOW) + 24 * HOUR_S
    yesterday = [_row(day_start(NOW) - 10)] * 5
    assert _check(yesterday, limits) is None


def test_money_limit_counts_this_requests_estimate_at_the_operators_currency():
    limits = Limits(daily_cost=0.05, currency="CNY")
    rows = [_row(NOW - 10, cost=0.02), _row(NOW - 20, cost=0.02)]
    assert _check(rows, limits, estimate=0.005) is None
    hit = _check(rows, limits, estimate=0.02)
    assert hit is not None and (hit.scope, hit.unit) == ("daily", "cost")
    dollars = [_row(NOW - 10, cost=5.0, currency="USD")]
    assert _check(dollars, limits) is None  # another currency counts requests, not money


def test_hourly_limit_follows_the_visitor_and_their_address_and_says_when_it_frees():
    limits = Limits(visitor_hour_requests=2)
    rows = [
        _row(NOW - 3000, session="a", visitor="v1"),
        _row(NOW - 600, session="b", visitor="v1"),  # the same person in a new session
        _row(NOW - 4000, session="c", visitor="v1"),  # over an hour ago: not counted
    ]
    hit = _check(rows, limits, session="new", visitor="v1")
    assert hit is not None and hit.scope == "visitor_hour"
    assert hit.resets_at == NOW - 3000 + HOUR_S  # when the older of the two ages out
    assert _check(rows, limits, session="new", visitor="v2") is None
    by_address = [_row(NOW - 60, visitor="v3", ip="ip1"), _row(NOW - 50, visitor="v4", ip="ip1")]
    hit = _check(by_address, limits, session="new", visitor="v5", ip="ip1")
    assert hit is not None and hit.scope == "visitor_hour"


def test_session_limit_lasts_as_long_as_the_session():
    limits = Limits(session_requests=2)
    rows = [_row(NOW - 30_000, session="s1"), _row(NOW - 20_000, session="s1")]
    hit = _check(rows, limits, session="s1")
    assert hit is not None and hit.scope == "session" and hit.resets_at is None
    assert _check(rows, limits, session="s2", visitor="v2") is None


def test_limits_come_from_a_table_or_toml_text_and_a_broken_one_shuts_the_key():
    table = {"daily_requests": 500, "visitor_hour_cost": 0.5, "currency": "usd"}
    assert parse_limits(table) == Limits(daily_requests=500, visitor_hour_cost=0.5, currency="USD")
    text = "session_requests = 20\ndaily_cost = 10"
    assert parse_limits(text) == Limits(session_requests=20, daily_cost=10.0)
    for broken in ({"daily_requests": -1}, {"dayly_requests": 5}, "daily_requests = ", {"a": 1}):
        limits = parse_limits(broken)
        assert limits.broken
        hit = _check([], limits)
        assert hit is not None and hit.scope == "closed"
    assert not parse_limits(None).any and _check([], parse_limits(None)) is None


def test_no_limit_set_means_nothing_is_refused():
    rows = [dataclasses.replace(_row(NOW - i), cost=100.0) for i in range(1000)]
    assert _check(rows, Limits()) is None
