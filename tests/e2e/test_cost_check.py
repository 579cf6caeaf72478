"""The cost check in a real browser (issue 21 point 2): a message above the operator's limit
(``KANTU_HOLD_ABOVE``) waits in a card that names the limit, with Send highlighted and a
"change" that opens the sidebar's field where the limit is set.

One page covers zh and en on a desktop and a phone: the language is switched while the card is
held (the card is redrawn in the other language), and the page narrowed for the second message.
Last, a question sent while a card waits shows at once as sent (the waiting card is not its own).

Screenshots go to ``$KANTU_SHOTS/cost-check/`` (``shots_dir``; zh and en, desktop 1440×900 and
phone 390×844).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from components.costs.prices import format_money
from components.devtools import image_factory as make
from components.devtools.browser import (
    HeldOnTheWay,
    assert_no_exception,
    attach_files,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import Lang, t
from tests.e2e.test_reading import CLICK_DARK
from tests.e2e.test_theme import expect_dark

SHOTS = shots_dir("cost-check")
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
LIMIT = 0.002
FOLLOW_UP = "只问文字：这张图多少钱？"
SEND_AS_IS = "kantu_send_as_is"  # the held card's Send (its key)


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(scope="module")
def app_secrets_toml() -> str:
    return (
        f'KANTU_HOLD_ABOVE = "¥{LIMIT}"\n'
        '[KANTU_PRICES]\n"gpt-4o-mini" = { input = 1.0, output = 4.0, currency = "CNY" }\n'
    )


def _photo() -> FilePayload:
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make.photo_jpeg(800, 600)}


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / name))


def _held_card_and_change(page: Page, lang: Lang, where: str, up: FakeUpstream) -> Locator:
    """The held card names the limit, is not drawn as sent, highlights Send; "change" focuses the
    sidebar's limit field with nothing sent. Return the card's Send button."""
    box = page.locator(".st-key-kantu_pending_box")
    limit = t("costs.above_limit", lang, limit=format_money(LIMIT, "CNY"))
    expect(box.get_by_text(limit)).to_be_visible()
    expect(page.get_by_test_id("kantuEcho")).to_have_count(0)  # the card, not a sent question
    send = box.locator(".st-key-kantu_send_as_is button")
    expect(send).to_have_attribute("data-testid", "stBaseButton-primary")  # the highlighted one
    box.scroll_into_view_if_needed()
    _shot(page, f"held-{lang}-{where}.png")
    requests = len(up.requests)

    box.get_by_role("button", name=t("costs.change_limit", lang)).click()
    field = page.get_by_test_id("stSidebar").get_by_role(
        "spinbutton", name=t("costs.confirm_above", lang, sign="¥")
    )
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    _shot(page, f"change-{lang}-{where}.png")
    assert len(up.requests) == requests  # nothing sent meanwhile

    if where == "phone":  # the sidebar covers the page on a phone
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    return send


def test_held_card_names_the_limit_and_change_opens_its_field(app, new_page, up: FakeUpstream):
    """zh and en on a desktop (1440×900), then en and zh on a phone (390×844), one held message
    for each size: the card's checks and "change" run in each language (a switch redraws the
    card), then Send sends it once."""
    up.default = sse(["好的"])
    page = new_page(app, locale=LOCALES["zh"], viewport=SIZES["desktop"])
    # The limit field is the page's first number field: its code comes late, as on a slow
    # network, and "change" still focuses it once it is there.
    page.route("**/NumberInput*.js", lambda route: (time.sleep(1.5), route.continue_()))
    way = HeldOnTheWay(page, FOLLOW_UP)  # the server hears it when the test says so
    for where, first, then in (("desktop", "zh", "en"), ("phone", "en", "zh")):
        if where == "phone":
            width, height = SIZES[where]
            page.set_viewport_size({"width": width, "height": height})
            wait_for_idle(page)
            page.wait_for_timeout(400)  # the sidebar's transition
        attach_files(page, _photo())
        send_prompt(page, "这是什么？" if first == "zh" else "What is it?")
        wait_for_idle(page)
        requests = len(up.requests)
        _held_card_and_change(page, first, where, up)
        switch_language(page, then)
        send = _held_card_and_change(page, then, where, up)
        assert len(up.requests) == requests  # still held
        send.click()
        expect(page.locator(".st-key-kantu_pending_box")).to_have_count(0)
        up.wait_for_requests(requests + 1)
        wait_for_idle(page)
        assert_no_exception(page)

    # A question sent while a card waits replaces it, and shows at once as sent meanwhile (the
    # card already there is not its own: the stand-in stayed only until the card was seen).
    attach_files(page, _photo())
    send_prompt(page, "这又是什么？")
    box = page.locator(".st-key-kantu_pending_box")
    expect(box).to_be_visible()
    send_prompt(page, FOLLOW_UP)
    echo = page.get_by_test_id("kantuEcho")
    expect(echo).to_have_text(FOLLOW_UP)
    page.wait_for_timeout(300)  # still there while the server has not heard it
    expect(echo).to_have_text(FOLLOW_UP)
    way.release(FOLLOW_UP)
    expect(echo).to_have_count(0)
    expect(page.get_by_text(FOLLOW_UP).first).to_be_visible()  # its message, or its own card
    assert_no_exception(page)


def test_send_on_a_held_card_whose_run_a_click_stops_still_sends_once(app, new_page, up):
    """Send on a held card, with a newer click (the theme switch) right behind it: the message is
    sent once and the card goes. The Send stays in the session until the page acts on it (about
    2 ms into its run, unloaded), so a run stopped before then leaves it to the next run, and one
    stopped after does not send it twice. Before, the run took it at its top: stopped there, the
    card stayed to be sent again (once in 22 tries here before the change: the window is small)."""
    up.default = sse(["好的"])
    page = new_page(app, locale="zh-CN", viewport=SIZES["desktop"])
    way = HeldOnTheWay(page, SEND_AS_IS)  # the Send click's message, held until let go
    attach_files(page, _photo())
    send_prompt(page, "这是什么？")
    box = page.locator(".st-key-kantu_pending_box")
    send = box.locator(f".st-key-{SEND_AS_IS} button")
    expect(send).to_be_visible()
    wait_for_idle(page)
    requests = len(up.requests)
    send.click()
    way.wait(page, SEND_AS_IS, 5_000)
    way.release(SEND_AS_IS)
    page.wait_for_timeout(5)  # the Send's run has begun (it acts on it 2 ms in)
    page.evaluate(CLICK_DARK, t("theme.dark", "zh"))
    expect_dark(page, True)
    expect(box).to_have_count(0)
    expect(page.get_by_test_id("stChatMessage").filter(has_text="好的")).to_have_count(1)
    wait_for_idle(page)
    assert len(up.requests) == requests + 1  # sent, once
    assert_no_exception(page)
