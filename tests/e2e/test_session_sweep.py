"""A closed tab's session is shut down once its reconnection TTL has passed, with nobody else
disconnecting (issue 24 item 4): its pictures stop being served and its parked uploads are
released. A real server with a 2-second TTL, driven by Chromium."""

from __future__ import annotations

import time
from urllib.parse import urljoin

import pytest
import requests
from playwright.sync_api import expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    assert_no_exception,
    attach_files,
    send_prompt,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from tests.raw_session import RawSession, parked_upload_bytes

TTL_S = 2
WAIT_S = 30.0  # only a hang guard: the sweep comes within the TTL plus a poll


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env | {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(TTL_S)}


def _status(url: str) -> int:
    return requests.get(url, timeout=10, proxies={"http": "", "https": ""}).status_code


def _until(check, timeout: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_closed_tabs_pictures_are_released_after_the_ttl_without_another_visitor(
    app, new_page, up: FakeUpstream
):
    up.default = sse(["好的。"])
    page = new_page(app)
    photo = {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": make.photo_jpeg(640, 480)}
    attach_files(page, [photo])
    send_prompt(page, "这是什么？")
    expect(page.get_by_text("好的。")).to_be_visible()
    wait_for_idle(page)
    assert_no_exception(page)
    # The thumbnails travel inside the page (data: URLs); the 🔍 large view is a media file.
    page.get_by_role("button", name=t("gallery.view", "zh")).first.click()
    large = page.get_by_role("dialog").locator('[data-testid="stImage"] img').first
    expect(large).to_be_visible()
    media_url = urljoin(app.url, str(large.get_attribute("src")))
    assert "/media/" in media_url
    assert _status(media_url) == 200
    page.context.close()  # the tab closes; nobody else comes or goes
    assert _until(lambda: _status(media_url) == 404), "the closed session's picture is still served"


def test_a_closed_sessions_parked_upload_is_released_and_a_live_one_keeps_its_own(app):
    gone = RawSession.open(app.port)
    live = RawSession.open(app.port)
    try:
        assert gone.put_upload(b"x" * 100_000) == 204
        assert live.put_upload(b"y" * 50_000) == 204
        gone.close()
        assert _until(lambda: parked_upload_bytes(app.port) < 100_000)
        time.sleep(TTL_S)  # well past the TTL: the live session is never swept
        assert parked_upload_bytes(app.port) >= 50_000
        assert live.put_upload(b"z" * 10) == 204
    finally:
        live.close()
