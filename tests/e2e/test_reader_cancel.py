"""A tab closed while the local reader reads its message: the server drops the rest of the work
(issue 19 item 10). The server says how many pictures it read before it stopped."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from components.devtools import text_pictures as tp
from components.devtools.browser import attach_files, open_page, send_prompt
from components.ocr import engine

pytestmark = pytest.mark.skipif(
    not engine.reader_status().available, reason="the OCR packages are not installed"
)
NO_KEYS = {name: "" for name in ("KANTU_API_KEY", "OPENAI_API_KEY", "KANTU_BASE_URL")}
PICTURES = 40
CANCELLED = re.compile(r"local reading cancelled, its session ended: (\d+) of (\d+) pictures")
LOG_WAIT_S = 80.0  # a bound on waiting for the server's line, never an expectation about time


def _screenshot(number: int) -> bytes:
    return tp.text_picture((*tp.SCREENSHOT, f"Page {number}"), width=1170)


def _cancel_line(app) -> re.Match[str] | None:
    deadline = time.monotonic() + LOG_WAIT_S
    while time.monotonic() < deadline:
        found = CANCELLED.search(app.logs())
        if found or app.process.poll() is not None:
            return found
        time.sleep(0.5)
    return None


def test_closing_the_tab_drops_the_pictures_not_yet_read(browser, start_app):
    app = start_app(NO_KEYS)
    page = open_page(browser, app, locale="en-US")
    files = [  # each its own picture: the same bytes twice are one picture
        {"name": f"shot-{n}.png", "mimeType": "image/png", "buffer": _screenshot(n)}
        for n in range(PICTURES)
    ]
    attach_files(page, files)
    send_prompt(page, "What do they say?")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("Page 0", timeout=30_000)  # the first picture is read
    page.context.close()  # the tab closes with most pictures still to read
    found = _cancel_line(app)
    assert found is not None, app.logs()[-3000:]
    read, total = int(found.group(1)), int(found.group(2))
    assert total == PICTURES and 1 <= read < PICTURES
