"""Benchmark a share link: a 30-photo chat's snapshot opened in a fresh Chromium context.

Run ``python bench/share.py`` (``--turns N``, ``--runs N``). It builds, in code, N different
photos (1600×1200 JPEGs, gradients plus noise) prepared as the chat page does, a chat of N
questions with one photo each and an answer with its meta record, saves it to a SQLite chat
store and shares it, starts ``streamlit run app.py`` on that store, and times, in a new browser
context each run, from ``goto`` to every message and picture it opens on drawn (the first
``SHOWN_ENTRIES``; the next ones a click away) and the app idle. The
baseline is the app's own empty chat page opened the same way, on the same server.

Target (issue 20): the snapshot of a 30-photo chat opens in ≤ 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, expect, sync_playwright

from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.devtools.browser import launch_browser, start_app, wait_for_idle
from components.devtools.image_factory import photo_jpeg
from components.history.ops import SavedState, diff, new_chat_id
from components.history.records import describe
from components.history.server_store import SQLiteChatStore, owner_key
from components.images.prepare import prepare_image
from components.ui.chat import SHOWN_ENTRIES
from components.usage import Usage

ANSWER = "这张照片里是一只橘猫，趴在窗台上晒太阳。" * 6 + " The cat looks relaxed. " * 8
TARGET_S = 1.5


def _chat(turns: int) -> Conversation:
    conv = Conversation()
    for i in range(turns):
        photo = prepare_image(photo_jpeg(1600, 1200), name=f"p{i}.jpg")
        conv.add_user(f"第 {i + 1} 张照片里是什么？", [photo])
        meta = AnswerMeta("ok", "gpt-4o-mini", "gpt-4o-mini", "stop", Usage(1200, 90, 1290))
        conv.add_answer(ANSWER, meta=meta)
    return conv


def _timed(page: Page, url: str, messages: int, images: int) -> float:
    start = time.perf_counter()
    page.goto(url)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(messages, timeout=60_000)
    expect(page.get_by_test_id("stImage").locator("img")).to_have_count(images, timeout=60_000)
    wait_for_idle(page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kantu-bench-share-"))
    store = SQLiteChatStore(folder / "chats.sqlite3")
    owner = owner_key("bench", visitor_secret="bench")
    conv = _chat(args.turns)
    meta = describe(conv, new_chat_id(), created=time.time(), updated=time.time())
    store.apply(owner, diff(SavedState(), conv, meta))
    token = store.share(owner, meta.id, time.time())
    app = start_app({"KANTU_CHATS_PATH": str(folder / "chats.sqlite3")})
    shown = min(2 * args.turns, SHOWN_ENTRIES)  # the page opens on the first messages
    rows: dict[str, list[float]] = {"empty chat page (baseline)": [], "shared snapshot": []}
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            for _ in range(args.runs + 1):  # the first of each is a warm-up
                for name, path, messages, images in (
                    ("empty chat page (baseline)", "", 0, 0),
                    ("shared snapshot", f"shared?s={token}", shown, shown // 2),
                ):
                    context = browser.new_context(viewport={"width": 1440, "height": 900})
                    rows[name].append(_timed(context.new_page(), app.url + path, messages, images))
                    context.close()
            browser.close()
    finally:
        app.stop()
    print(f"{args.turns}-photo chat, {args.runs} runs (median; first run dropped as warm-up)")
    print(f"{'page':32} {'median s':>9} {'max s':>7}")
    for name, times in rows.items():
        kept = times[1:]
        print(f"{name:32} {statistics.median(kept):9.2f} {max(kept):7.2f}")
    shared = statistics.median(rows["shared snapshot"][1:])
    print(f"target ≤ {TARGET_S} s: {'met' if shared <= TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
