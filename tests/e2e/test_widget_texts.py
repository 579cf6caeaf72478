"""Streamlit's own texts in Chromium: in Chinese, no text or label Streamlit writes itself (the
uploader's "Drag and drop files here", "Upload", "50MB per file", "Press Enter to apply", "Help
for …", "Choose an option", the sidebar's and camera's labels…, every one in
``components.ui.streamlit_texts.WIDGET_TEXTS``) is left in English on the chat, Compare and Batch
pages; in English they are Streamlit's words, also after a switch from Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from components.devtools.browser import assert_no_exception, wait_for_idle
from components.devtools.upstream import sse
from components.i18n import Lang, t
from components.ui.streamlit_texts import WIDGET_TEXTS

PAGES = ("", "compare", "batch")
LOCALES: dict[Lang, str] = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


# Every text and label a visitor (or their screen reader) meets, outside what people and models
# wrote; icons (Material ligatures such as "upload") are pictures, not words.
_SHOWN = """() => {
  const skip = '[data-testid="stIconMaterial"], [data-testid="stChatMessage"], code, pre, '
    + 'textarea, noscript, script, style';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const value = node.nodeValue.trim();
    if (value && node.parentElement && !node.parentElement.closest(skip)) out.push(value);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    if (el.closest(skip)) continue;
    for (const name of ['aria-label', 'placeholder', 'title']) {
      const value = el.getAttribute(name);
      if (value) out.push(value.trim());
    }
  }
  return out;
}"""


def streamlit_english(shown: list[str]) -> list[str]:
    """Return the texts in ``shown`` that are Streamlit's own English words."""
    found = []
    for text in shown:
        for item in WIDGET_TEXTS:
            if re.search(item.english, text) if item.pattern else text == item.english:
                found.append(text)
    return found


def shown_texts(page: Page) -> list[str]:
    wait_for_idle(page)
    return page.evaluate(_SHOWN)


def show_input_instructions(page: Page, lang: Lang) -> None:
    """Type in the sidebar's API key field: Streamlit then says how to apply it."""
    field = page.get_by_test_id("stSidebar").get_by_label(t("sidebar.api_key", lang), exact=True)
    field.fill("sk-typed")
    expect(page.get_by_test_id("InputInstructions").first).to_be_visible()


def test_in_chinese_no_streamlit_text_is_english_on_any_page(app, new_page):
    for path in PAGES:
        page = new_page(app, locale="zh-CN")
        if path:
            page.goto(app.url + path)
        uploader = page.get_by_test_id("stFileUploaderDropzone")
        if path:  # Compare's and Batch's uploaders: the drop zone in Chinese
            expect(uploader.first).to_contain_text(t("widget.per_file", "zh", value="50MB"))
            expect(uploader.first.get_by_test_id("stBaseButton-secondary")).to_have_accessible_name(
                t("widget.upload", "zh")
            )
        show_input_instructions(page, "zh")
        expect(page.get_by_test_id("InputInstructions").first).to_have_text(
            t("widget.enter_apply", "zh")
        )
        shown = shown_texts(page)
        assert streamlit_english(shown) == [], f"/{path}"
        assert t("widget.skip", "zh") in shown  # the screen reader's first words, too
        assert_no_exception(page)


def test_in_english_the_texts_are_streamlits_also_after_a_switch_from_chinese(app, new_page):
    page = new_page(app, locale="en-US")
    page.goto(app.url + "compare")
    wait_for_idle(page)
    uploader = page.get_by_test_id("stFileUploaderDropzone").first
    expect(uploader).to_contain_text("50MB per file")
    expect(uploader.get_by_test_id("stBaseButton-secondary")).to_have_accessible_name("Upload")

    page = new_page(app, locale="zh-CN")
    page.goto(app.url + "compare")
    wait_for_idle(page)
    uploader = page.get_by_test_id("stFileUploaderDropzone").first
    expect(uploader).to_contain_text(t("widget.per_file", "zh", value="50MB"))
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("radio", name="English").click()
    expect(sidebar.get_by_text(t("sidebar.settings", "en"), exact=True)).to_be_visible()
    expect(uploader).to_contain_text("50MB per file")  # Streamlit's own words are back
    expect(uploader.get_by_test_id("stBaseButton-secondary")).to_have_accessible_name("Upload")
    nav = page.get_by_test_id("stSidebarNav")  # the menu too, in the run the click started
    for title in ("nav.chat", "nav.compare", "nav.batch"):
        expect(nav).to_contain_text(t(title, "en"))
    shown = shown_texts(page)
    assert "Skip to main content" in shown
    assert [
        text for text in shown if re.search("[\u4e00-\u9fff]", text) and "per file" in text
    ] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_answer_that_happens_to_match_a_streamlit_text_is_left_alone(app, new_page, up, lang):
    """A model's answer "Upload" (or a question "Close") is theirs, never translated."""
    up.reset()
    up.default = sse(["Upload"])
    page = new_page(app, locale=LOCALES[lang])
    chat = page.get_by_test_id("stChatInput")
    chat.get_by_test_id("stChatInputTextArea").fill("Close")
    send = chat.get_by_test_id("stChatInputSubmitButton")
    expect(send).to_be_enabled()
    send.click()
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.last).to_contain_text("Upload")
    expect(messages.first).to_contain_text("Close")
