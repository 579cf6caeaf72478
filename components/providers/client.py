"""Talk to an OpenAI-compatible API: stream a chat answer about pictures, list the models.

One ``requests.Session`` per conversation owner, with urllib3's ``Retry`` mounted on its adapter:
429 (honouring ``Retry-After`` and ``retry-after-ms``), 502/503/504 and connection resets are
retried a bounded number of times, always before the response body is read, so an answer that
has started is never sent twice. Third-party exceptions become ``ProviderError`` subclasses here,
at one boundary (``_transport_error``); what the provider said becomes one through
``components.providers.error_mapping``.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import requests
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from components.conversation.turns import ChatTurn
from components.errors import (
    NetworkError,
    ProtocolError,
    ProviderError,
    RequestTimeoutError,
    ServerError,
    StreamInterruptedError,
    TooLargeError,
)
from components.providers.address_guard import GuardedAdapter
from components.providers.error_mapping import error_from_payload, error_from_response
from components.providers.settings import ClientSettings
from components.providers.sse import SSEDecoder

USER_AGENT = "kantu/0.1 (+OpenAI-compatible client)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_MAX_ERROR_BODY = 64 * 1024
_MB = 1024 * 1024
_MIN_SECRET_LEN = 8


@dataclass(frozen=True)
class ChatOptions:
    """Per-request options; unset ones are left out of the request."""

    max_tokens: int | None = None
    temperature: float | None = None
    system: str | None = None


@dataclass(frozen=True)
class Usage:
    """Token counts as the provider reported them."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True)
class StreamResult:
    """How a finished answer ended, and how long it took (seconds from the request)."""

    text: str
    finish_reason: str | None
    model: str | None
    usage: Usage | None
    ttft_s: float | None
    total_s: float


class KantuRetry(Retry):
    """urllib3's Retry, plus ``retry-after-ms`` (OpenAI, Azure), and no retry on read timeouts.

    A read timeout means a slow model, not a lost request: waiting again would double the wait.
    Only 429 and 503 may carry a ``Retry-After`` that makes a retry (not 413).
    """

    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    def get_retry_after(self, response: Any) -> float | None:
        millis = response.headers.get("retry-after-ms")
        if millis:
            try:
                return min(max(float(millis) / 1000.0, 0.0), self.retry_after_max)
            except ValueError:
                pass  # fall back to Retry-After
        return super().get_retry_after(response)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> KantuRetry:
        if isinstance(error, ReadTimeoutError):
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def build_retry(settings: ClientSettings) -> KantuRetry:
    """Return the bounded retry policy for these settings."""
    n = max(0, settings.max_retries)
    return KantuRetry(
        total=n,
        connect=n,
        read=n,
        status=n,
        other=0,
        allowed_methods=frozenset({"GET", "POST"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        raise_on_status=False,
        respect_retry_after_header=True,
        retry_after_max=settings.retry_after_max,
    )


class _KantuAdapter(GuardedAdapter):
    """A GuardedAdapter that remembers which retry and address policy it carries."""

    def __init__(self, policy: tuple[int, float, float, bool], **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)


class ChatClient:
    """A client for one provider configuration; reuse it for a whole conversation."""

    def __init__(self, settings: ClientSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        policy = (
            settings.max_retries,
            settings.backoff_factor,
            settings.retry_after_max,
            settings.public_only,
        )
        current = self.session.adapters.get("https://")
        if not (isinstance(current, _KantuAdapter) and current.policy == policy):
            # a shared session keeps its pooled connections while the retry policy is unchanged
            adapter = _KantuAdapter(
                policy, max_retries=build_retry(settings), public_only=settings.public_only
            )
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"ChatClient(base_url={self.settings.base_url!r}, model={self.settings.model!r})"

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.settings.connect_timeout, self.settings.read_timeout)

    def headers(self, accept: str = "application/json") -> dict[str, str]:
        """Return the request headers; no Authorization at all when there is no key."""
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        return headers

    def build_payload(self, turns: Sequence[ChatTurn], options: ChatOptions) -> dict[str, Any]:
        """Return the JSON body for ``/chat/completions`` (streamed)."""
        preset = self.settings.preset
        messages: list[dict[str, Any]] = []
        if options.system:
            messages.append({"role": "system", "content": options.system})
        for turn in turns:
            if turn.role == "assistant" or not turn.images:
                messages.append({"role": turn.role, "content": turn.text})
                continue
            parts: list[dict[str, Any]] = []
            if turn.text:
                parts.append({"type": "text", "text": turn.text})
            for image in turn.images:
                image_url: dict[str, Any] = {"url": image.data_url}
                if preset.accepts_detail:
                    image_url["detail"] = image.api_detail
                parts.append({"type": "image_url", "image_url": image_url})
            messages.append({"role": "user", "content": parts})
        payload: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "stream": True,
        }
        if options.max_tokens is not None:
            payload["max_tokens"] = options.max_tokens
        if options.temperature is not None:
            payload["temperature"] = options.temperature
        if preset.accepts_stream_options:
            payload["stream_options"] = {"include_usage": True}
        return payload

    def stream_chat(
        self, turns: Sequence[ChatTurn], options: ChatOptions = ChatOptions()
    ) -> ChatStream:
        """Return a stream of the answer's text deltas; nothing is sent until the first ``next()``.

        Iteration raises a ProviderError subclass: TooLargeError (images over the preset's limits,
        refused before sending), AuthError, QuotaError, ContentFilterError, InvalidInputError,
        RateLimitError, ModelNotFoundError, ServerError, NetworkError, RequestTimeoutError,
        StreamInterruptedError or ProtocolError; ``partial_text`` holds the text already yielded.
        """
        refusal = check_image_limits(turns, self.settings)
        payload = self.build_payload(turns, options) if refusal is None else {}
        return ChatStream(self, payload, refusal=refusal)

    def list_models(self) -> list[str]:
        """Return the model ids of ``GET {base}/models``.

        Raises the ProviderError subclass the answer calls for (AuthError, ServerError,
        NetworkError, RequestTimeoutError, ProtocolError…).
        """
        try:
            return self._list_models()
        except ProviderError as err:
            raise scrub(err, self.settings.api_key) from err.__cause__

    def _list_models(self) -> list[str]:
        try:
            response = self.session.get(
                self.settings.base_url.endpoint("models"),
                headers=self.headers(),
                timeout=self.timeout,
            )
            with response:
                body = response.content
        except requests.RequestException as exc:
            raise _transport_error(exc, partial="") from exc
        model = self.settings.model
        if response.status_code >= 400:
            raise error_from_response(
                response.status_code,
                body[:_MAX_ERROR_BODY],
                content_type=response.headers.get("Content-Type", ""),
                model=model,
            )
        obj = _json_answer(body, model)
        data = obj.get("data") if isinstance(obj, dict) else obj
        if not isinstance(data, list):
            raise ProtocolError("the model list has no 'data' array", status=200)
        return [str(m["id"]) for m in data if isinstance(m, dict) and m.get("id")]

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._owns_session:
            self.session.close()


def check_image_limits(turns: Sequence[ChatTurn], settings: ClientSettings) -> TooLargeError | None:
    """Return the TooLargeError these images earn under the preset's limits, or None."""
    preset = settings.preset
    total = 0
    for turn in turns:
        for image in turn.images:
            size = len(image.data)
            if size > preset.max_image_bytes:
                return TooLargeError(
                    f"{image.name or 'an image'} is {size / _MB:.1f} MB; "
                    f"{preset.name_en} accepts {preset.max_image_bytes / _MB:.0f} MB per image",
                    size_mb=round(size / _MB, 1),
                    limit_mb=round(preset.max_image_bytes / _MB),
                )
            total += size
    if total > preset.max_request_image_bytes:
        return TooLargeError(
            f"the images total {total / _MB:.1f} MB; {preset.name_en} accepts "
            f"{preset.max_request_image_bytes / _MB:.0f} MB per request",
            size_mb=round(total / _MB, 1),
            limit_mb=round(preset.max_request_image_bytes / _MB),
        )
    return None


class _Answer:
    """What the chunks said so far: finish reason, model, usage, timing."""

    __slots__ = (
        "done",
        "events",
        "finish_reason",
        "model",
        "started",
        "ttft_s",
        "unreadable",
        "usage",
    )

    def __init__(self, started: float) -> None:
        self.started = started
        self.done = False
        self.events = 0
        self.unreadable = 0
        self.finish_reason: str | None = None
        self.model: str | None = None
        self.usage: Usage | None = None
        self.ttft_s: float | None = None

    def apply(self, obj: dict[str, Any], key: str = "delta") -> Iterator[str]:
        """Yield the text of one chunk (or one whole completion with ``key="message"``)."""
        self.events += 1
        if not self.model and isinstance(obj.get("model"), str):
            self.model = obj["model"]
        usage = obj.get("usage")
        if isinstance(usage, dict):
            self.usage = _usage(usage)
        choices = obj.get("choices")
        # an empty `choices` is normal: Azure's prompt-filter chunk, the usage-only last chunk
        for choice in choices if isinstance(choices, list) else ():
            if not isinstance(choice, dict) or choice.get("index", 0) not in (0, None):
                continue
            message = choice.get(key) or {}
            text = _content_text(message.get("content") if isinstance(message, dict) else None)
            if text:
                if self.ttft_s is None:
                    self.ttft_s = time.perf_counter() - self.started
                yield text
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])


class ChatStream:
    """An iterator of text deltas (what ``st.write_stream`` consumes).

    ``result`` is set once the answer finished normally; ``text`` is what arrived so far.
    ``close()`` aborts: it closes the response, from any thread, and iteration then stops.
    """

    def __init__(
        self, client: ChatClient, payload: dict[str, Any], *, refusal: ProviderError | None = None
    ) -> None:
        self.result: StreamResult | None = None
        self._client = client
        self._payload = payload
        self._refusal = refusal
        self._parts: list[str] = []
        self._response: requests.Response | None = None
        self._aborted = False
        self._gen = self._run()

    def __repr__(self) -> str:
        return f"ChatStream(model={self._client.settings.model!r}, chars={len(self.text)})"

    @property
    def text(self) -> str:
        """The answer's text received so far."""
        return "".join(self._parts)

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> str:
        return next(self._gen)

    def close(self) -> None:
        """Abort: close the response; iteration ends without an error."""
        self._aborted = True
        response = self._response
        if response is not None:
            # Closing a socket does not wake a thread blocked reading it; shutting it down does.
            sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            response.close()
        # ValueError: iterating in another thread right now; the closed response stops it
        with contextlib.suppress(ValueError):
            self._gen.close()

    def _run(self) -> Iterator[str]:
        if self._refusal is not None:
            raise self._refusal
        try:
            for delta in self._exchange(time.perf_counter()):
                self._parts.append(delta)
                yield delta
        except ProviderError as err:
            if self._parts and not err.partial_text:
                err.partial_text = self.text
            scrub(err, self._client.settings.api_key)
            raise

    def _exchange(self, started: float) -> Iterator[str]:
        client = self._client
        body = json.dumps(self._payload, ensure_ascii=False).encode("utf-8")
        headers = client.headers("text/event-stream, application/json")
        headers["Content-Type"] = "application/json"
        try:
            response = client.session.post(
                client.settings.base_url.endpoint("chat/completions"),
                data=body,
                headers=headers,
                stream=True,
                timeout=client.timeout,
            )
        except requests.RequestException as exc:
            raise _transport_error(exc, partial="") from exc
        self._response = response
        answer = _Answer(started)
        try:
            if response.status_code >= 400:
                raise error_from_response(
                    response.status_code,
                    _read_capped(response),
                    content_type=response.headers.get("Content-Type", ""),
                    model=client.settings.model,
                )
            yield from self._read(response, answer)
        except ProviderError:
            if self._aborted:
                return
            raise
        except (requests.RequestException, Urllib3HTTPError, OSError) as exc:
            if self._aborted:
                return
            if answer.finish_reason is not None:
                pass  # cut after the last chunk: the answer is complete
            else:
                raise _transport_error(exc, partial=self.text) from exc
        except (AttributeError, ValueError):
            if self._aborted:
                return  # the response was closed under us by close()
            raise
        finally:
            response.close()
        self.result = StreamResult(
            text=self.text,
            finish_reason=answer.finish_reason,
            model=answer.model,
            usage=answer.usage,
            ttft_s=answer.ttft_s,
            total_s=time.perf_counter() - started,
        )

    def _read(self, response: requests.Response, answer: _Answer) -> Iterator[str]:
        # Bytes only: relays send text/event-stream without a charset, and requests would then
        # decode as ISO-8859-1. The SSE decoder splits lines on bytes and decodes UTF-8 itself.
        chunks = response.iter_content(chunk_size=None)
        head = b""
        for chunk in chunks:
            head += chunk
            if head.lstrip():
                break
        first = head.lstrip()[:1]
        model = self._client.settings.model
        if not first:
            raise ServerError("HTTP 200, empty body", status=200, model=model)
        if first in (b"{", b"["):  # the server ignored stream: true, or refused with HTTP 200
            obj = _json_answer(head + b"".join(chunks), model)
            if not isinstance(obj, dict) or not isinstance(obj.get("choices"), list):
                raise ProtocolError("a JSON answer without 'choices'", status=200, model=model)
            yield from answer.apply(obj, key="message")
            answer.done = True
            return
        if first == b"<":
            rest = _read_capped(response, chunks, limit=_MAX_ERROR_BODY)
            raise error_from_response(200, head + rest, model=model)
        decoder = SSEDecoder()
        for chunk in _prepend(head, chunks):
            for event in decoder.feed(chunk):
                yield from self._event(event.data, event.event, answer)
                if answer.done:
                    return
        for event in decoder.flush():
            yield from self._event(event.data, event.event, answer)
            if answer.done:
                return
        if answer.finish_reason is None:
            if answer.events or self._parts:
                raise StreamInterruptedError(
                    "the stream ended before the answer was finished (no finish_reason, no [DONE])",
                    partial_text=self.text,
                    model=model,
                )
            if answer.unreadable:
                raise ProtocolError("the stream had no readable chunk", status=200, model=model)
            raise ServerError("the stream ended without an answer", status=200, model=model)

    def _event(self, data: str, event: str | None, answer: _Answer) -> Iterator[str]:
        data = data.strip()
        if not data:
            return
        if data == "[DONE]":
            answer.done = True
            return
        model = self._client.settings.model
        try:
            obj = json.loads(data)
        except ValueError:
            answer.unreadable += 1
            if event == "error":
                raise ServerError(data, partial_text=self.text, model=model) from None
            return
        err = error_from_payload(obj, status=None, model=model, partial_text=self.text)
        if err is None and event == "error":
            err = ServerError(data, partial_text=self.text, model=model)
        if err is not None:
            raise err
        if isinstance(obj, dict):
            yield from answer.apply(obj)


def scrub(err: ProviderError, secret: str) -> ProviderError:
    """Remove ``secret`` from the error's detail: keys without a known prefix are not masked
    by ``KantuError``, and some providers echo the key they were sent. Strings too short to be
    a real key are left alone: masking them would garble the provider's words."""
    if len(secret) >= _MIN_SECRET_LEN and secret in err.detail:
        err.detail = err.detail.replace(secret, "***")
        err.args = (err.detail,)
    return err


def _json_answer(body: bytes, model: str) -> Any:
    """Parse a JSON body sent with HTTP 200. Raises the error it carries (冰橙's ``codes``, an
    ``error`` object) or ProtocolError/ServerError when it is not JSON."""
    try:
        obj = json.loads(body)
    except ValueError:
        raise error_from_response(200, body[:_MAX_ERROR_BODY], model=model) from None
    err = error_from_payload(obj, status=None, model=model)
    if err is not None:
        raise err
    return obj


def _prepend(head: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield head
    yield from chunks


def _read_capped(
    response: requests.Response,
    chunks: Iterator[bytes] | None = None,
    limit: int = _MAX_ERROR_BODY,
) -> bytes:
    """Read at most ``limit`` bytes of an error body (a gateway page can be large)."""
    out = b""
    try:
        for chunk in chunks if chunks is not None else response.iter_content(chunk_size=None):
            out += chunk
            if len(out) >= limit:
                break
    except (requests.RequestException, Urllib3HTTPError, OSError):
        pass  # a body cut short still says what it says
    return out[:limit]


def _usage(raw: dict[str, Any]) -> Usage | None:
    try:
        prompt = int(raw.get("prompt_tokens") or 0)
        completion = int(raw.get("completion_tokens") or 0)
        total = int(raw.get("total_tokens") or prompt + completion)
    except (TypeError, ValueError):
        return None
    return Usage(prompt, completion, total)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # some providers stream content parts
        return "".join(
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


_OBJECT_PREFIX = re.compile(r"<[^>]*>:\s*")


def _reason(exc: BaseException) -> str:
    """Return the innermost readable reason of a requests/urllib3 exception."""
    inner: object = exc
    for _ in range(4):
        args = getattr(inner, "args", ())
        if args and isinstance(args[0], MaxRetryError):
            inner = args[0].reason or args[0]
        elif args and isinstance(args[0], BaseException):
            inner = args[0]
        else:
            break
    args = getattr(inner, "args", ())
    if len(args) > 1 and isinstance(args[-1], str):
        inner = args[-1]  # urllib3's (connection, message) pairs
    return _OBJECT_PREFIX.sub("", str(inner))[:200] or type(exc).__name__


def _is_read_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (requests.ReadTimeout, ReadTimeoutError, TimeoutError)):
        return True
    args = getattr(exc, "args", ())
    return bool(args) and isinstance(args[0], ReadTimeoutError)


def _transport_error(exc: BaseException, *, partial: str) -> ProviderError:
    """Translate a transport exception: the one boundary for requests/urllib3/socket errors."""
    reason = _reason(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return RequestTimeoutError(f"could not connect in time: {reason}")
    if _is_read_timeout(exc):
        if partial:
            return StreamInterruptedError(
                f"no data within the read timeout: {reason}", partial_text=partial
            )
        return RequestTimeoutError(f"no answer within the read timeout: {reason}")
    if partial:
        return StreamInterruptedError(f"connection lost: {reason}", partial_text=partial)
    return NetworkError(reason)
