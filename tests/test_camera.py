"""The camera's Python side: the photo handed back by the component, and the photo waiting by the
input (shown with its cost, removable, sent once then gone), with the page under AppTest.

The component itself (getUserMedia, the shutter) runs only in a browser: tests/e2e/test_camera.py.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.camera import (
    MAX_PHOTO_CHARS,
    THUMB_PX,
    chip_caption,
    close_camera,
    decode_photo,
    make_shot,
    remove_shot,
)
from tests.conftest import entry_app_test


def _jpeg(size=(1920, 1080), color=(240, 140, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def _data_url(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


pytestmark = pytest.mark.usefixtures("isolated_secrets")


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as up:
        up.default = sse(["An orange picture."])
        yield up


def _page(up: FakeUpstream, lang: str = "en") -> AppTest:
    at = entry_app_test()  # as a browser opens the page: its first screen, then the rest
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": "operator-key-1234567"})
    at.session_state[keys.LANG] = lang
    return at.run()


def _with_photo(at: AppTest, data: bytes | None = None) -> AppTest:
    """Leave a photo waiting, as the camera component does when its shutter is pressed."""
    session.state_in(at.session_state, session.CameraState).shot = make_shot(data or _jpeg())
    return at.run()


def _chip_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if "tokens" in c.value and "×" in c.value]


def _images_sent(up: FakeUpstream) -> int:
    content = up.requests[-1].json["messages"][-1]["content"]
    return sum(p["type"] == "image_url" for p in content) if isinstance(content, list) else 0


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# The component's value


def test_component_data_url_becomes_the_jpeg_bytes():
    photo = _jpeg()
    assert decode_photo(_data_url(photo)) == photo


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        42,
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/jpeg;base64,not base64!",
        "data:image/jpeg;base64,",
        "https://example.com/photo.jpg",
        "data:image/jpeg;base64," + "A" * MAX_PHOTO_CHARS,
    ],
)
def test_anything_but_a_jpeg_data_url_is_no_photo(value):
    assert decode_photo(value) is None


def test_shot_keeps_the_photo_and_a_small_thumbnail():
    photo = _jpeg((1920, 1080))
    shot = make_shot(photo)
    assert shot.data == photo
    with Image.open(io.BytesIO(shot.thumbnail)) as thumb:
        assert thumb.width == THUMB_PX and thumb.height < THUMB_PX
    assert str(len(photo)) in repr(shot) and "base64" not in repr(shot)


def test_unreadable_shot_has_no_thumbnail_but_keeps_its_bytes():
    shot = make_shot(b"not a jpeg")
    assert shot.thumbnail == b"" and shot.data == b"not a jpeg"


def test_estimated_tokens_say_so():
    assert chip_caption(1365, 768, 36835, "en", approximate=False) == "1365×768 · ~36,835 tokens"
    assert "(estimate)" in chip_caption(1365, 768, 36835, "en", approximate=True)
    assert "估算" in chip_caption(1365, 768, 36835, "zh", approximate=True)


def test_removing_or_sending_forgets_the_photo_and_sending_closes_the_camera():
    state = session.CameraState(shot=make_shot(_jpeg()), open=True, round=0)
    remove_shot(state)
    assert state.shot is None and state.open is True
    state.shot = make_shot(_jpeg())
    close_camera(state)
    assert state.shot is None and state.open is False
    assert state.round == 2  # each gives the camera component a fresh key


# The page


def test_camera_button_opens_and_closes_the_camera(upstream):
    at = _page(upstream, "zh")
    button = at.button(key=keys.CAMERA_BUTTON)
    assert button.label == t("camera.open", "zh")
    button.click().run()
    _no_exception(at)
    assert session.state_in(at.session_state, session.CameraState).open is True
    assert at.button(key=keys.CAMERA_BUTTON).label == t("camera.close", "zh")
    at.button(key=keys.CAMERA_BUTTON).click().run()
    assert session.state_in(at.session_state, session.CameraState).open is False


def test_waiting_photo_shows_its_cost_by_the_input(upstream):
    at = _with_photo(_page(upstream, "en"))
    _no_exception(at)
    # what will be sent: scaled to the provider's 768 px short side, with its token cost
    assert _chip_captions(at) == ["1365×768 · ~36,835 tokens"]
    assert at.button(
        key=keys.camera_remove_key(
            session.state_in(at.session_state, session.CameraState).shot.photo_id
        )
    )


def test_rerun_with_a_photo_waiting_encodes_nothing(upstream, monkeypatch):
    at = _with_photo(_page(upstream, "en"))
    encodes: list[str] = []
    save = Image.Image.save
    monkeypatch.setattr(
        Image.Image, "save", lambda im, *a, **k: encodes.append(im.format) or save(im, *a, **k)
    )
    at.run()  # what any click does: the whole page is drawn again
    _no_exception(at)
    assert _chip_captions(at) == ["1365×768 · ~36,835 tokens"]
    assert encodes == []


def test_removed_photo_never_goes(upstream):
    at = _with_photo(_page(upstream, "en"))
    shot = session.state_in(at.session_state, session.CameraState).shot
    at.button(key=keys.camera_remove_key(shot.photo_id)).click().run()
    assert _chip_captions(at) == []
    at.chat_input[0].set_value("What is this?").run()
    _no_exception(at)
    assert _images_sent(upstream) == 0


def test_waiting_photo_goes_with_the_next_message_once(upstream):
    at = _with_photo(_page(upstream, "en"))
    session.state_in(at.session_state, session.CameraState).open = True
    at.chat_input[0].set_value("What is this?").run()
    _no_exception(at)
    assert _images_sent(upstream) == 1
    assert _chip_captions(at) == []  # gone from the input
    # and the camera closed by itself
    assert session.state_in(at.session_state, session.CameraState).open is False
    at.chat_input[0].set_value("And now?").run()
    assert upstream.requests[-1].json["messages"][-1]["content"] == "And now?"


def test_send_photo_sends_it_alone_with_the_default_question(upstream):
    at = _with_photo(_page(upstream, "zh"))
    shot = session.state_in(at.session_state, session.CameraState).shot
    at.button(key=keys.camera_send_key(shot.photo_id)).click().run()
    _no_exception(at)
    content = upstream.requests[-1].json["messages"][-1]["content"]
    assert _images_sent(upstream) == 1
    assert {"type": "text", "text": t("chat.default_question", "zh")} in content
    assert _chip_captions(at) == []


def test_unreadable_photo_is_refused_by_the_input_and_not_sent(upstream):
    at = _with_photo(_page(upstream, "en"), b"\xff\xd8 broken")
    _no_exception(at)
    assert any(c.value.startswith("🚫") for c in at.caption)
    shot = session.state_in(at.session_state, session.CameraState).shot
    with pytest.raises(KeyError):
        at.button(key=keys.camera_send_key(shot.photo_id))
