"""A picture is prepared while the person types (``components.images.ahead``): started when its
file reaches the upload store, taken at Enter only by its own session and with the settings it was
prepared with. The store is a real ``MemoryUploadedFileManager`` behind the real ``UploadGuard``;
the pictures are real files prepared by the real preparation, counted on the way."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from components.devtools.image_factory import photo_jpeg
from components.errors import ImageError
from components.images.ahead import PreparedAhead
from components.images.prepared import PreparedImage
from components.images.upload import Upload
from components.images.uploads import Preparation, prepare_upload, prepare_uploads
from components.ui.upload_guard import MB, UploadCaps, UploadGuard, UploadRefused

AUTO = Preparation("auto", "gpt-4o-mini")
LOW = Preparation("low", "gpt-4o-mini")
PHOTO = photo_jpeg(1600, 1200)


class Counted:
    """The real preparation, counting its calls and keeping what each made (by file id)."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.made: dict[str | None, list[PreparedImage | ImageError]] = {}
        self.hold = hold
        self._lock = threading.Lock()

    def __call__(self, upload: Upload, how: Preparation) -> PreparedImage | ImageError:
        if self.hold is not None:
            self.hold.wait(10)
        outcome = prepare_upload(upload, how)
        with self._lock:
            self.made.setdefault(upload.file_id, []).append(outcome)
        return outcome

    def calls(self) -> int:
        return sum(len(made) for made in self.made.values())

    def wait_for(self, *file_ids: str) -> None:
        """Wait until each file was prepared (the person typing meanwhile)."""
        deadline = time.monotonic() + 30
        while not all(file_id in self.made for file_id in file_ids):
            assert time.monotonic() < deadline, f"never prepared: {file_ids}"
            time.sleep(0.01)


def _setup(prepare: Counted, **kwargs: int) -> tuple[UploadGuard, PreparedAhead]:
    ahead = PreparedAhead(prepare, **kwargs)
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    guard = UploadGuard(store, UploadCaps(50 * MB, 80 * MB), lambda _: True, 120.0, ahead)
    guard.install()
    return guard, ahead


def _upload(guard: UploadGuard, session_id: str, file_id: str, data: bytes = PHOTO) -> Upload:
    """PUT a file as the upload route does; return it as the chat input hands it to the page."""
    rec = UploadedFileRec(file_id, f"{file_id}.jpg", "image/jpeg", data)
    guard.store.add_file(session_id=session_id, file=rec)
    return Upload(rec.name, data, file_id)


def _one_prepared(prepare: Counted) -> tuple[UploadGuard, PreparedAhead, Upload]:
    """Session "a" on the chat page, one photo attached and prepared (the person typing)."""
    guard, ahead = _setup(prepare)
    ahead.expect("a", AUTO)
    photo = _upload(guard, "a", "f1")
    prepare.wait_for("f1")
    return guard, ahead, photo


def _send(ahead: PreparedAhead, session_id: str, uploads: list[Upload], how: Preparation):
    return prepare_uploads(uploads, how, ready=partial(ahead.take, session_id))


def test_a_picture_attached_is_prepared_before_enter_and_not_again_at_enter():
    prepare = Counted()
    _, ahead, photo = _one_prepared(prepare)
    sent = _send(ahead, "a", [photo], AUTO)
    assert prepare.calls() == 1  # once, ahead
    (image,) = sent.images
    assert image is prepare.made["f1"][0]
    fresh = prepare_upload(photo, AUTO)
    assert isinstance(fresh, PreparedImage)
    assert (image.sha256, image.width, image.height, image.data_url) == (
        fresh.sha256,
        fresh.width,
        fresh.height,
        fresh.data_url,
    )
    assert ahead.held("a") == 0  # handed out once, then let go


def test_a_setting_changed_after_attaching_prepares_the_picture_again_with_it():
    prepare = Counted()
    guard, ahead = _setup(prepare)
    ahead.expect("a", AUTO)
    photo = _upload(guard, "a", "f1")
    ahead.expect("a", LOW)  # the person picks "low" while typing
    sent = _send(ahead, "a", [photo], LOW)
    (image,) = sent.images
    low = prepare_upload(photo, LOW)
    assert isinstance(low, PreparedImage)
    auto = prepare_upload(photo, AUTO)
    assert isinstance(low, PreparedImage) and isinstance(auto, PreparedImage)
    assert (image.width, image.height) == (low.width, low.height) != (auto.width, auto.height)


def test_another_session_never_gets_a_picture_prepared_for_this_one():
    prepare = Counted()
    _, ahead, photo = _one_prepared(prepare)
    ahead.expect("b", AUTO)  # on the chat page too
    assert ahead.take("b", photo, AUTO) is None
    assert ahead.take("a", photo, AUTO) is prepare.made["f1"][0]


def test_nothing_is_prepared_where_the_page_asks_about_no_picture():
    prepare = Counted()
    guard, ahead = _setup(prepare)
    _upload(guard, "a", "f1")  # the session's page never said it asks about pictures
    ahead.expect("b", None)
    _upload(guard, "b", "f2")  # another page (Batch, Compare): its own uploads, its own way
    assert prepare.calls() == 0 and ahead.held("a") == ahead.held("b") == 0


def test_a_broken_picture_prepared_ahead_is_refused_at_enter_as_it_would_be_there():
    prepare = Counted()
    guard, ahead = _setup(prepare)
    ahead.expect("a", AUTO)
    broken = _upload(guard, "a", "f1", b"\xff\xd8\xff\xe0" + bytes(200))  # a JPEG in name only
    prepare.wait_for("f1")
    sent = _send(ahead, "a", [broken], AUTO)
    assert sent.images == ()
    (refusal,) = sent.refusals
    at_enter = prepare_upload(broken, AUTO)
    assert isinstance(at_enter, ImageError)
    assert (refusal.reason, refusal.message("en")) == (at_enter.reason, at_enter.message("en"))


def test_a_file_the_chat_input_took_out_of_the_store_is_still_handed_out_once():
    """Streamlit's chat input removes its files from the store the moment the question arrives,
    before the page prepares them: what was prepared stays for that question."""
    prepare = Counted()
    guard, ahead, photo = _one_prepared(prepare)
    guard.store.remove_file(session_id="a", file_id="f1")
    assert ahead.take("a", photo, AUTO) is prepare.made["f1"][0]
    assert ahead.take("a", photo, AUTO) is None  # once


def test_an_ended_session_leaves_nothing_behind():
    prepare = Counted()
    guard, ahead, kept = _one_prepared(prepare)
    guard.store.remove_session_files(session_id="a")  # the session shut down
    assert ahead.held("a") == 0 and ahead.take("a", kept, AUTO) is None
    _upload(guard, "a", "f2")
    assert ahead.held("a") == 0  # an ended session's settings went with it


def test_a_refused_upload_is_not_prepared():
    prepare = Counted()
    ahead = PreparedAhead(prepare)
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    guard = UploadGuard(store, UploadCaps(len(PHOTO) + 2048, MB * 50), lambda _: True, 120.0, ahead)
    guard.install()
    ahead.expect("a", AUTO)
    _upload(guard, "a", "f1")
    with pytest.raises(UploadRefused):  # 413: over the session's cap
        _upload(guard, "a", "f2")
    assert ahead.held("a") == 1 and set(prepare.made) <= {"f1"}


def test_at_most_so_many_files_a_session_are_kept_prepared_the_newest():
    prepare = Counted()
    guard, ahead = _setup(prepare, most_per_session=2)
    ahead.expect("a", AUTO)
    photos = [_upload(guard, "a", f"f{i}", photo_jpeg(400 + i, 300)) for i in range(4)]
    assert ahead.held("a") == 2
    prepare.wait_for("f3")
    sent = _send(ahead, "a", photos, AUTO)
    assert [image.width for image in sent.images] == [400, 401, 402, 403]
    assert sent.images[3] is prepare.made["f3"][0]  # the newest were kept
    assert ahead.held("a") == 0


def test_a_preparation_the_worker_has_not_started_is_done_at_enter_instead_of_waited_for():
    hold = threading.Event()
    prepare = Counted(hold)
    guard, ahead = _setup(prepare)
    ahead.expect("a", AUTO)
    first = _upload(guard, "a", "f1")  # the one worker is held on this one
    second = _upload(guard, "a", "f2", photo_jpeg(640, 480))
    sent = _send(ahead, "a", [second], AUTO)  # Enter with the second only: not waited for
    assert [image.width for image in sent.images] == [640]
    assert "f2" not in prepare.made
    hold.set()
    assert isinstance(ahead.take("a", first, AUTO), PreparedImage)
