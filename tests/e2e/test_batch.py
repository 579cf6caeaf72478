"""The Batch page in headless Chromium: ten pictures, a live table, one failure, the downloads."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import FilePayload, Locator, Page, expect

from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    shots_dir,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import (
    FakeUpstream,
    Recorded,
    Reply,
    bingcheng_error,
    by_picture_width,
    sse,
)
from components.i18n import t

SHOTS = shots_dir("batch")
USAGE = {"prompt_tokens": 100, "completion_tokens": 6, "total_tokens": 106}
HOLD_S = 40.0  # below the app's 60-s read timeout
Script = Callable[[Recorded], Reply | None]


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


def summary_alert(page: Page, lang: str) -> Locator:
    summary = t("batch.summary", lang, count=10, tokens="", money="").split("{")[0][:6]
    return page.get_by_test_id("stAlert").filter(has_text=summary[:4])


def hold_after(first: int, gate: threading.Event, script: Script) -> Script:
    """Return ``script`` with every POST after the first ``first`` held until ``gate`` is set
    (at most ``HOLD_S``): the batch is seen running, part done, for as long as the test needs."""
    lock = threading.Lock()
    seen = [0]

    def held(recorded: Recorded) -> Reply | None:
        if recorded.method == "POST":
            with lock:
                seen[0] += 1
                late = seen[0] > first
            if late:
                gate.wait(HOLD_S)
        return script(recorded)

    return held


def running(page: Page, lang: str) -> None:
    # 1 to 9 left (\b: not "remaining 10"): part of the batch is done, the rest still to come
    remaining = re.compile(("剩余" if lang == "zh" else "remaining") + r" [1-9]\b")
    expect(page.get_by_test_id("stProgress").get_by_text(remaining)).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible(timeout=20_000)  # loads lazily
    page.screenshot(path=str(SHOTS / f"running-{lang}-desktop.png"), full_page=True)


def finished(page: Page, lang: str, done: int, failed: int) -> None:
    text = t("batch.finished", lang, done=done, failed=failed, cancelled=0)
    expect(page.get_by_text(text)).to_be_visible(timeout=30_000)
    wait_for_idle(page)


def ended_with_downloads(page: Page, lang: str) -> None:
    finished(page, lang, 9, 1)
    for label in ("batch.download_csv", "batch.download_jsonl", "batch.download_md"):
        expect(page.get_by_role("button", name=t(label, lang))).to_be_visible()
    expect(page.get_by_role("button", name=t("batch.retry_failed", lang))).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"done-{lang}-desktop.png"), full_page=True)


def test_ten_pictures_run_live_and_end_with_downloads(app, new_page, up) -> None:
    """Ten pictures in Chinese and in English (switched on the same page, while the batch is
    set up, runs and has ended): the summary before the run, the live progress and table while
    it runs (the answers after the first four held until both languages were seen), nine done
    and one failed with the three downloads and a retry, the retry sending only the failure
    again, and the page on a phone. Screenshots ``{running,done}-{zh,en}-desktop`` and
    ``done-{zh,en}-phone``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    gate = threading.Event()
    up.script = hold_after(4, gate, up.script)
    page = new_page(app, locale="zh-CN")
    page.get_by_test_id("stSidebarNav").get_by_text(t("nav.batch", "zh")).click()
    wait_for_idle(page)
    expect(page.get_by_role("heading", name=t("batch.title", "zh"))).to_be_visible()
    page.get_by_test_id("stMainBlockContainer").get_by_test_id(
        "stFileUploaderDropzoneInput"
    ).set_input_files(pictures())
    wait_for_idle(page)
    expect(summary_alert(page, "zh")).to_be_visible()
    expect(page.get_by_role("button", name=t("batch.run", "zh"))).to_be_enabled()
    switch_language(page, "en")
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text(t("nav.batch", "en"))).to_be_visible()
    expect(page.get_by_role("heading", name=t("batch.title", "en"))).to_be_visible()
    expect(summary_alert(page, "en")).to_be_visible()
    page.get_by_role("button", name=t("batch.run", "en")).click()
    expect(page.get_by_test_id("stProgress")).to_be_visible()
    try:
        running(page, "en")
        switch_language(page, "zh")
        running(page, "zh")
    finally:
        gate.set()
    ended_with_downloads(page, "zh")
    assert len([r for r in up.requests if r.method == "POST"]) == 10  # each picture once
    switch_language(page, "en")
    ended_with_downloads(page, "en")
    page.get_by_role("button", name=t("batch.retry_failed", "en")).click()
    finished(page, "en", 10, 0)
    assert len([r for r in up.requests if r.method == "POST"]) == 11  # only the failure again
    switch_language(page, "zh")
    finished(page, "zh", 10, 0)
    assert_no_exception(page)
    assert not console_errors(page)
    page.set_viewport_size({"width": 390, "height": 844})
    wait_for_idle(page)
    page.screenshot(path=str(SHOTS / "done-zh-phone.png"), full_page=True)
    switch_language(page, "en")
    finished(page, "en", 10, 0)
    page.screenshot(path=str(SHOTS / "done-en-phone.png"), full_page=True)
