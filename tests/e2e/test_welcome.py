"""The first visit with no key (the offline text reader): the welcome is read from the top on a
phone and a desktop, offers only what a text reader can do, and its sample picture is answered
in one click; the key guide is in the visitor's language, with the sign-up page for English
visitors. A chat with entries still follows its end."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from components.devtools import text_pictures as tp
from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    shots_dir,
    switch_language,
    wait_for_animations,
    wait_for_idle,
)
from components.i18n import Lang, t
from components.ocr import engine
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS
from components.ui.welcome import EXAMPLES, READER_EXAMPLES, SAMPLE_QUESTION
from tests.conftest import ROOT
from tests.test_ocr import NO_NETWORK

pytestmark = pytest.mark.skipif(
    not engine.reader_status().available, reason="the OCR packages are not installed"
)
NO_KEYS = {name: "" for name in ("KANTU_API_KEY", "OPENAI_API_KEY", "KANTU_BASE_URL")}
PHONE = (390, 844)
DESKTOP = (1440, 900)
# Streamlit makes the page stick to its end (following a conversation) with this container.
FOLLOWING = '[data-testid="stAppScrollToBottomContainer"]'


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    hooks = tmp_path_factory.mktemp("no-network")
    (hooks / "sitecustomize.py").write_text(NO_NETWORK)
    return {**NO_KEYS, "PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)])}


def assert_at_the_top(page: Page, lang: str) -> None:
    """The page has not moved: the title is on screen, nothing is scrolled, and nothing will
    pull it to the end as the page settles."""
    title = page.get_by_role("heading", name=t("layout.heading", lang))
    wait_for_idle(page)  # the page has settled: every late element (the input, the sidebar) drawn
    for _ in range(2):  # and stays where it is (Streamlit sticks a chat page to its end)
        expect(title).to_be_in_viewport(ratio=1.0)
        box = title.bounding_box()
        assert box is not None and 0 <= box["y"] < 200, box
        scrolled = page.evaluate(
            "Math.max(window.scrollY, ...[...document.querySelectorAll('*')].map((e) => e.scrollTop))"
        )
        assert scrolled == 0
        page.wait_for_timeout(500)


def welcome_offers_what_a_reader_can_do(page: Page, lang: Lang, width: int) -> None:
    main = page.get_by_test_id("stMainBlockContainer")
    for key in READER_EXAMPLES:  # only what a text reader can do
        expect(main.get_by_role("button", name=t(key, lang), exact=True)).to_be_visible()
    for key in EXAMPLES:
        expect(main.get_by_role("button", name=t(key, lang), exact=True)).to_have_count(0)
    expect(main.get_by_role("img", name=t("welcome.sample_alt", lang))).to_be_visible()
    page.screenshot(path=shots_dir("welcome") / f"welcome-{lang}-{width}.png")


def the_sample_is_answered(page: Page, lang: Lang, width: int, *, tap: bool) -> None:
    main = page.get_by_test_id("stMainBlockContainer")
    sample = main.get_by_role("button", name=t("welcome.sample_try", lang, question=""))
    (sample.tap if tap else sample.click)()
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("rapidocr-pp-ocrv6", timeout=60_000)  # the quiet meta line
    for line in tp.RECEIPT:
        expect(answer).to_contain_text(line)
    expect(page.get_by_test_id("stChatMessage").first).to_contain_text(t(SAMPLE_QUESTION, lang))
    # A chat with entries follows its end again: the answer's last line is on screen.
    expect(page.locator(FOLLOWING)).to_have_count(1)
    expect(answer.get_by_text(tp.RECEIPT[-1])).to_be_in_viewport()
    assert_no_exception(page)
    assert console_errors(page) == []
    page.screenshot(path=shots_dir("welcome") / f"sample-{lang}-{width}.png")


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_the_welcome_starts_at_the_top_and_its_sample_is_answered_without_a_key(
    app, new_page, locale, lang
):
    """On a phone (touch), opened in the browser's language: at the top, the reader's offers,
    the sample answered with a tap. (The desktop's cases are in the test that follows.)"""
    page = new_page(app, locale=locale, viewport=PHONE, is_mobile=True, has_touch=True)
    assert_at_the_top(page, lang)
    welcome_offers_what_a_reader_can_do(page, lang, PHONE[0])
    the_sample_is_answered(page, lang, PHONE[0], tap=True)


def test_on_a_desktop_english_visitors_get_the_sign_up_page_and_both_languages_the_sample(
    app, new_page
):
    """A desktop opened in English: the welcome starts at the top and offers only what a reader
    can do; the key guide leads to the sign-up page, not WeChat; the sample is answered. Then a
    new chat in Chinese (the sidebar's switch): the same welcome, at the top, and the sample
    asked and answered in Chinese."""
    page = new_page(app, locale="en-US", viewport=DESKTOP)
    assert_at_the_top(page, "en")
    welcome_offers_what_a_reader_can_do(page, "en", DESKTOP[0])
    english_visitors_get_the_sign_up_page_not_a_wechat_guide(page)
    the_sample_is_answered(page, "en", DESKTOP[0], tap=False)

    page.get_by_test_id("stSidebar").locator(".st-key-kantu_new_chat button").click()
    wait_for_idle(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(0)
    switch_language(page, "zh")
    assert_at_the_top(page, "zh")
    welcome_offers_what_a_reader_can_do(page, "zh", DESKTOP[0])
    the_sample_is_answered(page, "zh", DESKTOP[0], tap=False)


def english_visitors_get_the_sign_up_page_not_a_wechat_guide(page: Page) -> None:
    preset = PRESETS[DEFAULT_PRESET_ID]
    guide = page.get_by_test_id("stExpander").filter(
        has_text=t("chat.get_key", "en", provider=preset.name("en"))
    )
    guide.locator("summary").click()
    body = guide.get_by_test_id("stExpanderDetails")
    expect(body).to_contain_text("Sign up at https://yewu.bcwhkj.cn")
    text = body.inner_text()
    assert text.index("Sign up") < text.index("WeChat")  # the website first, WeChat an option
    assert "公众号" not in text  # no Chinese-only instructions
    link = body.get_by_role("link", name=t("chat.open_signup", "en", provider=preset.name("en")))
    expect(link).to_have_attribute("href", preset.key_url)
    expect(page.get_by_text(t("welcome.other_providers", "en"))).to_be_visible()
    wait_for_animations(page)  # the expander has opened
    link.scroll_into_view_if_needed()
    page.screenshot(path=shots_dir("welcome") / "key-guide-en-1440.png")
