"""No key configured and no network: the local text reader is the default, and a dropped
screenshot's text is the answer (in Chinese and in English). The server runs with outgoing
connections and name lookups made to fail (a sitecustomize), as on an offline machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from components.devtools import text_pictures as tp
from components.devtools.browser import (
    assert_no_exception,
    attach_files,
    send_prompt,
    switch_language,
)
from components.i18n import Lang, t
from components.ocr import engine
from tests.conftest import ROOT
from tests.test_ocr import NO_NETWORK

pytestmark = pytest.mark.skipif(
    not engine.reader_status().available, reason="the OCR packages are not installed"
)
NO_KEYS = {name: "" for name in ("KANTU_API_KEY", "OPENAI_API_KEY", "KANTU_BASE_URL")}


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    hooks = tmp_path_factory.mktemp("no-network")
    (hooks / "sitecustomize.py").write_text(NO_NETWORK)
    return {**NO_KEYS, "PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)])}


def _ask_about_a_screenshot(page: Page, lang: Lang, tmp_path: Path) -> None:
    screenshot = tp.text_picture(tp.SCREENSHOT, width=1170)
    attach_files(page, {"name": "error.png", "mimeType": "image/png", "buffer": screenshot})
    send_prompt(page, "这张截图说了什么？" if lang == "zh" else "What does it say?")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("网络连接失败", timeout=60_000)
    for line in tp.SCREENSHOT:
        expect(answer).to_contain_text(line)
    expect(answer).to_contain_text("rapidocr-pp-ocrv6")  # the quiet meta line
    intro = "不是视觉模型" if lang == "zh" else "not a vision model"
    expect(answer).to_contain_text(intro)
    assert_no_exception(page)
    shots = os.environ.get("KANTU_SHOTS")  # set to keep the screenshots for a look
    page.screenshot(path=f"{shots or tmp_path}/offline-reader-{lang}.png", full_page=True)


def test_a_dropped_screenshot_is_answered_with_its_text(app, new_page, tmp_path):
    """In Chinese, then in English (switched on the same page): the welcome names the local
    reader; a dropped screenshot is answered with its text, the reader's meta line, and the
    note that it is not a vision model, in the language of the question's moment."""
    page = new_page(app, locale="zh-CN")
    expect(page.get_by_text(t("welcome.local_reader", "zh"))).to_be_visible()
    switch_language(page, "en")
    expect(page.get_by_text(t("welcome.local_reader", "en"))).to_be_visible()
    _ask_about_a_screenshot(page, "en", tmp_path)
    switch_language(page, "zh")
    _ask_about_a_screenshot(page, "zh", tmp_path)
