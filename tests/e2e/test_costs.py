"""Money and the conversation tools in a real browser: a chat exported as JSON and imported back,
the cost figures (held message, billed cost with its flag, the sidebar's cost section).

The cost figures are looked at in zh and en, on a desktop and a phone, in one chat on one page
(resized, the language switched). Screenshots go to ``$KANTU_SHOTS/costs/`` (``shots_dir``; zh
and en, desktop 1280×900 and phone 390×844).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    assert_no_exception,
    attach_files,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_idle,
    wait_for_settled,
)
from components.devtools.upstream import FakeUpstream, bill_per_picture, sse
from components.i18n import Lang, t

SHOTS = shots_dir("costs")
PHONE = (390, 844)
DESKTOP = (1280, 900)
LOCALES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(scope="module")
def app_secrets_toml() -> str:
    return '[KANTU_PRICES]\n"gpt-4o-mini" = { input = 1.0, output = 4.0, currency = "CNY" }\n'


def _photo(name: str = "photo.jpg") -> FilePayload:
    return {"name": name, "mimeType": "image/jpeg", "buffer": make.photo_jpeg(800, 600)}


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def _sidebar(page: Page) -> Locator:
    """Open the sidebar if it is closed; return it, on screen. Right after a resize it may still
    be closing (a desktop remembers the phone's "closed"): it is looked at again then."""
    sidebar = page.get_by_test_id("stSidebar")
    expand = page.get_by_test_id("stExpandSidebarButton")
    for _ in range(3):
        if expand.is_visible():
            expand.click()
        try:
            expect(sidebar).to_be_in_viewport(timeout=3000)
            return sidebar
        except AssertionError:
            continue
    expect(sidebar).to_be_in_viewport()
    return sidebar


def _open_section(page: Page, title: str) -> Locator:
    """Open the sidebar expander called ``title`` once the page has settled (a rerun still
    drawing would replace the buttons inside under the click); return it."""
    wait_for_settled(page)
    section = (
        _sidebar(page)
        .get_by_test_id("stExpander")
        .filter(
            has=page.locator("summary").get_by_text(
                title, exact=True
            )  # not "对话记录" (saved chats)
        )
    )
    details = section.get_by_test_id("stExpanderDetails")
    if not details.is_visible():
        section.locator("summary").click()
    expect(details).to_be_visible()
    return section


def _ask(page: Page, question: str, answer: str) -> None:
    attach_files(page, _photo())
    send_prompt(page, question)
    expect(page.get_by_text(answer, exact=True)).to_be_visible()
    wait_for_idle(page)
    assert_no_exception(page)


def test_export_then_import_gives_back_the_same_chat(app, new_page, up: FakeUpstream, tmp_path):
    up.default = sse(["一只橙色的盒子。"], usage={"prompt_tokens": 800, "completion_tokens": 9})
    page = new_page(app)
    _ask(page, "这是什么？", "一只橙色的盒子。")
    tools = _open_section(page, t("tools.title", "zh"))
    with page.expect_download() as first:
        tools.get_by_role("button", name=t("transfer.export_json", "zh")).click()
    exported = tmp_path / "chat.json"
    first.value.save_as(exported)
    wait_for_idle(page)
    _shot(page, "tools-open-zh-desktop.png")

    page.locator(".st-key-kantu_new_chat button").click()
    wait_for_idle(page)
    expect(page.get_by_text("一只橙色的盒子。")).to_have_count(0)

    tools = _open_section(page, t("tools.title", "zh"))
    tools.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(exported)
    expect(page.get_by_text(t("transfer.imported", "zh", entries=2, pictures=1))).to_be_visible()
    wait_for_idle(page)
    assert_no_exception(page)
    expect(page.get_by_test_id("stChatMessage").get_by_text("这是什么？")).to_be_visible()
    expect(page.get_by_text("一只橙色的盒子。")).to_be_visible()
    thumbs = page.get_by_test_id("stChatMessage").first.locator('[data-testid="stImage"] img')
    expect(thumbs).to_have_count(1)
    _shot(page, "imported-zh-desktop.png")

    # Exported again, the chat is the same document: same entries, byte-identical pictures.
    tools = _open_section(page, t("tools.title", "zh"))
    with page.expect_download() as second:
        tools.get_by_role("button", name=t("transfer.export_json", "zh")).click()
    again = tmp_path / "again.json"
    second.value.save_as(again)
    before, after = json.loads(exported.read_bytes()), json.loads(again.read_bytes())
    assert after["pictures"] == before["pictures"] and len(after["pictures"]) == 1
    assert [e["text"] for e in after["entries"]] == [e["text"] for e in before["entries"]]


def test_hostile_import_says_so_and_changes_nothing(app, new_page, up: FakeUpstream, tmp_path):
    up.default = sse(["好的。"])
    page = new_page(app, locale="en-US")
    _ask(page, "What is it?", "好的。")
    bad = tmp_path / "bad.json"
    bad.write_text('{"kantu": "conversation", "version": 1, "entries": "x"}')
    tools = _open_section(page, t("tools.title", "en"))
    tools.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(bad)
    expect(_sidebar(page).get_by_test_id("stAlertContentError")).to_be_visible()
    wait_for_idle(page)
    expect(
        page.get_by_test_id("stChatMessage").get_by_text("What is it?")
    ).to_be_visible()  # not the chat list's title
    expect(page.get_by_text("好的。")).to_be_visible()


class Views:
    """The four ways one page is looked at, zh and en on a desktop and a phone: ``each`` visits
    them in turn (the page resized, the language switched: no new page), starting where the last
    visit ended so that each step changes one thing."""

    def __init__(self, page: Page, lang: Lang, where: str) -> None:
        self.page, self.lang, self.where = page, lang, where

    def go(self, lang: Lang, where: str) -> None:
        if where != self.where:
            width, height = DESKTOP if where == "desktop" else PHONE
            self.page.set_viewport_size({"width": width, "height": height})
            wait_for_idle(self.page)
            self.page.wait_for_timeout(400)  # the sidebar's transition
            self.where = where
        if lang != self.lang:
            switch_language(self.page, lang)
            self.lang = lang

    def each(self) -> Iterator[tuple[Lang, str]]:
        other_lang: Lang = "en" if self.lang == "zh" else "zh"
        other_where = "phone" if self.where == "desktop" else "desktop"
        start = (self.lang, self.where)
        for lang, where in (
            start,
            (start[0], other_where),
            (other_lang, other_where),
            (other_lang, start[1]),
        ):
            self.go(lang, where)
            yield lang, where


def _close_sidebar_on_a_phone(page: Page, where: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    if where == "phone" and sidebar.get_attribute("aria-expanded") != "false":
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible()


def test_cost_figures_before_and_after_sending(app, new_page, up: FakeUpstream):
    """One chat on one page, each figure looked at in zh and en, on a desktop and a phone: the
    billed cost and its flag on the answer, the next message's estimate; the sidebar's cost
    section (conversation total, calibration, the limit field showing 0.0001 as typed); the held
    message with its estimate, then sent as is; the tools section (screenshots of each)."""
    up.default = sse(["你好"])  # with a bill set, the upstream answers "你好"
    up.bill = bill_per_picture(1000)  # bills pictures far below gpt-4o-mini's rule: a flag
    page = new_page(app, locale=LOCALES["zh"], viewport=DESKTOP)
    views = Views(page, "zh", "desktop")
    try:
        _ask(page, "这是什么？", "你好")
    finally:
        up.bill = None
    answer = page.get_by_test_id("stChatMessage").nth(1)
    for lang, where in views.each():
        expect(
            answer.get_by_text(t("money.billed", lang, cost="¥0.0010"), exact=False)
        ).to_be_visible()
        expect(answer.get_by_text("📏", exact=False)).to_be_visible()
        expect(page.get_by_text(t("costs.next", lang, line=""), exact=False)).to_be_visible()
        _shot(page, f"answer-{lang}-{where}.png")

    for lang, where in views.each():
        costs = _open_section(page, t("costs.title", lang))
        expect(
            _sidebar(page).get_by_text(t("money.conversation_total", lang, cost="¥0.0010"))
        ).to_be_visible()
        calibrated = t("money.calibrated_one", lang, factor="F").split("F")[0]
        expect(costs.get_by_text(calibrated, exact=False)).to_be_visible()
        field = costs.get_by_role("spinbutton", name=t("costs.confirm_above", lang, sign="¥"))
        field.fill("0.0001")
        field.press("Enter")
        wait_for_idle(page)
        expect(field).to_have_value("0.0001")  # shown as typed, not rounded to 0
        costs.get_by_text(calibrated, exact=False).scroll_into_view_if_needed()
        _shot(page, f"sidebar-costs-{lang}-{where}.png")
        _close_sidebar_on_a_phone(page, where)

    attach_files(page, _photo("second.jpg"))
    send_prompt(page, "这个呢？" if views.lang == "zh" else "And this?")
    wait_for_idle(page)
    box = page.locator(".st-key-kantu_pending_box")
    for lang, where in views.each():
        expect(box.get_by_text(t("costs.held_title", lang))).to_be_visible()
        expect(box.get_by_text(re.compile(r"≈ ¥0\.\d+"))).to_be_visible()
        box.scroll_into_view_if_needed()
        _shot(page, f"held-{lang}-{where}.png")
    requests = len(up.requests)
    box.locator(".st-key-kantu_send_as_is button").click()
    expect(box).to_have_count(0)
    up.wait_for_requests(requests + 1)
    wait_for_idle(page)
    assert_no_exception(page)

    for lang, where in views.each():
        tools = _open_section(page, t("tools.title", lang))
        tools.get_by_role(
            "button", name=t("transfer.export_json", lang)
        ).scroll_into_view_if_needed()
        _shot(page, f"tools-{lang}-{where}.png")
