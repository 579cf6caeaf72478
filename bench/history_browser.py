"""Benchmark the browser store (issue 20): a 30-turn chat with 30 photos saved to IndexedDB and
loaded back after a reload, in headless Chromium, against a real ``streamlit run`` of
``tests/apps/browser_store_app.py``.

Run ``python bench/history_browser.py`` (``--turns N``, ``--runs R``, ``--side PX``). It builds N
photos in code (``image_factory.photo_jpeg``, ``--side`` px wide, 4:3), prepares each as the chat
page does (``prepare_image``, detail ``auto``), records N questions (one photo each) and answers
with their meta, and turns the conversation's export (the per-entry and per-picture JSON the ops
carry) into contract-v1 ops. Then it prints:

- **load after a reload** (R runs, a fresh page load each): from the page becoming interactive
  (``performance.timing.domInteractive``) to the chat's data being back in Python (the app's
  clock, same machine), and from navigation start. Target: ≤ 1 s including the drawing, which
  is the chat page's and not measured here.
- **save**: the whole chat in one batch (click → in IndexedDB), and one more turn afterwards:
  the bytes that rerun moved and what ``sync`` cost in Python, against the baseline of sending
  the whole chat again (its JSON size). Target: ≤ 20 ms, only that turn.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, expect, sync_playwright

from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.conversation.transfer import export_json
from components.devtools.browser import launch_browser, open_page, start_app
from components.devtools.image_factory import photo_jpeg
from components.images.prepare import prepare_image
from components.usage import Usage

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "tests/apps/browser_store_app.py"
MODEL = "gpt-4o-mini"
CHAT_ID = "bench-chat-0123456789abcdef"
ANSWER = "这是一张照片：渐变的颜色，左上角偏红，右下角偏蓝，中间有一块标记。" * 6
TIMEOUT_MS = 120_000
# Epoch milliseconds: navigation start, page interactive, the store mounted, the chat read.
MARKS = """() => {
  const t = performance.timing;
  const at = (name) => performance.timeOrigin + performance.getEntriesByName(name)[0].startTime;
  return [t.navigationStart, t.domInteractive, at("kantu-store-mounted"), at("kantu-store-loaded")];
}"""


# The browser store has written a batch to IndexedDB.
APPLIED = "() => performance.getEntriesByName('kantu-store-applied').length > 0"


def build_chat(turns: int, side: int) -> Conversation:
    """Return a chat of ``turns`` questions, each with its own photo (``side`` px wide, prepared
    as the chat page does), and answers with their meta."""
    conv = Conversation()
    for n in range(1, turns + 1):
        data = photo_jpeg(side, side * 3 // 4, quality=85 - n % 7)  # each photo its own bytes
        image = prepare_image(data, name=f"photo-{n}.jpg", model=MODEL)
        conv.add_user(f"第 {n} 张：这是什么？", [image])
        usage = Usage(prompt_tokens=900, completion_tokens=120, total_tokens=1020)
        meta = AnswerMeta("ok", MODEL, MODEL, "stop", usage, 765, False, 0.6, 3)
        conv.add_answer(ANSWER, meta=meta)
    return conv


def build_ops(turns: int, side: int) -> tuple[list[dict[str, Any]], int]:
    """Return the chat as contract-v1 ops (pictures, entries, then its meta) and its picture count."""
    doc = json.loads(export_json(build_chat(turns, side)))
    ops: list[dict[str, Any]] = [
        {"op": "picture", "sha": sha, "picture": picture}
        for sha, picture in doc["pictures"].items()
    ]
    ops += [
        {"op": "entry", "chat": CHAT_ID, "index": i, "entry": entry}
        for i, entry in enumerate(doc["entries"])
    ]
    now = time.time()
    meta_op = {
        "id": CHAT_ID,
        "title": "第 1 张：这是什么？",
        "title_edited": False,
        "created": now,
        "updated": now,
        "pictures": len(doc["pictures"]),
        "turns": turns,
    }
    ops.append({"op": "chat", "chat": meta_op})
    return ops, len(doc["pictures"])


def report(page: Page, expecting: str) -> dict[str, Any]:
    code = page.locator("code").last
    expect(code).to_contain_text(expecting, timeout=TIMEOUT_MS)
    return json.loads(code.inner_text())


def chat_arguments(doc: str | None) -> argparse.Namespace:
    """Parse the chat benches' options: ``--turns``, ``--runs``, ``--side``."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--side", type=int, default=2016)
    return parser.parse_args()


def main() -> None:
    args = chat_arguments(__doc__)

    started = time.perf_counter()
    ops, pictures = build_ops(args.turns, args.side)
    ops_file = Path(tempfile.mkdtemp(prefix="kantu-bench-")) / "ops.json"
    ops_file.write_text(json.dumps(ops), encoding="utf-8")
    chat_bytes = len(json.dumps(ops, separators=(",", ":")))
    print(
        f"chat: {args.turns} turns, {pictures} photos ({args.side} px wide, prepared), "
        f"{chat_bytes / 1e6:.2f} MB of ops; built in {time.perf_counter() - started:.1f} s"
    )

    env = {"PYTHONPATH": str(ROOT), "KANTU_BENCH_OPS": str(ops_file)}
    app = start_app(env, script=SCRIPT, timeout=60)
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            page = open_page(browser, app)
            report(page, '"ready": true')
            clicked = time.perf_counter()
            page.get_by_role("button", name="Save bench chat").click()
            report(page, f'"chats": ["{CHAT_ID}"')
            page.wait_for_function(APPLIED, timeout=TIMEOUT_MS)
            save_all_s = time.perf_counter() - clicked
            # The click carries the store's acknowledgement: its run moves only the new turn.
            page.get_by_role("button", name="Add turn").click()
            turn = report(page, '"turns": 1,')["last_move"]  # the click's run, not one before it

            from_interactive: list[float] = []
            from_start: list[float] = []
            to_mount: list[float] = []
            to_read: list[float] = []
            to_python: list[float] = []
            for _ in range(args.runs):
                page.goto(f"{app.url}?load={CHAT_ID}")
                loaded = report(page, '"loaded": {')["loaded"]
                start, interactive, mounted, read = page.evaluate(MARKS)
                from_interactive.append(loaded["at"] - interactive / 1000)
                from_start.append(loaded["at"] - start / 1000)
                to_mount.append((mounted - interactive) / 1000)
                to_read.append((read - mounted) / 1000)
                to_python.append(loaded["at"] - read / 1000)
                assert len(loaded["texts"]) == 2 * args.turns and loaded["pictures"] == pictures
            browser.close()
    finally:
        app.stop()

    def ms(values: list[float]) -> str:
        cells = (statistics.median(values), min(values), max(values))
        return " | ".join(f"{1000 * v:9.0f}" for v in cells)

    rows = [
        ("page interactive → chat back in Python", ms(from_interactive)),
        ("navigation start → chat back in Python", ms(from_start)),
        ("  of which: interactive → component mounted", ms(to_mount)),
        ("  of which: mounted → read from IndexedDB", ms(to_read)),
        ("  of which: read → back in Python (a rerun)", ms(to_python)),
    ]
    print()
    print(f"| load after a reload, {args.runs} runs{'':19} | median ms |    min ms |    max ms |")
    print(f"|{'-' * 46}|-----------|-----------|-----------|")
    for label, cells in rows:
        print(f"| {label:44} | {cells} |")
    saves = [
        ("whole chat, one batch: click → in IndexedDB", f"{1000 * save_all_s:.0f} ms"),
        ("one more turn: bytes that rerun moved", f"{turn['bytes']} B"),
        ("baseline: the whole chat sent again", f"{chat_bytes} B"),
        ("one more turn: BrowserStore.sync in Python", f"{turn['sync_ms']:.2f} ms"),
    ]
    print()
    print(f"| {'save':44} | {'figure':>12} |")
    print(f"|{'-' * 46}|{'-' * 14}|")
    for label, figure in saves:
        print(f"| {label:44} | {figure:>12} |")


if __name__ == "__main__":
    main()
