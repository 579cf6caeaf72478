"""A fake OpenAI-compatible upstream: a real threaded HTTP server on 127.0.0.1, scripted per test.

It writes raw bytes (flushed per part) so split reads, cuts and odd framing are real, in any
framing (chunked, Content-Length, or ended by closing the connection), optionally compressed
(gzip or deflate, flushed per part so each part can be decoded as it arrives), and records every
request it received. Nothing in ``requests`` is patched.

A part may wait for a ``threading.Event`` (its ``gate``) before it is written: a test opens the
gate once it has seen what the earlier parts carried, which proves the client hands text on
before the upstream has written the rest (``bodies_finished`` counts bodies written to the end).

::

    from components.devtools.upstream import FakeUpstream, openai_error, sse

    with FakeUpstream() as up:
        up.enqueue(openai_error(429, "slow down", headers={"Retry-After": "0"}), sse(["你", "好"]))
        ...  # point the client at up.base_url ("http://127.0.0.1:PORT/v1")
        assert len(up.requests) == 2 and up.requests[1].json["stream"] is True

Replies are served in order, one per request; when the queue is empty ``up.default`` is served
(initially ``sse(["你好"])``); with ``bill`` set, that default answer reports the usage
``bill(request)`` returns (``bill_per_picture`` bills each picture a fixed count). ``by_model``
answers a request for a given model with its own reply (each model its latency, or its failure),
and ``events`` records, server-side, when each request arrived and when its reply was finished.
Builders: ``sse``, ``events``, ``json_reply``, ``raw``, ``html``, ``bingcheng_error``,
``openai_error``, ``completion``, ``drop``, ``hang``, ``model_list``; ``gated`` holds a reply's
last parts behind an event. ``restart()`` cuts every open connection mid-reply and serves again on
the same port. Tests get a started one from the ``upstream`` fixture in ``tests/conftest.py``.

Two optional behaviours (off by default) make it a small fake model for the vision probe:
``models`` is served to every ``GET …/models`` without touching the queue, and ``sight``
answers chat requests when the queue is empty: ``"vision"`` reads the text of the pictures it
received with the real local OCR (``components.ocr.engine.shared_reader``) and answers it,
``"blind"`` answers without looking.

For batches (also off by default): ``script`` picks a reply per request (``by_picture_width``
serves scripted failures to one picture while the others are answered, in any order),
``latency`` delays the first byte of every reply not taken from the queue, and ``batch_api``
(a ``FakeBatchAPI``) serves OpenAI's ``/files`` and ``/batches`` in memory.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal

from PIL import Image

Framing = Literal["chunked", "close", "length"]
End = Literal["ok", "cut", "drop"]
Encoding = Literal["identity", "gzip", "deflate"]
GATE_TIMEOUT = 10.0
"""How long a gated part waits for its event before it is written anyway (a test that fails)."""


class Headers(dict):
    """Request headers with lower-cased keys; lookups ignore case."""

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    headers: Headers
    body: bytes
    json: Any  # the parsed body, or None when it is not JSON


@dataclass(frozen=True)
class Part:
    """A piece of the body, written (and flushed) as one write after ``delay`` seconds.

    With a ``gate``, the part is written only once the event is set (or after GATE_TIMEOUT).
    """

    data: bytes
    delay: float = 0.0
    gate: threading.Event | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Reply:
    """A scripted response.

    ``framing``: "chunked" (one HTTP chunk per part), "length" (Content-Length), or "close"
    (neither: the body ends when the socket closes, so a cut looks like a clean end).
    ``end``: "ok"; "cut" closes the socket after the parts without ending the body;
    "drop" closes the connection with a reset before sending anything (after
    ``first_byte_delay``: the request's body has been read whole by then, as a server that
    worked on it and then died).
    ``encoding``: "gzip" or "deflate" compresses the body (with a ``Content-Encoding`` header),
    flushing the compressor after each part so that part can be decoded on arrival.
    """

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    parts: tuple[Part, ...] = ()
    framing: Framing = "chunked"
    end: End = "ok"
    first_byte_delay: float = 0.0
    declared_length: int | None = None  # "length" framing: announce more than is sent
    encoding: Encoding = "identity"

    @property
    def body(self) -> bytes:
        return b"".join(p.data for p in self.parts)

    def wire_parts(self) -> tuple[Part, ...]:
        """Return the parts as written on the wire: compressed when ``encoding`` says so."""
        if self.encoding == "identity":
            return self.parts
        wbits = 16 + zlib.MAX_WBITS if self.encoding == "gzip" else zlib.MAX_WBITS
        compressor = zlib.compressobj(wbits=wbits)
        wire = [
            replace(p, data=compressor.compress(p.data) + compressor.flush(zlib.Z_SYNC_FLUSH))
            for p in self.parts
        ]
        if self.end != "cut" and wire:
            last = wire[-1]
            wire[-1] = replace(last, data=last.data + compressor.flush(zlib.Z_FINISH))
        return tuple(wire)


def gated(
    reply: Reply, gate: threading.Event, *, keep: int = 1, encoding: Encoding | None = None
) -> Reply:
    """Return ``reply`` with every part after the first ``keep`` held until ``gate`` is set."""
    parts = tuple(p if i < keep else replace(p, gate=gate) for i, p in enumerate(reply.parts))
    return replace(reply, parts=parts, encoding=encoding or reply.encoding)


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# ---------------------------------------------------------------------------------------------
# Reply builders


def _chunk(
    model: str,
    delta: dict[str, Any] | None,
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
    *,
    choices: bool = True,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1721962870,
        "model": model,
        "choices": [{"index": 0, "delta": delta or {}, "finish_reason": finish}] if choices else [],
    }
    if usage is not None:
        obj["usage"] = usage
    return obj


def sse(
    deltas: Sequence[str],
    *,
    model: str = "gpt-4o-mini",
    finish_reason: str | None = "stop",
    usage: dict[str, int] | None = None,
    usage_on_finish: bool = False,
    done: bool = True,
    delay: float = 0.0,
    split_utf8: bool = False,
    keepalive: bool = False,
    filter_first: bool = False,
    cut_after: int | None = None,
    error_after: int | None = None,
    error: dict[str, Any] | None = None,
    stall_after: int | None = None,
    stall: float = 0.0,
    space_after_colon: bool = True,
    crlf: bool = False,
    charset: bool = False,
    framing: Framing = "chunked",
    status: int = 200,
) -> Reply:
    """Build a streamed chat answer, OpenAI style, one event per write.

    ``usage`` goes in a last chunk with empty ``choices`` (or on the finish chunk with
    ``usage_on_finish``). ``split_utf8`` writes each event in two reads split inside a multibyte
    character. ``keepalive`` adds ``: PING`` / ``: OPENROUTER PROCESSING`` comments.
    ``filter_first`` sends an Azure-style first chunk with empty ``choices``. ``cut_after=n``
    closes the socket after n deltas (no finish, no ``[DONE]``). ``error_after=n`` sends an
    ``{"error": error}`` event after n deltas and ends. ``stall_after=n`` waits ``stall`` seconds
    after n deltas.
    """
    nl = "\r\n" if crlf else "\n"
    prefix = "data: " if space_after_colon else "data:"

    def event(payload: str) -> bytes:
        return (prefix + payload + nl + nl).encode("utf-8")

    def data(obj: dict[str, Any]) -> bytes:
        return event(json.dumps(obj, ensure_ascii=False))

    parts: list[Part] = []

    def add(blob: bytes, wait: float = delay) -> None:
        if split_utf8:
            at = next((i for i, b in enumerate(blob) if b >= 0x80), None)
            if at is not None:
                parts.append(Part(blob[: at + 1], wait))
                parts.append(Part(blob[at + 1 :], 0.02))
                return
        parts.append(Part(blob, wait))

    if keepalive:
        add(f": OPENROUTER PROCESSING{nl}{nl}".encode(), 0.0)
    if filter_first:
        add(data({**_chunk(model, None, choices=False), "prompt_filter_results": []}), 0.0)
    add(data(_chunk(model, {"role": "assistant", "content": ""})), 0.0)
    end: End = "ok"
    for i, text in enumerate(deltas):
        if cut_after is not None and i == cut_after:
            end = "cut"
            break
        if error_after is not None and i == error_after:
            break
        if stall_after is not None and i == stall_after:
            add(data(_chunk(model, {"content": text})), stall)
        else:
            add(data(_chunk(model, {"content": text})))
        if keepalive:
            add(f": PING{nl}{nl}".encode(), 0.0)
    else:
        if cut_after is not None and cut_after >= len(deltas):
            end = "cut"
    if end == "cut":
        return Reply(status, _sse_headers(charset), tuple(parts), framing, "cut")
    if error_after is not None:
        add(data({"error": error or {"message": "upstream error", "type": "server_error"}}))
        if done:
            add(event("[DONE]"))
        return Reply(status, _sse_headers(charset), tuple(parts), framing)
    if finish_reason is not None:
        add(data(_chunk(model, {}, finish_reason, usage if usage_on_finish else None)))
    if usage is not None and not usage_on_finish:
        add(data(_chunk(model, None, None, usage, choices=False)))
    if done:
        add(event("[DONE]"))
    return Reply(status, _sse_headers(charset), tuple(parts), framing)


def _sse_headers(charset: bool) -> tuple[tuple[str, str], ...]:
    ctype = "text/event-stream; charset=utf-8" if charset else "text/event-stream"
    return (("Content-Type", ctype), ("Cache-Control", "no-cache"))


def events(
    blobs: Sequence[bytes], *, delay: float = 0.0, end: End = "ok", framing: Framing = "chunked"
) -> Reply:
    """Build a stream from raw event bytes, written one blob per read, as given."""
    return Reply(
        200, _sse_headers(False), tuple(Part(b, delay) for b in blobs), framing=framing, end=end
    )


def json_reply(
    obj: Any, status: int = 200, headers: dict[str, str] | None = None, *, delay: float = 0.0
) -> Reply:
    """Build a JSON response with a Content-Length."""
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return Reply(status, tuple(hdrs.items()), (Part(body),), "length", first_byte_delay=delay)


def raw(
    status: int,
    headers: dict[str, str] | None,
    body: bytes,
    close_early: bool = False,
    *,
    delay: float = 0.0,
) -> Reply:
    """Build a response from raw bytes; ``close_early`` announces more than it sends, then closes."""
    return Reply(
        status,
        tuple((headers or {}).items()),
        (Part(body),),
        "length",
        "cut" if close_early else "ok",
        first_byte_delay=delay,
        declared_length=len(body) + 100 if close_early else None,
    )


def html(status: int, text: str = "", *, delay: float = 0.0) -> Reply:
    """Build a gateway's HTML error page (nginx / Cloudflare style), after ``delay`` seconds."""
    title = text or f"{status} {_REASONS.get(status, 'Error')}"
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n" + "<!-- padding -->\r\n" * 6
    )
    return raw(status, {"Content-Type": "text/html"}, page.encode("utf-8"), delay=delay)


BINGCHENG_ERRORS: dict[int, dict[str, Any]] = {
    900: {
        "codes": 900,
        "mess": "密钥错误或已过期，请通过微信访问yewu.bcwhkj.cn个人中心获取",
        "data": "token",
    },
    400: {"codes": 400, "mess": "非法字符。请勿提交", "data": ""},
    402: {"codes": 402, "mess": "提交问题涉及内容安全，请修改问题", "data": ""},
    300: {"codes": 300, "mess": "当前额度不足，请充值后继续使用", "data": ""},
}
"""The four error bodies of 冰橙's OpenAPI page, all sent with HTTP 200."""


def bingcheng_error(code: Literal[900, 400, 402, 300]) -> Reply:
    """Build one of 冰橙's error bodies exactly as its spec shows them (HTTP 200)."""
    return json_reply(BINGCHENG_ERRORS[code], 200)


def openai_error(
    status: int,
    message: str,
    type: str | None = None,
    code: str | int | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Build an OpenAI-shaped error: ``{"error": {"message", "type", "param", "code"}}``."""
    err = {"message": message, "type": type, "param": None, "code": code}
    return json_reply({"error": err}, status, headers)


def completion(
    text: str,
    *,
    model: str = "gpt-4o-mini",
    finish_reason: str = "stop",
    usage: dict[str, int] | None = None,
) -> Reply:
    """Build a non-streamed answer, as a server that ignores ``stream: true`` sends it."""
    obj: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1721962870,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
        ],
    }
    if usage is not None:
        obj["usage"] = usage
    return json_reply(obj)


def model_list(
    ids: Sequence[str], *, shape: Literal["openai", "ollama"] = "openai", status: int = 200
) -> Reply:
    """Build a ``GET /models`` answer: OpenAI's ``{"data": [{"id"}]}`` or Ollama's ``models``."""
    if shape == "ollama":
        obj: dict[str, Any] = {"models": [{"name": i, "model": i} for i in ids]}
    else:
        obj = {"object": "list", "data": [{"id": i, "object": "model"} for i in ids]}
    return json_reply(obj, status)


BLIND_ANSWER = "I'm sorry, I can't see any image here. Could you describe it?"


def _pictures(recorded: Recorded) -> list[bytes]:
    """Return the decoded bytes of every data-URL picture in a chat request's messages."""
    found: list[bytes] = []
    messages = recorded.json.get("messages", []) if isinstance(recorded.json, dict) else []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else []:
            url = (part.get("image_url") or {}).get("url", "") if isinstance(part, dict) else ""
            if isinstance(url, str) and url.startswith("data:") and "," in url:
                try:
                    found.append(base64.b64decode(url.split(",", 1)[1], validate=True))
                except (binascii.Error, ValueError):
                    continue
    return found


def sighted_reply(recorded: Recorded, sight: Literal["vision", "blind"]) -> Reply:
    """Answer a chat request as a model that reads its pictures (OCR) or one that cannot."""
    if sight == "blind":
        text = BLIND_ANSWER
    else:
        from components.ocr.engine import shared_reader  # heavy: only when a test asks for it

        reader = shared_reader()
        text = " ".join(reader.read(data).text for data in _pictures(recorded)).strip()
        text = text or "(nothing legible)"
    prompt = len(json.dumps(recorded.json or {})) // 4
    usage = {"prompt_tokens": prompt, "completion_tokens": 8, "total_tokens": prompt + 8}
    return sse([text], usage=usage)


def drop(*, delay: float = 0.0) -> Reply:
    """Build a reply that reads the request's body whole, works ``delay`` seconds, then resets
    the connection without answering."""
    return Reply(end="drop", first_byte_delay=delay)


def hang(seconds: float = 3600.0) -> Reply:
    """Build a reply that sends nothing at all (not even headers) for ``seconds``, then answers.

    ``stop()`` and ``restart()`` end the wait at once.
    """
    return replace(sse(["too late"]), first_byte_delay=seconds)


# ---------------------------------------------------------------------------------------------
# The server


class UpstreamServer(socketserver.ThreadingTCPServer):
    """The threaded loopback server behind a ``FakeUpstream`` (bench subclasses its handler)."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False  # a handler may be sleeping in a stall; shutdown must not wait for it
    upstream: FakeUpstream

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that hangs up (abort, timeout, reset) is part of the script
        super().handle_error(request, client_address)


class UpstreamHandler(BaseHTTPRequestHandler):
    """Serve one connection: record each request and write its scripted reply."""

    protocol_version = "HTTP/1.1"
    server: UpstreamServer

    def setup(self) -> None:
        super().setup()
        # small flushed writes must leave at once, not wait for an ACK (Nagle + delayed ACK)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.upstream._opened(self.connection)

    def finish(self) -> None:
        self.server.upstream._closed(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        headers = Headers((k.lower(), v) for k, v in self.headers.items())
        up = self.server.upstream
        recorded = Recorded(self.command, self.path, headers, body, parsed)
        self._model = str(parsed.get("model", "")) if isinstance(parsed, dict) else ""
        reply = up._next(recorded)
        try:
            self._write(reply, up._stopping)
        except OSError:
            self.close_connection = True  # the client went away (abort, timeout): expected

    def _write(self, reply: Reply, stopping: threading.Event) -> None:
        if reply.first_byte_delay and stopping.wait(reply.first_byte_delay):
            return
        if reply.end == "drop":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        parts = reply.wire_parts()
        head = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        head += [f"{k}: {v}" for k, v in reply.headers]
        if reply.encoding != "identity":
            head.append(f"Content-Encoding: {reply.encoding}")
        if reply.framing == "chunked":
            head.append("Transfer-Encoding: chunked")
        elif reply.framing == "length":
            size = sum(len(p.data) for p in parts)
            head.append(f"Content-Length: {reply.declared_length or size}")
        if reply.framing == "close" or reply.end == "cut":
            head.append("Connection: close")
            self.close_connection = True
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        self.wfile.flush()
        for part in parts:
            if part.delay and stopping.wait(part.delay):
                return
            if part.gate is not None:
                part.gate.wait(GATE_TIMEOUT)
                if stopping.is_set():
                    return
            if reply.framing == "chunked":
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part.data), part.data))
            else:
                self.wfile.write(part.data)
            self.wfile.flush()
        if reply.end == "cut":
            return  # close without the terminating chunk / the announced bytes
        if reply.framing == "chunked":
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        self.server.upstream._finished(getattr(self, "_model", ""))


@dataclass
class FakeUpstream:
    """A scripted OpenAI-compatible server on ``127.0.0.1`` at a random port.

    Use as a context manager (or the ``upstream`` fixture). ``enqueue`` replies; read
    ``requests`` afterwards. Thread-safe.
    """

    default: Reply = field(default_factory=lambda: sse(["你好"]))
    # when set, the default answer reports the usage this returns for the request it answers
    bill: Callable[[Recorded], dict[str, int]] | None = None
    models: Reply | None = None  # served to every GET …/models when set; the queue is untouched
    sight: Literal["vision", "blind"] | None = None  # answer chats as a fake model when set
    # batch additions: consulted when the queue is empty, before ``sight``/``bill``/``default``
    script: Callable[[Recorded], Reply | None] | None = None  # a reply chosen per request
    latency: float = 0.0  # seconds before the first byte of every reply not from the queue
    batch_api: FakeBatchAPI | None = None  # serves /files and /batches when set
    requests: list[Recorded] = field(default_factory=list)
    bodies_finished: int = 0  # replies written to their last byte
    # replies by the request's "model", served before the queue (per-model latency or failure)
    by_model: dict[str, Reply] = field(default_factory=dict)
    # what happened at the server, in order: ("arrived" | "finished", model, time.monotonic())
    events: list[tuple[str, str, float]] = field(default_factory=list)
    _queue: deque[Reply] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: UpstreamServer | None = None
    _thread: threading.Thread | None = None
    _connections: set[socket.socket] = field(default_factory=set)

    def start(self, port: int = 0) -> FakeUpstream:
        """Start serving in a daemon thread (on ``port``, or a free one); return self."""
        self._server = UpstreamServer(("127.0.0.1", port), UpstreamHandler)
        self._server.upstream = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any stalled replies, close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def restart(self) -> None:
        """Go down as a redeployed server does and come back on the same port.

        Every open connection is cut where it is (a reply mid-stream ends without its last
        chunk), stalled replies wake, and the queue and the recorded requests are kept.
        """
        port = self.port
        self.stop()
        with self._lock:
            open_now = list(self._connections)
            self._connections.clear()
        for conn in open_now:
            with contextlib.suppress(OSError):  # already gone
                conn.shutdown(socket.SHUT_RDWR)
        self._stopping = threading.Event()
        self.start(port)

    def __enter__(self) -> FakeUpstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "not started"
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (no path)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: what a client is configured with."""
        return self.origin + "/v1"

    def enqueue(self, *replies: Reply) -> None:
        """Serve these replies, in order, to the next requests."""
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        """Forget queued replies and recorded requests."""
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.bodies_finished = 0
            self.events.clear()

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> list[Recorded]:
        """Wait until at least ``n`` requests arrived; return them. AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= n:
                    return list(self.requests)
            time.sleep(0.01)
        raise AssertionError(f"expected {n} requests, got {len(self.requests)}")

    def _opened(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _finished(self, model: str = "") -> None:
        with self._lock:
            self.bodies_finished += 1
            self.events.append(("finished", model, time.monotonic()))

    def _next(self, recorded: Recorded) -> Reply:
        listing = recorded.method == "GET" and recorded.path.rstrip("/").endswith("/models")
        model = recorded.json.get("model") if isinstance(recorded.json, dict) else None
        with self._lock:
            self.requests.append(recorded)
            if listing and self.models is not None:
                return self.models
            self.events.append(("arrived", str(model or ""), time.monotonic()))
            if isinstance(model, str) and model in self.by_model:
                return self.by_model[model]
            if self._queue:
                return self._queue.popleft()
            sight = self.sight if recorded.method == "POST" else None
            bill = self.bill
        reply = self._unqueued(recorded, sight, bill)
        if self.latency and reply.end != "drop":
            reply = replace(reply, first_byte_delay=max(reply.first_byte_delay, self.latency))
        return reply

    def _unqueued(
        self,
        recorded: Recorded,
        sight: Literal["vision", "blind"] | None,
        bill: Callable[[Recorded], dict[str, int]] | None,
    ) -> Reply:
        # outside the lock: reading a picture takes a while and other requests must not wait
        if self.batch_api is not None and (served := self.batch_api.handle(recorded)):
            return served
        if self.script is not None and (scripted := self.script(recorded)) is not None:
            return scripted
        if sight is not None:
            return sighted_reply(recorded, sight)
        if bill is not None:
            return sse(["你好"], usage=bill(recorded))
        return self.default


def bill_per_picture(per_picture: int, text: int = 20) -> Callable[[Recorded], dict[str, int]]:
    """Return a ``FakeUpstream.bill`` that counts ``text`` prompt tokens plus ``per_picture`` for
    every image part in the request's messages, and 2 completion tokens."""

    def bill(recorded: Recorded) -> dict[str, int]:
        messages = (recorded.json or {}).get("messages") or []
        pictures = sum(
            1
            for message in messages
            if isinstance(message.get("content"), list)
            for part in message["content"]
            if part.get("type") == "image_url"
        )
        prompt = text + per_picture * pictures
        return {"prompt_tokens": prompt, "completion_tokens": 2, "total_tokens": prompt + 2}

    return bill


# ---------------------------------------------------------------------------------------------
# Batch additions: replies chosen per picture, and a fake of OpenAI's Files + Batch APIs


def picture_widths(recorded: Recorded) -> list[int]:
    """Return the pixel width of every data-URL picture in a chat request (0 if undecodable)."""
    widths = []
    for data in _pictures(recorded):
        try:
            with Image.open(io.BytesIO(data)) as image:
                widths.append(image.width)
        except OSError:
            widths.append(0)
    return widths


def by_picture_width(plan: dict[int, list[Reply]]) -> Callable[[Recorded], Reply | None]:
    """Return a ``FakeUpstream.script`` serving, to a request whose first picture is ``width``
    pixels wide, the next reply of ``plan[width]`` (then None: the usual answer). Thread-safe."""
    lock = threading.Lock()
    left = {width: deque(replies) for width, replies in plan.items()}

    def script(recorded: Recorded) -> Reply | None:
        widths = picture_widths(recorded) if recorded.method == "POST" else []
        with lock:
            queue = left.get(widths[0]) if widths else None
            return queue.popleft() if queue else None

    return script


BATCH_USAGE = {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105}


@dataclass
class FakeBatchAPI:
    """OpenAI's ``POST /files`` (multipart, purpose ``batch``), ``POST /batches``,
    ``GET /batches/{id}`` and ``GET /files/{id}/content``, in memory.

    A batch is ``in_progress`` for ``polls_before_done`` polls, then ``completed`` with an
    output file: one line per input line, answering ``answer(custom_id, body)``, or an error
    line for the custom ids in ``fail``. ``uploads`` and ``created`` count what was made.
    """

    polls_before_done: int = 1
    answer: Callable[[str, dict[str, Any]], str] = lambda custom_id, body: f"答：{custom_id}"
    fail: frozenset[str] = frozenset()
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)
    uploads: int = 0
    created: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, recorded: Recorded) -> Reply | None:
        """Return the reply for a Files/Batch request, or None for any other request."""
        path = recorded.path.split("?", 1)[0].rstrip("/")
        parts = path.split("/")
        with self._lock:
            if recorded.method == "POST" and path.endswith("/files"):
                return self._upload(recorded)
            if recorded.method == "POST" and path.endswith("/batches"):
                return self._create(recorded)
            if recorded.method == "GET" and len(parts) >= 2 and parts[-2] == "batches":
                return self._poll(parts[-1])
            if recorded.method == "GET" and path.endswith("/content") and parts[-3] == "files":
                data = self.files.get(parts[-2])
                if data is None:
                    return openai_error(404, "No such file", "invalid_request_error")
                return raw(200, {"Content-Type": "application/octet-stream"}, data)
        return None

    def _upload(self, recorded: Recorded) -> Reply:
        from email.parser import BytesParser
        from email.policy import default as policy

        ctype = recorded.headers.get("content-type", "")
        message = BytesParser(policy=policy).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + recorded.body
        )
        fields: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = part.get_payload(decode=True) or b""
        if fields.get("purpose") != b"batch" or "file" not in fields:
            return openai_error(400, "purpose batch and a file are required")
        self.uploads += 1
        file_id = f"file-in{self.uploads}"
        self.files[file_id] = fields["file"]
        return json_reply(
            {"id": file_id, "object": "file", "purpose": "batch", "bytes": len(fields["file"])}
        )

    def _create(self, recorded: Recorded) -> Reply:
        body = recorded.json or {}
        if body.get("input_file_id") not in self.files:
            return openai_error(400, "unknown input_file_id", "invalid_request_error")
        self.created += 1
        batch_id = f"batch_{self.created}"
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body.get("endpoint"),
            "input_file_id": body["input_file_id"],
            "completion_window": body.get("completion_window"),
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
        }
        self.polls[batch_id] = 0
        return json_reply(self.batches[batch_id])

    def _poll(self, batch_id: str) -> Reply:
        batch = self.batches.get(batch_id)
        if batch is None:
            return openai_error(404, "No such batch", "invalid_request_error")
        self.polls[batch_id] += 1
        if batch["status"] != "completed" and self.polls[batch_id] > self.polls_before_done:
            lines = self.files[batch["input_file_id"]].decode("utf-8").splitlines()
            out = [self._result(json.loads(line)) for line in lines if line.strip()]
            output_id = f"file-out-{batch_id}"
            self.files[output_id] = "".join(
                json.dumps(o, ensure_ascii=False) + "\n" for o in out
            ).encode()
            failed = sum(o["response"]["status_code"] != 200 for o in out)
            counts = {"total": len(out), "completed": len(out) - failed, "failed": failed}
            batch.update(status="completed", output_file_id=output_id, request_counts=counts)
        elif batch["status"] == "validating":
            batch["status"] = "in_progress"
        return json_reply(batch)

    def _result(self, request: dict[str, Any]) -> dict[str, Any]:
        custom_id = request["custom_id"]
        if custom_id in self.fail:
            body: dict[str, Any] = {
                "error": {"message": "content policy", "type": "invalid_request_error"}
            }
            return {
                "id": f"req-{custom_id}",
                "custom_id": custom_id,
                "response": {"status_code": 400, "body": body},
                "error": None,
            }
        text = self.answer(custom_id, request.get("body") or {})
        body = {
            "id": "chatcmpl-batch",
            "object": "chat.completion",
            "model": (request.get("body") or {}).get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": BATCH_USAGE,
        }
        return {
            "id": f"req-{custom_id}",
            "custom_id": custom_id,
            "response": {"status_code": 200, "body": body},
            "error": None,
        }
