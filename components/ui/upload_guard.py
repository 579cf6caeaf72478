"""A byte budget on Streamlit's upload store: per session and per process, released at the end.

Streamlit keeps every file PUT to ``/_stcore/upload_file/<session>/<file>`` in server memory
(``MemoryUploadedFileManager``); a connected session is all it takes, no widget and no code. Files
leave the store when a widget consumes them, when the page deletes them, or when the session shuts
down. A session whose websocket closed is kept for a reconnection (``server.disconnectedSessionTTL``)
and is then dropped from storage *without* being shut down, so its files stayed for good.

``install_upload_guard`` wraps the runtime's store (the very object the upload route holds): a
file that would take its session or the process over the cap is refused with HTTP 413 and nothing
is stored, and a background sweep removes the files of any session that has been disconnected for
longer than the reconnection TTL. The app's own prepared images and session state are not counted.
A file that fits is also told to the guard's ``ahead`` (``pictures_ahead`` puts the pictures
prepared while the person types there, once the app is past a session's first screen).

Light on purpose: a session's first run installs the guard before it draws its first screen (a
connected session is all a PUT needs), and that run imports nothing heavy.

Caps, from secrets then the environment: ``KANTU_UPLOAD_SESSION_MB`` (default 200) and
``KANTU_UPLOAD_PROCESS_MB`` (default 800). Each file is charged its size plus
``FILE_OVERHEAD_BYTES``, so a pile of empty files is bounded too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

import streamlit as st
from starlette.exceptions import HTTPException
from streamlit.runtime import Runtime
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from components.ui.operator_settings import secrets_mapping
from components.ui.session_watch import GoneSessions, run_every

log = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_SESSION_MB = 200  # four files at server.maxUploadSize (50 MB), or a Batch of phone photos
DEFAULT_PROCESS_MB = 800
FILE_OVERHEAD_BYTES = 1024  # what a stored file costs beyond its bytes (record, dict entries)
UPLOAD_SETTINGS = ("KANTU_UPLOAD_SESSION_MB", "KANTU_UPLOAD_PROCESS_MB")
Scope = Literal["session", "process"]


@dataclass(frozen=True)
class UploadCaps:
    """How many bytes uploads may hold in server memory: per session and in the whole process."""

    session_bytes: int
    process_bytes: int


def upload_caps(secrets: Mapping[str, object], environ: Mapping[str, str]) -> UploadCaps:
    """Read the caps (secrets first, then the environment); a missing or bad value is the default.

    A bad value is logged. Never raises.
    """
    return UploadCaps(
        _megabytes("KANTU_UPLOAD_SESSION_MB", DEFAULT_SESSION_MB, secrets, environ),
        _megabytes("KANTU_UPLOAD_PROCESS_MB", DEFAULT_PROCESS_MB, secrets, environ),
    )


def _megabytes(
    name: str, default: int, secrets: Mapping[str, object], environ: Mapping[str, str]
) -> int:
    text = secrets.get(name, environ.get(name))
    if text is None or str(text).strip() == "":
        return default * MB
    try:
        value = float(str(text))
    except ValueError:
        value = -1.0
    if not value > 0:
        log.warning("%s=%r is not a positive number of MB: %d MB used", name, text, default)
        return default * MB
    return int(value * MB)


class UploadRefused(HTTPException):
    """Raised (HTTP 413) when a file would take its session or the process over its cap."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(status_code=413, detail=f"upload refused: the {scope} upload cap is full")
        self.scope = scope


class UploadBudget:
    """The bytes charged per session and file, against ``UploadCaps``. Not thread-safe alone:
    ``UploadGuard`` calls it under its lock."""

    def __init__(self, caps: UploadCaps) -> None:
        self.caps = caps
        self._files: dict[str, dict[str, int]] = {}  # session id -> {file id: bytes charged}
        self._total = 0

    def charge(self, session_id: str, file_id: str, size: int) -> Scope | None:
        """Charge a file (replacing one with the same id); return the full scope and charge
        nothing when it does not fit, else None."""
        files = self._files.get(session_id, {})
        cost = size + FILE_OVERHEAD_BYTES
        delta = cost - files.get(file_id, 0)
        if sum(files.values()) + delta > self.caps.session_bytes:
            return "session"
        if self._total + delta > self.caps.process_bytes:
            return "process"
        self._files.setdefault(session_id, {})[file_id] = cost
        self._total += delta
        return None

    def release(self, session_id: str, file_id: str) -> None:
        """Forget one file's charge; a session left with none is forgotten too."""
        files = self._files.get(session_id)
        if files is None or file_id not in files:
            return
        self._total -= files.pop(file_id)
        if not files:
            del self._files[session_id]

    def release_session(self, session_id: str) -> None:
        """Forget every charge of a session."""
        self._total -= sum(self._files.pop(session_id, {}).values())

    def held(self, session_id: str | None = None) -> int:
        """Return the bytes charged to ``session_id``, or to the whole process."""
        if session_id is None:
            return self._total
        return sum(self._files.get(session_id, {}).values())

    def sessions(self) -> list[str]:
        """Return the sessions holding at least one file."""
        return list(self._files)


class UploadWatcher(Protocol):
    """Told of each file the guard stores or removes (``images.ahead.PreparedAhead`` is one)."""

    def added(self, session_id: str, file_id: str, name: str, data: bytes) -> None: ...

    def removed(self, session_id: str, file_id: str) -> None: ...

    def session_removed(self, session_id: str) -> None: ...


class UploadGuard:
    """Puts an ``UploadBudget`` in front of a ``MemoryUploadedFileManager`` and sweeps the files
    of sessions that are gone.

    ``is_active(session_id)`` says whether a browser is connected to the session; a session
    inactive for ``ttl_s`` seconds (first seen so by ``sweep``) loses its files.
    """

    def __init__(
        self,
        store: MemoryUploadedFileManager,
        caps: UploadCaps,
        is_active: Callable[[str], bool],
        ttl_s: float,
        ahead: UploadWatcher | None = None,
    ) -> None:
        self.store = store
        self.budget = UploadBudget(caps)
        self.ahead = ahead
        self._gone = GoneSessions(is_active, ttl_s)
        self._lock = threading.RLock()
        self._add = store.add_file
        self._remove = store.remove_file
        self._remove_session = store.remove_session_files

    def install(self) -> None:
        """Route the store's writes through the budget (instance attributes shadow its methods)
        and charge what it already holds, dropping the files of any session over its cap."""
        with self._lock:
            self.store.add_file = self.add_file  # type: ignore[method-assign]
            self.store.remove_file = self.remove_file  # type: ignore[method-assign]
            self.store.remove_session_files = self.remove_session_files  # type: ignore[method-assign]
            for session_id, files in list(self.store.file_storage.items()):
                for rec in list(files.values()):
                    if self.budget.charge(session_id, rec.file_id, len(rec.data)) is not None:
                        self.remove_session_files(session_id)
                        break

    def add_file(self, session_id: str, file: UploadedFileRec) -> None:
        """Store ``file`` if it fits. Raises UploadRefused (HTTP 413), storing nothing."""
        with self._lock:
            full = self.budget.charge(session_id, file.file_id, len(file.data))
            if full is not None:
                log.warning("upload refused: %s cap (%d bytes)", full, len(file.data))
                raise UploadRefused(full)
            try:
                self._add(session_id, file)
            except BaseException:
                self.budget.release(session_id, file.file_id)
                raise
        if self.ahead is not None:  # outside the lock: the upload's request is not held up
            self.ahead.added(session_id, file.file_id, file.name, file.data)

    def remove_file(self, session_id: str, file_id: str) -> None:
        """Remove one file and its charge."""
        with self._lock:
            self._remove(session_id, file_id)
            self.budget.release(session_id, file_id)
        if self.ahead is not None:
            self.ahead.removed(session_id, file_id)

    def remove_session_files(self, session_id: str) -> None:
        """Remove a session's files and charges (Streamlit calls this when a session shuts down)."""
        with self._lock:
            self._remove_session(session_id)
            self.budget.release_session(session_id)
        if self.ahead is not None:
            self.ahead.session_removed(session_id)

    def sweep(self, now: float) -> list[str]:
        """Remove the files of sessions disconnected for ``ttl_s`` by ``now``; return their ids."""
        with self._lock:
            gone = self._gone.poll(self.budget.sessions(), now)
            for session_id in gone:
                self.remove_session_files(session_id)
        return gone


_install_lock = threading.Lock()
# the process's one guard: ids and byte counts, and pictures prepared ahead, each kept under its
# session's id as Streamlit's upload store keeps the files (never read by another session)
_installed: list[UploadGuard] = []


def install_upload_guard(secrets: Mapping[str, object], environ: Mapping[str, str]) -> None:
    """Put the byte caps on this server's upload store, once per process; later calls do nothing.

    Does nothing without a server runtime (AppTest, bare mode) or with another kind of store.
    """
    if not Runtime.exists():
        return
    runtime = Runtime.instance()
    store = runtime.uploaded_file_mgr
    if not isinstance(store, MemoryUploadedFileManager):
        return
    with _install_lock:
        if _installed:
            return
        ttl_s = float(st.get_option("server.disconnectedSessionTTL"))
        caps = upload_caps(secrets, environ)
        guard = UploadGuard(store, caps, runtime.is_active_session, ttl_s)
        guard.install()
        _installed.append(guard)
        every_s = min(10.0, max(0.2, ttl_s / 4))
        run_every(every_s, lambda: guard.sweep(time.monotonic()), "kantu-upload-sweeper")
        log.info(
            "upload caps: %d MB per session, %d MB per process",
            caps.session_bytes // MB,
            caps.process_bytes // MB,
        )


def installed_guard() -> UploadGuard | None:
    """Return this process's guard, once ``install_upload_guard`` has put it in place."""
    return _installed[0] if _installed else None


def read_upload_secrets() -> dict[str, object]:
    """Return the upload caps set in ``st.secrets``; empty when there is no secrets file."""
    secrets = secrets_mapping()
    return {name: secrets[name] for name in UPLOAD_SETTINGS if name in secrets}
