"""How much the operator's key may be used: which models, and limits per session, per visitor per
hour and per day, in requests and in estimated money at the operator's prices.

Counts come from the ledger (``components.hosting.ledger``), so they survive a restart and are
shared by replicas that share it. A visitor is the signed-in person, else the browser session;
requests from the same network address count towards the same hourly limit too. The address is
a soft signal: behind a proxy it may be the proxy's, and a visitor can hide or change it.

A request is refused when what was spent, plus this request's estimated prompt, would pass a
limit. The day is the UTC day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from components.hosting.config import Limits
from components.hosting.ledger import LedgerRow, totals

HOUR_S = 3600.0
Scope = Literal["session", "visitor_hour", "daily", "closed"]
Unit = Literal["requests", "cost"]


@dataclass(frozen=True)
class LimitHit:
    """A limit reached: which one, counted in requests or money, and when it resets (epoch
    seconds; None for a session's limit, which lasts as long as the session)."""

    scope: Scope
    unit: Unit
    limit: float
    resets_at: float | None


def model_allowed(model: str, allowed: Sequence[str]) -> bool:
    """Return whether ``model`` is on the operator's allow-list (case-insensitive)."""
    name = model.strip().lower()
    return any(name == entry.strip().lower() for entry in allowed)


def day_start(now: float) -> float:
    """Return the start of the UTC day holding ``now``."""
    day = dt.datetime.fromtimestamp(now, dt.UTC).date()
    return dt.datetime.combine(day, dt.time(), dt.UTC).timestamp()


def _over(rows: Sequence[LedgerRow], limits: Limits, scope: str, extra: float) -> Unit | None:
    """Return which of the scope's limits one more request (costing ``extra``) would pass."""
    counted = totals(rows, limits.currency)
    most_requests = getattr(limits, f"{scope}_requests")
    most_cost = getattr(limits, f"{scope}_cost")
    if most_requests is not None and counted.requests + 1 > most_requests:
        return "requests"
    if most_cost is not None and counted.cost + extra > most_cost:
        return "cost"
    return None


def _limit(limits: Limits, scope: str, unit: Unit) -> float:
    return float(getattr(limits, f"{scope}_{unit}") or 0)


def _hour_reset(rows: Sequence[LedgerRow], limits: Limits, extra: float) -> float:
    """Return when enough of the hour's rows age out for one more request to fit."""
    for i in range(len(rows)):
        rest = rows[i + 1 :]
        if _over(rest, limits, "visitor_hour", extra) is None:
            return rows[i].started + HOUR_S
    return rows[-1].started + HOUR_S if rows else 0.0


def check_limits(
    rows: Sequence[LedgerRow],
    limits: Limits,
    *,
    session_id: str,
    visitor_id: str,
    ip_id: str | None,
    estimate: float,
    now: float,
) -> LimitHit | None:
    """Return the first limit this request would pass, or None when it may go.

    ``rows``: the ledger since the start of the hour or the UTC day, whichever is earlier (the
    session's own rows included: a session lasts hours at most). ``estimate``: this request's
    estimated cost in ``limits.currency``.
    """
    if limits.broken:
        return LimitHit("closed", "requests", 0, None)
    since_day = day_start(now)
    day_rows = [r for r in rows if r.started >= since_day]
    hit = _over(day_rows, limits, "daily", estimate)
    if hit:
        return LimitHit("daily", hit, _limit(limits, "daily", hit), since_day + 24 * HOUR_S)
    hour = [
        r
        for r in rows
        if r.started > now - HOUR_S and (r.visitor_id == visitor_id or (ip_id and r.ip_id == ip_id))
    ]
    hit = _over(hour, limits, "visitor_hour", estimate)
    if hit:
        resets = _hour_reset(hour, limits, estimate)
        return LimitHit("visitor_hour", hit, _limit(limits, "visitor_hour", hit), resets)
    mine = [r for r in rows if r.session_id == session_id]
    hit = _over(mine, limits, "session", estimate)
    if hit:
        return LimitHit("session", hit, _limit(limits, "session", hit), None)
    return None


def window_start(now: float) -> float:
    """Return the earliest time ``check_limits`` needs rows from."""
    return min(day_start(now), now - HOUR_S)
