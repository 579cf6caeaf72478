"""The operator page's figure of failures: the ledger's errors by kind over the last hour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from components.hosting.gate import ESTIMATED
from components.hosting.ledger import LedgerRow
from components.observability.request_log import outcome_kind

HOUR_S = 3600
BUCKET_S = 300
NOT_ERRORS = frozenset({"ok", "stopped", "pending"})


@dataclass(frozen=True)
class ErrorsByKind:
    """Failed requests per error kind in consecutive buckets of the window, oldest first.
    ``buckets`` are the buckets' starts (UTC); ``counts[kind][i]`` is bucket i's count."""

    buckets: tuple[dt.datetime, ...]
    counts: dict[str, tuple[int, ...]]

    @property
    def total(self) -> int:
        """How many requests failed in the window."""
        return sum(sum(c) for c in self.counts.values())


def errors_by_kind(
    rows: Sequence[LedgerRow], now: float, *, window_s: int = HOUR_S, bucket_s: int = BUCKET_S
) -> ErrorsByKind:
    """Return the rows started in the ``window_s`` before ``now`` that failed, counted by error
    kind (``outcome_kind``: a row closed before kinds were recorded counts as its outcome) in
    ``bucket_s`` buckets. Stopped and pending requests are not failures."""
    n = -(-window_s // bucket_s)
    first = (now // bucket_s + 1) * bucket_s - n * bucket_s  # the current bucket is the last
    counts: dict[str, list[int]] = {}
    for row in rows:
        if not first <= row.started <= now:
            continue
        kind = outcome_kind(row.outcome.removesuffix(ESTIMATED), row.error_kind)
        if kind in NOT_ERRORS:
            continue
        counts.setdefault(kind, [0] * n)[int((row.started - first) // bucket_s)] += 1
    labels = tuple(dt.datetime.fromtimestamp(first + i * bucket_s, dt.UTC) for i in range(n))
    return ErrorsByKind(labels, {k: tuple(v) for k, v in sorted(counts.items())})
