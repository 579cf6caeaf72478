"""Read one opened chat response into text deltas, whatever the upstream sends.

The body is sniffed once: an SSE stream goes through ``SSEDecoder.iter_events`` (the decoder's
own event loop, fed as bytes arrive); a JSON body is a server that ignored ``stream: true`` or
refused with HTTP 200; an HTML page is a gateway or a web site. Every outcome is text or a
ProviderError subclass: malformed JSON, odd types, huge numbers and deep nesting included.

Caps (``StreamLimits``) bound what one answer may cost: the line and the event (in the
decoder), the body's bytes and the answer's characters; each raises OversizedAnswerError.
The streamed text passes through a ``TextGuard``, so an echoed key never reaches the page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from components.errors import (
    NetworkError,
    OversizedAnswerError,
    ProtocolError,
    ProviderError,
    RequestTimeoutError,
    ServerError,
    StreamInterruptedError,
)
from components.providers.error_mapping import (
    UNREADABLE,
    error_from_payload,
    error_from_response,
    parse_json,
)
from components.providers.redaction import KeyScrubber, TextGuard
from components.providers.sse import MAX_EVENT_BYTES, MAX_LINE_BYTES, SSEDecoder
from components.providers.transport import OpenedResponse
from components.usage import Usage

_MB = 1024 * 1024
_MAX_ERROR_BODY = 64 * 1024
_MAX_COUNT = 10**12  # token counts above this are no counts
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class StreamLimits:
    """What one answer may cost before reading stops with OversizedAnswerError."""

    max_line_bytes: int = MAX_LINE_BYTES
    max_event_bytes: int = MAX_EVENT_BYTES  # also a whole JSON (non-streamed) body
    max_body_bytes: int = 64 * _MB  # every byte of the body, comments and pings included
    max_text_chars: int = 1_000_000  # the answer's text: far past any model's output limit


@dataclass(frozen=True)
class StreamResult:
    """How a finished answer ended, and how long it took (seconds from the request).

    ``attempts``: how many times the request went out (a 429 with ``Retry-After`` makes 2);
    0 for an answer read on this machine.
    """

    text: str
    finish_reason: str | None
    model: str | None
    usage: Usage | None
    ttft_s: float | None
    total_s: float
    attempts: int = 0


class AnswerReader:
    """Turn one opened response into the answer's text deltas (iterate ``deltas()``).

    ``deltas`` raises the ProviderError subclass the answer calls for; each carries
    ``partial_text``. After a normal end, ``result()`` returns the StreamResult.
    """

    def __init__(
        self,
        opened: OpenedResponse,
        *,
        model: str,
        started: float,
        limits: StreamLimits = StreamLimits(),
        scrub: KeyScrubber,
        trusted: bool = True,
    ) -> None:
        self._opened = opened
        self._model = model
        self._started = started
        self._limits = limits
        self._scrub = scrub
        self._trusted = trusted
        self._guard = TextGuard(scrub)
        self._parts: list[str] = []
        self._chars = 0
        self._body_bytes = 0
        self._events = 0
        self._unreadable = 0
        self._done = False
        self.finish_reason: str | None = None
        self.answer_model: str | None = None
        self.usage: Usage | None = None
        self.ttft_s: float | None = None

    @property
    def text(self) -> str:
        """The answer's text so far, as shown (key forms masked)."""
        return "".join(self._parts)

    def result(self) -> StreamResult:
        """Return the finished answer's result."""
        return StreamResult(
            text=self.text,
            finish_reason=self.finish_reason,
            model=self.answer_model,
            usage=self.usage,
            ttft_s=self.ttft_s,
            total_s=time.perf_counter() - self._started,
        )

    def deltas(self) -> Iterator[str]:
        """Yield the answer's text as it arrives; raise a ProviderError subclass on failure."""
        try:
            try:
                yield from self._read()
            except (TypeError, ValueError, OverflowError, RecursionError) as exc:
                # every shape the red team found is handled where it is read; this is the net
                # for the next one: an answer Kantu cannot read, never a traceback
                raise ProtocolError(
                    f"an answer Kantu cannot read ({type(exc).__name__})", model=self._model
                ) from exc
            tail = self._guard.flush()
            if tail:
                self._parts.append(tail)
                yield tail
        except ProviderError as err:
            tail = self._guard.flush()
            if tail:
                self._parts.append(tail)
            if not err.partial_text:
                err.partial_text = self.text
            raise

    # --- the body ----------------------------------------------------------------------------

    def _chunks(self) -> Iterator[bytes]:
        """Yield the body's bytes within the cap. A connection lost after the last chunk ends
        the answer; after some text it is StreamInterruptedError; before, the transport's error.
        (Only the transport's: an error the upstream *declares* is never taken for a cut.)"""
        cap = self._limits.max_body_bytes
        try:
            for chunk in self._opened.chunks():
                self._body_bytes += len(chunk)
                if self._body_bytes > cap:
                    raise OversizedAnswerError(
                        f"the answer is over {cap:,} bytes", limit="body", model=self._model
                    )
                yield chunk
        except (NetworkError, RequestTimeoutError) as err:
            if self.finish_reason is not None:
                return  # cut after the last chunk: the answer is complete
            if self._parts or self._chars:
                raise StreamInterruptedError(
                    f"the stream stopped: {err.detail}", model=self._model
                ) from err
            raise

    def _read(self) -> Iterator[str]:
        opened = self._opened
        chunks = self._chunks()
        if opened.status >= 400:
            raise self._refusal(opened.status, _read_capped(chunks), opened.content_type)
        head = _first_bytes(chunks)
        first = head[:1]
        if not first:
            raise ServerError("HTTP 200, empty body", status=200, model=self._model)
        if first in (b"{", b"["):  # the server ignored stream: true, or refused with 200
            yield from self._json_answer(head, chunks)
            return
        if first == b"<":
            raise self._refusal(200, head + _read_capped(chunks), opened.content_type)
        decoder = SSEDecoder(
            max_line_bytes=self._limits.max_line_bytes,
            max_event_bytes=self._limits.max_event_bytes,
        )
        for event in decoder.iter_events(_prepend(head, chunks)):
            yield from self._event(event.data, event.event)
            if self._done:
                return
        if self.finish_reason is None:
            self._unfinished()

    def _unfinished(self) -> None:
        model = self._model
        if self._events or self._chars:
            raise StreamInterruptedError(
                "the stream ended before the answer was finished (no finish_reason, no [DONE])",
                model=model,
            )
        if self._unreadable:
            raise ProtocolError("the stream had no readable chunk", status=200, model=model)
        raise ServerError("the stream ended without an answer", status=200, model=model)

    def _refusal(self, status: int, body: bytes, content_type: str) -> ProviderError:
        return error_from_response(
            status,
            body,
            content_type=content_type,
            model=self._model,
            trusted=self._trusted,
            scrub=self._scrub,
        )

    def _json_answer(self, head: bytes, chunks: Iterator[bytes]) -> Iterator[str]:
        cap = self._limits.max_event_bytes
        parts = [head]
        size = len(head)
        for chunk in chunks:
            size += len(chunk)
            if size > cap:
                raise OversizedAnswerError(
                    f"a JSON answer is over {cap:,} bytes", limit="event", model=self._model
                )
            parts.append(chunk)
        body = b"".join(parts)
        obj = parse_json(body)
        if obj is UNREADABLE:
            raise self._refusal(200, body[:_MAX_ERROR_BODY], self._opened.content_type)
        err = error_from_payload(obj, status=None, model=self._model, scrub=self._scrub)
        if err is None and (not isinstance(obj, dict) or not isinstance(obj.get("choices"), list)):
            raise ProtocolError("a JSON answer without 'choices'", status=200, model=self._model)
        yield from self._chunk(obj, err, key="message")
        self._done = True

    # --- one event ---------------------------------------------------------------------------

    def _event(self, data: str, event: str | None) -> Iterator[str]:
        data = data.strip()
        if not data:
            return
        if data == "[DONE]":
            self._done = True
            return
        obj = parse_json(data)
        if obj is UNREADABLE:
            self._unreadable += 1
            if event == "error":
                detail = self._scrub(data) if self._trusted else "an error event"
                raise ServerError(detail, model=self._model)
            return
        err = error_from_payload(obj, status=None, model=self._model, scrub=self._scrub)
        if err is None and event == "error":
            detail = self._scrub(data) if self._trusted else "an error event"
            err = ServerError(detail, model=self._model)
        yield from self._chunk(obj, err)

    def _chunk(self, obj: Any, err: ProviderError | None, key: str = "delta") -> Iterator[str]:
        """Yield a chunk's text, then raise the error it carries: ``err``, or a ServerError for
        ``finish_reason: "error"``. Text beside an error (OpenRouter's last chunk) is kept."""
        if isinstance(obj, dict) and (err is None or isinstance(obj.get("choices"), list)):
            yield from self._apply(obj, key)
        if err is None and self.finish_reason == "error":
            err = ServerError("the provider ended the answer with an error", model=self._model)
        if err is not None:
            raise err

    def _apply(self, obj: dict[str, Any], key: str = "delta") -> Iterator[str]:
        """Yield the text of one chunk (or one whole completion with ``key="message"``)."""
        self._events += 1
        if self.answer_model is None and isinstance(obj.get("model"), str):
            self.answer_model = obj["model"][:200]
        usage = obj.get("usage")
        if isinstance(usage, dict):
            self.usage = usage_from(usage)
        choices = obj.get("choices")
        # an empty `choices` is normal: Azure's prompt-filter chunk, the usage-only last chunk
        for choice in choices if isinstance(choices, list) else ():
            if not isinstance(choice, dict) or choice.get("index", 0) not in (0, None):
                continue
            message = choice.get(key)
            text = _content_text(message.get("content") if isinstance(message, dict) else None)
            if text:
                yield from self._emit(text)
            finish = choice.get("finish_reason")
            if finish is not None and finish is not False:
                self.finish_reason = finish[:64] if isinstance(finish, str) else "unknown"

    def _emit(self, text: str) -> Iterator[str]:
        self._chars += len(text)
        if self._chars > self._limits.max_text_chars:
            raise OversizedAnswerError(
                f"the answer is over {self._limits.max_text_chars:,} characters",
                limit="text",
                model=self._model,
            )
        if self.ttft_s is None:
            self.ttft_s = time.perf_counter() - self._started
        shown = self._guard.push(text)
        if shown:
            self._parts.append(shown)
            yield shown


def _first_bytes(chunks: Iterator[bytes]) -> bytes:
    """Read until the first byte that is neither whitespace nor a BOM; return all read."""
    head = b""
    for chunk in chunks:
        head += chunk
        if head.lstrip(_WHITESPACE).removeprefix(_BOM).lstrip(_WHITESPACE):
            break
        if len(head) > 64 * 1024:  # a body of only blanks: let the caps and the decoder decide
            break
    return head.lstrip(_WHITESPACE).removeprefix(_BOM).lstrip(_WHITESPACE)


def _prepend(head: bytes, chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield head
    yield from chunks


def _read_capped(chunks: Iterator[bytes], limit: int = _MAX_ERROR_BODY) -> bytes:
    """Read at most ``limit`` bytes of an error body (a gateway page can be large)."""
    out: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            out.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except ProviderError:
        pass  # a body cut short still says what it says
    return b"".join(out)[:limit]


def _count(value: Any) -> int | None:
    """Return ``value`` as a token count, or None when it is no plausible count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value < _MAX_COUNT:
        return value
    return None


USAGE_NAMINGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("prompt_tokens", "completion_tokens", ()),  # Chat Completions
    # Responses API and Anthropic; Anthropic counts cache reads and writes apart from the input
    ("input_tokens", "output_tokens", ("cache_creation_input_tokens", "cache_read_input_tokens")),
)
"""How providers name the prompt and the answer's tokens: (prompt, completion, more prompt)."""


def usage_from(raw: Any) -> Usage | None:
    """Return the usage a provider reported in either naming (``prompt_tokens`` /
    ``completion_tokens`` or ``input_tokens`` / ``output_tokens``), or None when it names
    neither or a count is no plausible count. The first naming with a prompt count wins; nested
    details (``prompt_tokens_details``, ``input_tokens_details``) are parts of it, not added.
    """
    if not isinstance(raw, dict):
        return None
    read: list[Usage] = []
    for prompt_name, completion_name, extra in USAGE_NAMINGS:
        names = (prompt_name, completion_name, *extra)
        if not any(name in raw for name in names):
            continue
        values = [_count(raw.get(name) or 0) for name in names]
        if any(value is None for value in values):
            return None
        prompt, completion, *more = (value or 0 for value in values)
        read.append(Usage(prompt + sum(more), completion, prompt + sum(more) + completion))
    if not read:
        return None  # neither naming: no usage was reported
    found = next((u for u in read if u.prompt_tokens), read[0])
    total = _count(raw.get("total_tokens") or 0)
    if total is None:
        return None
    return replace(found, total_tokens=total or found.total_tokens)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # some providers stream content parts
        return "".join(
            p["text"]
            for p in content
            if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        )
    return ""
