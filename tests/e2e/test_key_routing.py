"""The operator's key goes only to the operator's server, however the visitor writes the base URL;
a hosted site refuses custom base URLs on its own network.

Upstream A (``up``) is the operator's server, configured with the key. Upstream B plays "evil":
the visitor picks Custom and types URLs that lead to B while naming A, the way parsers have
been fooled (``\\@``, userinfo, fragments, encoded slashes). B must never see the key.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    send_prompt,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.providers.presets import CUSTOM_PRESET_ID, get_preset

OPERATOR_KEY = "test-key"
LANG = "zh"


@pytest.fixture(scope="module")
def evil() -> Iterator[FakeUpstream]:
    """Upstream B: any server the visitor may point Kantu at."""
    with FakeUpstream() as fake:
        fake.default = sse(["evil answer"])
        yield fake


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    # Not hosted: B on loopback stays reachable, so the URL parse alone must keep the key home.
    assert operator_env["KANTU_API_KEY"] == OPERATOR_KEY
    return {**operator_env, "KANTU_HOSTED": "false"}


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def pick_custom(page: Page) -> None:
    provider = (
        sidebar(page).get_by_test_id("stSelectbox").filter(has_text=t("sidebar.provider", LANG))
    )
    provider.click()
    page.get_by_role("option", name=get_preset(CUSTOM_PRESET_ID).name(LANG)).click()
    wait_for_idle(page)


def type_base_url(page: Page, url: str) -> None:
    field = sidebar(page).get_by_role("textbox", name=t("sidebar.base_url", LANG), exact=True)
    expect(field).to_be_enabled()
    field.fill(url)
    field.press("Enter")
    wait_for_idle(page)
    expect(field).to_have_value(url.strip())


def shown(key: str, **fmt: str) -> str:
    """Return the text a translated message shows on the page (Markdown code marks removed)."""
    return t(key, LANG, **fmt).replace("`", "")


def assert_key_never_reached(evil: FakeUpstream) -> None:
    for request in evil.requests:
        headers = " ".join(f"{k}: {v}" for k, v in request.headers.items())
        assert OPERATOR_KEY not in headers and OPERATOR_KEY.encode() not in request.body


def tricky_urls(a: FakeUpstream, b: FakeUpstream) -> list[tuple[str, str]]:
    """URLs naming A (the operator's server) that some parser reads as B, with the refusal."""
    a_host, b_host = f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"
    return [
        (f"http://{b_host}\\@{a_host}/v1", "config.base_url_characters"),
        (f"http://{b_host}/\\@{a_host}/v1", "config.base_url_characters"),
        (f"http://{a_host}@{b_host}/v1", "config.base_url_userinfo"),
        (f"http://{b_host}#@{a_host}/v1", "config.base_url_userinfo"),
        (f"http://{b_host}%2F@{a_host}/v1", "config.base_url_userinfo"),
        (f"http://{b_host}\t.{a_host}/v1", "config.base_url_characters"),
        (f"http://{b_host}/v1?@{a_host}/v1", "config.base_url_userinfo"),
        (f"http://{b_host}/v1#{a_host}/v1", "config.base_url_query"),
    ]


def test_tricky_urls_never_carry_the_key_and_a_plainly_changed_url_reaches_b_without_it(
    app, new_page, up, evil
):
    """One visitor on a site with the operator's key, Custom picked:

    - each tricky URL naming the operator's server is refused (the sidebar's warning, the key
      no longer in use, the question's error notice), and neither server hears anything; the
      key is nowhere in the page;
    - then B's plain URL: the key is withheld (said in the sidebar), the question reaches B,
      without any Authorization, and the operator's server hears nothing.
    """
    up.reset()
    evil.reset()
    page = new_page(app, locale="zh-CN")
    using_key = sidebar(page).get_by_text(t("sidebar.using_configured_key", LANG))
    expect(using_key).to_be_visible()  # the operator's own server: the key is in use
    pick_custom(page)
    # the chat's error notices (the sidebar's refusal is a warning, and not in main)
    errors = page.get_by_role("main").get_by_test_id("stAlertContentError")
    for n, (url, refusal) in enumerate(tricky_urls(up, evil), start=1):
        type_base_url(page, url)
        message = shown(refusal)
        expect(sidebar(page).get_by_test_id("stAlertContentWarning")).to_have_text(message)
        expect(using_key).to_have_count(0)
        send_prompt(page, f"第 {n} 个问题")
        expect(errors).to_have_count(n)
        expect(errors.last).to_contain_text(message)
        wait_for_idle(page)
    assert evil.requests == [] and up.requests == []
    assert OPERATOR_KEY not in page.content()
    assert_no_exception(page)
    assert console_errors(page) == []

    # A plainly changed URL reaches B without the key.
    type_base_url(page, evil.base_url)
    expect(sidebar(page).get_by_text(t("config.operator_key_withheld", LANG))).to_be_visible()
    expect(sidebar(page).get_by_text(t("sidebar.using_configured_key", LANG))).to_have_count(0)
    send_prompt(page, "你好")
    expect(page.get_by_test_id("stChatMessage").last).to_contain_text("evil answer")
    wait_for_idle(page)
    assert len(evil.requests) == 1 and "Authorization" not in evil.requests[0].headers
    assert_key_never_reached(evil)
    assert up.requests == []


def test_hosted_site_refuses_a_custom_url_on_its_own_network(
    start_app, new_page, operator_env, evil
):
    evil.reset()
    hosted = start_app(operator_env)  # an operator key and no KANTU_HOSTED: hosted
    page = new_page(hosted, locale="zh-CN")
    pick_custom(page)
    # the chat's error notices (the sidebar's refusal is a warning, and not in main)
    errors = page.get_by_role("main").get_by_test_id("stAlertContentError")
    for n, (url, host) in enumerate(
        [(evil.base_url, "127.0.0.1"), (f"http://localhost:{evil.port}/v1", "localhost")], start=1
    ):
        type_base_url(page, url)
        message = shown("config.private_address", host=host)
        expect(sidebar(page).get_by_test_id("stAlertContentWarning")).to_have_text(message)
        send_prompt(page, f"探测 {n}")
        expect(errors).to_have_count(n)
        expect(errors.last).to_contain_text(message)
        wait_for_idle(page)
    assert evil.requests == []
    assert_no_exception(page)
