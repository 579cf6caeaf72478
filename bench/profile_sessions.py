"""Profile Kantu's server while 10 browser sessions send a 12 MP photo at the same moment.

Run ``python bench/profile_sessions.py [--out DIR] [--sessions N] [--repeats N]`` (needs
``pip install py-spy`` and root or ptrace rights). The scenario is bench/browser.py's case c on a
fresh server after one warm-up exchange; py-spy samples the server only in the window from about
1 s before the shared Enter to the moment the last request reaches the upstream: the path this
profile is about.

Two passes, each repeated on fresh servers (samples add up across repeats):

- ``gil``: only samples of the thread holding the GIL, i.e. the Python work that cannot run on
  two cores at once (the app's serial work);
- ``cpu``: every thread not idle, so work that releases the GIL (Pillow decoding) shows too.
  Samples whose innermost frame is a known wait (a lock, a blocking read) are dropped.

For each pass it prints the latencies and the server's CPU time in the window (from /proc), then
the top functions by inclusive and by self share (``file:function``), app frames (``components/``,
``pages/``, ``app.py``) marked with ``*``. The raw collapsed stacks are kept in DIR
(``gil-N.txt``, ``cpu-N.txt``) for a flame graph.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, FilePayload, sync_playwright

from bench.browser import (
    SESSIONS,
    BenchError,
    Sessions,
    Target,
    concurrent_sessions,
    launch_browser,
    log,
    make_photo,
    make_targets,
)

RATE = 250  # asked of py-spy; it reaches fewer when the machine is busy, so counts are shares
START_S = 1.0  # let py-spy attach before the Enter moment
APP_FRAME = re.compile(r"\((?:.*/)?(components/|pages/|app\.py)")
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*)\)$")
# py-spy counts some blocked threads as active (a lock wait, a blocking read, a sleep in a
# worker): samples whose innermost frame is one of these are waiting, not working.
WAITS = frozenset(
    {
        "Condition.wait",
        "Event.wait",
        "Queue.get",
        "Thread.join",
        "SocketIO.readinto",
        "EpollSelector.select",
        "_worker",
        "PollingPathWatcher._schedule.<locals>.task",
    }
)


@dataclass(frozen=True)
class Profile:
    """Collapsed stacks (root first) with their sample counts, and the sampling window."""

    stacks: Counter[tuple[str, ...]]
    window_s: float  # sampled
    enter_to_request_s: float  # first Enter to the last request at the upstream

    @property
    def samples(self) -> int:
        return sum(self.stacks.values())

    def working(self) -> Profile:
        """Return the profile without the samples of threads that were only waiting."""
        work = Counter({s: n for s, n in self.stacks.items() if function(s[-1]) not in WAITS})
        return Profile(work, self.window_s, self.enter_to_request_s)

    def inclusive(self) -> Counter[str]:
        """Samples in which each frame appears at least once."""
        counts: Counter[str] = Counter()
        for stack, n in self.stacks.items():
            for frame in set(stack):
                counts[frame] += n
        return counts

    def self_time(self) -> Counter[str]:
        """Samples in which each frame is the innermost one."""
        counts: Counter[str] = Counter()
        for stack, n in self.stacks.items():
            counts[stack[-1]] += n
        return counts


def function(frame: str) -> str:
    """Return the function name of py-spy's ``function (path)`` frame text."""
    match = FRAME.match(frame)
    return match["func"] if match else frame


def short_frame(frame: str) -> str:
    """Return ``file:function`` from py-spy's ``function (path)`` frame text."""
    match = FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for anchor in ("site-packages/", "/lib/python3"):
        if anchor in path:
            path = path.split(anchor, 1)[1]
            break
    return f"{path}:{match['func']}"


def read_raw(path: Path, window_s: float, enter_to_request_s: float) -> Profile:
    """Parse py-spy's raw (collapsed) output; thread frames are dropped."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = tuple(f for f in stack.split(";") if not f.startswith(("process ", "thread ")))
        if frames:
            stacks[frames] += int(count)
    return Profile(stacks, window_s, enter_to_request_s)


def spy(pid: int, out: Path, *, gil: bool) -> Callable[[], Callable[[], float]]:
    """Return a hook that starts py-spy on ``pid`` and returns a stopper giving the window (s)."""

    def start() -> Callable[[], float]:
        cmd = ["py-spy", "record", "--pid", str(pid), "--rate", str(RATE), "--format", "raw"]
        cmd += ["--nolineno", "--output", str(out)] + (["--gil"] if gil else [])
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(START_S)
        if process.poll() is not None:
            raise BenchError(
                f"py-spy exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        started = time.monotonic()

        def stop() -> float:
            window = time.monotonic() - started
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return window

        return stop

    return start


def profile_pass(
    browser: Browser, kantu: Target, photo: FilePayload, path: Path, *, gil: bool, sessions: int
) -> tuple[Profile, Sessions]:
    """Run the concurrent sessions on a fresh Kantu server under py-spy; return what was seen."""
    stoppers: list[Callable[[], float]] = []
    windows: list[float] = []

    def start() -> Callable[[], None]:
        stoppers.append(spy(kantu.pid, path, gil=gil)())
        return lambda: windows.append(stoppers[0]())

    try:
        result = concurrent_sessions(browser, kantu, photo, sessions=sessions, during=start)
    finally:
        if stoppers and not windows:
            stoppers[0]()  # a failed run must not leave py-spy attached
        kantu.stop()
    to_request = max(result.arrived_ms) - min(result.enter_ms)
    return read_raw(path, windows[0], to_request / 1000), result


def report(name: str, runs: Sequence[tuple[Profile, Sessions]], top: int = 15) -> None:
    """Print the runs' figures and the hot spots of the samples that were working.

    Seconds come from /proc (the server's CPU time in the window); py-spy gives the shares,
    and share × CPU time estimates each hot spot's milliseconds per session.
    """
    print(f"\n== {name} pass, {len(runs)} run(s) of {len(runs[0][1].enter_ms)} sessions")
    cpu_ms = []
    for profile, result in runs:
        sessions = len(result.enter_ms)
        cpu_ms.append(result.server_cpu_s / sessions * 1000)
        print(
            f"   first Enter→last request {profile.enter_to_request_s:.2f} s; Enter→request "
            f"p50 {statistics.median(result.enter_to_request):.0f} ms, max "
            f"{max(result.enter_to_request):.0f} ms; first text p50 "
            f"{statistics.median(result.enter_to_first_text):.0f} ms; server CPU in that "
            f"window {result.server_cpu_s:.2f} s = {cpu_ms[-1]:.0f} ms per session (/proc)"
        )
    stacks: Counter[tuple[str, ...]] = Counter()
    for profile, _ in runs:
        stacks.update(profile.working().stacks)
    work = Profile(stacks, 0.0, 0.0)
    per_session = statistics.median(cpu_ms)
    print(
        f"   py-spy: {work.samples} working samples; ms below = share × {per_session:.0f} ms "
        "(median server CPU per session)"
    )
    if not work.samples:
        return
    for title, counts in (("inclusive", work.inclusive()), ("self", work.self_time())):
        print(f"\n   top {top} by {title} share of working samples (* = app code)")
        for frame, n in counts.most_common(top):
            mark = "*" if APP_FRAME.search(frame) else " "
            share = n / work.samples
            print(f"   {share:6.1%} {share * per_session:4.0f} ms {mark} {short_frame(frame)}")
    app = Counter({f: n for f, n in work.inclusive().items() if APP_FRAME.search(f)})
    print("\n   app frames by inclusive share of working samples")
    for frame, n in app.most_common(top):
        share = n / work.samples
        print(f"   {share:6.1%} {share * per_session:4.0f} ms   {short_frame(frame)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the raw profiles here (default: a temp dir)")
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--repeats", type=int, default=3, help="runs per pass (default 3)")
    args = parser.parse_args(argv)
    if shutil.which("py-spy") is None:
        print("py-spy not found: pip install py-spy", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="kantu-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    photo = make_photo()
    kantu = make_targets()["Kantu"]
    results: dict[str, list[tuple[Profile, Sessions]]] = {"gil": [], "cpu": []}
    with kantu.upstream, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            for run in range(args.repeats):
                for mode, runs in results.items():
                    log(f"Kantu: {args.sessions} sessions under py-spy ({mode}, run {run + 1})")
                    path = out / f"{mode}-{run + 1}.txt"
                    runs.append(
                        profile_pass(
                            browser, kantu, photo, path, gil=mode == "gil", sessions=args.sessions
                        )
                    )
        except BenchError as exc:
            print(f"bench/profile_sessions.py failed: {exc}", file=sys.stderr)
            return 2
        finally:
            kantu.stop()
            browser.close()
    for name, runs in results.items():
        if runs:
            report(name, runs)
    print(f"\nraw collapsed stacks: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
