"""No key configured and no network: the local text reader is the default, and a dropped
screenshot's text is the answer (in Chinese and in English). The server runs with outgoing
connections and name lookups made to fail (a sitecustomize), as on an offline machine."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from components.devtools import text_pictures as tp
from components.devtools.browser import assert_no_exception, attach_files, send_prompt
from components.i18n import t
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


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_a_dropped_screenshot_is_answered_with_its_text(app, new_page, locale, lang, tmp_path):
    page = new_page(app, locale=locale)
    expect(page.get_by_text(t("welcome.local_reader", lang))).to_be_visible()
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
