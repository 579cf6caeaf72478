"""Which Streamlit sessions are gone: disconnected for longer than a grace period.

Streamlit keeps a session whose websocket closed for a reconnection, then drops it from storage
without shutting it down, and tells nobody. The upload guard and the local reader's quota poll
``Runtime.is_active_session`` instead; ``GoneSessions`` keeps, per session, when a poll first
found it disconnected, so a short network blip (a reconnection within the grace) costs nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)


class GoneSessions:
    """Sessions disconnected for ``grace_s`` seconds or more, by the polls' clock. Not
    thread-safe alone: call ``poll`` from one thread, or under the caller's lock."""

    def __init__(self, is_active: Callable[[str], bool], grace_s: float) -> None:
        self._is_active = is_active
        self.grace_s = grace_s
        self._since: dict[str, float] = {}  # session id -> first poll that found it disconnected

    def poll(self, session_ids: Iterable[str], now: float) -> list[str]:
        """Return those of ``session_ids`` gone for ``grace_s`` by ``now``; forget the others'
        marks once they reconnect or are no longer asked about (nothing is kept for them)."""
        watched = set(session_ids)
        gone = []
        for session_id in sorted(watched):
            if self._is_active(session_id):
                self._since.pop(session_id, None)
                continue
            since = self._since.setdefault(session_id, now)
            if now - since >= self.grace_s:
                gone.append(session_id)
        for session_id in set(self._since) - watched:
            del self._since[session_id]
        for session_id in gone:
            del self._since[session_id]
        return gone


def run_every(every_s: float, work: Callable[[], object], name: str) -> threading.Thread:
    """Start a daemon thread that calls ``work()`` every ``every_s`` seconds, for good; a failed
    call is logged and the next one still comes."""

    def loop() -> None:
        stop = threading.Event()  # never set: the thread ends with the process
        while not stop.wait(every_s):
            try:
                work()
            except Exception:
                log.exception("%s failed", name)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread
