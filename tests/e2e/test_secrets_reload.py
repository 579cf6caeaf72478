"""The operator edits the secrets file of a running server and the next page follows it (issue
24 item 3 keeps the parsed settings per process: an edit must still apply, both ways)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from components.devtools.browser import App
from components.i18n import t

CODE = "orange-sesame-42"
LOCKED = f'KANTU_ACCESS_CODE = ["{CODE}"]\n'
OPEN = 'KANTU_MODEL = "gpt-4o-mini"\n'


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str], tmp_path_factory) -> dict[str, str]:
    ledger = tmp_path_factory.mktemp("secrets-reload-ledger") / "ledger.sqlite3"
    return {**operator_env, "KANTU_LEDGER_PATH": str(ledger)}


@pytest.fixture(scope="module")
def app_secrets_toml() -> str:
    return LOCKED


def _code_hint(page: Page):
    return page.get_by_test_id("stMainBlockContainer").get_by_text(t("hosting.code_hint", "zh"))


def _page_once_applied(app: App, new_page, locked: bool) -> Page:
    """Open pages until one shows the edit (Streamlit polls the file: a fraction of a second)."""
    page = new_page(app)
    for _ in range(20):
        if _code_hint(page).is_visible() == locked:
            break
        page.wait_for_timeout(500)
        page.reload()
        page.get_by_test_id("stChatInput").wait_for()
    return page


def test_an_edited_secrets_file_applies_to_the_next_page_both_ways(app, new_page):
    page = new_page(app)
    expect(_code_hint(page)).to_be_visible()  # parsed once and kept: still right

    app.secrets_file.write_text(OPEN, encoding="utf-8")
    page = _page_once_applied(app, new_page, locked=False)
    expect(_code_hint(page)).to_have_count(0)

    app.secrets_file.write_text(LOCKED, encoding="utf-8")
    page = _page_once_applied(app, new_page, locked=True)
    expect(_code_hint(page)).to_be_visible()
