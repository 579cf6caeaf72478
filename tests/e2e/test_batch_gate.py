"""Batch's Retry failed in Chromium, with the real shared sidebar: a visitor's bogus key fails
every picture, the key is cleared and a refused model typed, and Retry failed must not spend
the site's key (issue 19 item 1)."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from components.devtools.browser import assert_no_exception, wait_for_idle
from components.devtools.upstream import FakeUpstream, openai_error
from components.i18n import t

BOGUS_KEY = "visitor-bogus-key-000000"
COUNT = 6


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str], tmp_path_factory) -> dict[str, str]:
    ledger = tmp_path_factory.mktemp("batch-gate-ledger") / "ledger.sqlite3"
    return {**operator_env, "KANTU_LEDGER_PATH": str(ledger)}


@pytest.fixture(scope="module")
def app_secrets_toml() -> str:
    return (
        'KANTU_ACCESS_CODE = ["orange-sesame-42"]\n'
        'KANTU_ALLOWED_MODELS = ["gpt-4o-mini"]\n'
        "[KANTU_LIMITS]\nsession_requests = 1\nvisitor_hour_requests = 1\ndaily_requests = 1\n"
    )


def pictures() -> list[FilePayload]:
    files: list[FilePayload] = []
    for n in range(COUNT):
        out = io.BytesIO()
        Image.new("RGB", (200 + n, 150), (255, 140, 0)).save(out, "PNG")
        files.append({"name": f"p{n}.png", "mimeType": "image/png", "buffer": out.getvalue()})
    return files


def type_in(page: Page, label: str, text: str) -> None:
    field = page.get_by_test_id("stSidebar").get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
    wait_for_idle(page)


def test_retry_failed_after_clearing_the_key_never_spends_the_sites_key(
    app, up: FakeUpstream, new_page
) -> None:
    up.reset()
    up.default = openai_error(401, "Incorrect API key provided", "invalid_request_error")
    page = new_page(app, locale="en-US")
    type_in(page, t("sidebar.api_key", "en"), BOGUS_KEY)
    page.get_by_test_id("stSidebarNav").get_by_text(t("nav.batch", "en")).click()
    wait_for_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_test_id(
        "stFileUploaderDropzoneInput"
    ).set_input_files(pictures())
    wait_for_idle(page)
    page.get_by_role("button", name=t("batch.run", "en")).click()
    finished = t("batch.finished", "en", done=0, failed=COUNT, cancelled=0)
    expect(page.get_by_text(finished)).to_be_visible(timeout=30_000)
    wait_for_idle(page)
    assert [r.headers["Authorization"] for r in up.requests] == [f"Bearer {BOGUS_KEY}"] * COUNT

    type_in(page, t("sidebar.api_key", "en"), "")  # the site's key would be used now
    model = page.get_by_test_id("stSidebar").get_by_label(t("sidebar.model", "en"), exact=True)
    model.click()
    model.fill("gpt-4o-EXPENSIVE")
    model.press("Enter")
    wait_for_idle(page)
    page.get_by_role("button", name=t("batch.retry_failed", "en")).click()
    wait_for_idle(page)
    deadline = time.monotonic() + 3  # anything the retry sent has arrived by then
    while len(up.requests) == COUNT and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [r for r in up.requests if r.headers["Authorization"] != f"Bearer {BOGUS_KEY}"] == []
    assert len(up.requests) == COUNT
    said = t("batch.retry_settings_changed", "en", model="gpt-4o-mini")
    expect(page.get_by_text(said)).to_be_visible()
    assert_no_exception(page)
