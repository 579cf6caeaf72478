"""How fast codes may be guessed, counted in the ledger's database so that every browser session,
process and replica shares the count (a fresh session starts with no credit of its own).

Two rules for each kind of code (``scope``: the access code or the operator code):

- **per client**, a salted hash of its network address (no address: one shared bucket): after the
  ``FREE_TRIES``-th wrong code each next try waits twice as long (1 s, 2 s, 4 s … ``MAX_WAIT_S``),
  as ``access.Backoff`` counts; wrong codes older than ``FORGET_S`` are forgotten, and a right one
  forgets the client's at once;
- **for everyone**: at most ``GLOBAL_PER_MINUTE`` wrong codes in any rolling ``WINDOW_S``; past
  that a try is refused without being compared until the oldest ages out.

So a code is guessed at most ``GLOBAL_PER_MINUTE`` times a minute, however many sessions or
addresses try. The check and its record are one serialised transaction (``Ledger.judge_try``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from components.hosting.access import Backoff, code_matches
from components.hosting.ledger import FailedTry, Ledger, visitor_hash

Scope = Literal["access", "operator"]
Outcome = Literal["right", "wrong", "wait", "busy"]

GLOBAL_PER_MINUTE = 30
WINDOW_S = 60.0
FORGET_S = 3600.0


@dataclass(frozen=True)
class CodeCheck:
    """What became of one try: ``right``, ``wrong`` (compared and recorded), ``wait`` (this
    client must wait) or ``busy`` (too many wrong codes from everyone); neither of the last two
    was compared. ``retry_at``: when the next try will be compared (epoch seconds; 0: now)."""

    outcome: Outcome
    retry_at: float = 0.0

    @property
    def failed(self) -> bool:
        """Whether a wrong code was compared (the ledger records it)."""
        return self.outcome == "wrong"

    @property
    def forgive(self) -> bool:
        """Whether the client's wrong codes are forgotten (a right code)."""
        return self.outcome == "right"

    def wait_left(self, now: float) -> float:
        """Return the seconds before another try is compared (0: now)."""
        return max(0.0, self.retry_at - now)


def client_key(salt: str, address: str | None) -> str:
    """Return the throttle's bucket for a network ``address`` (None: the shared bucket)."""
    return visitor_hash(salt, "tries:" + (address or "?"))


def client_backoff(tries: Iterable[FailedTry], client: str) -> Backoff:
    """Return ``client``'s backoff after its wrong codes in ``tries`` (oldest first)."""
    backoff = Backoff()
    for one in tries:
        if one.client == client:
            backoff = backoff.after_failure(one.at)
    return backoff


def global_retry_at(tries: Iterable[FailedTry], now: float) -> float:
    """Return when the wrong codes of the last ``WINDOW_S`` drop below ``GLOBAL_PER_MINUTE``
    (0.0 when they already are)."""
    recent = sorted(one.at for one in tries if one.at + WINDOW_S > now)  # exact at the edge
    if len(recent) < GLOBAL_PER_MINUTE:
        return 0.0
    return recent[-GLOBAL_PER_MINUTE] + WINDOW_S


def hold(tries: Sequence[FailedTry], client: str, now: float) -> CodeCheck | None:
    """Return why a try by ``client`` at ``now`` may not be compared, or None when it may."""
    backoff = client_backoff(tries, client)
    busy = global_retry_at(tries, now)
    if busy > now:
        return CodeCheck("busy", max(busy, backoff.retry_at))
    if backoff.wait_left(now) > 0:
        return CodeCheck("wait", backoff.retry_at)
    return None


def judge(
    tries: Sequence[FailedTry], client: str, typed: str, codes: Sequence[str], now: float
) -> CodeCheck:
    """Return the verdict on ``typed`` by ``client`` at ``now``, given the recent wrong codes."""
    held = hold(tries, client, now)
    if held is not None:
        return held
    if code_matches(typed, codes):
        return CodeCheck("right")
    after = client_backoff([*tries, FailedTry(client, now)], client)
    return CodeCheck("wrong", after.retry_at)


def check_code(
    ledger: Ledger, scope: Scope, client: str, typed: str, codes: Sequence[str], *, now: float
) -> CodeCheck:
    """Compare ``typed`` with ``codes`` when the throttle allows, and record a wrong one, in one
    transaction on ``ledger``. Raises what the ledger raises when it cannot be written."""
    return ledger.judge_try(
        scope,
        client,
        now=now,
        since=now - FORGET_S,
        decide=lambda tries: judge(tries, client, typed, codes, now),
    )


def pending(ledger: Ledger, scope: Scope, client: str, *, now: float) -> CodeCheck | None:
    """Return the wait ``client`` is under now (``wait`` or ``busy``), or None; reads only."""
    return hold(ledger.failed_tries(scope, now - FORGET_S), client, now)
