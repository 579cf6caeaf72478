"""The chat page with long screenshots and small print: held first, sliced or zoomed on a click."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from components.devtools import image_factory as make
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.images.slicing import slice_cost
from components.ui import chat_state, session
from components.ui import state_keys as keys
from tests.conftest import entry_app_test
from tests.helpers import OPERATOR_KEY, no_exception, page_texts

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _app(up: FakeUpstream, lang: str = "en", **state: object):
    at = entry_app_test()
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.session_state[keys.LANG] = lang
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _sent_images(up: FakeUpstream) -> list[dict]:
    content = up.requests[-1].json["messages"][-1]["content"]
    return [part for part in content if part["type"] == "image_url"]


def _size(url: str) -> tuple[int, int]:
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size


def test_long_screenshot_is_held_with_the_slice_cost_then_sent_as_slices(upstream):
    upstream.enqueue(sse(["Four parts."]))
    at = _app(upstream)
    shot = make.long_screenshot(1170, 9000)
    at.chat_input[0].upload("chat.png", shot, "image/png").set_value("Summarise").run()
    no_exception(at)
    assert upstream.requests == []  # held: nothing sent before the person sees the cost
    cost = slice_cost(1170, 9000, "gpt-4o-mini")
    shown = page_texts(at)
    assert "too small for the model to read" in shown or "unreadable" in shown
    assert f"{cost.count} parts" in shown and f"~{cost.tokens:,} tokens" in shown
    at.button(key="kantu_send_slices").click().run()
    no_exception(at)
    images = _sent_images(upstream)
    assert len(images) == cost.count
    assert all(_size(p["image_url"]["url"]) == (768, 2048) for p in images)
    content = upstream.requests[-1].json["messages"][-1]["content"]
    assert "top to bottom" in content[1]["text"]
    user = [m for m in at.chat_message if m.name == "user"][-1]
    assert (
        t("chat.sliced_caption", "en", count=cost.count, tokens=f"{cost.tokens:,}")
        in (user.get("image")[0].captions[0])
    )
    assert len(user.get("image")) == 1 + cost.count  # the picture, then each slice as sent
    # the file's bytes left with the message
    assert session.state_in(at.session_state, chat_state.ChatState).pending is None
    assert not [b for b in at.button if b.key == "kantu_send_slices"]


def test_held_picture_can_be_sent_as_it_is_or_cancelled(upstream):
    at = _app(upstream, "zh")
    at.chat_input[0].upload("chat.png", make.long_screenshot(1170, 9000), "image/png").run()
    at.button(key="kantu_pending_cancel").click().run()
    no_exception(at)
    assert upstream.requests == [] and not [m for m in at.chat_message if m.name == "user"]
    at.chat_input[0].upload("chat.png", make.long_screenshot(1170, 9000), "image/png").run()
    at.button(key="kantu_send_as_is").click().run()
    images = _sent_images(upstream)
    assert len(images) == 1 and _size(images[0]["image_url"]["url"]) == (266, 2048)


def test_chosen_slices_over_the_cap_ask_first_then_send_them_all(upstream):
    at = _app(upstream, **{keys.DETAIL: "slices", keys.MAX_SLICES: 2})
    at.chat_input[0].upload("chat.png", make.long_screenshot(1170, 9000), "image/png").run()
    no_exception(at)
    assert upstream.requests == []
    assert "over the cap of 2" in page_texts(at)
    at.button(key="kantu_all_slices_chat.png").click().run()
    no_exception(at)
    assert len(_sent_images(upstream)) == slice_cost(1170, 9000, "gpt-4o-mini").count


def test_a_zone_of_a_photo_goes_at_high_detail_beside_the_whole_at_low(upstream):
    photo, _ = make.small_print_photo(4000, 3000)
    at = _app(upstream, **{keys.REVIEW: True})
    at.chat_input[0].upload("label.jpg", photo, "image/jpeg").set_value("Read the label").run()
    no_exception(at)
    assert upstream.requests == []
    at.button(key="kantu_zone_0_1_1").click().run()  # the middle zone
    no_exception(at)
    images = _sent_images(upstream)
    assert [p["image_url"].get("detail") for p in images] == ["low", "high"]
    whole, crop = (_size(p["image_url"]["url"]) for p in images)
    assert max(whole) <= 512 and crop[0] > 1000  # the middle ninth, at 1,000+ px wide
    content = upstream.requests[-1].json["messages"][-1]["content"]
    assert any("zoomed region" in p.get("text", "") for p in content)
