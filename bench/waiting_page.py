"""Benchmark what a page costs while it waits for an answer's first word (issue 24 item 2).

Run ``python bench/waiting_page.py`` (``--runs N``, ``--seconds S``; about a minute). For Kantu
(``app.py``) and the naive baseline (``bench/baseline_app.py``), each a real ``streamlit run``
against its own loopback upstream that holds the answer back (``first_byte_delay``), one
headless Chromium page sends a question and, once the page shows it is waiting, the CPU time of
Chromium (every process under this one, from ``/proc``) and of the server is read over ``S``
seconds. With ``prefers-reduced-motion: reduce`` too. Median of ``N`` pages each.

Target (issue 24): a waiting page costs ≤ 20 ms of CPU a second. On a 2-core machine shared with
other work the figures are noisy: compare the rows of one run.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, expect, sync_playwright

from bench.browser import Target, browser_cpu_s, make_targets, proc_cpu_s, type_question
from components.devtools.browser import launch_browser, open_page
from components.devtools.upstream import sse

HOLD_S = 60.0  # the upstream's wait before the first word: longer than any measurement
SETTLE_S = 1.5  # after the waiting shows: the rerun and first paints are not "waiting"
# What each app shows while it waits: Kantu's thinking mark; the baseline's chat message of the
# question (Streamlit's own running indicator is all it shows while waiting).
WAITING = {"Kantu": ".kantu-thinking", "baseline": '[data-testid="stChatMessage"]'}


def waiting_cpu(
    browser: Browser, target: Target, motion: str, seconds: float
) -> tuple[float, float]:
    """Return (browser, server) CPU ms per second of one page waiting for its first word."""
    reply = dataclasses.replace(sse(["ok"]), first_byte_delay=HOLD_S)
    target.upstream.enqueue(reply)
    assert target.app is not None
    page = open_page(browser, target.app, locale="en-US", reduced_motion=motion)
    try:
        type_question(page)
        page.keyboard.press("Enter")
        expect(page.locator(WAITING[target.name]).first).to_be_visible(timeout=60_000)
        time.sleep(SETTLE_S)
        browser_before, server_before = browser_cpu_s(target.pid), proc_cpu_s(target.pid)
        time.sleep(seconds)
        browser_ms = (browser_cpu_s(target.pid) - browser_before) * 1000 / seconds
        server_ms = (proc_cpu_s(target.pid) - server_before) * 1000 / seconds
        return browser_ms, server_ms
    finally:
        page.context.close()  # the held request waits on, idle, until the upstream stops


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="pages per row (median)")
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per page")
    args = parser.parse_args(argv)
    targets = make_targets()
    rows: list[tuple[str, str, float, float]] = []
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            for target in targets.values():
                with target.upstream:
                    target.start()
                    try:
                        for motion in ("no-preference", "reduce"):
                            figures = [
                                waiting_cpu(browser, target, motion, args.seconds)
                                for _ in range(args.runs)
                            ]
                            rows.append(
                                (
                                    target.name,
                                    motion,
                                    statistics.median(f[0] for f in figures),
                                    statistics.median(f[1] for f in figures),
                                )
                            )
                    finally:
                        target.stop()
        finally:
            browser.close()
    print(f"\nA page waiting for its first word (median of {args.runs}; target ≤ 20 ms/s)\n")
    print("| app | motion | browser CPU ms/s | server CPU ms/s |")
    print("|---|---|---:|---:|")
    for name, motion, browser_ms, server_ms in rows:
        print(f"| {name} | {motion} | {browser_ms:.0f} | {server_ms:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
