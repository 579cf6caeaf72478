"""Uploads PUT straight to Streamlit's endpoint, with no widget, against a real server (issue 19
item 8): the PUT over the cap is refused, the server's memory stays bounded, and a closed
session's files are released. Caps and the reconnection window are set low for the test."""

from __future__ import annotations

import time

from components.devtools.proc import status_mb
from tests.raw_session import RawSession, parked_upload_bytes

MB = 1024 * 1024
ENV = {
    "KANTU_UPLOAD_SESSION_MB": "3",
    "KANTU_UPLOAD_PROCESS_MB": "5",
    "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1",  # seconds a closed tab may come back
    # an operator's key (never used here) keeps the local reader's models from loading in the
    # background, which would blur the server's memory figure
    "KANTU_BASE_URL": "http://127.0.0.1:9/v1",
    "KANTU_API_KEY": "test-key",
}
POLL_S = 30.0  # the metrics endpoint caches for a moment and the sweep runs every few tenths


def _parked_becomes(port: int, expected: int) -> int:
    """Poll the server's upload store until it holds ``expected`` bytes; return the last value."""
    deadline = time.monotonic() + POLL_S
    parked = parked_upload_bytes(port)
    while parked != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        parked = parked_upload_bytes(port)
    return parked


def test_put_over_the_session_cap_is_refused_and_stores_nothing(start_app):
    app = start_app(ENV)
    session = RawSession.open(app.port)
    try:
        statuses = [session.put_upload(b"x" * MB) for _ in range(6)]
        assert statuses == [204, 204, 413, 413, 413, 413]
        assert _parked_becomes(app.port, 2 * MB) == 2 * MB
    finally:
        session.close()


def test_many_sessions_cannot_park_more_than_the_process_cap(start_app):
    app = start_app(ENV)
    sessions = [RawSession.open(app.port) for _ in range(4)]
    rss_before = status_mb("VmRSS", app.process.pid)
    try:
        statuses = [s.put_upload(b"x" * 4 * MB) for s in sessions for _ in range(3)]
        statuses += [s.put_upload(b"x" * MB) for s in sessions for _ in range(3)]
        assert statuses.count(204) == 4  # 4 × 1 MB: the process cap (5 MB) holds no fifth file
        assert _parked_becomes(app.port, 4 * MB) == 4 * MB
        # 60 MB were sent; what stays resident is a small part of it
        grown = status_mb("VmRSS", app.process.pid) - rss_before
        assert grown < 30, f"server memory grew {grown:.0f} MB"
    finally:
        for s in sessions:
            s.close()


def test_a_closed_sessions_uploads_are_released(start_app):
    app = start_app(ENV)
    leaving, staying = RawSession.open(app.port), RawSession.open(app.port)
    try:
        assert [leaving.put_upload(b"x" * MB) for _ in range(2)] == [204, 204]
        assert staying.put_upload(b"y" * MB) == 204
        assert _parked_becomes(app.port, 3 * MB) == 3 * MB
        leaving.close()  # the tab closes; nobody reconnects
        assert _parked_becomes(app.port, MB) == MB  # only the open session's file is left
        assert staying.put_upload(b"y" * MB) == 204  # and the room is free again
    finally:
        staying.close()
