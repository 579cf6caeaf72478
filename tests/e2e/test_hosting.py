"""A hosted site in Chromium: the visitor enters the access code, asks, and the operator page
shows the request from the ledger. Screenshots (zh/en, desktop/phone) go to
``$KANTU_SHOTS/hosting`` (``shots_dir``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from components.devtools.browser import assert_no_exception, send_prompt, shots_dir, wait_for_idle
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t

CODE = "orange-sesame-42"
ADMIN_CODE = "boss-code-7"
SHOTS = shots_dir("hosting")
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


@pytest.mark.parametrize(
    ("locale", "lang", "viewport", "tag"),
    [
        ("en-US", "en", (1280, 900), "en-desktop"),
        ("en-US", "en", (390, 844), "en-phone"),
        ("zh-CN", "zh", (390, 844), "zh-phone"),
    ],
)
def test_screenshots_of_the_locked_chat_and_the_operator_page(
    app, new_page, locale, lang, viewport, tag
):
    page = new_page(app, locale=locale, viewport=viewport)
    expect(page.get_by_text(t("hosting.code_hint", lang))).to_be_visible()
    _shot(page, f"locked-{tag}.png")
    send_prompt(page, "?")
    expect(page.get_by_text(t("config.access_code_required", lang))).to_be_visible()
    _shot(page, f"refused-{tag}.png")
    admin = new_page(app, locale=locale, viewport=viewport)
    admin.goto(app.url + "admin")
    wait_for_idle(admin)
    expect(admin.get_by_text(t("hosting.code_hint", lang))).to_have_count(0)  # its own code only
    _unlock(admin, t("admin.code_label", lang), ADMIN_CODE, lang)
    expect(admin.get_by_text(t("admin.requests_today", lang))).to_be_visible()
    assert_no_exception(admin)
    _shot(admin, f"admin-{tag}.png")
    download = admin.get_by_test_id("stDownloadButton")
    download.scroll_into_view_if_needed()
    expect(download).to_be_visible()
    _shot(admin, f"admin-{tag}-bottom.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", [(390, 844), (1440, 900)], ids=["phone", "desktop"])
def test_an_access_code_refusal_focuses_the_code_box(
    app, new_page, up: FakeUpstream, lang, viewport
):
    """Issue 21 point 5: the refusal's button said "Check the settings" and focused the Base URL
    while the code box had scrolled out of view on a phone."""
    where = "phone" if viewport[0] < 600 else "desktop"
    page = new_page(app, locale="zh-CN" if lang == "zh" else "en-US", viewport=viewport)
    before = len(up.requests)  # the module's upstream: other tests' requests are there too
    send_prompt(page, "这是什么？" if lang == "zh" else "What is this?")
    wait_for_idle(page)
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
    assert len(up.requests) == before  # the site's key went nowhere
    assert_no_exception(page)
