"""The operator page's figure of failures (``components.hosting.failures``): errors by kind
over the last hour, from the ledger's rows."""

from __future__ import annotations

import datetime as dt

from components.hosting.failures import errors_by_kind
from components.hosting.ledger import LedgerRow
from tests.helpers import ledger_row

NOW = 1_800_000_240.0  # 2027-01-15 08:04:00 UTC, in the bucket that began at 08:00
BUCKET = NOW - 240


def row(ago: float, outcome: str, kind: str | None = None) -> LedgerRow:
    return ledger_row(NOW - ago, outcome=outcome, error_kind=kind)


def test_errors_are_counted_by_kind_in_five_minute_buckets_of_the_last_hour():
    rows = [
        row(10, "error", "auth"),
        row(20, "error~est", "server"),  # sent, maybe billed: still a server error
        row(30, "interrupted~est", "network"),
        row(400, "error", "auth"),
        row(3000, "error", "rate_limited"),
    ]
    figure = errors_by_kind(rows, NOW)
    assert len(figure.buckets) == 12 and figure.total == 5
    assert figure.buckets[-1] == dt.datetime.fromtimestamp(BUCKET, dt.UTC)  # the current bucket
    assert figure.buckets[0] == dt.datetime.fromtimestamp(BUCKET - 55 * 60, dt.UTC)
    assert figure.counts["auth"][-1] == 1 and figure.counts["auth"][-2] == 1
    assert sum(figure.counts["auth"]) == 2
    assert figure.counts["server"][-1] == 1 and figure.counts["network"][-1] == 1
    assert sum(figure.counts["rate_limited"]) == 1 and list(figure.counts) == sorted(figure.counts)


def test_answers_stops_pending_requests_and_older_errors_are_not_in_the_figure():
    rows = [
        row(5, "ok"),
        row(6, "stopped~est"),
        row(7, "pending"),
        row(60 * 61, "error", "auth"),  # more than an hour ago
    ]
    figure = errors_by_kind(rows, NOW)
    assert figure.total == 0 and figure.counts == {}


def test_a_row_closed_before_kinds_were_recorded_counts_as_its_outcome():
    assert errors_by_kind([row(5, "error~est")], NOW).counts == {"error": (0,) * 11 + (1,)}
