"""Load: N real browser sessions against one ``streamlit run`` of Kantu, the upstream streaming.

Run ``python bench/load.py [--sessions 1 5 10 20] [--wait 1.0] [--settle 30] [--photo WxH]``
(not part of CI; about 6 minutes with the defaults). For each N a fresh server starts
(``components.devtools.browser.start_app``) against an in-process loopback ``FakeUpstream``
that waits ``--wait`` seconds before the first token, then streams 40 words over about 1 s;
one warm-up visitor asks once and leaves before anything is measured.
N Chromium contexts (one browser, one context per visitor: no shared cookies) open the app,
each attaches a photo and types a question; then Enter is pressed in every page, one after the
other, as fast as Playwright can.

Clocks: each page times itself. A capture-phase ``keydown`` listener notes Enter and a
MutationObserver notes when the answer's first word and its last word first appear in the page's
text, all with ``performance.now()`` of that page: no polling from the bench skews them.
The machine's load average at the Enter is printed too: on a shared machine it says how much
of a figure is other people's work.

Reported for each N: answers completed (last word shown within the time limit), p50/p95 of
Enter to first text, the server's RSS before the sessions open, at peak, and ``--settle``
seconds after they closed (their contexts closed: the websockets are gone). Streamlit keeps a
disconnected session for ``server.disconnectedSessionTTL`` (120 s by default) so a reconnecting
phone finds its chat again; the "after" column is read at ``--settle`` s and again once that
TTL (shortened for the bench with ``--ttl``) has passed.

Target on a 2-core machine: every session of 20 completes; at 10, p95 ≤ wait + 1 s. All the
browsers share the server's 2 cores here, which real visitors do not.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, FilePayload, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from bench.browser import (
    BenchError,
    attach_to_all,
    log,
    median,
    p95,
    proc_status_mb,
    rss_sampler,
    type_question,
)
from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    App,
    AppStartError,
    launch_browser,
    start_app,
    wait_for_idle,
)
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, Reply, sse

KEY = "sk-load-0123456789abcdef"
FIRST, LAST = "Zqfirstk", "Zqlastk"
WORDS = 40
STREAM_S = 1.0  # the answer's words are spread over this long after the first one
WAIT_MS = 180_000
# Installed in every page once it is idle: its own Enter and first/last text times.
OBSERVER_JS = f"""
(() => {{
  if (window.__load) return;
  const load = window.__load = {{enter: null, first: null, last: null}};
  document.addEventListener('keydown', (e) => {{
    if (e.key === 'Enter' && !e.shiftKey && load.enter === null) load.enter = performance.now();
  }}, true);
  const main = () => document.querySelector('[data-testid="stMain"]') || document.body;
  new MutationObserver(() => {{
    if (load.enter === null || load.last !== null) return;
    const text = main().textContent;
    if (load.first === null && text.includes({FIRST!r})) load.first = performance.now();
    if (load.first !== null && text.includes({LAST!r})) load.last = performance.now();
  }}).observe(document, {{childList: true, subtree: true, characterData: true}});
}})();
"""


@dataclass(frozen=True)
class Row:
    """One N: how many answers completed, Enter→first text (s), server RSS (MB)."""

    sessions: int
    completed: int
    p50_s: float | None
    p95_s: float | None
    rss_before: float
    rss_peak: float
    rss_after_settle: float
    rss_after_ttl: float
    load: float  # the machine's 1-minute load average when Enter was pressed


def answer(wait_s: float) -> Reply:
    """Return the upstream's answer: nothing for ``wait_s``, then WORDS words over STREAM_S."""
    words = [FIRST] + [f" w{i}" for i in range(WORDS - 2)] + [f" {LAST}."]
    return replace(sse(words, delay=STREAM_S / WORDS), first_byte_delay=wait_s)


def open_pages(browser: Browser, app: App, n: int) -> list[Page]:
    """Open ``n`` sessions, each in its own context, idle, with the observer installed."""
    pages = []
    for _ in range(n):
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(app.url, wait_until="commit")
        pages.append(page)
    for page in pages:
        wait_for_idle(page, timeout=WAIT_MS)
        page.evaluate(OBSERVER_JS)
    return pages


def warm_up(browser: Browser, app: App) -> None:
    """Have one visitor ask once and leave, so the first measured Enter finds a warm server."""
    (page,) = open_pages(browser, app, 1)
    type_question(page, "warm up")
    page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea").press("Enter")
    page.wait_for_function("window.__load.last !== null", timeout=WAIT_MS)
    page.context.close()
    time.sleep(1.0)


def run_once(browser: Browser, n: int, args: argparse.Namespace, photo: FilePayload | None) -> Row:
    """Measure N sessions on a fresh server; return the row."""
    with FakeUpstream(default=answer(args.wait)) as up:
        env = {
            "KANTU_BASE_URL": up.base_url,
            "KANTU_API_KEY": KEY,
            "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.ttl),
        }
        try:
            app = start_app(env, timeout=60)
        except AppStartError as exc:
            raise BenchError(str(exc)) from exc
        try:
            pid = app.process.pid
            warm_up(browser, app)
            before = proc_status_mb(pid, "VmRSS")
            with rss_sampler(pid) as samples:
                pages = open_pages(browser, app, n)
                if photo is not None:
                    attach_to_all(pages, photo)
                for page in pages:
                    type_question(page, "What is in this picture?")
                log(f"N={n}: pages ready, pressing Enter in each")
                load = os.getloadavg()[0]
                for page in pages:
                    textarea = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id(
                        "stChatInputTextArea"
                    )
                    textarea.press("Enter")
                deadline = time.monotonic() + args.limit
                times: list[dict[str, float | None]] = []
                for page in pages:
                    left_ms = max(1.0, (deadline - time.monotonic()) * 1000)
                    with suppress(PlaywrightError):  # not completed: counted below
                        page.wait_for_function("window.__load.last !== null", timeout=left_ms)
                    times.append(page.evaluate("window.__load"))
                for page in pages:
                    page.context.close()
                peak = max(samples, default=before)
            completed = sum(1 for t in times if t["last"] is not None)
            firsts = [
                (t["first"] - t["enter"]) / 1000
                for t in times
                if t["first"] is not None and t["enter"] is not None
            ]
            log(f"N={n}: {completed}/{n} completed; waiting {args.settle:g} s after closing")
            time.sleep(args.settle)
            after_settle = proc_status_mb(pid, "VmRSS")
            time.sleep(max(0.0, args.ttl + 15 - args.settle))  # Streamlit sweeps now and then
            after_ttl = proc_status_mb(pid, "VmRSS")
        finally:
            app.stop()
    return Row(
        n,
        completed,
        median(firsts) if firsts else None,
        (p95(firsts) if len(firsts) > 1 else firsts[0]) if firsts else None,
        before,
        peak,
        after_settle,
        after_ttl,
        load,
    )


def print_table(rows: Sequence[Row], args: argparse.Namespace) -> None:
    head = (
        "sessions",
        "completed",
        "p50 Enter→first (s)",
        "p95 Enter→first (s)",
        "RSS before (MB)",
        "RSS peak (MB)",
        f"RSS +{args.settle:g} s (MB)",
        f"RSS +TTL {args.ttl} s (MB)",
        "load avg",
    )

    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    lines = [head] + [
        (
            str(r.sessions),
            f"{r.completed}/{r.sessions}",
            cell(r.p50_s),
            cell(r.p95_s),
            f"{r.rss_before:.0f}",
            f"{r.rss_peak:.0f}",
            f"{r.rss_after_settle:.0f}",
            f"{r.rss_after_ttl:.0f}",
            f"{r.load:.1f}",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    print(
        f"\nKantu under load: upstream waits {args.wait:g} s, then {WORDS} words over "
        f"{STREAM_S:g} s; photo {args.photo or 'none'}; target p95 ≤ {args.wait + 1:g} s at 10"
    )
    for i, line in enumerate(lines):
        print("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--wait", type=float, default=1.0, help="upstream wait before 1st token")
    parser.add_argument("--settle", type=float, default=30.0, help="s after close for 'after'")
    parser.add_argument("--ttl", type=int, default=30, help="server.disconnectedSessionTTL (s)")
    parser.add_argument("--limit", type=float, default=120.0, help="s for all answers to end")
    parser.add_argument("--photo", default="1600x1200", help="WxH JPEG per session, or 'none'")
    args = parser.parse_args(argv)
    photo: FilePayload | None = None
    if args.photo != "none":
        width, height = (int(v) for v in args.photo.split("x"))
        photo = {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(width, height)}
    else:
        args.photo = ""
    rows = []
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            for n in args.sessions:
                rows.append(run_once(browser, n, args, photo))
                print_table(rows, args)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
