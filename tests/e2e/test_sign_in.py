"""Signing in, in Chromium, through a real OpenID Connect flow (``st.login`` against a provider on
127.0.0.1, ``components/devtools/oidc.py``): a signed-in visitor's chat is kept on the server
under their account, so it is back on their other device (a browser whose own store is empty),
and another account never sees it."""

from __future__ import annotations

import socket
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from components.devtools.browser import (
    App,
    assert_no_exception,
    open_page,
    send_prompt,
    start_app,
    wait_for_idle,
    wait_for_settled,
)
from components.devtools.oidc import FakeOIDC
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t

LOADED_MS = 15_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sign_in(page: Page, app: App, email: str) -> None:
    """Press the page's Sign in; the provider signs the visitor in and sends them back."""
    page.get_by_role("button", name=t("hosting.sign_in", "en")).click()
    page.wait_for_url(app.url, timeout=LOADED_MS)
    wait_for_idle(page)
    signed_in = t("hosting.signed_in_as", "en", email=email)
    expect(page.get_by_test_id("stSidebar").get_by_text(signed_in)).to_be_visible()


def test_a_signed_in_visitors_chat_is_on_their_other_device_and_no_one_elses(
    browser: Browser, up: FakeUpstream, tmp_path: Path
):
    up.reset()
    up.default = sse(["A ripe ", "orange."])
    port = _free_port()
    with FakeOIDC() as provider:
        auth = provider.auth_secrets(redirect_uri=f"http://127.0.0.1:{port}/oauth2callback")
        secrets = "[auth]\n" + "".join(f'{name} = "{value}"\n' for name, value in auth.items())
        env = {
            "KANTU_BASE_URL": up.base_url,
            "KANTU_API_KEY": "test-key",
            "KANTU_CHATS_PATH": str(tmp_path / "chats.sqlite3"),
        }
        app = start_app(env, secrets_toml=secrets, port=port)
        try:
            provider.user = {"sub": "alice-0001", "email": "alice@example.com"}
            laptop = open_page(browser, app, locale="en-US")
            _sign_in(laptop, app, "alice@example.com")
            send_prompt(laptop, "What fruit is this?")
            expect(
                laptop.get_by_test_id("stChatMessage").filter(has_text="A ripe orange.")
            ).to_have_count(1)
            wait_for_settled(laptop)

            phone = open_page(browser, app, locale="en-US", viewport=(390, 844))
            _sign_in(phone, app, "alice@example.com")
            # her other device's browser holds nothing: the chat comes from the server
            messages = phone.get_by_test_id("stChatMessage")
            expect(messages.filter(has_text="A ripe orange.")).to_have_count(1, timeout=LOADED_MS)
            expect(messages.filter(has_text="What fruit is this?")).to_have_count(1)
            assert len(up.requests) == 1  # nothing asked again
            assert_no_exception(phone)

            provider.user = {"sub": "bob-0002", "email": "bob@example.com"}
            other = open_page(browser, app, locale="en-US")
            _sign_in(other, app, "bob@example.com")
            wait_for_settled(other)
            expect(other.get_by_test_id("stChatMessage")).to_have_count(0)
            expect(other.get_by_text("What fruit is this?")).to_have_count(0)
            for page in (laptop, phone, other):
                page.context.close()
        finally:
            app.stop()
