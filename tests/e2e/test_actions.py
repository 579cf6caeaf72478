"""The first answer and the buttons under answers, in Chromium: the welcome leaves at once, a
thinking mark shows until the first word, Stop works before it, Copy puts the Markdown on the
clipboard, and the icon buttons have names and tooltips in both languages."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    POLL_MS,
    assert_no_exception,
    console_errors,
    send_prompt,
    stop_button,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, gated, sse
from components.i18n import t
from components.ui import state_keys as keys

LOCALES = {"zh": "zh-CN", "en": "en-US"}
# Copied as given, whatever it holds: markup that HTML sanitisers take for an attack, emoji.
MARKDOWN = (
    "**橙子** 是 `orange`：\n\n- 圆的\n- 橙色\n\n```html\n<!-- 注释 --> </style> ]]>\n```\n"
    "🍊 \"引号\" & 'x' 100% %3C\r\nend"
)


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    """Save a screenshot where the screenshot reviewer looks (KANTU_SHOTS), else in tmp_path."""
    folder = Path(os.environ.get("KANTU_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def new_chat_in(page: Page, lang: str) -> None:
    """Switch the page to ``lang`` and start a new chat from the sidebar (its welcome back, no
    message): the same page then goes through the first answer again in that language."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():  # (closed after a phone size): open, as on a desktop's first load
        expand.click()
    switch_language(page, lang)
    page.locator(f".st-key-{keys.NEW_CHAT} button").click()
    expect(page.get_by_test_id("stChatMessage")).to_have_count(0)
    wait_for_idle(page)


def test_before_the_first_word_the_welcome_is_gone_a_thinking_mark_shows_and_stop_works(
    app, new_page, up: FakeUpstream, tmp_path
):
    """In Chinese on a fresh page, then in English on the same page after a new chat: the
    welcome leaves at once, the thinking mark (its words in the page's language, its dots
    stepping) shows until the first word and no action button does, Stop stops, and the next
    question is answered."""
    page = new_page(app, locale=LOCALES["zh"])
    for lang in ("zh", "en"):
        if lang == "en":
            new_chat_in(page, "en")
        welcome = page.get_by_text(t("layout.heading", lang))
        expect(welcome).to_be_visible()
        up.reset()
        gate = threading.Event()
        up.enqueue(gated(sse(["太晚了"]), gate, keep=0), sse(["红色。"]))
        try:
            send_prompt(page, "这是什么？")
            up.wait_for_requests(1)  # with the provider, which says nothing yet
            answer = page.get_by_test_id("stChatMessage").last
            thinking = answer.locator(".kantu-thinking")
            expect(thinking).to_be_visible()
            expect(thinking).to_contain_text(t("chat.thinking", lang))
            expect(thinking.get_by_role("status")).to_have_count(0)  # the mark itself is the status
            assert _frames_seen(thinking.locator(".dots")) > 1  # the dots step while it waits
            expect(welcome).to_have_count(0)  # gone, not greyed out under the answer
            # No action button shows while the answer is coming (the question's is drawn, hidden
            # until the answer ends: it then needs no run of its own).
            delete = page.get_by_role("button", name=t("actions.delete", lang))
            expect(delete.filter(visible=True)).to_have_count(0)
            _shot(page, f"thinking_{lang}_desktop", tmp_path)
            stop_button(page, t("chat.stop", lang)).click()
            expect(answer.get_by_text(t("chat.status_stopped_empty", lang))).to_be_visible()
        finally:
            gate.set()
        wait_for_idle(page)
        expect(page.locator(".kantu-thinking")).to_have_count(0)
        expect(page.locator(CHAT_INPUT_SELECTOR).locator("textarea")).to_be_enabled()
        send_prompt(page, "什么颜色？")
        expect(page.get_by_test_id("stChatMessage").last).to_contain_text("红色。")
        wait_for_idle(page)
        assert_no_exception(page)
        assert console_errors(page) == []


def _answered_in_markdown(page: Page, up: FakeUpstream, question: str) -> Locator:
    """Ask ``question``, answered with ``MARKDOWN``; return the answer once the page is idle."""
    up.reset()
    up.enqueue(sse([MARKDOWN[:10], MARKDOWN[10:]]))
    send_prompt(page, question)
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("圆的")
    wait_for_idle(page)
    return answer


def _copies_the_markdown(page: Page, copy: Locator, answer: Locator, lang: str) -> None:
    """Click ``copy``: the answer says it is copied, and the clipboard holds ``MARKDOWN``."""
    copy.click()
    expect(answer.get_by_role("status")).to_have_text(t("actions.copied", lang))
    assert page.evaluate("navigator.clipboard.readText()") == MARKDOWN


def test_copy_puts_the_answer_markdown_on_the_clipboard(app, new_page, up, tmp_path):
    """In Chinese, then in English on the same page after a new chat (the clipboard emptied
    between): Copy's name and tooltip, the Markdown on the clipboard, the icon buttons' names,
    and on a phone, Edit puts the question back in the input and its new answer replaces the
    old one."""
    page = new_page(app, locale=LOCALES["zh"], permissions=["clipboard-read", "clipboard-write"])
    for lang in ("zh", "en"):
        if lang == "en":
            page.set_viewport_size({"width": 1280, "height": 900})
            page.wait_for_timeout(400)  # the sidebar and columns re-flow with a transition
            new_chat_in(page, "en")
            page.evaluate("navigator.clipboard.writeText('')")
        answer = _answered_in_markdown(page, up, "橙子？")
        copy = answer.get_by_role("button", name=t("actions.copy", lang))
        expect(copy).to_be_visible()
        expect(copy).to_have_attribute("title", t("actions.copy_help", lang))
        _copies_the_markdown(page, copy, answer, lang)
        # The other icon buttons: named for screen readers, icons only on screen.
        for name in ("regenerate", "delete"):
            button = answer.get_by_role("button", name=t(f"actions.{name}", lang))
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box is not None and box["width"] < 48, box  # an icon, not a labelled button
        question = page.get_by_test_id("stChatMessage").first
        expect(question.get_by_role("button", name=t("actions.edit", lang))).to_be_visible()
        _shot(page, f"actions_{lang}_desktop", tmp_path)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function(  # the sidebar slides away on a phone; shoot once it has
            "() => document.querySelector('[data-testid=stSidebar]')"
            ".getBoundingClientRect().right <= 0",
            polling=POLL_MS,
        )
        _shot(page, f"actions_{lang}_phone", tmp_path)
        question.get_by_role("button", name=t("actions.edit", lang)).click()
        wait_for_idle(page)
        textarea = page.locator(CHAT_INPUT_SELECTOR).locator("textarea")
        expect(textarea).to_have_value("橙子？")
        expect(page.get_by_text(t("actions.editing", lang))).to_be_visible()
        _shot(page, f"editing_{lang}_phone", tmp_path)
        up.enqueue(sse(["橙色。"]))
        send_prompt(page, "橙子是什么颜色？")
        messages = page.get_by_test_id("stChatMessage")
        expect(messages.last).to_contain_text("橙色。")
        wait_for_idle(page)
        expect(messages).to_have_count(2)  # the edited question replaced the old one and its answer
        expect(messages.first).to_contain_text("橙子是什么颜色？")
        expect(page.get_by_text(t("actions.editing", lang))).to_have_count(0)
        assert [m["content"] for m in up.requests[-1].json["messages"]] == ["橙子是什么颜色？"]
        assert_no_exception(page)
        assert console_errors(page) == []


def test_copy_names_an_answer_the_page_has_and_still_copies_it_after_a_reload(app, new_page, up):
    """The answer's button row does not carry the answer a second time once the browser store
    was handed it: Copy names it and takes it from the page. After a reload (a new session, the
    chat restored from the browser) the page has read it from its database: the restored
    answer's Copy names it too, and copies it exactly."""
    page = new_page(app, locale=LOCALES["en"], permissions=["clipboard-read", "clipboard-write"])
    answer = _answered_in_markdown(page, up, "Oranges?")
    copy = answer.get_by_role("button", name=t("actions.copy", "en"))
    expect(copy).to_have_attribute("data-index", "1")
    expect(page.locator("button[data-markdown]")).to_have_count(0)
    _copies_the_markdown(page, copy, answer, "en")

    page.evaluate("navigator.clipboard.writeText('')")
    page.reload()
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("圆的")
    wait_for_idle(page)
    copy = answer.get_by_role("button", name=t("actions.copy", "en"))
    expect(copy).to_have_attribute("data-index", "1")
    expect(page.locator("button[data-markdown]")).to_have_count(0)
    _copies_the_markdown(page, copy, answer, "en")
    assert_no_exception(page)
    assert console_errors(page) == []


def _frames_seen(dots: Locator, shots: int = 5) -> int:
    """Return how many different pictures of ``dots`` ``shots`` screenshots over about 1.6 s
    (four of the dots' 400 ms steps) caught."""
    seen = set()
    for _ in range(shots):
        seen.add(dots.screenshot(animations="allow"))
        time.sleep(0.4)
    return len(seen)


def test_with_reduced_motion_the_thinking_dots_stand_still(app, new_page, up: FakeUpstream):
    page = new_page(app, reduced_motion="reduce")
    up.reset()
    gate = threading.Event()
    up.enqueue(gated(sse(["好。"]), gate, keep=0))
    try:
        send_prompt(page, "这是什么？")
        up.wait_for_requests(1)
        dots = page.get_by_test_id("stChatMessage").last.locator(".kantu-thinking .dots")
        expect(dots).to_be_visible()
        assert _frames_seen(dots) == 1
    finally:
        gate.set()
    expect(page.get_by_text("好。")).to_be_visible()
