"""Drop and paste anywhere on the chat page: a picture dropped on the conversation, or pasted
with the focus on the page, waits in the chat input with its chip and goes with the next
question; while files are dragged over the page an overlay says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import FilePayload, Page, expect

from components.devtools import image_factory
from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    assert_no_exception,
    console_errors,
    drag_files_over,
    drop_files,
    paste_files,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t

OVERLAY = '[data-testid="kantuDropOverlay"]'
PHONE = (390, 844)


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def photo(name: str = "photo.png") -> FilePayload:
    png = image_factory.encode(image_factory.photo(320, 240, noise=False), "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": png}


def chips(page: Page):
    return page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stFileChip")


def sent_pictures(up: FakeUpstream) -> int:
    """Return how many pictures the last request's question carried."""
    parts = up.requests[-1].json["messages"][-1]["content"]
    return sum(1 for part in parts if isinstance(part, dict) and part.get("type") == "image_url")


def ask_first(page: Page, up: FakeUpstream, lang: str) -> None:
    """Have a conversation on the page: a question without a picture, answered."""
    up.enqueue(sse(["你好" if lang == "zh" else "Hello"]))
    send_prompt(page, "你好" if lang == "zh" else "Hello")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    wait_for_idle(page)


def test_a_picture_dropped_on_the_conversation_goes_with_the_next_question(app, new_page, up):
    """On a wide desktop in Chinese, then on a phone in English (switched on the same page): the
    overlay shows, in the page's language, while a picture is dragged over the conversation; the
    dropped picture waits in the input with its chip and goes with the next question, alone."""
    up.reset()
    page = new_page(app, locale="zh-CN", viewport=(1440, 900))
    ask_first(page, up, "zh")
    for lang, viewport in (("zh", (1440, 900)), ("en", PHONE)):
        if lang == "en":
            page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
            page.wait_for_timeout(400)  # the sidebar and columns re-flow with a transition
            switch_language(page, "en")
        asked = len(up.requests)
        conversation = page.get_by_test_id("stChatMessage").first
        overlay = page.locator(OVERLAY)
        expect(overlay).to_be_hidden()

        drag_files_over(conversation, [photo()])
        expect(overlay).to_be_visible()
        expect(overlay).to_have_text(t("chat.drop_overlay", lang))
        page.screenshot(path=shots_dir("drop-anywhere") / f"dragging-{lang}-{viewport[0]}.png")

        drop_files(conversation, [photo()])
        expect(overlay).to_be_hidden()
        expect(chips(page)).to_have_count(1)
        chat = page.locator(CHAT_INPUT_SELECTOR)
        expect(chat.get_by_test_id("stFileChipIconError")).to_have_count(0)
        expect(chips(page)).to_contain_text("photo.png")
        page.screenshot(path=shots_dir("drop-anywhere") / f"dropped-{lang}-{viewport[0]}.png")

        up.enqueue(sse(["一张渐变图" if lang == "zh" else "A gradient"]))
        send_prompt(page, "这是什么？" if lang == "zh" else "What is this?")
        expect(page.get_by_test_id("stChatMessage").last).to_contain_text(
            "一张渐变图" if lang == "zh" else "A gradient"
        )
        assert len(up.requests) == asked + 1
        assert sent_pictures(up) == 1
        wait_for_idle(page)
        expect(chips(page)).to_have_count(0)  # (sent: the next drop starts from none)
        assert_no_exception(page)
        assert console_errors(page) == []


def test_a_picture_pasted_with_the_focus_on_the_page_goes_with_the_next_question(app, new_page, up):
    up.reset()
    page = new_page(app, locale="zh-CN")
    page.get_by_role("heading").first.click()  # the focus on the page, in no field
    assert page.evaluate("document.activeElement === document.body")
    paste_files(page.locator("body"), [photo("pasted.png")])
    expect(chips(page)).to_have_count(1)
    expect(chips(page)).to_contain_text("pasted.png")
    up.enqueue(sse(["收到图片"]))
    send_prompt(page, "看看这张")
    expect(page.get_by_test_id("stChatMessage").last).to_contain_text("收到图片")
    assert sent_pictures(up) == 1
    assert_no_exception(page)


def test_a_paste_into_another_text_field_is_left_alone(app, new_page):
    page = new_page(app, locale="zh-CN")
    field = page.get_by_role("textbox", name=t("sidebar.api_key", "zh"))
    field.focus()
    paste_files(field, [photo("pasted.png")])
    wait_for_idle(page)
    expect(chips(page)).to_have_count(0)


def test_a_drop_on_the_input_itself_is_added_once(app, new_page):
    page = new_page(app, locale="zh-CN")
    textarea = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    drop_files(textarea, [photo("on-input.png")])
    expect(chips(page)).to_have_count(1)
    wait_for_idle(page)
    expect(chips(page)).to_have_count(1)


def test_a_file_that_is_not_a_picture_is_refused_as_the_input_refuses_it(app, new_page):
    page = new_page(app, locale="en-US")
    text_file: FilePayload = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}
    drop_files(page.get_by_role("heading").first, [text_file])
    chat = page.locator(CHAT_INPUT_SELECTOR)
    expect(chat.get_by_test_id("stFileChipIconError")).to_have_count(1)


def test_other_pages_keep_their_own_drops(app, new_page):
    page = new_page(app, locale="en-US")
    expect(page.locator(OVERLAY)).to_have_count(1)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.compare", "en")).click()
    wait_for_idle(page)
    expect(page.locator(OVERLAY)).to_have_count(0)  # the chat page's target is gone with it
    assert page.evaluate("window.__kantuDrop") is None
