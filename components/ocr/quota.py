"""The local reader's quota: one message at a time per session, so many pictures a visitor an hour.

The reader runs on the server's own cores and is free to the visitor, so a few abandoned long
messages could keep every core busy. ``ReaderQuota.admit`` is the one decision: it refuses a
message while the same session's previous one is still being read (``busy``), or when its
pictures (a sliced picture counts each slice) would take the visitor (every tab of theirs) over
the hourly budget (``hourly``); otherwise it records the job and charges the pictures. ``finish``
ends the job; ``end_session`` cancels the job of a session that has ended (its tab closed), which
the reader checks between bands and slices.

One ``ReaderQuota`` per process (``shared_quota``); its maps are keyed by visitor and session and
emptied as jobs finish and hours pass. A visitor id of ``""`` (the command line) is not limited.

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

from components.errors import ReaderRefusedError
from components.images.prepared import PreparedImage
from components.ocr.process_one import ProcessOne

DEFAULT_SLICES_PER_HOUR = 200  # a few long screenshots an hour; the red team's attack sent 450
HOUR_S = 3600.0


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

    ``clock`` (seconds, monotonic) is given by tests.
    """

    def __init__(
        self,
        slices_per_hour: int = DEFAULT_SLICES_PER_HOUR,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slices_per_hour = slices_per_hour
        self._clock = clock
        self._lock = threading.Lock()
        self._spent: dict[str, deque[tuple[float, int]]] = {}  # visitor -> (when, slices)
        self._jobs: dict[str, ReaderJob] = {}  # session -> the message being read

    def admit(self, visitor_id: str, session_id: str, slices: int) -> ReaderRefusedError | None:
        """Start a job of ``slices`` for the session, or return why not (nothing recorded then).

        Returns ReaderRefusedError ``busy``, ``too_many`` (more slices than an hour's budget;
        facts ``slices``, ``limit``) or ``hourly`` (fact ``minutes``: when there is room again;
        ``limit``: the hourly budget). Never raises.
        """
        if not visitor_id:
            return None
        with self._lock:
            now = self._clock()
            self._forget_before(now - HOUR_S)
            if session_id in self._jobs:
                return ReaderRefusedError("busy")  # the message says it all: no "detail"
            if slices > self.slices_per_hour:  # would never fit: waiting does not help
                return ReaderRefusedError("too_many", slices=slices, limit=self.slices_per_hour)
            spent = self._spent.get(visitor_id, deque())
            wait = _wait_for_room(spent, slices, self.slices_per_hour, now)
            if wait is not None:
                return ReaderRefusedError(
                    "hourly",
                    limit=self.slices_per_hour,
                    minutes=max(1, math.ceil(wait / 60)),
                )
            self._spent.setdefault(visitor_id, spent).append((now, slices))
            self._jobs[session_id] = ReaderJob(visitor_id, session_id, slices)
            return None

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
        with self._lock:
            self._forget_before(self._clock() - HOUR_S)
            return sorted(self._jobs)

    def _forget_before(self, cutoff: float) -> None:
        for visitor_id in list(self._spent):
            spent = self._spent[visitor_id]
            while spent and spent[0][0] <= cutoff:
                spent.popleft()
            if not spent:
                del self._spent[visitor_id]


def _wait_for_room(
    spent: deque[tuple[float, int]], slices: int, budget: int, now: float
) -> float | None:
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
