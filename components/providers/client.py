"""Talk to an OpenAI-compatible API: stream a chat answer about pictures.

The work is split by job: ``transport`` (session, retries, timeouts, the one boundary for
requests/urllib3 errors), ``payload`` (the request body, the image limits), ``reader`` (an opened
response read through the SSE decoder's own event loop, within caps). ``ChatStream`` ties them
together for one answer: it opens the request on the first ``next()``, hands on each delta as
soon as its bytes arrive, and can be closed from any thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import replace
from typing import Any

import requests

from components.costs.estimate import RequestEstimate
from components.errors import ProviderError
from components.providers.delta_stream import ClosesOnExit, DeltaStream
from components.providers.in_flight import InFlight
from components.providers.payload import ChatOptions, build_payload
from components.providers.presets import CUSTOM_PRESET_ID
from components.providers.reader import AnswerReader, StreamLimits, StreamResult
from components.providers.send_limits import check_send_limits
from components.providers.settings import ClientSettings
from components.providers.transport import OpenedResponse, Transport
from components.providers.usage_option import (
    refuses_usage_option,
    remember_refusal,
    without_usage_option,
)
from components.turns import ChatTurn
from components.usage import Usage

__all__ = [
    "ChatClient",
    "ChatOptions",
    "ChatStream",
    "StreamLimits",
    "StreamResult",
    "Usage",
]

_DEFAULT_OPTIONS = ChatOptions()
_DEFAULT_LIMITS = StreamLimits()


class ChatClient(ClosesOnExit):
    """A client for one provider configuration; reuse it for a whole conversation."""

    def __init__(
        self,
        settings: ClientSettings,
        session: requests.Session | None = None,
        *,
        limits: StreamLimits = _DEFAULT_LIMITS,
    ) -> None:
        self.settings = settings
        self.limits = limits
        self.transport = Transport(settings, session)

    def __repr__(self) -> str:
        return f"ChatClient(base_url={self.settings.base_url!r}, model={self.settings.model!r})"

    @property
    def session(self) -> requests.Session:
        return self.transport.session

    def build_payload(self, turns: Sequence[ChatTurn], options: ChatOptions) -> dict[str, Any]:
        """Return the JSON body for ``/chat/completions`` (streamed)."""
        return build_payload(self.settings, turns, options)

    def stream_chat(
        self,
        turns: Sequence[ChatTurn],
        options: ChatOptions = _DEFAULT_OPTIONS,
        *,
        estimate: RequestEstimate | None = None,
    ) -> ChatStream:
        """Return a stream of the answer's text deltas; nothing is sent until the first ``next()``.

        ``estimate``: the plan's estimate of ``turns`` (``components.conversation.planner``),
        which the send limits check against the context window instead of estimating again.

        Iteration raises a ProviderError subclass: a SendLimitError (too many or too big
        pictures, or over the context window: refused before sending), AuthError, QuotaError,
        ContentFilterError, InvalidInputError, RateLimitError, ModelNotFoundError, ServerError,
        NetworkError, RequestTimeoutError, StreamInterruptedError, ProtocolError,
        OversizedAnswerError, BlockedAddressError or RedirectError; ``partial_text`` holds the
        text already yielded.
        """
        refusal = check_send_limits(
            turns,
            preset=self.settings.preset,
            model=self.settings.model,
            max_tokens=options.max_tokens,
            system=options.system,
            estimate=estimate,
        )
        payload = self.build_payload(turns, options) if refusal is None else {}
        return ChatStream(self, payload, refusal=refusal)

    def close(self) -> None:
        """Close the session if this client created it."""
        self.transport.close()


class ChatStream(DeltaStream):
    """An iterator of text deltas (what ``st.write_stream`` consumes).

    ``result`` is set once the answer finished normally; ``text`` is what arrived so far;
    ``attempts`` is how many times the request went out (also after a failure), which is what
    the upstream may have billed. ``close()`` aborts from any thread: a read blocked on the
    socket wakes, and iteration ends without an error.
    """

    def __init__(
        self, client: ChatClient, payload: dict[str, Any], *, refusal: ProviderError | None = None
    ) -> None:
        self.result: StreamResult | None = None
        self._client = client
        self._payload = payload
        self._refusal = refusal
        self._reader: AnswerReader | None = None
        self._opened: OpenedResponse | None = None
        self._aborted = threading.Event()
        self._in_flight = InFlight()
        self._gen = self._run()

    def __repr__(self) -> str:
        return f"ChatStream(model={self._client.settings.model!r}, chars={len(self.text)})"

    @property
    def text(self) -> str:
        """The answer's text received so far."""
        return self._reader.text if self._reader is not None else ""

    @property
    def attempts(self) -> int:
        """How many times the request went out so far: 0 before sending, after a refusal or a
        connect error; 2 after a 429 with ``Retry-After`` then an answer."""
        return self._in_flight.sent

    @property
    def in_flight(self) -> InFlight:
        """The request's socket and send count (``sent``): no secret, so an owner that must not
        hold the stream (it reaches the key) may keep this instead."""
        return self._in_flight

    @property
    def closed(self) -> bool:
        """Whether the response is released (after the end, a failure or ``close()``)."""
        return self._opened is None or self._opened.closed

    def close(self) -> None:
        """Abort: wake a blocked read, release the response; iteration ends without an error."""
        self._aborted.set()
        self._in_flight.abort()  # wakes a request still waiting for its headers
        opened = self._opened
        if opened is not None:
            opened.shutdown()
        # iterated in another thread right now, the shut-down socket ends it there; otherwise
        # closing the generator runs its cleanup, which releases the response
        self._close_generator()

    def _run(self) -> Generator[str, None, None]:
        if self._refusal is not None:
            raise self._refusal
        started = time.perf_counter()
        try:
            yield from self._answer(self._payload, started)
        except ProviderError as err:
            if not refuses_usage_option(err, self._payload):
                raise
            # The server refused the request for its stream_options before doing any work, so
            # it is sent once more without them (the one resend outside transport's rule); the
            # endpoint is remembered and its next request goes without them at once.
            remember_refusal(self._client.settings)
            yield from self._answer(without_usage_option(self._payload), started)

    def _answer(self, payload: dict[str, Any], started: float) -> Generator[str, None, None]:
        client = self._client
        settings = client.settings
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            opened = client.transport.post_stream(
                "/chat/completions", body, in_flight=self._in_flight
            )
        except ProviderError:
            if self._aborted.is_set():
                return
            raise
        self._opened = opened
        try:
            if self._aborted.is_set():
                return
            self._reader = AnswerReader(
                opened,
                model=settings.model,
                started=started,
                limits=client.limits,
                scrub=client.transport.scrub,
                trusted=settings.preset.id != CUSTOM_PRESET_ID,
            )
            try:
                yield from self._reader.deltas()
            except ProviderError:
                if self._aborted.is_set():
                    return
                raise
            self.result = replace(self._reader.result(), attempts=self.attempts)
        finally:
            opened.close()
