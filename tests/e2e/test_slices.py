"""A 1170×12000 screenshot in a real browser: held with the slice cost, then sent as slices the
provider can read (checked on the body the fake upstream received)."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import FilePayload, expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    assert_no_exception,
    attach_files,
    send_prompt,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.images.legibility import LEGIBLE_TEXT_PX, text_line_heights
from components.images.slicing import plan_slices, slice_cost


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def _decoded(url: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("L")


def test_long_screenshot_is_sent_as_readable_slices(app, new_page, up: FakeUpstream):
    up.reset()
    up.default = sse(["聊天记录共四十多条。"])
    original, _ = make.long_screenshot_image(1170, 12000)
    png = io.BytesIO()
    original.save(png, "PNG")
    page = new_page(app, locale="en-US")
    payload: FilePayload = {"name": "chat.png", "mimeType": "image/png", "buffer": png.getvalue()}
    attach_files(page, payload)
    send_prompt(page, "Summarise this chat")
    wait_for_idle(page)

    cost = slice_cost(1170, 12000, "gpt-4o-mini")
    box = page.locator(".st-key-kantu_pending_box")
    expect(box).to_contain_text(f"{cost.count} parts of 768×2048")
    expect(box).to_contain_text(f"~{cost.tokens:,} tokens")  # shown before anything is sent
    assert up.requests == []
    box.get_by_role("button", name=t("pending.send_slices", "en")).click()
    expect(page.get_by_text("聊天记录共四十多条。")).to_be_visible()
    assert_no_exception(page)

    content = up.requests[-1].json["messages"][-1]["content"]
    images = [_decoded(p["image_url"]["url"]) for p in content if p["type"] == "image_url"]
    plan = plan_slices(1170, 12000, "tile")
    assert len(images) == len(plan.boxes) == cost.count
    scaled = original.convert("L").resize(plan.scaled, Image.Resampling.LANCZOS)
    for sent, cut in zip(images, plan.boxes, strict=True):
        assert sent.size == (768, 2048)
        # Each slice is its own stretch of the page, in order, as sharp as the page scaled once.
        diff = ImageStat.Stat(ImageChops.difference(sent, scaled.crop(cut))).mean[0]
        assert diff < 4, diff
        lines = text_line_heights(sent)
        assert len(lines) > 10 and min(sorted(lines)[2:]) >= LEGIBLE_TEXT_PX
    user = page.get_by_test_id("stChatMessage").first
    expect(user).to_contain_text(f"{cost.count} slices")
