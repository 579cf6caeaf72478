"""On a phone (390×844, touch): the chat input, the attach button and the camera button fit the
screen and work by touch.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, expect

from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    assert_no_exception,
    attach_files,
    console_errors,
    send_prompt,
    wait_for_idle,
)
from components.devtools.upstream import sse
from components.i18n import t

PHONE = (390, 844)


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def screenshot_png() -> bytes:
    image = Image.new("RGB", (1170, 2532), "white")
    ImageDraw.Draw(image).rectangle((100, 300, 1070, 900), fill=(30, 90, 200))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def assert_on_screen(locator: Locator) -> None:
    """Assert the element is visible, entirely inside the phone's screen, and not covered."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    expect(locator).to_be_in_viewport(ratio=1.0)
    box = locator.bounding_box()
    assert box is not None
    width, height = PHONE
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    locator.tap(trial=True)  # actionability: nothing (e.g. the fixed chat input) covers it


def test_phone_chat_input_attach_and_camera_fit_and_work(app, new_page, up, tmp_path):
    page = new_page(app, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    assert page.evaluate("window.innerWidth") == PHONE[0]
    chat = page.locator(CHAT_INPUT_SELECTOR)
    textarea = chat.get_by_test_id("stChatInputTextArea")
    attach = chat.get_by_test_id("stChatInputFileUploadButton").locator("button")
    camera_toggle = page.get_by_role("button", name=t("camera.open", "zh"))
    # The page must not scroll sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]

    for element in (textarea, attach, camera_toggle):
        assert_on_screen(element)

    up.reset()
    up.enqueue(sse(["手机上", "也能看图。"]))
    attach_files(page, {"name": "截图.png", "mimeType": "image/png", "buffer": screenshot_png()})
    expect(chat.get_by_test_id("stFileChipIconError")).to_have_count(0)
    send_prompt(page, "截图里是什么？")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("手机上也能看图。")
    wait_for_idle(page)
    expect(page.get_by_test_id("stChatMessage").first.locator("img")).to_be_visible()
    assert len(up.requests) == 1
    parts = up.requests[0].json["messages"][-1]["content"]
    assert any(p.get("type") == "image_url" for p in parts)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    assert console_errors(page) == []

    # After a conversation the controls still fit, the toggle included.
    for element in (textarea, attach, camera_toggle):
        assert_on_screen(element)
    camera_toggle.tap()
    camera = page.locator(".kc")  # the camera component (no camera here: it says why)
    expect(camera).to_be_visible()
    expect(page.get_by_role("button", name=t("camera.close", "zh"))).to_be_visible()
    camera.scroll_into_view_if_needed()
    box = camera.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], box
    wait_for_idle(page)
    assert_no_exception(page)
    page.screenshot(path=tmp_path / "phone.png")
