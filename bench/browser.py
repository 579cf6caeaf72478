"""Benchmark Kantu in headless Chromium against a naive Streamlit baseline, in the same run.

Run ``python bench/browser.py`` (``--quick``: fewer repeats and a faster long answer, under
about 3 minutes). ``bench/profile_sessions.py`` profiles case c below on Kantu with py-spy.

Both apps run as real ``streamlit run`` servers (isolated by ``components.devtools.browser``),
each against its own loopback fake upstream that timestamps every request it receives and every
part it writes (``bench/timed_upstream.py``). The baseline is ``bench/baseline_app.py``. Measured
for each app:

a. Enter to the request at the upstream with a 12 MP photo attached: on a cold server (the
   first request after start) and a warm one (median; a new browser session each time);
b. the upstream's write to visible text, chunked and close-delimited framing, for a short answer
   and a long one (~4,000 one-word chunks): lag of the first and of the last token;
c. 10 browser sessions each sending a photo at the same moment (an Enter scheduled in every
   page for the same ``Date.now()``) while the upstream waits 1.5 s before answering: p50/p95
   of Enter to first visible text, split into Enter to request and first write to visible; the
   server's RSS before, at peak (VmHWM of a freshly started server, after one warm-up exchange)
   and after the sessions close; the CPU time of the server and of the browser (from /proc) in
   that stretch. All 10 browsers share the server's 2 cores here, which real visitors do not.

Clocks: every page records its own times with ``Date.now()``: a capture-phase ``keydown``
listener notes Enter, and a MutationObserver notes when each awaited marker first appears in the
page's text (in the DOM, before paint). The upstream notes ``time.time() * 1000`` on the same
machine. Nothing is measured by polling one page after another. Timings on a shared 2-core
machine are noisy: compare the two columns of one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, FilePayload, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from bench.timed_upstream import Exchange, TimedUpstream
from components.devtools.browser import (
    CHAT_FILE_INPUT_SELECTOR,
    CHAT_INPUT_SELECTOR,
    App,
    AppStartError,
    attach_files,
    launch_browser,
    open_page,
    start_app,
    wait_for_idle,
)
from components.devtools.image_factory import photo_jpeg
from components.devtools.proc import status_mb
from components.devtools.upstream import Reply, sse

KEY = "sk-bench-0123456789abcdef"
QUESTION = "What is in this picture?"
PHOTO_SIZE = (4000, 3000)  # 12 MP
SHORT_CHUNKS = 12
SHORT_DELAY_S = 0.05
LONG_CHUNKS = 4000
UPSTREAM_WAIT_S = 1.5
SESSIONS = 10
WAIT_MS = 120_000  # any single wait in the browser
WORDS = (" the", " orange", " sits", " on", " a", " white", " plate", " near", " light", ".")

# Installed in every page: Enter times, marker first-seen times, and a scheduled Enter.
OBSERVER_JS = """
(() => {
  if (window.__bench) return;
  const bench = window.__bench = {enter: [], seen: {}, watch: [], next: 0};
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) bench.enter.push(Date.now());
  }, true);
  const check = () => {
    if (bench.next >= bench.watch.length) return;
    const text = document.body.textContent;
    while (bench.next < bench.watch.length && text.includes(bench.watch[bench.next])) {
      bench.seen[bench.watch[bench.next]] = Date.now();
      bench.next += 1;
    }
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, characterData: true,
  });
  bench.expect = (markers) => {
    bench.watch = markers; bench.next = 0; bench.seen = {}; bench.enter = [];
  };
  bench.enterAt = (when) => setTimeout(() => {
    const box = document.querySelector('[data-testid="stChatInputTextArea"]');
    box.focus();
    box.dispatchEvent(new KeyboardEvent('keydown', {
      key: 'Enter', code: 'Enter', keyCode: 13, which: 13, bubbles: true, cancelable: true,
    }));
  }, Math.max(0, when - Date.now()));
})();
"""


class BenchError(RuntimeError):
    """Raised when a step of the benchmark fails or times out; the message says which."""


@dataclass(frozen=True)
class Plan:
    """How many repeats of each measure, and the pace of the long answer.

    The quick run streams the long answer twice as fast (500 chunks/s instead of 250, a fast
    model): a harder test for rendering, so its last-token lag is not comparable with the full
    run's (the table says the pace).
    """

    cold_runs: int
    warm_runs: int
    short_runs: int
    long_runs: int
    long_delay_s: float
    settle_s: float  # after the sessions close, before reading RSS "after"

    @classmethod
    def for_mode(cls, quick: bool) -> Plan:
        return cls(1, 2, 1, 1, 0.002, 3.0) if quick else cls(3, 7, 5, 2, 0.004, 5.0)


@dataclass
class Target:
    """One app under test: its script, its upstream and (while running) its server."""

    name: str
    script: str
    env_names: tuple[str, str]  # (base URL variable, key variable)
    upstream: TimedUpstream = field(default_factory=TimedUpstream)
    app: App | None = None

    def start(self) -> App:
        """(Re)start a fresh server; raise BenchError if it does not come up."""
        self.stop()
        url_var, key_var = self.env_names
        env = {url_var: self.upstream.base_url, key_var: KEY}
        try:
            self.app = start_app(env, script=self.script, timeout=60)
        except AppStartError as exc:
            raise BenchError(f"{self.name}: {exc}") from exc
        return self.app

    def stop(self) -> None:
        if self.app is not None:
            self.app.stop()
            self.app = None

    @property
    def pid(self) -> int:
        assert self.app is not None, "not started"
        return self.app.process.pid


# ---------------------------------------------------------------------------------------------
# Replies and markers


def markers(tag: str, n: int) -> list[str]:
    """Return ``n`` unique words that survive Markdown rendering as they are."""
    return [f"Zq{tag}x{i}k" for i in range(n)]


def answer(tag: str, chunks: int, delay: float, framing: str) -> tuple[Reply, list[str]]:
    """Build a streamed answer of ``chunks`` one-word deltas; return it and its watched markers.

    Markers sit at the first, the middle and the last delta, so the first and the last token's
    arrival can be timed at both ends.
    """
    marks = markers(tag, 3)
    at = {0: marks[0], chunks // 2: marks[1], chunks - 1: marks[2]}
    deltas = [WORDS[i % len(WORDS)] for i in range(chunks)]
    for i, mark in at.items():
        deltas[i] = " " + mark
    return sse(deltas, delay=delay, framing=framing), marks  # type: ignore[arg-type]


def short_reply(tag: str, *, wait_s: float = 0.0) -> tuple[Reply, list[str]]:
    """A short chunked answer, optionally after the upstream waits ``wait_s``."""
    reply, marks = answer(tag, SHORT_CHUNKS, 0.0, "chunked")
    return replace(reply, first_byte_delay=wait_s), marks


# ---------------------------------------------------------------------------------------------
# Browser steps


def open_bench_page(browser: Browser, target: Target) -> Page:
    """Open the target's app in a new browser context, idle, with the observer installed."""
    assert target.app is not None
    page = open_page(browser, target.app, locale="en-US")
    page.set_default_timeout(WAIT_MS)
    page.evaluate(OBSERVER_JS)
    return page


def open_bench_pages(browser: Browser, target: Target, n: int) -> list[Page]:
    """Open ``n`` sessions at once (each in its own context), idle, with the observer installed."""
    assert target.app is not None
    pages = []
    for _ in range(n):
        page = browser.new_context(
            locale="en-US", viewport={"width": 1280, "height": 900}
        ).new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(target.app.url, wait_until="commit")
        pages.append(page)
    for page in pages:
        wait_for_idle(page, timeout=WAIT_MS)
        page.evaluate(OBSERVER_JS)
    return pages


def attach_to_all(pages: Sequence[Page], photo: FilePayload) -> None:
    """Attach ``photo`` in every page, uploading in parallel; wait until every upload is done."""
    for page in pages:
        page.locator(CHAT_FILE_INPUT_SELECTOR).set_input_files(photo)
    for page in pages:
        chat = page.locator(CHAT_INPUT_SELECTOR)
        expect(chat.get_by_test_id("stFileChip")).to_have_count(1, timeout=WAIT_MS)
        expect(chat.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=WAIT_MS)


def close_page(page: Page) -> None:
    page.context.close()


def type_question(page: Page, text: str = QUESTION) -> None:
    """Type into the chat input and wait until it can be sent."""
    chat = page.locator(CHAT_INPUT_SELECTOR)
    chat.get_by_test_id("stChatInputTextArea").fill(text)
    expect(chat.get_by_test_id("stChatInputSubmitButton")).to_be_enabled()


def press_enter(page: Page) -> None:
    page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea").press("Enter")


def wait_for_markers(page: Page, marks: Sequence[str]) -> dict[str, float]:
    """Wait until every marker was seen; return ``{marker: Date.now() when first seen}``."""
    page.wait_for_function(f"window.__bench.next >= {len(marks)}", timeout=WAIT_MS)
    return page.evaluate("window.__bench.seen")


def enter_time(page: Page) -> float:
    """Return the page's ``Date.now()`` at the (single) Enter since ``expect`` was called."""
    times = page.evaluate("window.__bench.enter")
    if len(times) != 1:
        raise BenchError(f"expected one Enter in the page, saw {len(times)}")
    return float(times[0])


def one_exchange(
    page: Page,
    target: Target,
    reply: Reply,
    marks: list[str],
    photo: FilePayload | None,
) -> tuple[float, Exchange, dict[str, float]]:
    """Send one question (with ``photo``); return the page's Enter time, the upstream's view of
    the request, and when each marker showed. Raise BenchError on a timeout."""
    up = target.upstream
    up.clear()
    up.enqueue(reply)
    if photo is not None:
        attach_files(page, photo)
    type_question(page)
    page.evaluate("(m) => window.__bench.expect(m)", marks)
    press_enter(page)
    try:
        exchange = up.wait_for_exchanges(1, timeout=WAIT_MS / 1000)[0]
        seen = wait_for_markers(page, marks)
    except (TimeoutError, PlaywrightError) as exc:
        raise BenchError(f"{target.name}: the answer did not arrive or show: {exc}") from exc
    wait_for_idle(page, timeout=WAIT_MS)
    return enter_time(page), exchange, seen


# ---------------------------------------------------------------------------------------------
# Measures


def enter_to_request(browser: Browser, target: Target, photo: FilePayload, tag: str) -> float:
    """Return ms from Enter (a new session, photo attached) to the request at the upstream."""
    page = open_bench_page(browser, target)
    try:
        reply, marks = short_reply(tag)
        entered, exchange, _ = one_exchange(page, target, reply, marks, photo)
    finally:
        close_page(page)
    if not exchange.request.json or "image_url" not in str(exchange.request.json):
        raise BenchError(f"{target.name}: the request carried no picture")
    return exchange.arrived_ms - entered


def write_to_visible(
    page: Page, target: Target, reply: Reply, marks: list[str]
) -> tuple[float, float]:
    """Return (first, last) token lags in ms: upstream flush to first seen in the page."""
    _, exchange, seen = one_exchange(page, target, reply, marks, None)
    first, last = marks[0], marks[-1]
    return (
        seen[first] - exchange.written_ms(first.encode()),
        seen[last] - exchange.written_ms(last.encode()),
    )


@dataclass(frozen=True)
class Memory:
    """Server memory in MB: before the sessions, at peak, after they closed."""

    before: float
    peak: float
    after: float


def proc_status_mb(pid: int, key: str) -> float:
    """Return a ``/proc/<pid>/status`` field (VmRSS, VmHWM) in MB."""
    try:
        return status_mb(key, pid)
    except LookupError as err:
        raise BenchError(str(err)) from err


def proc_cpu_s(pid: int) -> float:
    """Return the user + system CPU seconds used so far by process ``pid`` (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu_s(server_pid: int) -> float:
    """Return the CPU seconds used so far by this process's descendants (Playwright's driver and
    Chromium), the server excluded. Processes that already exited are not counted."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text(encoding="ascii").rpartition(")")[2].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    todo, ours = [os.getpid()], set()
    while todo:
        for child in children.get(todo.pop(), ()):
            if child != server_pid and child not in ours:
                ours.add(child)
                todo.append(child)
    total = 0.0
    for pid in ours:
        with suppress(OSError):  # exited since
            total += proc_cpu_s(pid)
    return total


@contextmanager
def rss_sampler(pid: int, every_s: float = 0.05) -> Iterator[list[float]]:
    """Sample VmRSS in a thread while the block runs; yield the live list of samples."""
    samples: list[float] = []
    done = threading.Event()

    def run() -> None:
        while not done.is_set():
            try:
                samples.append(proc_status_mb(pid, "VmRSS"))
            except (OSError, BenchError):
                return
            done.wait(every_s)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        done.set()
        thread.join(timeout=2)


class Probe:
    """Hooks called at the steps of ``concurrent_sessions``; these do nothing."""

    def before_enter(self) -> None:
        """The pages are ready; the shared Enter moment is scheduled next (about 1 s later)."""

    def requests_arrived(self) -> None:
        """Every session's request has reached the upstream."""

    def answers_shown(self) -> None:
        """Every page shows its whole answer."""


@dataclass(frozen=True)
class Sessions:
    """What the concurrent sessions saw: per page Enter and first-text times (ms), the requests'
    arrival times at the upstream, and the server's memory."""

    enter_ms: list[float]
    first_text_ms: list[float]
    arrived_ms: list[float]  # in the pages' order
    first_write_ms: list[float]  # when the upstream wrote each page's first token
    memory: Memory
    server_cpu_s: float  # the server's user+system CPU from just before Enter to the last request
    server_cpu_answers_s: float  # ... to every answer shown in full
    browser_cpu_s: float  # Chromium and Playwright, from just before Enter to the last request

    @property
    def write_to_first_text(self) -> list[float]:
        pairs = zip(self.first_write_ms, self.first_text_ms, strict=True)
        return [seen - written for written, seen in pairs]

    @property
    def enter_to_request(self) -> list[float]:
        return [
            arrived - enter for enter, arrived in zip(self.enter_ms, self.arrived_ms, strict=True)
        ]

    @property
    def enter_to_first_text(self) -> list[float]:
        return [seen - enter for enter, seen in zip(self.enter_ms, self.first_text_ms, strict=True)]


def concurrent_sessions(
    browser: Browser,
    target: Target,
    photo: FilePayload,
    *,
    sessions: int = SESSIONS,
    settle_s: float = 5.0,
    probe: Probe | None = None,
) -> Sessions:
    """Run ``sessions`` photo questions sent at the same moment on a freshly started server.

    ``probe`` (a profiler) is told when the Enter moment is about to be scheduled, when every
    request has reached the upstream and when every page shows its answer. Raise BenchError.
    """
    target.start()
    warm_up = open_bench_page(browser, target)
    try:
        reply, marks = short_reply("w")
        one_exchange(warm_up, target, reply, marks, photo)
    finally:
        close_page(warm_up)
    time.sleep(1.0)
    before = proc_status_mb(target.pid, "VmRSS")
    pages: list[Page] = []
    with rss_sampler(target.pid) as samples:
        try:
            pages += open_bench_pages(browser, target, sessions)
            reply, marks = short_reply("c", wait_s=UPSTREAM_WAIT_S)
            target.upstream.clear()
            target.upstream.default = reply
            attach_to_all(pages, photo)
            for i, page in enumerate(pages):
                type_question(page, f"{QUESTION} #{i}")
                page.evaluate("(m) => window.__bench.expect(m)", marks)
            probe = probe or Probe()
            probe.before_enter()
            cpu_before = proc_cpu_s(target.pid)
            browser_before = browser_cpu_s(target.pid)
            moment = pages[0].evaluate("Date.now()") + 1000
            for page in pages:
                page.evaluate(f"window.__bench.enterAt({moment})")
            try:
                exchanges = target.upstream.wait_for_exchanges(sessions, timeout=WAIT_MS / 1000)
            except TimeoutError as exc:
                raise BenchError(f"{target.name}: {exc}") from exc
            server_cpu = proc_cpu_s(target.pid) - cpu_before
            browser_cpu = browser_cpu_s(target.pid) - browser_before
            probe.requests_arrived()
            enter, first_text = [], []
            for page in pages:
                seen = wait_for_markers(page, marks)
                enter.append(enter_time(page))
                first_text.append(seen[marks[0]])
            server_cpu_answers = proc_cpu_s(target.pid) - cpu_before
            probe.answers_shown()
        finally:
            for page in pages:
                close_page(page)
        time.sleep(settle_s)
    peak = max([proc_status_mb(target.pid, "VmHWM"), *samples])
    after = proc_status_mb(target.pid, "VmRSS")
    target.upstream.default = sse(["default"])
    by_question = {question_of(exchange): exchange for exchange in exchanges}
    try:
        ordered = [by_question[f"{QUESTION} #{i}"] for i in range(sessions)]
    except KeyError as exc:
        raise BenchError(f"{target.name}: no request asked {exc}") from exc
    return Sessions(
        enter_ms=enter,
        first_text_ms=first_text,
        arrived_ms=[exchange.arrived_ms for exchange in ordered],
        first_write_ms=[exchange.written_ms(marks[0].encode()) for exchange in ordered],
        memory=Memory(before, peak, after),
        server_cpu_s=server_cpu,
        server_cpu_answers_s=server_cpu_answers,
        browser_cpu_s=browser_cpu,
    )


def question_of(exchange: Exchange) -> str:
    """Return the text of the last user message of a chat request ("" if there is none)."""
    body = exchange.request.json or {}
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or () if part.get("type") == "text")


# ---------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True)
class Row:
    """One line of the table: a measure, each app's figure, and the target Kantu should meet."""

    measure: str
    kantu: float
    baseline: float
    unit: str
    target: str = ""
    limit: float | None = None

    def cells(self) -> list[str]:
        ratio = f"{self.kantu / self.baseline:.2f}×" if self.baseline > 0 else "—"
        verdict = "" if self.limit is None else ("ok" if self.kantu <= self.limit else "MISS")
        return [
            self.measure,
            f"{self.kantu:,.0f} {self.unit}",
            f"{self.baseline:,.0f} {self.unit}",
            ratio,
            self.target,
            verdict,
        ]


def print_table(rows: Sequence[Row], title: str) -> None:
    head = ["measure", "Kantu", "baseline", "Kantu/base", "target (Kantu)", ""]
    table = [head, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    print(f"\n{title}")
    for n, line in enumerate(table):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The run


def measure_all(
    browser: Browser, targets: dict[str, Target], plan: Plan, photo: FilePayload
) -> list[Row]:
    """Run every measure for both apps, interleaved per measure; return the table's rows."""
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in targets}

    def add(name: str, key: str, value: float) -> None:
        figures[name].setdefault(key, []).append(value)

    for run in range(plan.cold_runs):
        for name, target in targets.items():
            log(f"{name}: cold start {run + 1}/{plan.cold_runs}")
            target.start()
            add(name, "cold", enter_to_request(browser, target, photo, f"a{run}"))
    for run in range(plan.warm_runs):
        for name, target in targets.items():
            log(f"{name}: warm {run + 1}/{plan.warm_runs}")
            add(name, "warm", enter_to_request(browser, target, photo, f"b{run}"))
    for framing in ("chunked", "close"):
        for name, target in targets.items():
            log(f"{name}: streaming, {framing} framing")
            page = open_bench_page(browser, target)
            try:
                for run in range(plan.short_runs):
                    reply, marks = answer(
                        f"s{framing[:2]}{run}", SHORT_CHUNKS, SHORT_DELAY_S, framing
                    )
                    first, last = write_to_visible(page, target, reply, marks)
                    add(name, f"short {framing} first", first)
                    add(name, f"short {framing} last", last)
            finally:
                close_page(page)
            for run in range(plan.long_runs):
                page = open_bench_page(browser, target)  # a long answer per session
                try:
                    reply, marks = answer(
                        f"l{framing[:2]}{run}", LONG_CHUNKS, plan.long_delay_s, framing
                    )
                    first, last = write_to_visible(page, target, reply, marks)
                    add(name, f"long {framing} first", first)
                    add(name, f"long {framing} last", last)
                finally:
                    close_page(page)
    memory: dict[str, Memory] = {}
    for name, target in targets.items():
        log(f"{name}: {SESSIONS} concurrent sessions (fresh server)")
        result = concurrent_sessions(browser, target, photo, settle_s=plan.settle_s)
        memory[name] = result.memory
        figures[name]["sessions p50"] = [median(result.enter_to_first_text)]
        figures[name]["sessions p95"] = [p95(result.enter_to_first_text)]
        figures[name]["sessions request p50"] = [median(result.enter_to_request)]
        figures[name]["sessions request p95"] = [p95(result.enter_to_request)]
        figures[name]["sessions write p50"] = [median(result.write_to_first_text)]
        figures[name]["sessions write p95"] = [p95(result.write_to_first_text)]
        figures[name]["sessions cpu"] = [result.server_cpu_s * 1000]
        figures[name]["sessions cpu answers"] = [result.server_cpu_answers_s * 1000]
        figures[name]["sessions browser cpu"] = [result.browser_cpu_s * 1000]
        spread = max(result.enter_ms) - min(result.enter_ms)
        log(f"{name}: the {SESSIONS} Enters fell within {spread:.0f} ms")
        target.stop()

    def row(key: str, label: str, target: str = "", limit: float | None = None) -> Row:
        return Row(
            label,
            median(figures["Kantu"][key]),
            median(figures["baseline"][key]),
            "ms",
            target,
            limit,
        )

    rows = [
        row("cold", f"a. Enter→request, 12 MP photo, cold (n={plan.cold_runs})", "≤ 300 ms", 300),
        row(
            "warm",
            f"a. Enter→request, 12 MP photo, warm (median of {plan.warm_runs})",
            "≤ 150 ms",
            150,
        ),
    ]
    for framing in ("chunked", "close"):
        for size, n in (("short", plan.short_runs), ("long", plan.long_runs)):
            delay = SHORT_DELAY_S if size == "short" else plan.long_delay_s
            chunks = (
                f"{SHORT_CHUNKS if size == 'short' else LONG_CHUNKS} chunks @ {1 / delay:.0f}/s"
            )
            for end in ("first", "last"):
                rows.append(
                    row(
                        f"{size} {framing} {end}",
                        f"b. write→visible, {framing}, {size} ({chunks}), {end} token (n={n})",
                        "≤ 150 ms",
                        150,
                    )
                )
    wait_ms = UPSTREAM_WAIT_S * 1000
    rows += [
        row(
            "sessions p50", f"c. {SESSIONS} sessions, Enter→first text p50 (wait {wait_ms:.0f} ms)"
        ),
        row(
            "sessions p95",
            f"c. {SESSIONS} sessions, Enter→first text p95",
            f"≤ {wait_ms + 1000:.0f} ms",
            wait_ms + 1000,
        ),
        row("sessions request p50", f"c. {SESSIONS} sessions, Enter→request p50"),
        row("sessions request p95", f"c. {SESSIONS} sessions, Enter→request p95"),
        row("sessions write p50", f"c. {SESSIONS} sessions, first token write→visible p50"),
        row("sessions write p95", f"c. {SESSIONS} sessions, first token write→visible p95"),
        row("sessions cpu", "c. server CPU time, first Enter→last request (all sessions)"),
        row("sessions cpu answers", "c. server CPU time, first Enter→every answer shown"),
        row("sessions browser cpu", "c. browser CPU time, first Enter→last request (context)"),
    ]
    k, b = memory["Kantu"], memory["baseline"]
    rows += [
        Row("c. server RSS before the sessions", k.before, b.before, "MB"),
        Row("c. server RSS at peak (VmHWM)", k.peak, b.peak, "MB"),
        Row(f"c. server RSS after they closed (+{plan.settle_s:.0f} s)", k.after, b.after, "MB"),
        Row(
            "c. RSS growth, peak − before",
            k.peak - k.before,
            b.peak - b.before,
            "MB",
            "≤ 150 MB",
            150,
        ),
    ]
    return rows


def make_targets() -> dict[str, Target]:
    return {
        "Kantu": Target("Kantu", "app.py", ("KANTU_BASE_URL", "KANTU_API_KEY")),
        "baseline": Target(
            "baseline", "bench/baseline_app.py", ("BASELINE_BASE_URL", "BASELINE_API_KEY")
        ),
    }


def make_photo() -> FilePayload:
    width, height = PHOTO_SIZE
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(width, height)}


def run_on_both(measure: Callable[[Browser, dict[str, Target]], list[Row]]) -> list[Row] | None:
    """Run ``measure`` with headless Chromium and both apps' upstreams up (``make_targets``);
    stop everything after. Return its rows, or None when it failed (the reason is printed)."""
    targets = make_targets()
    with ExitStack() as stack:
        for target in targets.values():
            stack.enter_context(target.upstream)
            stack.callback(target.stop)
        try:
            playwright = stack.enter_context(sync_playwright())
            browser = launch_browser(playwright)
            stack.callback(browser.close)
            return measure(browser, targets)
        except (BenchError, FileNotFoundError, PlaywrightError, AssertionError) as exc:
            # AssertionError: a Playwright expect() that timed out (an upload, a widget)
            print(f"{sys.argv[0]} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (about 3 minutes)")
    args = parser.parse_args(argv)
    plan = Plan.for_mode(args.quick)
    started = time.monotonic()
    photo = make_photo()
    log(f"12 MP photo: {len(photo['buffer']) / 1e6:.1f} MB")
    rows = run_on_both(lambda browser, targets: measure_all(browser, targets, plan, photo))
    if rows is None:
        return 2
    print_table(
        rows,
        f"Kantu vs the naive baseline in headless Chromium ({'quick' if args.quick else 'full'} run, {time.monotonic() - started:.0f} s)",
    )
    print(
        "\nTimes: Date.now() in each page (keydown listener, MutationObserver) against the fake "
        "upstream's time.time() at request arrival / flush, same machine clock. RSS from "
        "/proc/<server pid>/status. Ratios compare the two apps within this run."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
