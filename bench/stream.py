"""Benchmark the streaming path: SSE parsing throughput and the client's time to first token.

Run ``python bench/stream.py``. In the same run, on inputs generated here:

1. parsing: Kantu's ``SSEDecoder`` (+ ``json.loads``) fed 4 KiB network-sized reads, versus a
   baseline of ``bytes.split(b"\\n")`` + ``json.loads`` of each ``data:`` line over the whole body
   (which could not cope with split reads or CR newlines, but sets the speed to beat);
2. first token over loopback against the fake upstream: ``ChatClient.stream_chat`` until the
   first delta, versus a plain socket sending the same request bytes and waiting for the first
   delta's bytes.

Prints medians and ratios; no absolute limits.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.devtools.upstream import FakeUpstream, sse
from components.providers.client import ChatClient, ChatOptions
from components.providers.settings import resolve_settings
from components.providers.sse import SSEDecoder
from components.turns import ChatTurn

EVENTS = 20_000
READ_SIZE = 4096
PARSE_RUNS = 7
LATENCY_RUNS = 200
KEY = "sk-bench-0123456789abcdef"


def generated_stream(n: int = EVENTS) -> bytes:
    """An OpenAI-style stream of ``n`` chunks with mixed Chinese and ASCII deltas."""
    words = ["这是", "一只", "橙子", "。", " The", " picture", " shows", "🍊", "，", "颜色"]
    lines = []
    for i in range(n):
        chunk = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1721962870,
            "model": "gpt-4o-mini",
            "choices": [
                {"index": 0, "delta": {"content": words[i % len(words)]}, "finish_reason": None}
            ],
        }
        lines.append("data: " + json.dumps(chunk, ensure_ascii=False) + "\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode("utf-8")


def parse_baseline(body: bytes) -> int:
    count = 0
    for line in body.split(b"\n"):
        if line.startswith(b"data: ") and line != b"data: [DONE]":
            json.loads(line[6:])
            count += 1
    return count


def parse_kantu(reads: list[bytes]) -> int:
    decoder = SSEDecoder()
    count = 0
    for read in reads:
        for event in decoder.feed(read):
            if event.data != "[DONE]":
                json.loads(event.data)
                count += 1
    for event in decoder.flush():
        if event.data != "[DONE]":
            json.loads(event.data)
            count += 1
    return count


def time_parse() -> tuple[float, float]:
    body = generated_stream()
    reads = [body[i : i + READ_SIZE] for i in range(0, len(body), READ_SIZE)]
    assert parse_baseline(body) == parse_kantu(reads) == EVENTS
    base, kantu = [], []
    for _ in range(PARSE_RUNS):
        started = time.perf_counter()
        parse_baseline(body)
        base.append(EVENTS / (time.perf_counter() - started))
        started = time.perf_counter()
        parse_kantu(reads)
        kantu.append(EVENTS / (time.perf_counter() - started))
    return statistics.median(base), statistics.median(kantu)


def raw_request(up: FakeUpstream, body: bytes) -> bytes:
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{up.port}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: text/event-stream, application/json\r\n"
        f"Authorization: Bearer {KEY}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


def first_token_raw(up: FakeUpstream, request: bytes, marker: bytes) -> float:
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", up.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request)
        seen = b""
        while marker not in seen:
            data = sock.recv(65536)
            if not data:
                raise RuntimeError("stream ended before the first token")
            seen += data
        return time.perf_counter() - started


def first_token_kantu(client: ChatClient, turns: list[ChatTurn]) -> float:
    started = time.perf_counter()
    stream = client.stream_chat(turns)
    next(stream)
    elapsed = time.perf_counter() - started
    for _ in stream:  # read to the end so the connection goes back to the pool
        pass
    return elapsed


def time_first_token() -> tuple[float, float, float]:
    turns = [ChatTurn("user", "这是什么图片？")]
    with FakeUpstream() as up:
        up.default = sse(["你好", "，世界"], usage=None)
        settings = resolve_settings(base_url=up.base_url, api_key=KEY, environ={})
        payload = ChatClient(settings).build_payload(turns, ChatOptions())
        request = raw_request(up, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        marker = '"content": "你好"'.encode()
        warm_client = ChatClient(settings)
        raw_runs, cold_runs, warm_runs = [], [], []
        for _ in range(LATENCY_RUNS):
            raw_runs.append(first_token_raw(up, request, marker))
            with ChatClient(settings) as cold_client:  # a new session: a new connection
                cold_runs.append(first_token_kantu(cold_client, turns))
            warm_runs.append(first_token_kantu(warm_client, turns))
        warm_client.close()
    return (
        statistics.median(raw_runs),
        statistics.median(cold_runs),
        statistics.median(warm_runs),
    )


def main() -> None:
    base_rate, kantu_rate = time_parse()
    raw_s, cold_s, warm_s = time_first_token()
    rows = [
        ("SSE parse, chunks/s", f"{base_rate:,.0f}", f"{kantu_rate:,.0f}", kantu_rate / base_rate),
        (
            "first token, new connection, ms",
            f"{raw_s * 1e3:.3f}",
            f"{cold_s * 1e3:.3f}",
            cold_s / raw_s,
        ),
        (
            "first token, reused session, ms",
            f"{raw_s * 1e3:.3f}",
            f"{warm_s * 1e3:.3f}",
            warm_s / raw_s,
        ),
    ]
    print(
        f"Python {sys.version.split()[0]}; {EVENTS:,} chunks in {READ_SIZE} B reads, "
        f"median of {PARSE_RUNS}; first token: median of {LATENCY_RUNS} over loopback"
    )
    print(f"{'measure':<34}{'baseline':>14}{'kantu':>14}{'kantu/baseline':>16}")
    for name, base, kantu, ratio in rows:
        print(f"{name:<34}{base:>14}{kantu:>14}{ratio:>16.2f}")
    print(
        f"client's added latency to first token: {(cold_s - raw_s) * 1e3:.3f} ms (new "
        f"connection), {(warm_s - raw_s) * 1e3:.3f} ms (reused session)"
    )


if __name__ == "__main__":
    main()
