"""Benchmark the memory the offline reader gives back, and the server's CPU per photo question
(issue 24 items 3 and 4). Loopback only, a real ``streamlit run`` and Debian's Chromium.

Run ``python bench/memory.py`` (``--reads 5 --ttl 5`` by default; ``--before DIR`` adds the CPU
figures of another checkout, e.g. ``git archive <commit> | tar -x -C DIR``).

1. **Memory.** For each allocator setting (glibc's own; ``malloc_trim`` after each read; the mmap
   threshold at start-up; both, the default) a fresh server with the offline preset (no key) and
   a short reconnection window (``server.disconnectedSessionTTL``, ``--ttl`` s). ``--reads``
   browser tabs each send one picture (a 12 MP phone photo or a text screenshot, in turn) and
   close; the server's resident memory (``VmRSS``) is taken once the reader has loaded, after the
   reads (and its peak, ``VmHWM``), and ``--ttl`` + 5 s after every tab closed. Reading time is
   Enter to the answer's last line, per read (median), with its ratio to glibc's own in the run.
2. **CPU per question.** A server on a loopback fake upstream (which answers at once); one tab
   sends ``--questions`` questions, with a 12 MP photo or text only; the server's CPU time
   (``/proc``) per question, after one warm-up. With ``--before DIR`` the same for that checkout's ``app.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, Page, expect, sync_playwright

from components.devtools import image_factory as make
from components.devtools import text_pictures as tp
from components.devtools.browser import (
    App,
    attach_files,
    launch_browser,
    send_prompt,
    start_app,
    wait_for_idle,
)
from components.devtools.proc import status_mb
from components.devtools.upstream import FakeUpstream, sse

NO_KEYS = {name: "" for name in ("KANTU_API_KEY", "OPENAI_API_KEY", "KANTU_BASE_URL")}
SETTINGS = {  # name -> environment
    "glibc's own": {"KANTU_MMAP_THRESHOLD": "0", "KANTU_MALLOC_TRIM": "off"},
    "trim after reads": {"KANTU_MMAP_THRESHOLD": "0", "KANTU_MALLOC_TRIM": "on"},
    "mmap threshold": {"KANTU_MMAP_THRESHOLD": "131072", "KANTU_MALLOC_TRIM": "off"},
    "both (default)": {},
}
READ_TIMEOUT_MS = 180_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class MemoryFigures:
    """One allocator setting's run."""

    loaded_mb: float
    after_reads_mb: float
    peak_mb: float
    after_close_mb: float
    read_s: list[float]


def cpu_s(pid: int) -> float:
    """Return the process's user + system CPU seconds so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def pictures(count: int) -> list[tuple[str, str, bytes]]:
    """Return ``count`` pictures to read, a phone photo and a text screenshot in turn."""
    photo = make.photo_jpeg(4000, 3000)
    shot = tp.text_picture(tp.SCREENSHOT, width=1170)
    both = [("photo.jpg", "image/jpeg", photo), ("shot.png", "image/png", shot)]
    return [both[i % 2] for i in range(count)]


def read_once(browser: Browser, app: App, picture: tuple[str, str, bytes]) -> float:
    """Send one picture in a new tab, wait for its text, close the tab; return Enter → answer."""
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.goto(app.url)
        wait_for_idle(page)
        name, mime, data = picture
        attach_files(page, {"name": name, "mimeType": mime, "buffer": data})
        started = time.perf_counter()
        send_prompt(page, "What does it say?")
        answer = page.get_by_test_id("stChatMessage").last
        expect(answer).to_contain_text("rapidocr-pp-ocrv6", timeout=READ_TIMEOUT_MS)  # the meta
        elapsed = time.perf_counter() - started
        wait_for_idle(page)
        return elapsed
    finally:
        context.close()


def wait_loaded(browser: Browser, app: App) -> None:
    """Open a tab and wait for the reader's models to load (the welcome warms them up)."""
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.goto(app.url)
        wait_for_idle(page)
    finally:
        context.close()
    for _ in range(600):  # the background load: RSS stops growing
        before = status_mb("VmRSS", app.process.pid)
        time.sleep(1.0)
        if abs(status_mb("VmRSS", app.process.pid) - before) < 1 and before > 150:
            return


def memory_run(browser: Browser, env: dict[str, str], reads: int, ttl: int) -> MemoryFigures:
    """Start a server with ``env``, read ``reads`` pictures in closed tabs; return figures."""
    app = start_app(
        {**NO_KEYS, "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(ttl), **env}, timeout=120
    )
    try:
        wait_loaded(browser, app)
        pid = app.process.pid
        loaded = status_mb("VmRSS", pid)
        times = [read_once(browser, app, picture) for picture in pictures(reads)]
        after_reads, peak = status_mb("VmRSS", pid), status_mb("VmHWM", pid)
        time.sleep(ttl + 5)  # every tab closed: the reconnection window, then a sweep
        return MemoryFigures(loaded, after_reads, peak, status_mb("VmRSS", pid), times)
    finally:
        app.stop()


def cpu_per_question(browser: Browser, script: str, questions: int, photo: bytes | None) -> float:
    """Return the server's CPU milliseconds per question (with ``photo``, or text only), after
    one warm-up."""
    with FakeUpstream() as up:
        up.default = sse(["OK."])
        env = {"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": "bench-key"}
        app = start_app(env, script=script, timeout=120)
        context = browser.new_context(locale="en-US")
        try:
            page = context.new_page()
            page.goto(app.url)
            wait_for_idle(page)
            ask(page, photo, 1)
            time.sleep(1.0)
            started = cpu_s(app.process.pid)
            for number in range(2, questions + 2):
                ask(page, photo, number)
            return (cpu_s(app.process.pid) - started) * 1000 / questions
        finally:
            context.close()
            app.stop()


def ask(page: Page, photo: bytes | None, number: int) -> None:
    """Send one question (with ``photo``) and wait until its answer is shown, the page idle."""
    if photo is not None:
        attach_files(page, {"name": f"p{number}.jpg", "mimeType": "image/jpeg", "buffer": photo})
    send_prompt(page, f"Question {number}?")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2 * number, timeout=60_000)
    wait_for_idle(page)


def print_memory(rows: dict[str, MemoryFigures]) -> None:
    base = statistics.median(next(iter(rows.values())).read_s)
    print(
        f"{'setting':<18}{'loaded':>9}{'after reads':>13}{'peak':>8}{'all closed':>12}"
        f"{'read (median)':>15}{'vs own':>8}"
    )
    for name, f in rows.items():
        median = statistics.median(f.read_s)
        print(
            f"{name:<18}{f.loaded_mb:>7.0f}MB{f.after_reads_mb:>11.0f}MB{f.peak_mb:>6.0f}MB"
            f"{f.after_close_mb:>10.0f}MB{median:>14.2f}s{median / base:>8.2f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=5)
    parser.add_argument("--ttl", type=int, default=5, help="server.disconnectedSessionTTL (s)")
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another checkout for the CPU comparison")
    parser.add_argument("--only", choices=["memory", "cpu"], help="run one part")
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        if args.only != "cpu":
            print(f"{args.reads} reads in closed tabs; 'all closed' {args.ttl + 5} s after\n")
            rows = {
                name: memory_run(browser, env, args.reads, args.ttl)
                for name, env in SETTINGS.items()
            }
            print_memory(rows)
        if args.only != "memory":
            scripts = {"this checkout": "app.py"}
            if args.before:
                scripts = {"before": str(args.before.resolve() / "app.py"), **scripts}
            photo = make.photo_jpeg(4000, 3000)
            print(f"\nserver CPU per question ({args.questions} questions after a warm-up)")
            print(f"{'checkout':<16}{'12 MP photo':>13}{'text only':>11}")
            for name, script in scripts.items():
                with_photo = cpu_per_question(browser, script, args.questions, photo)
                text_only = cpu_per_question(browser, script, args.questions, None)
                print(f"{name:<16}{with_photo:>10.1f} ms{text_only:>8.1f} ms")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
