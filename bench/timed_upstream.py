"""A FakeUpstream that timestamps what it receives and writes, for bench/browser.py.

Times are ``time.time() * 1000`` (the machine's wall clock, in ms), so they compare with the
browser's ``Date.now()`` on the same machine. A request is "at the upstream" once its whole body
has been read; a part is "written" when it has been flushed to the socket.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any

from components.devtools.upstream import (
    FakeUpstream,
    Recorded,
    Reply,
    UpstreamHandler,
    UpstreamServer,
)


@dataclass
class Exchange:
    """One request as timed by the upstream: when it arrived, and each flushed write after it."""

    request: Recorded
    arrived_ms: float
    writes: list[tuple[float, bytes]] = field(default_factory=list)

    def written_ms(self, marker: bytes) -> float:
        """Return when the write that completed ``marker`` was flushed; raise LookupError."""
        tail = b""  # a marker may straddle two writes: it is written with the second
        for at, data in self.writes:
            window = tail + data
            if marker in window:
                return at
            tail = window[-len(marker) :]
        raise LookupError(f"{marker!r} was never written")


class _TimedWriter:
    """Wrap a handler's ``wfile``: note the time and the bytes of each flush."""

    def __init__(self, inner: IO[bytes], log: list[tuple[float, bytes]]) -> None:
        self.inner = inner
        self.log = log
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._pending.append(bytes(data))
        return self.inner.write(data)

    def flush(self) -> None:
        self.inner.flush()
        self.log.append((time.time() * 1000, b"".join(self._pending)))
        self._pending.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


_current = threading.local()  # the write log of the request this handler thread is serving


class _TimedHandler(UpstreamHandler):
    def _serve(self) -> None:
        log: list[tuple[float, bytes]] = []
        _current.log = log
        inner = self.wfile
        self.wfile = _TimedWriter(inner, log)  # type: ignore[assignment]
        try:
            super()._serve()
        finally:
            self.wfile = inner
            _current.log = None


@dataclass
class TimedUpstream(FakeUpstream):
    """FakeUpstream recording an ``Exchange`` per request in ``exchanges`` (thread-safe)."""

    exchanges: list[Exchange] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> TimedUpstream:
        """Start serving on 127.0.0.1 in a daemon thread; return self."""
        self._server = UpstreamServer(("127.0.0.1", 0), _TimedHandler)
        self._server.upstream = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def _next(self, recorded: Recorded) -> Reply:
        arrived = time.time() * 1000
        with self._arrived:
            self.exchanges.append(Exchange(recorded, arrived, _current.log))
            self._arrived.notify_all()
        return super()._next(recorded)

    def clear(self) -> None:
        """Forget exchanges, recorded requests and queued replies."""
        with self._arrived:
            self.exchanges.clear()
        self.reset()

    def wait_for_exchanges(self, n: int, timeout: float) -> list[Exchange]:
        """Wait until ``n`` requests have arrived; return them. Raise TimeoutError."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.exchanges) >= n, timeout):
                raise TimeoutError(f"upstream got {len(self.exchanges)} of {n} requests")
            return list(self.exchanges)
