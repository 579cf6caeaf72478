"""Benchmark how fast Stop and Ctrl-C take effect while the provider says nothing.

Run ``python bench/stop.py`` (``--runs N``, default 20 and 5). The tests prove the behaviour
(tests/test_exchange.py: Stop before the first byte is final when ``stop()`` returns;
tests/test_cli_ask.py: Ctrl-C exits 130 while the provider stays silent); how long it takes is
measured here, never asserted in a test. Against the loopback ``FakeUpstream`` holding every reply
(no byte is ever sent), in the same run:

1. ``Exchange.stop()`` before the first byte: from the call until the answer is final, beside a
   baseline of a raw socket's request to the same server abandoned while a thread waits in
   ``recv()`` (from ``shutdown()`` until that thread has returned);
2. ``python -m components ask`` given SIGINT while it waits: from the signal until the process
   has exited, beside a baseline of a bare ``python -c`` that sleeps, given the same signal (the
   floor any Python process pays to die).

Prints medians and ratios; no absolute limits.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.conversation.exchange import Exchange  # noqa: E402
from components.devtools.upstream import FakeUpstream, hang  # noqa: E402
from components.providers.settings import resolve_settings  # noqa: E402
from components.turns import ChatTurn  # noqa: E402

KEY = "sk-bench-0123456789abcdef"


def exchange_stop(up: FakeUpstream) -> float:
    settings = resolve_settings(base_url=up.base_url, api_key=KEY, environ={})
    before = len(up.requests)
    exchange = Exchange([ChatTurn("user", "?")]).start(settings)
    up.wait_for_requests(before + 1, timeout=30)
    started = time.perf_counter()
    exchange.stop()
    exchange.wait(10**9, timeout=30)
    return time.perf_counter() - started


def socket_abort(up: FakeUpstream) -> float:
    """A raw socket's request, abandoned from another thread while a recv() waits for the reply:
    from ``shutdown()`` until the blocked reader has returned (the floor of giving up)."""
    before = len(up.requests)
    conn = socket.create_connection(("127.0.0.1", up.port))
    body = b"{}"
    conn.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    reader = threading.Thread(target=conn.recv, args=(1,), daemon=True)
    reader.start()
    up.wait_for_requests(before + 1, timeout=30)
    started = time.perf_counter()
    conn.shutdown(socket.SHUT_RDWR)
    reader.join(30)
    took = time.perf_counter() - started
    conn.close()
    return took


def _interrupt(command: list[str], up: FakeUpstream | None) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KANTU_", "OPENAI_"))}
    before = len(up.requests) if up is not None else 0
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        if up is not None:  # the question is with the provider, which says nothing
            up.wait_for_requests(before + 1, timeout=30)
        else:
            proc.stderr.readline()  # the baseline says when it is asleep
        started = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        return time.perf_counter() - started
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()


def cli_ctrl_c(up: FakeUpstream) -> float:
    ask = [sys.executable, "-m", "components", "ask", "--base-url", up.base_url]
    return _interrupt([*ask, "--api-key", KEY, "hi"], up)


def bare_python_ctrl_c(_: FakeUpstream) -> float:
    script = "import sys, time\nprint('asleep', file=sys.stderr, flush=True)\ntime.sleep(600)"
    return _interrupt([sys.executable, "-c", script], None)


def median_ms(measure: Callable[[FakeUpstream], float], up: FakeUpstream, runs: int) -> float:
    return statistics.median(measure(up) for _ in range(runs)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of the in-process rows")
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of the CLI rows")
    args = parser.parse_args()
    with FakeUpstream(default=hang()) as up:
        rows = [
            ("Stop before the first byte", socket_abort, exchange_stop, args.runs),
            ("Ctrl-C while the provider is silent", bare_python_ctrl_c, cli_ctrl_c, args.cli_runs),
        ]
        print(f"Python {sys.version.split()[0]}; medians")
        print(f"{'case':<38}{'baseline ms':>12}{'kantu ms':>12}{'ratio':>9}")
        for name, baseline, kantu, runs in rows:
            base, ours = median_ms(baseline, up, runs), median_ms(kantu, up, runs)
            print(f"{name:<38}{base:>12.1f}{ours:>12.1f}{ours / base:>8.1f}×")


if __name__ == "__main__":
    main()
