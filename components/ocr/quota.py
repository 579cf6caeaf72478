"""The local reader's quota: one message at a time per session, so many pictures a visitor an hour.

The reader runs on the server's own cores and is free to the visitor, so a few abandoned long
messages could keep every core busy. ``ReaderQuota.admit`` is the one decision: it refuses a
message while the same session's previous one is still being read (``busy``), or when its
pictures (a sliced picture counts each slice) would take the visitor (every tab of theirs) over
the hourly budget (``hourly``); otherwise it records the job and charges the pictures. ``finish``
ends the job; ``end_session`` cancels the job of a session that has ended (its tab closed), which
the reader checks between bands and slices.

One ``ReaderQuota`` per process (``shared_quota``); its jobs are keyed by session (a session lives
in one process) and emptied as they finish. The hour's charges are kept by ``charges``: in this
process's memory (``MemoryCharges``, the default), or in a store every replica shares (the
ledger's database: ``components.hosting.ledger.LedgerSliceCharges``), so that N replicas give a
visitor one budget, not N. A visitor id of ``""`` (the command line) is not limited.

::

    refusal = quota.admit(visitor_id, session_id, slices=12)
    if refusal is not None:
        raise refusal
    try:
        read(cancelled=lambda: quota.cancelled(session_id))
    finally:
        quota.finish(session_id)
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from components.errors import ReaderRefusedError
from components.images.prepared import PreparedImage
from components.ocr.process_one import ProcessOne

DEFAULT_SLICES_PER_HOUR = 200  # a few long screenshots an hour; the red team's attack sent 450
HOUR_S = 3600.0

Charge = tuple[float, int]  # (when, in epoch seconds; slices)
WaitRule = Callable[[list[Charge]], float | None]


class SliceCharges(Protocol):
    """Where the reader's charges of the last hour are kept."""

    def charge_slices(
        self, visitor_id: str, slices: int, *, now: float, since: float, wait: WaitRule
    ) -> float | None:
        """Forget charges made before ``since``; ask ``wait`` about the visitor's others (oldest
        first); when it returns None record ``slices`` at ``now``. Return what it returned (the
        seconds until there is room). Atomic: two replicas cannot both take the last room."""
        ...


class MemoryCharges:
    """The charges in this process's memory (one replica's view). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spent: dict[str, deque[Charge]] = {}  # visitor -> (when, slices), oldest first

    def charge_slices(
        self, visitor_id: str, slices: int, *, now: float, since: float, wait: WaitRule
    ) -> float | None:
        """See ``SliceCharges.charge_slices``."""
        with self._lock:
            self._forget_before(since)
            spent = self._spent.get(visitor_id, deque())
            refusal = wait(list(spent))
            if refusal is None:
                self._spent.setdefault(visitor_id, spent).append((now, slices))
            return refusal

    def forget_before(self, cutoff: float) -> None:
        """Drop the charges made at or before ``cutoff``."""
        with self._lock:
            self._forget_before(cutoff)

    def _forget_before(self, cutoff: float) -> None:
        for visitor_id in list(self._spent):
            spent = self._spent[visitor_id]
            while spent and spent[0][0] <= cutoff:
                spent.popleft()
            if not spent:
                del self._spent[visitor_id]


def slices_of(images: Sequence[PreparedImage]) -> int:
    """Return what reading ``images`` costs: each slice of a sliced picture, else 1 a picture."""
    return sum(max(1, len(image.parts)) for image in images)


@dataclass
class ReaderJob:
    """One message being read: whose, in which session, and its cancel flag."""

    visitor_id: str
    session_id: str
    slices: int
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)


class ReaderQuota:
    """Per-visitor admission to the local reader. Thread-safe.

    ``clock`` (epoch seconds: charges may be shared by replicas) is given by tests; ``charges``
    may be replaced while serving (``components.ui.reader_quota`` does, once the ledger opens).
    """

    def __init__(
        self,
        slices_per_hour: int = DEFAULT_SLICES_PER_HOUR,
        *,
        clock: Callable[[], float] = time.time,
        charges: SliceCharges | None = None,
    ) -> None:
        self.slices_per_hour = slices_per_hour
        self.charges: SliceCharges = charges if charges is not None else MemoryCharges()
        self._clock = clock
        self._lock = threading.Lock()
        self._jobs: dict[str, ReaderJob] = {}  # session -> the message being read

    def admit(self, visitor_id: str, session_id: str, slices: int) -> ReaderRefusedError | None:
        """Start a job of ``slices`` for the session, or return why not (nothing recorded then).

        Returns ReaderRefusedError ``busy``, ``too_many`` (more slices than an hour's budget;
        facts ``slices``, ``limit``) or ``hourly`` (fact ``minutes``: when there is room again;
        ``limit``: the hourly budget). Never raises.
        """
        if not visitor_id:
            return None
        budget = self.slices_per_hour
        now = self._clock()
        with self._lock:
            if session_id in self._jobs:
                return ReaderRefusedError("busy")  # the message says it all: no "detail"
            if slices > budget:  # would never fit: waiting does not help
                return ReaderRefusedError("too_many", slices=slices, limit=budget)
            self._jobs[session_id] = ReaderJob(visitor_id, session_id, slices)  # held: no twin
        # outside the lock: a slow shared database must not hold up other sessions' checks
        wait = self.charges.charge_slices(
            visitor_id,
            slices,
            now=now,
            since=now - HOUR_S,
            wait=lambda spent: _wait_for_room(spent, slices, budget, now),
        )
        if wait is None:
            return None
        with self._lock:
            self._jobs.pop(session_id, None)
        return ReaderRefusedError("hourly", limit=budget, minutes=max(1, math.ceil(wait / 60)))

    def cancelled(self, session_id: str) -> bool:
        """Return whether the session's current job was cancelled (the session ended)."""
        with self._lock:
            job = self._jobs.get(session_id)
        return job is not None and job.cancel.is_set()

    def finish(self, session_id: str) -> None:
        """End the session's job (read, stopped or cancelled); its pictures stay charged."""
        with self._lock:
            self._jobs.pop(session_id, None)

    def end_session(self, session_id: str) -> bool:
        """Cancel the job of a session that has ended; return whether there was one."""
        with self._lock:
            job = self._jobs.get(session_id)
        if job is not None:
            job.cancel.set()
        return job is not None

    def sessions(self) -> list[str]:
        """Return the sessions with a job being read (and forget charges older than an hour:
        the watcher calls this every second, so they go even when nobody asks)."""
        if isinstance(self.charges, MemoryCharges):  # a shared store forgets as it charges
            self.charges.forget_before(self._clock() - HOUR_S)
        with self._lock:
            return sorted(self._jobs)


def _wait_for_room(spent: Sequence[Charge], slices: int, budget: int, now: float) -> float | None:
    """Return the seconds until ``slices`` fit in the hour's ``budget``; None when they fit now."""
    used = sum(n for _, n in spent)
    if used + slices <= budget:
        return None
    for when, n in spent:  # oldest first: room comes back as charges leave the hour
        used -= n
        if used + slices <= budget:
            return when + HOUR_S - now
    return HOUR_S


_shared: ProcessOne[ReaderQuota] = ProcessOne(ReaderQuota)


def shared_quota() -> ReaderQuota:
    """Return the process's one quota (created with the default budget on first call)."""
    return _shared.get()
