"""Abort a request from another thread, even while it still waits for its response headers.

``requests`` hands back a response only once its headers have arrived. Until then the calling
thread is blocked inside urllib3, on a socket no other code can reach, so Stop pressed before the
provider says anything would leave the request hanging until the read timeout. ``InFlight`` is
that reach: the transport makes one current for the duration of ``session.post``, and Kantu's
urllib3 connections (``AbortableConnection``) hand it their socket as they connect or send.
``abort()`` then shuts the socket down, which wakes the blocked read at once.

``sent`` counts the times the request went out on a connected socket (whole or in part): what the
upstream may have worked on and billed. A connect error adds nothing.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_CURRENT: ContextVar[InFlight | None] = ContextVar("kantu_in_flight", default=None)


class InFlight:
    """One request's socket, so that another thread can abort it; abort may come first."""

    __slots__ = ("_aborted", "_lock", "_sent", "_sock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._aborted = False
        self._sent = 0

    @property
    def sent(self) -> int:
        """How many times the request went out on a connected socket (retries included)."""
        return self._sent

    @property
    def aborted(self) -> bool:
        """Whether ``abort()`` was called."""
        return self._aborted

    @contextlib.contextmanager
    def current(self) -> Iterator[InFlight]:
        """Make this the request that connections opened or used in this context belong to."""
        token = _CURRENT.set(self)
        try:
            yield self
        finally:
            _CURRENT.reset(token)

    def attach(self, sock: socket.socket | None) -> None:
        """Remember the request's socket; shut it down at once if the request was aborted."""
        if sock is None:
            return
        with self._lock:
            self._sock = sock
            if self._aborted:
                _shutdown(sock)

    def count_sent(self) -> None:
        """Count one sending of the request (its connection was made)."""
        with self._lock:
            self._sent += 1

    def abort(self) -> None:
        """Shut the request's socket down (any thread): a read blocked on it fails at once."""
        with self._lock:
            self._aborted = True
            if self._sock is not None:
                _shutdown(self._sock)


def _shutdown(sock: socket.socket) -> None:
    # shutdown, not close: closing a socket does not wake a thread blocked reading it
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class AbortableConnection:
    """Mixin for urllib3 connections: hand the socket to the current ``InFlight``, if any."""

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]  # a mixin: urllib3's connection is next in the MRO
        _attach(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _attach(self.sock)  # a pooled connection is already connected: this is its socket
        try:
            super().request(*args, **kwargs)  # type: ignore[misc]  # a mixin, as in connect
        finally:
            if self.sock is not None:  # connected: some or all of the request went out
                _count_sent()


def _attach(sock: socket.socket | None) -> None:
    flight = _CURRENT.get()
    if flight is not None:
        flight.attach(sock)


def _count_sent() -> None:
    flight = _CURRENT.get()
    if flight is not None:
        flight.count_sent()
