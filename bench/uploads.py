"""Benchmark what uploads PUT straight to Streamlit's endpoint park in server memory (issue 19
item 8): the naive baseline (``bench/baseline_app.py``, a plain Streamlit chat: Streamlit's own
upload store) against Kantu (``app.py``, its upload caps), in the same run, on loopback.

Run ``python bench/uploads.py`` (``--files 12 --mb 49 --sessions 1`` by default, near the red
team's 12 × 50 MB). For each app it starts a server with a short reconnection window
(``server.disconnectedSessionTTL``, ``--ttl`` seconds), opens ``--sessions`` raw sessions (a
websocket and one script run each, no browser), PUTs ``--files`` files of ``--mb`` MB per
session with no widget, then closes every websocket and waits ``--ttl`` plus a margin. It prints,
per app: PUTs accepted and refused, the MB the upload store holds (Streamlit's metrics) and the
server's resident memory (``VmRSS``): at rest, after the PUTs, and after the sessions closed.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.devtools.browser import start_app
from components.devtools.proc import status_mb
from tests.raw_session import RawSession, parked_upload_bytes

MB = 1024 * 1024
APPS = {"baseline (plain Streamlit)": "bench/baseline_app.py", "Kantu": "app.py"}
SETTLE_S = 2.0  # the metrics endpoint caches its memory figures for a moment


@dataclass(frozen=True)
class Figures:
    """One app's run: PUT outcomes and memory at rest, after the PUTs and after closing."""

    accepted: int
    refused: int
    parked_after_puts_mb: float
    parked_after_close_mb: float
    rss_rest_mb: float
    rss_after_puts_mb: float
    rss_after_close_mb: float


def _parked_mb(port: int) -> float:
    time.sleep(SETTLE_S)
    return parked_upload_bytes(port) / MB


def run(script: str, *, sessions: int, files: int, mb: int, ttl: int) -> Figures:
    """Start ``script`` on loopback, park uploads from raw sessions, close them; return figures."""
    env = {
        "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(ttl),
        # a dummy operator key (never used) keeps the local reader's models from loading
        "KANTU_BASE_URL": "http://127.0.0.1:9/v1",
        "KANTU_API_KEY": "bench-key",
        "BASELINE_BASE_URL": "http://127.0.0.1:9/v1",
        "BASELINE_API_KEY": "bench-key",
    }
    app = start_app(env, script=script)
    try:
        opened = [RawSession.open(app.port) for _ in range(sessions)]
        time.sleep(SETTLE_S)
        rss_rest = status_mb("VmRSS", app.process.pid)
        payload = b"\0" * (mb * MB)
        statuses = [s.put_upload(payload) for s in opened for _ in range(files)]
        parked_puts = _parked_mb(app.port)
        rss_puts = status_mb("VmRSS", app.process.pid)
        for s in opened:
            s.close()
        time.sleep(ttl + 5)  # the window for a reconnection, then a sweep or two
        parked_close = _parked_mb(app.port)
        rss_close = status_mb("VmRSS", app.process.pid)
    finally:
        app.stop()
    accepted = statuses.count(204)
    return Figures(
        accepted,
        len(statuses) - accepted,
        parked_puts,
        parked_close,
        rss_rest,
        rss_puts,
        rss_close,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--mb", type=int, default=49, help="MB per file (under maxUploadSize, 50)")
    parser.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL (s)")
    args = parser.parse_args()
    sent = args.sessions * args.files * args.mb
    print(
        f"{args.sessions} session(s) × {args.files} PUTs × {args.mb} MB = {sent} MB sent; "
        f"reconnection window {args.ttl} s; figures {args.ttl + 5} s after the websockets closed\n"
    )
    header = (
        f"{'app':<28}{'accepted':>9}{'refused':>8}{'parked MB':>11}{'after close':>13}"
        f"{'RSS rest':>10}{'RSS PUTs':>10}{'RSS close':>11}"
    )
    print(header)
    print("-" * len(header))
    for name, script in APPS.items():
        f = run(script, sessions=args.sessions, files=args.files, mb=args.mb, ttl=args.ttl)
        print(
            f"{name:<28}{f.accepted:>9}{f.refused:>8}{f.parked_after_puts_mb:>11.0f}"
            f"{f.parked_after_close_mb:>13.0f}{f.rss_rest_mb:>10.0f}{f.rss_after_puts_mb:>10.0f}"
            f"{f.rss_after_close_mb:>11.0f}"
        )


if __name__ == "__main__":
    main()
