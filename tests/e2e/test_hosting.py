"""A hosted site in Chromium: the visitor enters the access code, asks, and the operator page
shows the request from the ledger. Screenshots (zh/en, desktop/phone) go to
``$KANTU_SHOTS/hosting`` (``shots_dir``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from components.devtools.browser import (
    assert_no_exception,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import Lang, t

CODE = "orange-sesame-42"
ADMIN_CODE = "boss-code-7"
SHOTS = shots_dir("hosting")
PHONE = (390, 844)
USAGE = {"prompt_tokens": 2911, "completion_tokens": 40, "total_tokens": 2951}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str], tmp_path_factory) -> dict[str, str]:
    # a ledger of this module's own: the other browser tests' requests are not this site's
    ledger = tmp_path_factory.mktemp("hosting-ledger") / "ledger.sqlite3"
    return {**operator_env, "KANTU_LEDGER_PATH": str(ledger)}


@pytest.fixture(scope="module")
def app_secrets_toml() -> str:
    return (
        f'KANTU_ACCESS_CODE = ["{CODE}"]\n'
        f'KANTU_ADMIN_CODE = "{ADMIN_CODE}"\n'
        "[KANTU_LIMITS]\ndaily_requests = 100\nvisitor_hour_requests = 20\n"
        "[KANTU_PRICES]\n"
        '"gpt-4o-mini" = { input = 1.08, output = 4.32, currency = "CNY" }\n'
    )


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _unlock(page: Page, label: str, code: str, lang: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(code)
    form = page.get_by_test_id("stForm").filter(has=field)
    form.get_by_role("button", name=t("hosting.unlock", lang)).click()
    wait_for_idle(page)


def test_enter_the_code_ask_and_the_operator_page_shows_the_request(
    app, up: FakeUpstream, new_page
):
    up.enqueue(sse(["这是一个橙子。"], usage=USAGE))
    page = new_page(app, locale="zh-CN")
    sidebar = page.get_by_test_id("stSidebar")
    expect(
        page.get_by_test_id("stMainBlockContainer").get_by_text(t("hosting.code_hint", "zh"))
    ).to_be_visible()
    _shot(page, "locked-zh-desktop.png")

    send_prompt(page, "这是什么？")
    wait_for_idle(page)
    expect(page.get_by_text(t("config.access_code_required", "zh"))).to_be_visible()
    assert up.requests == []  # the site's key went nowhere before the code

    _unlock(page, t("hosting.access_code", "zh"), CODE, "zh")
    expect(sidebar.get_by_text(t("hosting.unlocked", "zh"))).to_be_visible()
    send_prompt(page, "现在呢？")
    expect(page.get_by_text("这是一个橙子。")).to_be_visible()
    assert len(up.requests) == 1
    _shot(page, "answered-zh-desktop.png")

    # not listed for a visitor; its address opens it (behind its own code), then it is listed
    expect(page.get_by_test_id("stSidebarNav").get_by_text(t("nav.admin", "zh"))).to_have_count(0)
    page.goto(app.url + "admin")
    wait_for_idle(page)
    _unlock(page, t("admin.code_label", "zh"), ADMIN_CODE, "zh")
    expect(page.get_by_test_id("stSidebarNav").get_by_text(t("nav.admin", "zh"))).to_be_visible()
    metrics = page.get_by_test_id("stMetricValue")
    expect(metrics.first).to_have_text("1")
    expect(metrics.nth(1)).to_have_text("¥0.0033")
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(3)
    expect(page.get_by_text(t("admin.csv", "zh"))).to_be_visible()
    assert_no_exception(page)
    _shot(page, "admin-zh-desktop.png")


def _the_operator_page_asks_its_own_code_only(admin: Page, lang: Lang) -> None:
    """The operator page, not unlocked yet, shows no visitor's code box: its own code only."""
    expect(admin.get_by_text(t("hosting.code_hint", lang))).to_have_count(0)


def _shoot_the_operator_page(admin: Page, lang: Lang, tag: str) -> None:
    """The unlocked operator page shows the day's requests: ``admin-{tag}.png`` from its top,
    ``admin-{tag}-bottom.png`` scrolled down to the download."""
    expect(admin.get_by_text(t("admin.requests_today", lang))).to_be_visible()
    assert_no_exception(admin)
    admin.get_by_test_id("stMain").evaluate("el => el.scrollTo(0, 0)")  # after a -bottom one
    admin.evaluate("window.scrollTo(0, 0)")
    _shot(admin, f"admin-{tag}.png")
    download = admin.get_by_test_id("stDownloadButton")
    download.scroll_into_view_if_needed()
    expect(download).to_be_visible()
    _shot(admin, f"admin-{tag}-bottom.png")


def test_the_operator_page_asks_its_own_code_on_a_desktop(app, new_page):
    """In English (the browser's language) at 1280×900: the operator page shows its own code box
    only, opens with it, and shows the day's requests down to the download."""
    admin = new_page(app, locale="en-US", path="admin")
    _the_operator_page_asks_its_own_code_only(admin, "en")
    _unlock(admin, t("admin.code_label", "en"), ADMIN_CODE, "en")
    _shoot_the_operator_page(admin, "en", "en-desktop")


def test_the_operator_page_asks_its_own_code_on_a_phone(app, new_page):
    """On a phone, in Chinese then in English (switched on the same page): the operator page
    shows its own code box only (its label and button in Chinese, then opened with the English
    ones) and the day's requests down to the download, in both languages."""
    admin = new_page(app, locale="zh-CN", viewport=PHONE, path="admin")
    _the_operator_page_asks_its_own_code_only(admin, "zh")
    field = admin.get_by_label(t("admin.code_label", "zh"), exact=True)
    expect(field).to_be_visible()
    form = admin.get_by_test_id("stForm").filter(has=field)
    expect(form.get_by_role("button", name=t("hosting.unlock", "zh"))).to_be_visible()
    switch_language(admin, "en")
    _the_operator_page_asks_its_own_code_only(admin, "en")
    _unlock(admin, t("admin.code_label", "en"), ADMIN_CODE, "en")
    _shoot_the_operator_page(admin, "en", "en-phone")
    switch_language(admin, "zh")
    _shoot_the_operator_page(admin, "zh", "zh-phone")


def _the_refusal_focuses_the_code_box(page: Page, lang: Lang, where: str) -> None:
    """Issue 21 point 5: the refusal's button said "Check the settings" and focused the Base URL
    while the code box had scrolled out of view on a phone."""
    expect(page.get_by_text(t("config.access_code_required", lang))).to_be_visible()
    main = page.get_by_test_id("stMainBlockContainer")
    expect(main.get_by_role("button", name=t("action.fix_settings", lang))).to_have_count(0)
    action = main.get_by_role("button", name=t("action.enter_code", lang))
    action.scroll_into_view_if_needed()
    _shot(page, f"code-refused-{lang}-{where}.png")
    action.click()
    field = main.get_by_label(t("hosting.access_code", lang), exact=True)
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    if where == "phone":  # the sidebar (with the Base URL) stays shut over the page
        expect(page.get_by_test_id("stSidebar")).not_to_be_in_viewport()
    _shot(page, f"code-focused-{lang}-{where}.png")


def _ask_and_be_refused(page: Page, up: FakeUpstream, where: str) -> int:
    """Ask in English with no access code: the refusal shows. Return the upstream's request
    count from before (the module's upstream: other tests' requests are there too)."""
    before = len(up.requests)
    send_prompt(page, "What is this?")
    wait_for_idle(page)
    expect(page.get_by_text(t("config.access_code_required", "en"))).to_be_visible()
    _shot(page, f"refused-en-{where}.png")
    return before


def test_an_access_code_refusal_focuses_the_code_box_on_a_desktop(app, new_page, up: FakeUpstream):
    """In English (the browser's language) at 1280×900: the locked chat and its refusal
    (screenshots ``locked-en-desktop``, ``refused-en-desktop``); at 1440×900, in English then in
    Chinese (switched on the same page), the refusal's button focuses the code box and the
    site's key went nowhere."""
    page = new_page(app, locale="en-US")
    expect(page.get_by_text(t("hosting.code_hint", "en"))).to_be_visible()
    _shot(page, "locked-en-desktop.png")
    before = _ask_and_be_refused(page, up, "desktop")
    page.set_viewport_size({"width": 1440, "height": 900})
    wait_for_idle(page)
    _the_refusal_focuses_the_code_box(page, "en", "desktop")
    switch_language(page, "zh")
    _the_refusal_focuses_the_code_box(page, "zh", "desktop")
    assert len(up.requests) == before  # the site's key went nowhere
    assert_no_exception(page)


def test_an_access_code_refusal_focuses_the_code_box_on_a_phone(app, new_page, up: FakeUpstream):
    """On a phone, in Chinese then in English and back (switched on the same page): the locked
    chat, the refusal, and the refusal's button focusing the code box while the sidebar stays
    shut, in both languages; the site's key went nowhere."""
    page = new_page(app, locale="zh-CN", viewport=PHONE)
    expect(page.get_by_text(t("hosting.code_hint", "zh"))).to_be_visible()
    _shot(page, "locked-zh-phone.png")
    switch_language(page, "en")
    expect(page.get_by_text(t("hosting.code_hint", "en"))).to_be_visible()
    _shot(page, "locked-en-phone.png")
    before = _ask_and_be_refused(page, up, "phone")
    _the_refusal_focuses_the_code_box(page, "en", "phone")
    switch_language(page, "zh")
    expect(page.get_by_text(t("config.access_code_required", "zh"))).to_be_visible()
    _shot(page, "refused-zh-phone.png")
    _the_refusal_focuses_the_code_box(page, "zh", "phone")
    assert len(up.requests) == before  # the site's key went nowhere
    assert_no_exception(page)
