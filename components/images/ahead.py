"""Pictures prepared while the person types: started the moment a file reaches the server's
upload store, taken when the question is sent.

A phone photo takes 50–300 ms to decode, orient, resize and encode (more for HEIC, or several at
once on two cores); done at Enter, that time came before the request could leave. Streamlit's chat
input uploads each file as soon as it is attached, so by the time the question is typed the
picture is usually ready.

A preparation depends on the message's settings (detail, model, slices). Each session says which
ones its page would use (``expect``; None where no picture is asked about); a file is prepared
ahead only with those, and taken only with the same ones: a setting changed meanwhile means the
picture is prepared again at Enter. What is prepared is kept per session and file (the same keys
as Streamlit's own upload store, so nothing is ever read by another session) until it is taken or
its session ends, at most ``MOST_PER_SESSION`` files a session (the oldest goes first). A file
leaving the store does not end its preparation: the chat input takes its files out of the store
the moment the question arrives, before the page asks for them here; only a preparation not yet
started is dropped then. One worker thread does all of it, so a flood of uploads cannot take the
cores from the questions being sent: a preparation not started by Enter is cancelled and done
there instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass

from components.errors import ImageError
from components.images.prepared import PreparedImage
from components.images.upload import Upload
from components.images.uploads import Preparation, prepare_upload

log = logging.getLogger(__name__)

MOST_PER_SESSION = 8  # preparations kept a session; a ninth file drops the oldest
WORKERS = 1

Outcome = PreparedImage | ImageError


@dataclass(frozen=True)
class _Ahead:
    how: Preparation
    outcome: Future[Outcome]


class PreparedAhead:
    """Prepares uploaded files before they are asked about; ``take`` hands each one out once."""

    def __init__(
        self,
        prepare: Callable[[Upload, Preparation], Outcome] = prepare_upload,
        workers: int = WORKERS,
        most_per_session: int = MOST_PER_SESSION,
    ) -> None:
        self._prepare = prepare
        self._pool = ThreadPoolExecutor(workers, "kantu-ahead")
        self._most = most_per_session
        self._lock = threading.Lock()
        self._expected: dict[str, Preparation] = {}  # session id -> its page's settings
        self._files: dict[str, dict[str, _Ahead]] = {}  # session id -> file id -> preparation

    def expect(self, session_id: str, how: Preparation | None) -> None:
        """Say how the session's next pictures would be prepared (None: none are asked about)."""
        with self._lock:
            if how is None:
                self._expected.pop(session_id, None)
            else:
                self._expected[session_id] = how

    def added(self, session_id: str, file_id: str, name: str, data: bytes) -> None:
        """A file reached the upload store: start preparing it, if its session expects pictures
        and has room."""
        with self._lock:
            how = self._expected.get(session_id)
            if how is None:
                return
            files = self._files.setdefault(session_id, {})
            if file_id in files:
                return
            while len(files) >= self._most:  # the oldest first
                files.pop(next(iter(files))).outcome.cancel()
            upload = Upload(name, data, file_id)
            files[file_id] = _Ahead(how, self._pool.submit(self._prepare, upload, how))

    def take(self, session_id: str, upload: Upload, how: Preparation) -> Outcome | None:
        """Return the upload's preparation if it was started ahead with ``how`` (waiting for it
        to end), else None (then prepare it now). Each is handed out once."""
        if upload.file_id is None:
            return None
        with self._lock:
            ahead = self._files.get(session_id, {}).pop(upload.file_id, None)
        if ahead is None:
            return None
        if ahead.outcome.cancel():  # not started yet: no use waiting for it
            return None
        if ahead.how != how:  # a setting changed since: prepared again with it
            return None
        try:
            return ahead.outcome.result()
        except CancelledError:
            return None
        except Exception:  # a bug in a preparation: prepared again where its error is seen
            log.exception("a picture prepared ahead failed")
            return None

    def removed(self, session_id: str, file_id: str) -> None:
        """A file left the upload store (sent, or its chip removed): its preparation is dropped
        if not started yet, else kept for ``take`` (see the module's docstring)."""
        with self._lock:
            files = self._files.get(session_id, {})
            ahead = files.get(file_id)
            if ahead is not None and ahead.outcome.cancel():
                del files[file_id]

    def session_removed(self, session_id: str) -> None:
        """Forget everything of a session that ended (or whose files were dropped)."""
        with self._lock:
            self._expected.pop(session_id, None)
            files = self._files.pop(session_id, {})
        for ahead in files.values():
            ahead.outcome.cancel()

    def held(self, session_id: str) -> int:
        """How many files of the session are prepared or being prepared ahead."""
        with self._lock:
            return len(self._files.get(session_id, {}))
