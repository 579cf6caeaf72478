"""HTTP for the providers: one session, bounded retries, timeouts, and one error boundary.

One ``requests.Session`` per conversation owner, with urllib3's ``Retry`` mounted on its adapter.
This is the one layer that decides what is sent again, a bounded number of times:

- a request whose body may have gone out (POST: a question, an upload) is sent again only after a
  connect error (nothing was sent) or an answer that says to come back: 429 or 503 *with*
  ``Retry-After`` / ``retry-after-ms``. A read error, a dropped connection, a 502/504 or a 503
  without a word is final: the upstream may have worked on it, and a second POST is paid twice.
- one exception lives above this layer: a 400 that refuses ``stream_options`` by name was
  refused before any work, so ``ChatStream`` sends that question once more without the field
  (``usage_option``); it is counted in ``InFlight.sent`` like any sending.
- a GET (``/models``, a batch's status) changes nothing: connect and read errors, 429 and
  502/503/504 are retried.

Read timeouts are never retried (a slow model, not a lost request), nor is anything once the
response body is being read. ``InFlight.sent`` counts what actually went out.

A body is read with urllib3's ``HTTPResponse.read1``: whatever bytes are there, decompressed
(gzip, deflate), as soon as they arrive, in every framing (chunked, Content-Length, or ended by
the connection closing). ``OpenedResponse.shutdown`` wakes a read blocked in another thread.

This module is the only one that sees requests' and urllib3's exceptions: ``transport_error``
turns them into ProviderError subclasses, scrubbing the key from their words.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, NamedTuple

import requests
from urllib3.exceptions import (
    DecodeError,
    InvalidHeader,
    MaxRetryError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.util.retry import Retry

from components.errors import (
    AuthError,
    NetworkError,
    ProtocolError,
    ProviderError,
    RequestTimeoutError,
)
from components.providers.address_guard import GuardedAdapter
from components.providers.in_flight import InFlight
from components.providers.redaction import NO_SECRET, KeyScrubber
from components.providers.settings import ClientSettings

USER_AGENT = "kantu/0.1 (+OpenAI-compatible client)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses a GET is retried on."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing upstream: the only ones retried after their request went out
without the answer asking for it."""
READ_SIZE = 64 * 1024
READ_PAUSE_S = 0.04
"""When events come close together (a read waited for the network, but less than this), the
pause before the next read: what arrives meanwhile is read in one go. A long answer's thousands
of small events then cost the server one wake-up per pause instead of one per event; the page
redraws an answer at most every 0.12 s, so the pause is never seen. Events further apart (the
first word after the model's thinking, a slow model) are read the moment they come."""
_WAITED_S = 0.001  # a read that took longer waited for the network: nothing was buffered
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class KantuRetry(Retry):
    """urllib3's Retry with Kantu's rule (the module docstring): a POST is sent again only after
    a connect error or a 429/503 that carries ``Retry-After`` or ``retry-after-ms``; a GET also
    after read errors and 502/504. Read timeouts are never retried.
    """

    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    def asked_wait(self, headers: Any) -> float | None:
        """Return the seconds an answer asks to wait (``retry-after-ms``, else ``Retry-After``
        in seconds or as an HTTP date; at most ``retry_after_max``), or None when it asks
        nothing or says it in a form that cannot be read."""
        millis = headers.get("retry-after-ms")
        if millis:
            try:
                seconds = float(millis) / 1000.0
            except ValueError:
                seconds = math.nan
            if math.isfinite(seconds):
                return min(max(seconds, 0.0), self.retry_after_max)
        text = headers.get("Retry-After")
        if not text:
            return None
        try:
            return self.parse_retry_after(text)
        except (InvalidHeader, ValueError, OverflowError):
            return None

    def get_retry_after(self, response: Any) -> float | None:
        return self.asked_wait(response.headers)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() in SAFE_METHODS:
            return super().is_retry(method, status_code, has_retry_after)
        # urllib3 sees only Retry-After here; ``increment`` reads both headers and decides
        return bool(self.total) and status_code in self.RETRY_AFTER_STATUS_CODES

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
        sent_body = (method or "").upper() not in SAFE_METHODS
        if sent_body and error is not None and not self._is_connection_error(error):
            raise error.with_traceback(_stacktrace)  # it may have gone out: never again
        if sent_body and response is not None and self.asked_wait(response.headers) is None:
            # no word to come back: this ends the retries, and the answer is the result
            raise MaxRetryError(_pool, url, ResponseError(f"HTTP {response.status}"))
        return super().increment(method, url, response, error, _pool, _stacktrace)


def build_retry(settings: ClientSettings) -> KantuRetry:
    """Return the bounded retry policy for these settings (POST as the rule says, GET broader)."""
    n = max(0, settings.max_retries)
    return KantuRetry(
        total=n,
        connect=n,
        read=n,
        status=n,
        other=0,
        allowed_methods=SAFE_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        raise_on_status=False,
        respect_retry_after_header=True,
        # urllib3 annotates it ``int`` but only compares it with float seconds.
        retry_after_max=settings.retry_after_max,  # type: ignore[arg-type]
    )


class AdapterPolicy(NamedTuple):
    """What a mounted adapter was built for: a session is shared only by equal policies."""

    max_retries: int
    backoff_factor: float
    retry_after_max: float
    public_only: bool


class _KantuAdapter(GuardedAdapter):
    """A GuardedAdapter (no redirects; public addresses only when asked) that remembers which
    retry and address policy it carries."""

    def __init__(self, policy: AdapterPolicy, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(public_only=policy.public_only, **kwargs)


class OpenedResponse:
    """A response whose headers have arrived; read its body with ``chunks()``.

    ``chunks`` raises NetworkError, RequestTimeoutError or ProtocolError (an undecodable
    compressed body). ``shutdown`` may be called from any thread; ``close`` releases the response.
    """

    __slots__ = ("_response", "_scrub", "content_type", "status")

    def __init__(self, response: requests.Response, scrub: KeyScrubber) -> None:
        self._response = response
        self._scrub = scrub
        self.status = response.status_code
        self.content_type = response.headers.get("Content-Type", "")

    def chunks(self, size: int = READ_SIZE) -> Iterator[bytes]:
        """Yield the decoded body as its bytes arrive: never waits to fill ``size``; while events
        come close together, reads are ``READ_PAUSE_S`` apart."""
        raw = self._response.raw
        while True:
            started = time.perf_counter()
            try:
                data = raw.read1(size, decode_content=True)
            except (requests.RequestException, Urllib3HTTPError, OSError) as exc:
                raise transport_error(exc, self._scrub) from exc
            except (ValueError, AttributeError) as exc:  # closed by ``close()`` from another thread
                raise NetworkError("the response was closed") from exc
            if not data:
                return
            close_together = _WAITED_S < time.perf_counter() - started < READ_PAUSE_S
            yield data
            if close_together:
                time.sleep(READ_PAUSE_S)  # let the next events arrive, to be read together

    @property
    def closed(self) -> bool:
        """Whether the response has been released."""
        return bool(self._response.raw.closed)

    def shutdown(self) -> None:
        """Wake a read blocked on this response's socket (any thread); harmless when done."""
        with contextlib.suppress(ValueError, RuntimeError, OSError):
            self._response.raw.shutdown()

    def close(self) -> None:
        """Release the response and its connection."""
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self._response.close()


class Transport:
    """The session, retry policy, timeouts and headers for one provider configuration."""

    def __init__(self, settings: ClientSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.scrub = KeyScrubber(settings.api_key) if settings.api_key else NO_SECRET
        policy = AdapterPolicy(
            settings.max_retries,
            settings.backoff_factor,
            settings.retry_after_max,
            settings.public_only,
        )
        current = session.adapters.get("https://") if session is not None else None
        if isinstance(current, _KantuAdapter) and current.policy != policy:
            # Never remount a shared session: a request of another transport may be about to go
            # out through it, and must keep its own address guard. Use a session of our own.
            session = None
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()
        if not isinstance(current, _KantuAdapter) or session is None:
            adapter = _KantuAdapter(policy, max_retries=build_retry(settings))
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"Transport(base_url={self.settings.base_url!r})"

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.settings.connect_timeout, self.settings.read_timeout)

    def headers(self, accept: str = "application/json") -> dict[str, str]:
        """Return the request headers; no Authorization at all when there is no key.

        Raises AuthError when the key holds characters no HTTP header can carry.
        """
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        key = self.settings.api_key
        if key:
            if _CONTROL.search(key) or not key.isascii():
                raise AuthError(
                    "the API key contains characters an HTTP header cannot carry "
                    "(control, full-width or other non-ASCII characters)"
                )
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def post_stream(
        self, path: str, body: bytes, *, in_flight: InFlight | None = None
    ) -> OpenedResponse:
        """POST ``body`` (JSON) to ``{base_url}{path}``; return once the headers have arrived.

        ``in_flight.abort()`` from another thread ends the wait, even before the headers.
        Raises AuthError (a key no header can carry), NetworkError or RequestTimeoutError.
        """
        headers = self.headers("text/event-stream, application/json")
        headers["Content-Type"] = "application/json"
        try:
            with (in_flight or InFlight()).current():
                response = self._post(path, body, headers)
        except (requests.RequestException, Urllib3HTTPError, OSError, ValueError) as exc:
            raise transport_error(exc, self.scrub) from exc
        return OpenedResponse(response, self.scrub)

    def get(self, path: str) -> OpenedResponse:
        """GET ``{base_url}{path}`` (a listing such as ``/models``); return once headers arrived.

        Same session, address guard, retries and timeouts as ``post_stream``. Raises AuthError
        (a key no header can carry), NetworkError or RequestTimeoutError.
        """
        try:
            response = self.session.get(
                self.settings.base_url.endpoint(path.lstrip("/")),
                headers=self.headers(),
                stream=True,
                timeout=self.timeout,
            )
        except (requests.RequestException, Urllib3HTTPError, OSError, ValueError) as exc:
            raise transport_error(exc, self.scrub) from exc
        return OpenedResponse(response, self.scrub)

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> requests.Response:
        return self.session.post(
            self.settings.base_url.endpoint(path.lstrip("/")),
            data=body,
            headers=headers,
            stream=True,
            timeout=self.timeout,
        )

    def close(self) -> None:
        """Close the session if this transport created it."""
        if self._owns_session:
            self.session.close()


_OBJECT_PREFIX = re.compile(r"<[^>]*>:\s*")


def _reason(exc: BaseException) -> str:
    """Return the innermost readable reason of a requests/urllib3 exception."""
    inner: object = exc
    for _ in range(4):
        args: tuple[object, ...] = getattr(inner, "args", ())
        if args and isinstance(args[0], MaxRetryError):
            inner = args[0].reason or args[0]
        elif args and isinstance(args[0], BaseException):
            inner = args[0]
        else:
            break
    args = getattr(inner, "args", ())
    if len(args) > 1 and isinstance(args[-1], str):
        inner = args[-1]  # urllib3's (connection, message) pairs
    return _OBJECT_PREFIX.sub("", str(inner)) or type(exc).__name__


def _is_read_timeout(exc: BaseException) -> bool:
    if isinstance(exc, (requests.ReadTimeout, ReadTimeoutError, TimeoutError)):
        return True
    args: tuple[object, ...] = getattr(exc, "args", ())
    return bool(args) and isinstance(args[0], ReadTimeoutError)


def transport_error(exc: BaseException, scrub: KeyScrubber = NO_SECRET) -> ProviderError:
    """Translate a transport exception: the one boundary for requests/urllib3/socket errors.

    Returns RequestTimeoutError, ProtocolError (an undecodable compressed body), AuthError (a key
    no header can carry) or NetworkError; the key never appears in the detail.
    """
    if isinstance(exc, (requests.exceptions.InvalidHeader, UnicodeError)):
        # their message quotes the header value, that is the key itself
        return AuthError("the API key cannot be sent in an HTTP header")
    reason = scrub(_reason(exc))
    if isinstance(exc, requests.ConnectTimeout):
        return RequestTimeoutError(f"could not connect in time: {reason}")
    if _is_read_timeout(exc):
        return RequestTimeoutError(f"no data within the read timeout: {reason}")
    if isinstance(exc, (DecodeError, requests.exceptions.ContentDecodingError)):
        return ProtocolError(f"the compressed body could not be decoded: {reason}")
    return NetworkError(reason)
