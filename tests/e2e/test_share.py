"""Share links in Chromium: a chat with a picture is shared, the link opens in another visitor's
fresh browser with the answer and picture and nothing else (no sidebar, no settings, no key
field), a hostile answer stays inert there, and once revoked the link says it is not found. The
token is long and random and never reaches the server's log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from components.devtools.browser import (
    App,
    assert_no_exception,
    attach_files,
    console_errors,
    send_prompt,
    shots_dir,
    wait_for_idle,
    wait_for_settled,
)
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.ui.share import TOKEN_PARAM

SHOTS = shots_dir("share")
USAGE = {"prompt_tokens": 1200, "completion_tokens": 30, "total_tokens": 1230}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture
def tracker() -> Iterator[FakeUpstream]:
    """A server standing in for an attacker's: it records every request it gets."""
    with FakeUpstream() as fake:
        yield fake


def _share(page: Page, lang: str) -> str:
    """Share the page's chat from the conversation tools; return the link the dialog shows."""
    # A run after the answer (the browser store's report, a problem it met) can follow an idle
    # page; a click on Share during such a run was lost once on a busy CI.
    wait_for_settled(page)
    page.get_by_test_id("stSidebar").get_by_text(t("tools.title", lang)).click()
    page.get_by_role("button", name=t("share.button", lang)).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(t("share.dialog_title", lang))
    link = dialog.get_by_test_id("stCode").inner_text().strip()
    page.screenshot(path=SHOTS / f"dialog-{lang}.png")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    return link


def test_a_shared_chat_opens_read_only_for_another_visitor_until_revoked(
    app: App, new_page, up, tracker
):
    lang = "en"
    hostile = f"An orange cat. ![t]({tracker.origin}/pixel.png) <img src={tracker.origin}/x.png>"
    up.enqueue(sse([hostile], usage=USAGE))
    owner = new_page(app, locale="en-US", viewport=(1440, 900))
    attach_files(
        owner, {"name": "cat.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(320, 240)}
    )
    send_prompt(owner, "What is in this photo?")
    answer = owner.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("An orange cat.")
    wait_for_idle(owner)

    link = _share(owner, lang)
    token = link.split(f"{TOKEN_PARAM}=", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token)  # 24 random bytes: 192 bits
    assert link.startswith(app.url) and "/shared?" in link

    visitor = new_page(app, locale="en-US", viewport=(1440, 900), path=link[len(app.url) :])
    messages = visitor.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(2)
    expect(messages.first).to_contain_text("What is in this photo?")
    expect(messages.first.get_by_test_id("stImage")).to_have_count(1)  # the picture as sent
    expect(messages.last).to_contain_text("An orange cat.")
    expect(messages.last).to_contain_text("gpt-4o-mini")  # the model and cost line
    # read-only: no sidebar, no settings, no key field, no chat input
    expect(visitor.get_by_test_id("stSidebar")).to_have_count(0)
    expect(visitor.locator("input, textarea")).to_have_count(0)
    expect(visitor.get_by_test_id("stChatInput")).to_have_count(0)
    # the hostile answer is inert: its addresses show as text, nothing is loaded
    expect(messages.last).to_contain_text(f"{tracker.origin}/pixel.png")
    visitor.wait_for_load_state("networkidle")
    expect(visitor.locator(f'img[src*="127.0.0.1:{tracker.port}"]')).to_have_count(0)
    assert tracker.requests == []
    visitor.screenshot(path=SHOTS / f"page-{lang}.png", full_page=True)
    assert_no_exception(visitor)
    # Streamlit's frontend first probes <page>/_stcore/health on any deep link (/admin too): 404s
    assert [e for e in console_errors(visitor) if "404 (Not Found)" not in e] == []

    sidebar = owner.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text(t("share.links_title", lang))
    sidebar.get_by_role("button", name=t("share.revoke", lang)).click()
    expect(sidebar).to_contain_text(t("share.state_revoked", lang))
    visitor.reload()
    wait_for_idle(visitor)
    expect(visitor.get_by_test_id("stAlert")).to_contain_text(t("history.share_not_found", lang))
    expect(visitor.get_by_test_id("stChatMessage")).to_have_count(0)
    assert token not in app.logs()


def test_an_unknown_link_says_so_in_the_browsers_language(app: App, new_page):
    page = new_page(app, locale="zh-CN", path=f"shared?{TOKEN_PARAM}=" + "A" * 32)
    expect(page.get_by_test_id("stAlert")).to_contain_text(t("history.share_not_found", "zh"))
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    assert_no_exception(page)


def test_a_link_opened_first_on_a_fresh_server_shows_the_shared_page_alone(start_app, new_page):
    fresh = start_app()  # its first request names the page: the old multipage mode hands over
    page = new_page(fresh, locale="en-US", path=f"shared?{TOKEN_PARAM}=" + "B" * 32)
    expect(page.get_by_test_id("stAlert")).to_contain_text(t("history.share_not_found", "en"))
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    assert_no_exception(page)
