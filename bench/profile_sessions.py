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
(``WINDOW-gil-N.txt``, ``WINDOW-cpu-N.txt``) for a flame graph. ``--window answer`` profiles
the next stretch instead: from the last request at the upstream to every answer shown.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, FilePayload, sync_playwright

from bench.browser import (
    SESSIONS,
    BenchError,
    Probe,
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
    span_s: float  # the window's span in the pages' and upstream's clocks

    @property
    def samples(self) -> int:
        return sum(self.stacks.values())

    def working(self) -> Profile:
        """Return the profile without the samples of threads that were only waiting."""
        work = Counter({s: n for s, n in self.stacks.items() if function(s[-1]) not in WAITS})
        return Profile(work, self.window_s, self.span_s)

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


def read_raw(path: Path, window_s: float, span_s: float) -> Profile:
    """Parse py-spy's raw (collapsed) output; thread frames are dropped."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = tuple(f for f in stack.split(";") if not f.startswith(("process ", "thread ")))
        if frames:
            stacks[frames] += int(count)
    return Profile(stacks, window_s, span_s)


class Spy(Probe):
    """Run ``py-spy record`` on the server over one window of the sessions case.

    ``window="request"``: from just before the Enter moment to the last request at the upstream;
    ``"answer"``: from there to every answer shown.
    """

    def __init__(self, target: Target, out: Path, *, gil: bool, window: str) -> None:
        self.target = target  # restarted by concurrent_sessions: its pid is read at start
        self.options = ["--rate", str(RATE), "--format", "raw", "--nolineno", "--output", str(out)]
        self.options += ["--gil"] if gil else []
        self.window = window
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.seconds = 0.0

    def before_enter(self) -> None:
        if self.window == "request":
            self.start()

    def requests_arrived(self) -> None:
        if self.window == "request":
            self.stop()
        else:
            self.start()

    def answers_shown(self) -> None:
        self.stop()

    def start(self) -> None:
        """Start py-spy and give it time to attach; raise BenchError if it cannot."""
        cmd = ["py-spy", "record", "--pid", str(self.target.pid), *self.options]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if self.window == "request":
            time.sleep(START_S)  # the Enter moment is a second away: attach before it
        if self.process.poll() is not None:
            err = self.process.stderr.read().decode() if self.process.stderr else ""
            raise BenchError(f"py-spy exited: {err}")
        self.started = time.monotonic()

    def stop(self) -> None:
        """Stop py-spy (SIGINT makes it write its output); safe to call twice."""
        if self.process is None or self.process.poll() is not None:
            return
        self.seconds = time.monotonic() - self.started
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def profile_pass(
    browser: Browser,
    kantu: Target,
    photo: FilePayload,
    path: Path,
    *,
    gil: bool,
    window: str,
    sessions: int,
) -> tuple[Profile, Sessions]:
    """Run the concurrent sessions on a fresh Kantu server under py-spy; return what was seen."""
    spy = Spy(kantu, path, gil=gil, window=window)
    try:
        result = concurrent_sessions(browser, kantu, photo, sessions=sessions, probe=spy)
    finally:
        spy.stop()  # a failed run must not leave py-spy attached
        kantu.stop()
    if window == "request":
        span = max(result.arrived_ms) - min(result.enter_ms)
    else:
        span = max(result.first_text_ms) - max(result.arrived_ms)
    return read_raw(path, spy.seconds, span / 1000), result


def window_cpu_s(result: Sessions, window: str) -> float:
    """Return the server's CPU seconds (from /proc) in the profiled window."""
    if window == "request":
        return result.server_cpu_s
    return result.server_cpu_answers_s - result.server_cpu_s


def report(name: str, window: str, runs: Sequence[tuple[Profile, Sessions]], top: int = 15) -> None:
    """Print the runs' figures and the hot spots of the samples that were working.

    Seconds come from /proc (the server's CPU time in the window); py-spy gives the shares,
    and share × CPU time estimates each hot spot's milliseconds per session.
    """
    span = "first Enter→last request" if window == "request" else "last request→last first text"
    print(f"\n== {name} pass, {len(runs)} run(s) of {len(runs[0][1].enter_ms)} sessions; {span}")
    cpu_ms = []
    for profile, result in runs:
        cpu_ms.append(window_cpu_s(result, window) / len(result.enter_ms) * 1000)
        print(
            f"   {profile.span_s:.2f} s; Enter→request p50 "
            f"{statistics.median(result.enter_to_request):.0f} ms, max "
            f"{max(result.enter_to_request):.0f} ms; first text p50 "
            f"{statistics.median(result.enter_to_first_text):.0f} ms; server CPU in the window "
            f"{window_cpu_s(result, window):.2f} s = {cpu_ms[-1]:.0f} ms per session (/proc)"
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
    parser.add_argument(
        "--window",
        choices=("request", "answer"),
        default="request",
        help="Enter→request (default), or request→first text shown",
    )
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
                    path = out / f"{args.window}-{mode}-{run + 1}.txt"
                    runs.append(
                        profile_pass(
                            browser,
                            kantu,
                            photo,
                            path,
                            gil=mode == "gil",
                            window=args.window,
                            sessions=args.sessions,
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
            report(name, args.window, runs)
    print(f"\nraw collapsed stacks: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
