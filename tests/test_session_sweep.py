"""The session sweeper closes sessions gone past the reconnection TTL and nothing else (issue 24
item 4); the clock and "is this session connected?" are given by the test. The real server's
side is tests/e2e/test_session_sweep.py."""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from components.ui.session_watch import SessionSweeper, shut_down, sweep_timing

TTL_S = 120.0


class World:
    """Which sessions are connected, and what the sweeper closed and released."""

    def __init__(self, *connected: str) -> None:
        self.connected = set(connected)
        self.closed: list[str] = []
        self.released: list[str] = []

    def sweeper(self, grace_s: float) -> SessionSweeper:
        return SessionSweeper(
            lambda sid: sid in self.connected, grace_s, self.closed.append, [self.released.append]
        )


def test_a_session_gone_past_the_grace_is_closed_and_its_resources_released_once():
    world = World("a", "b")
    sweeper = world.sweeper(10.0)
    sweeper.note("a")
    sweeper.note("b")
    world.connected.discard("a")
    assert sweeper.sweep(0.0) == []
    assert sweeper.sweep(9.0) == []
    assert sweeper.sweep(10.0) == ["a"]
    assert world.closed == ["a"] and world.released == ["a"]
    assert sweeper.sweep(100.0) == [] and world.closed == ["a"]  # closed once, then forgotten
    assert sweeper.watched() == 1  # "b" is still connected and watched


def test_a_session_that_reconnects_within_the_grace_is_kept():
    world = World("a")
    sweeper = world.sweeper(10.0)
    sweeper.note("a")
    world.connected.discard("a")
    sweeper.sweep(0.0)
    world.connected.add("a")  # a reload or a network blip
    sweeper.sweep(5.0)
    world.connected.discard("a")
    assert sweeper.sweep(12.0) == []  # its clock started again at the new disconnect
    assert sweeper.sweep(22.0) == ["a"]


def test_the_sweep_closes_before_streamlits_own_ttl_expires_the_session():
    for ttl_s in (1.0, 2.0, 30.0, 120.0, 3600.0):
        every_s, grace_s = sweep_timing(ttl_s)
        assert every_s > 0
        # seen up to one poll late, closed at most one poll after the grace: still within the TTL
        assert grace_s + 2 * every_s <= ttl_s + 1e-9
        assert grace_s >= ttl_s * 0.6  # the reconnection window stays most of what was set


class ExpiredStorage:
    """Streamlit's runtime once its storage has dropped the sessions it expired: they are not
    active, and closing one does nothing. The upload and media managers are Streamlit's own."""

    def __init__(self) -> None:
        self.uploaded_file_mgr = MemoryUploadedFileManager("/_stcore/upload_file")
        self.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/media"))
        self.connected: set[str] = set()

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.connected

    def close_session(self, session_id: str) -> None:
        pass  # unknown to the storage: Streamlit's close_session does nothing


def _upload(runtime: ExpiredStorage, session_id: str) -> None:
    record = UploadedFileRec(f"{session_id}-1", "photo.jpg", "image/jpeg", b"\xff" * 1000)
    runtime.uploaded_file_mgr.add_file(session_id, record)


def test_a_session_the_storage_expired_before_the_sweep_still_has_its_uploads_released():
    """The sweep came after the TTL (a busy machine): Streamlit had dropped the session without
    shutting it down, and its uploads stayed for good. A live session's are kept."""
    runtime = ExpiredStorage()
    runtime.connected.add("live")
    _upload(runtime, "gone")
    _upload(runtime, "live")
    shut_down(runtime, "gone")
    shut_down(runtime, "live")  # it reconnected: nothing happens to it
    assert runtime.uploaded_file_mgr.get_files("gone", ["gone-1"]) == []
    assert [f.name for f in runtime.uploaded_file_mgr.get_files("live", ["live-1"])] == [
        "photo.jpg"
    ]
