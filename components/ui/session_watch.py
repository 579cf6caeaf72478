"""Which Streamlit sessions are gone: disconnected for longer than a grace period.

Streamlit keeps a session whose websocket closed for a reconnection, then drops it from storage
without shutting it down, and tells nobody. The upload guard and the local reader's quota poll
``Runtime.is_active_session`` instead; ``GoneSessions`` keeps, per session, when a poll first
found it disconnected, so a short network blip (a reconnection within the grace) costs nothing.

Worse, an expired session is only dropped when another session disconnects (its storage reaps on
a write), and never shut down: its state, conversation and pictures (``st.image``'s media files)
stay in memory. ``install_session_sweeper`` starts one thread per process that closes, through
``Runtime.close_session`` on the server's event loop, every session disconnected for about the
reconnection TTL (``server.disconnectedSessionTTL``): Streamlit's own shutdown then releases its
uploads (and the upload guard's accounting), media files and session caches, and the app's
``on_closed`` hooks release the rest (the reader's quota job). The sweep closes a session a poll
or two before Streamlit's storage would expire it, since an expired one can no longer be closed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFileManager

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


class PeriodicThread(threading.Thread):
    """A thread ``run_every`` started: it never ends (joining it only waits out the timeout)."""


def run_every(every_s: float, work: Callable[[], object], name: str) -> PeriodicThread:
    """Start a daemon thread that calls ``work()`` every ``every_s`` seconds, for good; a failed
    call is logged and the next one still comes."""

    def loop() -> None:
        stop = threading.Event()  # never set: the thread ends with the process
        while not stop.wait(every_s):
            try:
                work()
            except Exception:
                log.exception("%s failed", name)

    thread = PeriodicThread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


class SessionSweeper:
    """Closes the sessions that ran the app and have been disconnected for ``grace_s``.

    Holds session ids only. ``note`` (any thread) adds the running session; ``sweep`` (the
    sweeper's thread) finds those gone and hands each to ``close`` (which must re-check, on the
    event loop, that nobody reconnected) and then to every ``on_closed`` hook.
    """

    def __init__(
        self,
        is_active: Callable[[str], bool],
        grace_s: float,
        close: Callable[[str], object],
        on_closed: Sequence[Callable[[str], object]] = (),
    ) -> None:
        self._gone = GoneSessions(is_active, grace_s)
        self._close = close
        self._on_closed = tuple(on_closed)
        self._lock = threading.Lock()
        self._seen: set[str] = set()

    def note(self, session_id: str) -> None:
        """Watch ``session_id`` (idempotent; cheap enough for every rerun)."""
        if session_id and session_id not in self._seen:
            with self._lock:
                self._seen.add(session_id)

    def watched(self) -> int:
        """Return how many sessions are watched (connected, or disconnected within the grace)."""
        with self._lock:
            return len(self._seen)

    def sweep(self, now: float) -> list[str]:
        """Close the sessions gone for ``grace_s`` by ``now``; return their ids."""
        with self._lock:
            gone = self._gone.poll(self._seen, now)
            self._seen.difference_update(gone)
        for session_id in gone:
            self._close(session_id)
            for hook in self._on_closed:
                hook(session_id)
        return gone


def sweep_timing(ttl_s: float) -> tuple[float, float]:
    """Return (poll every, grace) in seconds for a reconnection TTL of ``ttl_s``: the grace
    leaves two polls' room before the TTL, since a poll sees a disconnect up to one poll late."""
    every_s = min(2.0, max(0.2, ttl_s / 10))
    return every_s, max(0.0, ttl_s - 2 * every_s)


def close_on_loop(runtime: Runtime) -> Callable[[str], None] | None:
    """Return ``close(session_id)``: close the session on the server's event loop (where
    Streamlit connects sessions), unless it has reconnected by then. None without a running
    server (AppTest's stand-in runtime)."""
    try:
        stopped = runtime.stopped  # a future of the server's event loop
    except RuntimeError:  # not started
        return None
    if not isinstance(stopped, asyncio.Future):
        return None
    loop = stopped.get_loop()

    def close(session_id: str) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(shut_down, runtime, session_id)

    return close


class SessionRuntime(Protocol):
    """What the sweep uses of Streamlit's ``Runtime``."""

    @property
    def media_file_mgr(self) -> MediaFileManager: ...

    @property
    def uploaded_file_mgr(self) -> UploadedFileManager: ...

    def is_active_session(self, session_id: str) -> bool: ...

    def close_session(self, session_id: str) -> None: ...


def shut_down(runtime: SessionRuntime, session_id: str) -> None:
    """Close ``session_id`` unless it has reconnected, and release its uploads and pictures.
    Call it on the server's event loop.

    A session Streamlit still stores gets its own full shutdown. One its storage has already
    expired (the sweep came after the TTL: a busy machine) got none, and kept its pictures and
    uploads for good: they are released by the session's id (Streamlit's shutdown does the same).
    """
    if runtime.is_active_session(session_id):
        return
    runtime.close_session(session_id)
    runtime.uploaded_file_mgr.remove_session_files(session_id)
    runtime.media_file_mgr.clear_session_refs(session_id)
    runtime.media_file_mgr.remove_orphaned_files()


_install_lock = threading.Lock()
_installed: list[SessionSweeper | None] = []  # the process's one sweeper (session ids only)


def install_session_sweeper(on_closed: Sequence[Callable[[str], object]] = ()) -> None:
    """Start the sweeper once per server (later calls return at once) and watch this run's
    session. Does nothing without a running server (AppTest, bare mode)."""
    if not _installed:
        with _install_lock:
            if not _installed and Runtime.exists():
                _installed.append(_start_sweeper(Runtime.instance(), on_closed))
    sweeper = _installed[0] if _installed else None
    ctx = get_script_run_ctx()
    if sweeper is not None and ctx is not None:
        sweeper.note(ctx.session_id)


def _start_sweeper(
    runtime: Runtime, on_closed: Sequence[Callable[[str], object]]
) -> SessionSweeper | None:
    close = close_on_loop(runtime)
    if close is None:
        return None
    every_s, grace_s = sweep_timing(float(st.get_option("server.disconnectedSessionTTL")))
    sweeper = SessionSweeper(runtime.is_active_session, grace_s, close, on_closed)
    run_every(every_s, lambda: sweeper.sweep(time.monotonic()), "kantu-session-sweeper")
    return sweeper
