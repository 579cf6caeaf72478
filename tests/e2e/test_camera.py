"""The camera in a real browser, with Chromium's fake camera: a 📷 button above the input, texts
in the page's language, the photo waiting by the input with its cost until removed or sent, and
the camera closed once it went.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from components.devtools.browser import (
    FAKE_CAMERA_ARGS,
    assert_no_exception,
    console_errors,
    launch_browser,
    open_page,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_idle,
    wait_for_settled,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import Lang, t
from components.ui import state_keys as keys

SHOTS = shots_dir("camera")
# What Streamlit's own st.camera_input says, in English whatever the page's language.
STREAMLIT_CAMERA_TEXTS = ("This app would like to use your camera", "Take Photo", "Clear photo")
PHONE = {"viewport": (390, 844), "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def browser(browser: Browser) -> Iterator[Browser]:
    """A second Chromium from the session's Playwright, with a fake camera that is always allowed."""
    camera_browser = launch_browser(browser.browser_type, FAKE_CAMERA_ARGS)
    yield camera_browser
    camera_browser.close()


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    up.reset()
    up.default = sse(["一张测试图案。"])


def camera_button(page: Page, lang: Lang) -> Locator:
    return page.get_by_role("button", name=t("camera.open", lang), exact=True)


def take_button(page: Page, lang: Lang) -> Locator:
    """The camera's shutter (inside the component's shadow root, which Playwright pierces)."""
    return page.locator(".kc").get_by_role("button", name=t("camera.take", lang), exact=True)


def chip(page: Page) -> Locator:
    return page.locator(f".st-key-{keys.CAMERA_CHIP}")


def open_camera(page: Page, lang: Lang) -> None:
    camera_button(page, lang).click()
    expect(take_button(page, lang)).to_be_enabled(timeout=15_000)  # the fake camera is live


def take_photo(page: Page, lang: Lang) -> None:
    take_button(page, lang).click()
    expect(chip(page)).to_be_visible()
    wait_for_idle(page)


def image_parts(up: FakeUpstream) -> int:
    content = up.requests[-1].json["messages"][-1]["content"]
    return sum(part["type"] == "image_url" for part in content) if isinstance(content, list) else 0


def test_camera_speaks_chinese_and_its_photo_waits_until_sent(app, new_page, up):
    page = new_page(app, locale="zh-CN")
    open_camera(page, "zh")
    for english in STREAMLIT_CAMERA_TEXTS:
        expect(page.get_by_text(english)).to_have_count(0)
    expect(page.get_by_role("button", name="Take photo")).to_have_count(0)

    take_photo(page, "zh")
    expect(page.get_by_role("button", name=t("camera.retake", "zh"))).to_be_visible()
    expect(chip(page)).to_contain_text("约")
    expect(chip(page)).to_contain_text("tokens")
    expect(chip(page).get_by_role("img")).to_have_count(1)  # the thumbnail
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "zh-desktop-photo-waiting.png"))

    chip(page).get_by_role("button", name=t("camera.remove", "zh")).click()
    expect(chip(page)).to_have_count(0)
    expect(take_button(page, "zh")).to_be_enabled(timeout=15_000)  # live again, ready to retake
    wait_for_idle(page)
    send_prompt(page, "你好")  # nothing goes by surprise: the removed photo stays behind
    expect(page.get_by_text("一张测试图案。")).to_be_visible()
    wait_for_idle(page)
    assert image_parts(up) == 0

    take_photo(page, "zh")
    send_prompt(page, "这是什么？")
    expect(page.get_by_text("一张测试图案。")).to_have_count(2)
    wait_for_idle(page)
    assert image_parts(up) == 1
    assert len(up.requests) == 2
    expect(chip(page)).to_have_count(0)  # the photo went once and is gone from the input
    expect(take_button(page, "zh")).to_have_count(0)  # the camera closed by itself
    expect(page.locator("video")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "zh-desktop-after-send.png"))
    assert_no_exception(page)
    assert not [e for e in console_errors(page) if "camera" in e.lower()]


def test_send_photo_sends_it_alone_in_english(app, new_page, up):
    page = new_page(app, locale="en-US")
    open_camera(page, "en")
    page.screenshot(path=str(SHOTS / "en-desktop-camera-open.png"))
    take_photo(page, "en")
    expect(chip(page)).to_contain_text("~")
    page.screenshot(path=str(SHOTS / "en-desktop-photo-waiting.png"))
    chip(page).get_by_role("button", name=t("camera.send", "en")).click()
    # in the conversation (the chat list names the chat after the same question)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.get_by_text(t("chat.default_question", "en"))).to_be_visible()
    expect(messages.get_by_text("一张测试图案。")).to_be_visible()
    wait_for_idle(page)
    assert image_parts(up) == 1
    expect(chip(page)).to_have_count(0)
    expect(take_button(page, "en")).to_have_count(0)
    assert_no_exception(page)


def count_chips_from_now(page: Page) -> None:
    """Keep, in ``window.__mostChips``, the most camera chips the page shows at once from now."""
    page.evaluate(
        """selector => {
            window.__mostChips = document.querySelectorAll(selector).length;
            new MutationObserver(() => {
                const now = document.querySelectorAll(selector).length;
                window.__mostChips = Math.max(window.__mostChips, now);
            }).observe(document.body, {childList: true, subtree: true});
        }""",
        f".st-key-{keys.CAMERA_CHIP}",
    )


def _phone_camera_fits_above_the_input(page: Page, lang: Lang) -> None:
    open_camera(page, lang)
    page.screenshot(path=str(SHOTS / f"{lang}-phone-camera-open.png"))
    video = page.locator("video").bounding_box()
    assert video is not None and video["x"] >= 0 and video["x"] + video["width"] <= 390
    take_photo(page, lang)
    count_chips_from_now(page)
    page.get_by_role("button", name=t("camera.close", lang)).tap()
    expect(take_button(page, lang)).to_have_count(0)
    wait_for_settled(page)
    # closing the camera keeps the photo waiting, in the one chip it had all along
    assert page.evaluate("window.__mostChips") == 1
    expect(chip(page)).to_have_count(1)
    expect(chip(page)).to_be_visible()
    page.screenshot(path=str(SHOTS / f"{lang}-phone-photo-waiting.png"))
    box = None
    for _ in range(50):  # the chip may be drawn anew between two looks: look until it is there
        box = chip(page).bounding_box()
        if box is not None:
            break
        page.wait_for_timeout(100)
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_phone_camera_fits_above_the_input(app, new_page, up):
    """On a phone (touch), in Chinese, then in English on the same page (switched, the photo
    removed first so the camera opens as fresh): the camera fits the screen's width, and closing
    it keeps the photo waiting in a chip that fits too."""
    page = new_page(app, locale="zh-CN", **PHONE)
    _phone_camera_fits_above_the_input(page, "zh")
    chip(page).get_by_role("button", name=t("camera.remove", "zh")).tap()
    expect(chip(page)).to_have_count(0)
    wait_for_idle(page)
    switch_language(page, "en")
    _phone_camera_fits_above_the_input(page, "en")


@pytest.fixture(scope="module")
def no_camera_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium as it comes: this machine has no camera, and nobody answers a permission prompt."""
    plain = launch_browser(browser.browser_type)
    yield plain
    plain.close()


def test_without_a_camera_it_says_why_in_the_page_language(app, no_camera_browser):
    """In Chinese, then switched to English with the camera open: why it cannot show, in the
    page's language (no Streamlit English in the Chinese page), and no shutter. Screenshots
    ``zh-desktop-no-camera`` and ``en-desktop-no-camera``."""
    page = open_page(no_camera_browser, app, locale="zh-CN")
    try:
        camera_button(page, "zh").click()
        why = [t(f"camera.{reason}", "zh") for reason in ("denied", "none", "unavailable")]
        reason = re.compile("^(" + "|".join(re.escape(text) for text in why) + ")$")
        expect(page.locator(".kc-msg")).to_have_text(reason, timeout=15_000)
        expect(take_button(page, "zh")).to_be_hidden()
        for english in STREAMLIT_CAMERA_TEXTS:
            expect(page.get_by_text(english)).to_have_count(0)
        page.screenshot(path=str(SHOTS / "zh-desktop-no-camera.png"))
        assert_no_exception(page)
        # the open camera follows a language switch
        switch_language(page, "en")
        english = [t(f"camera.{reason}", "en") for reason in ("denied", "none", "unavailable")]
        reason = re.compile("^(" + "|".join(re.escape(text) for text in english) + ")$")
        expect(page.locator(".kc-msg")).to_have_text(reason)
        expect(page.get_by_role("button", name=t("camera.close", "en"))).to_be_visible()
        expect(take_button(page, "en")).to_be_hidden()
        page.screenshot(path=str(SHOTS / "en-desktop-no-camera.png"))
        assert_no_exception(page)
    finally:
        page.context.close()
