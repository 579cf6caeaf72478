"""Take the README's screenshots: the real app in headless Chromium, answering from a fake upstream.

    python docs/make_screenshot.py            # writes docs/screenshot.png and docs/screenshot-phone.png

Everything stays on 127.0.0.1: the answer comes from the tests' scripted fake upstream.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.devtools.browser import (  # noqa: E402
    attach_files,
    launch_browser,
    open_page,
    send_prompt,
    start_app,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse  # noqa: E402

ANSWER = [
    "这是一张**橙子**的插图：",
    "一个圆形的橙色果实，顶部有一片绿色的叶子。\n\n",
    "- 背景：米白色\n",
    "- 风格：扁平、简洁，颜色对比明显\n\n",
    "想了解更多，可以看 [维基百科](https://zh.wikipedia.org/wiki/橙)。",
]
USAGE = {"prompt_tokens": 8511, "completion_tokens": 34, "total_tokens": 8545}


def orange_jpeg() -> bytes:
    """Draw the demo picture: an orange with a leaf."""
    img = Image.new("RGB", (1200, 900), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    draw.ellipse((350, 200, 850, 700), fill=(245, 140, 30))
    draw.ellipse((560, 120, 700, 230), fill=(60, 160, 60))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def shoot(out: Path, *, viewport: tuple[int, int], locale: str = "zh-CN") -> None:
    """Ask about the demo picture and save a screenshot of the answered page."""
    with FakeUpstream() as upstream, sync_playwright() as playwright:
        upstream.default = sse(ANSWER, usage=USAGE, delay=0.05)
        app = start_app({"KANTU_BASE_URL": upstream.base_url, "KANTU_API_KEY": "demo-key"})
        try:
            browser = launch_browser(playwright)
            page = open_page(browser, app, locale=locale, viewport=viewport)
            attach_files(
                page, [{"name": "orange.jpg", "mimeType": "image/jpeg", "buffer": orange_jpeg()}]
            )
            send_prompt(page, "这是什么图片？")
            expect(page.get_by_test_id("stChatMessage").last).to_contain_text(
                "维基百科", timeout=20_000
            )
            wait_for_idle(page)
            page.screenshot(path=str(out))
            browser.close()
        finally:
            app.stop()


if __name__ == "__main__":
    shoot(ROOT / "docs" / "screenshot.png", viewport=(1280, 860))
    shoot(ROOT / "docs" / "screenshot-phone.png", viewport=(390, 844))
    print("wrote docs/screenshot.png and docs/screenshot-phone.png")
