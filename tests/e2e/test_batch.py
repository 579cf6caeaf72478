"""The Batch page in headless Chromium: ten pictures, a live table, one failure, the downloads."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import FilePayload, Page, expect

from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    shots_dir,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, bingcheng_error, by_picture_width, sse
from components.i18n import t

SHOTS = shots_dir("batch")
USAGE = {"prompt_tokens": 100, "completion_tokens": 6, "total_tokens": 106}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    up.reset()
    up.default = sse(["一个橙色的圆，白色背景。"], usage=USAGE)
    up.latency = 1.5  # slow enough to see the batch run
    up.script = by_picture_width({203: [bingcheng_error(402)]})  # the 4th picture is refused


def pictures() -> list[FilePayload]:
    files: list[FilePayload] = []
    for n in range(10):
        image = Image.new("RGB", (200 + n, 150), "white")
        ImageDraw.Draw(image).ellipse((40, 20, 160, 130), fill=(255, 140 - 10 * n, 0))
        out = io.BytesIO()
        image.save(out, "PNG")
        files.append(
            {"name": f"图{n + 1:02d}.png", "mimeType": "image/png", "buffer": out.getvalue()}
        )
    return files


def run_batch(page: Page, lang: str) -> None:
    page.get_by_test_id("stMainBlockContainer").get_by_test_id(
        "stFileUploaderDropzoneInput"
    ).set_input_files(pictures())
    wait_for_idle(page)
    summary = t("batch.summary", lang, count=10, tokens="", money="").split("{")[0][:6]
    expect(page.get_by_test_id("stAlert").filter(has_text=summary[:4])).to_be_visible()
    page.get_by_role("button", name=t("batch.run", lang)).click()
    expect(page.get_by_test_id("stProgress")).to_be_visible()


@pytest.mark.parametrize("lang,locale", [("zh", "zh-CN"), ("en", "en-US")])
def test_ten_pictures_run_live_and_end_with_downloads(app, new_page, up, lang, locale) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page(app, locale=locale)
    page.get_by_test_id("stSidebarNav").get_by_text(t("nav.batch", lang)).click()
    wait_for_idle(page)
    expect(page.get_by_role("heading", name=t("batch.title", lang))).to_be_visible()
    run_batch(page, lang)
    remaining = re.compile(("剩余" if lang == "zh" else "remaining") + r" [1-9]")
    expect(page.get_by_test_id("stProgress").get_by_text(remaining)).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible(timeout=20_000)  # loads lazily
    page.screenshot(path=str(SHOTS / f"running-{lang}-desktop.png"), full_page=True)
    finished = t("batch.finished", lang, done=9, failed=1, cancelled=0)
    expect(page.get_by_text(finished)).to_be_visible(timeout=30_000)
    wait_for_idle(page)
    for label in ("batch.download_csv", "batch.download_jsonl", "batch.download_md"):
        expect(page.get_by_role("button", name=t(label, lang))).to_be_visible()
    expect(page.get_by_role("button", name=t("batch.retry_failed", lang))).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    assert len([r for r in up.requests if r.method == "POST"]) == 10  # each picture once
    page.screenshot(path=str(SHOTS / f"done-{lang}-desktop.png"), full_page=True)
    page.get_by_role("button", name=t("batch.retry_failed", lang)).click()
    expect(
        page.get_by_text(t("batch.finished", lang, done=10, failed=0, cancelled=0))
    ).to_be_visible(timeout=30_000)
    assert len([r for r in up.requests if r.method == "POST"]) == 11  # only the failure again
    assert_no_exception(page)
    assert not console_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    wait_for_idle(page)
    page.screenshot(path=str(SHOTS / f"done-{lang}-phone.png"), full_page=True)
