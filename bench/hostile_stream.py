"""Benchmark hostile streams: one giant ``data:`` line, and 200 MB bodies, against the client.

Run ``python bench/hostile_stream.py`` (``--quick`` skips the 8 MB line). In one run it prints:

1. time for Kantu's ``SSEDecoder`` to frame one 2 / 4 / 8 MB ``data:`` line fed 16 KB at a time,
   beside a baseline in the same run: ``bytes.split`` over the whole body joined at once (the
   floor any decoder that must see every byte pays). The line caps are raised for these rows so
   the framing cost itself is measured; a last row times the refusal under the default caps;
2. for bodies served by the loopback ``FakeUpstream`` (an SSE stream of small deltas, 5 MB and
   200 MB, chunked and close-delimited; one 200 MB JSON body with Content-Length), the client's
   peak memory and wall time to its outcome (an answer or a typed error). Each case runs in a
   fresh subprocess; its peak is ``VmHWM − VmRSS`` (VmRSS read after imports, before the
   request), read from /proc/<pid>/status: the resident memory the request itself added. A case
   that runs past ``--timeout`` is killed and reported with the peak it had reached. The server
   runs in this process.
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.devtools.proc import status_mb  # noqa: E402
from components.devtools.upstream import FakeUpstream, Part, Reply  # noqa: E402
from components.providers.sse import SSEDecoder  # noqa: E402

READ = 16 * 1024
MB = 1024 * 1024
BODY_MB = 200
SMALL_MB = 5

WORKER = r"""
import sys, time
sys.path.insert(0, {root!r})
from components.turns import ChatTurn
from components.errors import ProviderError
from components.providers.client import ChatClient
from components.providers.settings import resolve_settings
from components.devtools.proc import status_mb as status

settings = resolve_settings(base_url={url!r}, api_key="sk-bench-0123456789", environ={{}},
                            max_retries=0, read_timeout=120)
client = ChatClient(settings)
base = status("VmRSS")
print(base, flush=True)
started = time.perf_counter()
chars = 0
outcome = "answer"
try:
    for delta in client.stream_chat([ChatTurn("user", "?")]):
        chars += len(delta)
except ProviderError as err:
    outcome = type(err).__name__
except Exception as err:  # an untyped escape is itself a finding
    outcome = "UNTYPED " + type(err).__name__
elapsed = time.perf_counter() - started
print(status("VmHWM") - base, elapsed, chars, outcome, flush=True)
"""


def _decoder(big: bool) -> SSEDecoder:
    """Return a decoder; with ``big``, its caps raised above the test lines (when it has caps)."""
    params = inspect.signature(SSEDecoder).parameters
    if big and "max_line_bytes" in params:
        return SSEDecoder(max_line_bytes=64 * MB, max_event_bytes=64 * MB)
    return SSEDecoder()


def giant_line(size: int) -> bytes:
    return b"data: {" + b'"x":"' + b"a" * size + b'"}\n\n'


def time_decoder(body: bytes, *, big: bool) -> tuple[float, str]:
    decoder = _decoder(big)
    started = time.perf_counter()
    outcome = "framed"
    try:
        events = [e for i in range(0, len(body), READ) for e in decoder.feed(body[i : i + READ])]
        events += decoder.flush()
        assert len(events) == 1
    except Exception as err:  # the bench reports whatever ended the read
        outcome = type(err).__name__
    return time.perf_counter() - started, outcome


def time_baseline(body: bytes) -> float:
    started = time.perf_counter()
    joined = b"".join(body[i : i + READ] for i in range(0, len(body), READ))
    lines = joined.split(b"\n")
    assert lines[0].startswith(b"data:")
    return time.perf_counter() - started


def decoder_rows(sizes: list[int]) -> list[tuple[str, str, str, str]]:
    rows = []
    for mb in sizes:
        body = giant_line(mb * MB)
        base = statistics.median(time_baseline(body) for _ in range(3))
        kantu, outcome = time_decoder(body, big=True)
        rows.append((f"{mb} MB line, caps raised", f"{base:.3f}", f"{kantu:.3f}", outcome))
    body = giant_line(sizes[-1] * MB)
    kantu, outcome = time_decoder(body, big=False)
    rows.append((f"{sizes[-1]} MB line, default caps", "-", f"{kantu:.3f}", outcome))
    return rows


def sse_body(total: int) -> list[bytes]:
    """Small-delta events, grouped into 64 KB writes, about ``total`` bytes in all."""
    event = (
        "data: "
        + json.dumps(
            {"choices": [{"index": 0, "delta": {"content": "橙子，"}}]}, ensure_ascii=False
        )
        + "\n\n"
    ).encode()
    per_write = (64 * 1024) // len(event)
    blob = event * per_write
    n = total // len(blob)
    return [blob] * n + [b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n']


def json_body(total: int) -> bytes:
    head = b'{"choices":[{"index":0,"message":{"role":"assistant","content":"'
    tail = b'"},"finish_reason":"stop"}]}'
    return head + b"a" * (total - len(head) - len(tail)) + tail


def body_cases() -> list[tuple[str, Reply]]:
    sse_headers = (("Content-Type", "text/event-stream"),)
    small = tuple(Part(p) for p in sse_body(SMALL_MB * MB))
    events = tuple(Part(p) for p in sse_body(BODY_MB * MB))
    blob = json_body(BODY_MB * MB)
    json_parts = tuple(Part(blob[i : i + 64 * 1024]) for i in range(0, len(blob), 64 * 1024))
    return [
        (f"{SMALL_MB} MB SSE, small deltas, chunked", Reply(200, sse_headers, small, "chunked")),
        (f"{BODY_MB} MB SSE, small deltas, chunked", Reply(200, sse_headers, events, "chunked")),
        (f"{BODY_MB} MB SSE, close-delimited", Reply(200, sse_headers, events, "close")),
        (
            f"{BODY_MB} MB JSON body, Content-Length",
            Reply(200, (("Content-Type", "application/json"),), json_parts, "length"),
        ),
    ]


def run_worker(url: str, timeout: float) -> tuple[str, str, str, str]:
    """Run one request in a fresh process: peak MB, seconds, text chars, outcome."""
    code = WORKER.format(root=str(ROOT), url=url)
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        base = float(proc.stdout.readline())
        started = time.monotonic()
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            peak = status_mb("VmHWM", proc.pid) - base
            proc.kill()
            proc.wait()
            return f"{peak:.0f}+", f">{time.monotonic() - started:.0f}", "-", "did not finish"
    peak, elapsed, chars, *outcome = out.split()
    return f"{float(peak):.0f}", f"{float(elapsed):.2f}", f"{int(chars):,}", " ".join(outcome)


def body_rows(timeout: float) -> list[tuple[str, str, str, str, str]]:
    rows = []
    with FakeUpstream() as up:
        for name, reply in body_cases():
            up.enqueue(reply)
            rows.append((name, *run_worker(up.base_url, timeout)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 8 MB line")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds a body case may take (default 300)"
    )
    args = parser.parse_args()
    sizes = [2, 4] if args.quick else [2, 4, 8]
    print(f"Python {sys.version.split()[0]}; decoder fed {READ // 1024} KB reads")
    print(f"{'one data: line':<32}{'baseline s':>12}{'kantu s':>12}  outcome")
    for name, base, kantu, outcome in decoder_rows(sizes):
        print(f"{name:<32}{base:>12}{kantu:>12}  {outcome}")
    print()
    print(f"Bodies over loopback, one fresh client process each (at most {args.timeout:.0f} s)")
    print(f"{'body':<38}{'peak MB':>9}{'time s':>9}{'text chars':>13}  outcome")
    for name, peak, elapsed, chars, outcome in body_rows(args.timeout):
        print(f"{name:<38}{peak:>9}{elapsed:>9}{chars:>13}  {outcome}")


if __name__ == "__main__":
    main()
