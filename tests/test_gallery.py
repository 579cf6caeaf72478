"""Pictures in the conversation: thumbnail sizes, the large view's facts, and the page under AppTest."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from streamlit.proto.Block_pb2 import Block as BlockProto

from components.devtools import image_factory as make
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.images.prepare import prepare_image
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.gallery import THUMB_HEIGHT, image_caption, image_facts, thumb_size
from tests.conftest import entry_app_test
from tests.helpers import OPERATOR_KEY, no_exception

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def test_thumbnails_share_one_height_and_keep_their_shape():
    photo, wide, portrait = thumb_size(4032, 3024), thumb_size(1600, 900), thumb_size(900, 1600)
    assert photo.height == wide.height == portrait.height == THUMB_HEIGHT
    assert (photo.width, wide.width, portrait.width) == (160, 213, 68)
    assert not (photo.cropped or wide.cropped or portrait.cropped)


def test_small_picture_is_never_upscaled():
    small = thumb_size(100, 40)
    assert (small.width, small.height) == (100, 40)


def test_panorama_is_narrowed_instead_of_a_strip_across_the_page():
    pano = thumb_size(8000, 1000)
    assert pano.width <= 320 and pano.height < THUMB_HEIGHT


def test_tall_screenshot_shows_its_top_cropped():
    tall = thumb_size(1170, 9000)
    assert tall.cropped and tall.crop == (0, 0, 1170, 1755)  # the top, 1.5 × as tall as wide
    assert tall.height == THUMB_HEIGHT and tall.width == 80
    assert not thumb_size(1000, 2400).cropped  # an ordinary tall photo stays whole


def _prepared(data: bytes, name: str = "p.jpg", model: str = "gpt-4o-mini"):
    return prepare_image(data, name=name, detail="auto", model=model)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_large_view_facts_say_what_was_sent_and_what_was_changed(lang):
    image = _prepared(make.half_red_jpeg(1600, 1200, orientation=6))
    facts = dict(image_facts(image, lang))
    source = image.source
    original = f"JPEG · {image.original_size[0]}×{image.original_size[1]}"
    assert facts[t("gallery.fact_original", lang)].startswith(original)
    sent = f"{image.mime.removeprefix('image/').upper()} · {image.width}×{image.height}"
    assert facts[t("gallery.fact_sent", lang)].startswith(sent)
    assert f"{image.tokens:,}" in facts[t("gallery.fact_tokens", lang)]
    assert t("gallery.tokens_approximate", lang) not in facts[t("gallery.fact_tokens", lang)]
    assert facts[t("gallery.fact_detail", lang)] == t("detail.auto", lang)
    assert source.orientation_applied
    assert facts[t("gallery.fact_rotated", lang)] == t("gallery.yes", lang)
    assert facts[t("gallery.fact_frames", lang)] == t("gallery.no", lang)


def test_unknown_model_says_its_estimate_is_approximate():
    image = _prepared(make.photo_jpeg(800, 600), model="some-new-model")
    assert image.tokens_approximate
    facts = dict(image_facts(image, "en"))
    assert "approximate" in facts["Token estimate"]
    assert "approximate" in image_caption(image, "en")
    assert "估算" in image_caption(image, "zh")


def test_dropped_frames_are_counted():
    frames = [Image.new("RGB", (80, 60), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    facts = dict(image_facts(_prepared(buf.getvalue(), "a.gif"), "en"))
    assert facts["Frames dropped"] == "2 (of 3; only the first is sent)"


def _app(up: FakeUpstream, lang: str):
    at = entry_app_test()
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.session_state[keys.LANG] = lang
    return at.run()


def _user_images(at):
    user = [m for m in at.chat_message if m.name == "user"][-1]
    return user.get("image")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sent_picture_has_a_small_thumbnail_with_alt_text_and_a_view_button(upstream, lang):
    upstream.enqueue(sse(["OK"]))
    at = _app(upstream, lang)
    big, small = make.photo_jpeg(4032, 3024), make.photo_jpeg(100, 40)
    chat = at.chat_input[0]
    chat.upload("big.jpg", big, "image/jpeg").upload("small.jpg", small, "image/jpeg")
    chat.set_value("What is in these?").run()
    no_exception(at)
    images = _user_images(at)
    assert len(images) == 2
    alts = [image.proto.imgs[0].alt for image in images]
    assert all(alt.startswith("What is in these?") for alt in alts), alts
    copies = session.state_in(at.session_state, chat_state.ChatState).display_copies
    big_sent, small_sent = conv_image(at, 0), conv_image(at, 1)
    assert Image.open(io.BytesIO(copies[big_sent.sha256][0])).size == (160, THUMB_HEIGHT)
    assert small_sent.sha256 not in copies  # 100×40 is shown as it is: no copy, no upscale
    buttons = [b for b in at.button if b.key and b.key.startswith(keys.GALLERY_VIEW)]
    assert len(buttons) == 2 and buttons[0].help == t("gallery.view", lang)

    buttons[0].click().run()
    no_exception(at)
    dialog = _dialog(at._tree)
    assert dialog is not None, "the large view did not open"
    shown = "\n".join(m.value for m in dialog.get("markdown"))
    sent = conv_image(at, 0)
    assert f"{sent.width}×{sent.height}" in shown and "4032×3024" in shown
    assert t("gallery.fact_metadata", lang) in shown
    assert len(at.get("image")) == 3  # the two thumbnails, and the picture as sent


def conv_image(at, index: int):
    conv = session.state_in(at.session_state, chat_state.ChatState).conversation
    return conv.images_of(conv.entries[0])[index]


def _dialog(node):
    """Return the open dialog's block (AppTest has no dialog element of its own), or None."""
    proto = getattr(node, "proto", None)
    if isinstance(proto, BlockProto) and proto.WhichOneof("type") == "dialog":
        return node
    for child in getattr(node, "children", {}).values():
        found = _dialog(child)
        if found is not None:
            return found
    return None


def test_thumbnails_are_made_once_not_on_every_rerun(upstream, monkeypatch):
    upstream.enqueue(sse(["OK"]))
    at = _app(upstream, "en")
    at.chat_input[0].upload("tall.jpg", make.photo_jpeg(600, 3000), "image/jpeg").run()
    no_exception(at)
    images = _user_images(at)
    assert "top only" in images[0].captions[0]
    assert images[0].proto.imgs[0].alt.endswith("top only (cropped)")
    sent = conv_image(at, 0)
    thumb = session.state_in(at.session_state, chat_state.ChatState).display_copies[sent.sha256][0]
    assert Image.open(io.BytesIO(thumb)).size == (80, THUMB_HEIGHT)  # the top, not 1,700 px tall
    saves: list[str] = []
    save = Image.Image.save
    monkeypatch.setattr(
        Image.Image, "save", lambda im, *a, **k: saves.append(im.format) or save(im, *a, **k)
    )
    at.run()
    no_exception(at)
    assert saves == []


def test_large_view_of_a_sliced_screenshot_shows_every_part_as_sent(upstream):
    upstream.enqueue(sse(["OK"]))
    at = _app(upstream, "en")
    shot = make.long_screenshot(1170, 9000)
    at.chat_input[0].upload("chat.png", shot, "image/png").set_value("Summarise").run()
    at.button(key="kantu_send_slices").click().run()
    no_exception(at)
    sent = conv_image(at, 0)
    assert sent.parts
    view = [b for b in at.button if b.key and b.key.startswith(keys.GALLERY_VIEW)]
    view[0].click().run()
    no_exception(at)
    dialog = _dialog(at._tree)
    assert dialog is not None
    shown = "\n".join(m.value for m in dialog.get("markdown"))
    assert "1170×9000" in shown and f"{len(sent.parts)} images" in shown
    assert len(dialog.get("image")) == 1 + len(sent.parts)  # the overview, then each part
