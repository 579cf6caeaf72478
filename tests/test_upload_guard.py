"""Uploads parked in server memory are capped per session and per process, and released once a
session has ended (issue 19 item 8). The guard wraps a real ``MemoryUploadedFileManager``; the
clock and "is this session connected?" are given by the test."""

from __future__ import annotations

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from components.ui.upload_guard import (
    DEFAULT_PROCESS_MB,
    DEFAULT_SESSION_MB,
    FILE_OVERHEAD_BYTES,
    MB,
    UploadCaps,
    UploadGuard,
    UploadRefused,
    upload_caps,
)

TTL_S = 120.0


class Connections:
    """Which sessions have a browser connected (what ``Runtime.is_active_session`` answers)."""

    def __init__(self, *session_ids: str) -> None:
        self.active = set(session_ids)

    def __call__(self, session_id: str) -> bool:
        return session_id in self.active


def _file(file_id: str, mb: float) -> UploadedFileRec:
    return UploadedFileRec(
        file_id, f"{file_id}.bin", "application/octet-stream", b"x" * int(mb * MB)
    )


def _guard(session_mb: float = 3, process_mb: float = 5, *active: str) -> UploadGuard:
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    caps = UploadCaps(int(session_mb * MB), int(process_mb * MB))
    guard = UploadGuard(store, caps, Connections(*(active or ("a", "b", "c"))), TTL_S)
    guard.install()
    return guard


def _stored(guard: UploadGuard, session_id: str) -> int:
    """Bytes the store itself holds for a session (what parks in memory)."""
    return sum(len(rec.data) for rec in guard.store.file_storage.get(session_id, {}).values())


def test_a_file_over_the_session_cap_is_refused_with_413_and_nothing_is_stored():
    guard = _guard(session_mb=3)
    guard.store.add_file(session_id="a", file=_file("1", 1))  # the route's call, by keyword
    guard.store.add_file(session_id="a", file=_file("2", 1))
    with pytest.raises(UploadRefused) as refused:
        guard.store.add_file(session_id="a", file=_file("3", 1))
    assert refused.value.status_code == 413 and refused.value.scope == "session"
    assert _stored(guard, "a") == 2 * MB
    assert [rec.file_id for rec in guard.store.get_files("a", ["1", "2", "3"])] == ["1", "2"]


def test_the_process_cap_binds_across_sessions():
    guard = _guard(session_mb=3, process_mb=5)
    for session_id in ("a", "b"):
        guard.store.add_file(session_id=session_id, file=_file("1", 1))
        guard.store.add_file(session_id=session_id, file=_file("2", 1))
    with pytest.raises(UploadRefused) as refused:
        guard.store.add_file(session_id="c", file=_file("1", 1))
    assert refused.value.scope == "process"
    assert _stored(guard, "c") == 0


def test_many_empty_files_are_bounded_too():
    guard = _guard(session_mb=1)
    with pytest.raises(UploadRefused):
        for n in range(MB // FILE_OVERHEAD_BYTES + 1):
            guard.store.add_file(session_id="a", file=_file(str(n), 0))
    assert len(guard.store.file_storage["a"]) == MB // FILE_OVERHEAD_BYTES


def test_a_file_sent_again_under_its_id_is_charged_once():
    guard = _guard(session_mb=3)
    for _ in range(5):
        guard.store.add_file(session_id="a", file=_file("same", 1))
    guard.store.add_file(session_id="a", file=_file("other", 1))
    assert guard.budget.held("a") == 2 * (MB + FILE_OVERHEAD_BYTES)


def test_files_removed_by_a_widget_or_a_shutdown_give_their_room_back():
    guard = _guard(session_mb=3, process_mb=5)
    guard.store.add_file(session_id="a", file=_file("1", 1))
    guard.store.add_file(session_id="a", file=_file("2", 1))
    guard.store.remove_file(session_id="a", file_id="1")  # a chat input consumed it
    guard.store.add_file(session_id="a", file=_file("3", 1))  # fits again
    guard.store.remove_session_files("a")  # Streamlit's AppSession.shutdown
    assert guard.budget.held() == 0 and guard.budget.sessions() == []
    for n in range(2):
        guard.store.add_file(session_id="b", file=_file(str(n), 1))
    assert _stored(guard, "b") == 2 * MB


def test_files_of_a_session_disconnected_past_the_ttl_are_released():
    connections = Connections("a", "b")
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    guard = UploadGuard(store, UploadCaps(3 * MB, 5 * MB), connections, TTL_S)
    guard.install()
    store.add_file(session_id="a", file=_file("1", 1))
    store.add_file(session_id="b", file=_file("1", 1))
    connections.active.discard("a")  # the tab closed; Streamlit keeps the session for a reconnect
    assert guard.sweep(now=1000.0) == []  # first seen gone: the reconnection window starts
    assert guard.sweep(now=1000.0 + TTL_S - 1) == []
    assert _stored(guard, "a") == MB
    assert guard.sweep(now=1000.0 + TTL_S) == ["a"]
    assert _stored(guard, "a") == 0 and "a" not in store.file_storage
    assert guard.budget.sessions() == ["b"] and _stored(guard, "b") == MB


def test_a_session_that_reconnects_in_time_keeps_its_files():
    connections = Connections("a")
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    guard = UploadGuard(store, UploadCaps(3 * MB, 5 * MB), connections, TTL_S)
    guard.install()
    store.add_file(session_id="a", file=_file("1", 1))
    connections.active.clear()
    guard.sweep(now=0.0)
    connections.active.add("a")  # a network blip: back within the window
    guard.sweep(now=TTL_S / 2)
    connections.active.clear()  # gone again later: a new window starts then
    assert guard.sweep(now=TTL_S + 1) == []
    assert _stored(guard, "a") == MB
    assert guard.sweep(now=TTL_S + 1 + TTL_S) == ["a"]


def test_install_charges_what_the_store_already_holds_and_empties_sessions_over_the_cap():
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    for n in range(4):  # parked before the guard was installed
        store.add_file("early", _file(str(n), 1))
    store.add_file("honest", _file("1", 1))
    guard = UploadGuard(store, UploadCaps(3 * MB, 5 * MB), Connections("early", "honest"), TTL_S)
    guard.install()
    assert "early" not in store.file_storage
    assert guard.budget.held() == MB + FILE_OVERHEAD_BYTES and _stored(guard, "honest") == MB


def test_chat_input_still_recognises_the_store_and_consumes_its_files():
    guard = _guard()
    assert isinstance(guard.store, MemoryUploadedFileManager)  # Streamlit checks this to remove


@pytest.mark.parametrize(
    ("secrets", "environ", "expected"),
    [
        ({}, {}, (DEFAULT_SESSION_MB * MB, DEFAULT_PROCESS_MB * MB)),
        (
            {},
            {"KANTU_UPLOAD_SESSION_MB": "3", "KANTU_UPLOAD_PROCESS_MB": "5.5"},
            (3 * MB, 5.5 * MB),
        ),
        ({"KANTU_UPLOAD_SESSION_MB": 2}, {"KANTU_UPLOAD_SESSION_MB": "3"}, (2 * MB, 800 * MB)),
        (
            {},
            {"KANTU_UPLOAD_SESSION_MB": "lots", "KANTU_UPLOAD_PROCESS_MB": "-1"},
            (200 * MB, 800 * MB),
        ),
    ],
)
def test_caps_come_from_secrets_then_environment_and_bad_values_keep_the_default(
    secrets, environ, expected
):
    caps = upload_caps(secrets, environ)
    assert (caps.session_bytes, caps.process_bytes) == expected
