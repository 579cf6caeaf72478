"""One exchange: a question's answer, streamed in a thread of its own, from request to record.

Both the chat page and ``python -m components ask`` use it. An ``Exchange`` takes the turns to
send, reads the stream in a daemon thread (so whoever shows the answer never blocks on a silent
socket), collects the text, classifies how it ended and times it, and hands over one ``Answer``:
the text, one ``AnswerMeta`` (the page's quiet line and the CLI's ``--json`` line both read it)
and the error, if any.

::

    exchange = Exchange.of(plan).start(settings, session=http_session)  # or Exchange(turns, …)
    for delta in exchange.follow():   # or poll ``exchange.text`` / ``exchange.wait(...)``
        show(delta)
    answer = exchange.answer          # set once finished: ok, interrupted, stopped or error

``stop()`` may be called from any thread at any moment, before the first byte included: the
answer is final at once (``stopped``, with the text collected so far) and the stream is closed.
The exchange keeps no settings, client or stream: the API key lives only in the threads that send
the request, so an exchange can be kept in a person's session. Its answer's meta records the
plan's estimate (``components.conversation.planner``): the figure shown before sending and the
one the gate admitted; an exchange made from bare turns plans them once, when it starts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import requests

from components.conversation.clients import AnySettings, open_client
from components.conversation.planner import PlannedRequest, plan_request
from components.costs.estimate import RequestEstimate
from components.errors import KantuError, ProviderError, StreamInterruptedError
from components.i18n import Lang
from components.ocr.local_client import LocalClient, LocalStream
from components.ocr.text_only import pictures_as_text
from components.providers.client import ChatClient, ChatOptions, ChatStream, StreamResult
from components.providers.in_flight import InFlight
from components.turns import ChatTurn
from components.usage import Usage

log = logging.getLogger("kantu")

Outcome = Literal["ok", "interrupted", "stopped", "error"]


@dataclass(frozen=True)
class AnswerMeta:
    """How one answer went: its outcome, what the provider reported, and how long it took.

    Times are seconds from the moment the exchange started building the request.
    """

    outcome: Outcome
    requested_model: str
    model: str | None = None  # as the provider reported it; None when it never said
    finish_reason: str | None = None
    usage: Usage | None = None
    image_tokens: int = 0  # Kantu's estimate for every picture sent
    image_tokens_approximate: bool = False
    ttft_s: float | None = None  # to the first word; None when no word came
    total_s: float | None = None
    pictures_as_text: bool = False  # the pictures were read here and sent as text
    # Kantu's estimate of the prompt actually sent (None: read here, nothing billed)
    prompt_estimate: RequestEstimate | None = None
    attempts: int = 0  # times the request went out (2 after a 429 with Retry-After; 0: none)


@dataclass(frozen=True)
class Answer:
    """A finished exchange: the text received, its meta record, and what went wrong (if it did)."""

    text: str
    meta: AnswerMeta
    error: KantuError | None = None
    key_source: str | None = None  # whose key the request sent ("operator", "typed", …)


class Exchange:
    """One answer's life: request, stream, outcome, timing and abort. Thread-safe.

    Holds no secret: the settings go to the reading thread only.
    """

    def __init__(
        self,
        turns: Sequence[ChatTurn],
        options: ChatOptions | None = None,
        *,
        pictures_as_text: bool = False,
        lang: Lang = "en",
    ) -> None:
        """``pictures_as_text``: the model cannot see pictures; read them here and send their
        text instead (marked, in ``lang``), in the reading thread."""
        self.turns = tuple(turns)
        self.options = options or ChatOptions()
        self.pictures_as_text = pictures_as_text
        self.lang = lang
        self._plan: PlannedRequest | None = None
        self._changed = threading.Condition()
        self._ended = threading.Event()  # set on stop() and when reading ends: closes the stream
        self._record_lock = threading.Lock()
        self._recorded = threading.Event()
        # Set once the answer is final: waiting for the end does not wake on every delta.
        self._final = threading.Event()
        self._parts: list[str] = []
        self._chars = 0
        self._model = ""
        self._key_source: str | None = None
        self._free = False
        self._estimate: RequestEstimate | None = None
        self._started: float | None = None
        self._ttft_s: float | None = None
        self._answer: Answer | None = None
        self._in_flight: InFlight | None = None

    @classmethod
    def of(cls, plan: PlannedRequest, *, lang: Lang = "en") -> Exchange:
        """Return the exchange that sends ``plan``; its meta records the plan's estimate."""
        exchange = cls(plan.turns, plan.options, pictures_as_text=plan.pictures_as_text, lang=lang)
        exchange._plan = plan
        return exchange

    def __repr__(self) -> str:
        state = self._answer.meta.outcome if self._answer else "running"
        return f"Exchange({state}, turns={len(self.turns)}, chars={self._chars})"

    # -- the reading side ----------------------------------------------------------------------

    def start(self, settings: AnySettings, *, session: requests.Session | None = None) -> Exchange:
        """Send the request and read the answer in a daemon thread; return self at once.

        ``session`` is reused for its pooled connections (one per person); without one the
        exchange uses its own and closes it. ``LocalSettings`` read the pictures on this machine
        instead (see ``open_client``). Raises RuntimeError when started twice.
        """
        with self._changed:
            if self._started is not None:
                raise RuntimeError("an exchange is started once")
            self._started = time.perf_counter()
            self._model = settings.model
            self._key_source = str(settings.key_source)
            self._free = settings.preset.local  # read here: no tokens billed
            if not self._free:
                self._estimate = self._planned(settings.model).estimate
        threading.Thread(
            target=self._read, args=(settings, session), name=self.thread_name, daemon=True
        ).start()
        return self

    @property
    def thread_name(self) -> str:
        """The name of the thread that reads this exchange's answer (for logs and tests)."""
        return f"kantu-exchange-{id(self):x}"

    def _planned(self, model: str) -> PlannedRequest:
        """Return the plan this exchange sends: its own, or one made now from its turns."""
        if self._plan is None:
            self._plan = plan_request(
                self.turns,
                options=self.options,
                model=model,
                pictures_as_text=self.pictures_as_text,
            )
        return self._plan

    def _read(self, settings: AnySettings, session: requests.Session | None) -> None:
        client: ChatClient | LocalClient | None = None
        stream: ChatStream | LocalStream | None = None
        try:
            client = open_client(settings, session=session)
            if isinstance(client, LocalClient):
                stream = client.stream_chat(self.turns, self.options)
            elif self.pictures_as_text:  # turned into text here: not the turns estimated
                turns = pictures_as_text(self.turns, lang=self.lang, cancelled=self._ended.is_set)
                stream = client.stream_chat(turns, self.options)
            else:
                stream = client.stream_chat(self.turns, self.options, estimate=self._estimate)
            if isinstance(stream, ChatStream):
                with self._changed:
                    self._in_flight = stream.in_flight  # its send count; the stream holds the key
            # A thread blocked reading a silent socket wakes only when the stream is closed from
            # another thread; this one waits for stop() (or the end) and closes it.
            threading.Thread(
                target=_close_when_set,
                args=(self._ended, stream),
                name=f"{self.thread_name}-closer",
                daemon=True,
            ).start()
            for delta in stream:
                if not self._add(delta):
                    return  # stopped: the answer is already final
            self._finish_stream(stream)
        except ProviderError as err:
            self._finish("interrupted" if self.text else "error", error=err)
        except KantuError as err:
            self._finish("error", error=err)
        except Exception as exc:  # a bug must still end the answer, never leave it running
            log.exception("exchange failed")
            self._finish("error", error=KantuError(type(exc).__name__))
        finally:
            self._ended.set()
            if stream is not None:
                stream.close()  # after a Stop, the rest of the answer is not read
            if client is not None:
                client.close()

    def _finish_stream(self, stream: ChatStream | LocalStream) -> None:
        result = stream.result
        if result is None:  # ended without an error and without an end: treat as cut
            err = StreamInterruptedError(
                "the stream ended without a result", partial_text=self.text
            )
            self._finish("interrupted" if self.text else "error", error=err)
        else:
            self._finish("ok", result=result)

    def _add(self, delta: str) -> bool:
        with self._changed:
            if self._answer is not None:
                return False
            if delta:
                if self._ttft_s is None:
                    self._ttft_s = self._elapsed()
                self._parts.append(delta)
                self._chars += len(delta)
                self._changed.notify_all()
            return True

    def _finish(
        self,
        outcome: Outcome,
        *,
        result: StreamResult | None = None,
        error: KantuError | None = None,
    ) -> None:
        with self._changed:
            if self._answer is not None:
                return  # stop() came first
            estimate = self._estimate  # None: read here, nothing billed
            meta = AnswerMeta(
                outcome=outcome,
                requested_model=self._model,
                model=result.model if result else None,
                finish_reason=result.finish_reason if result else None,
                usage=result.usage if result else None,
                image_tokens=estimate.image_tokens if estimate else 0,
                image_tokens_approximate=(
                    estimate is not None and estimate.image_tokens > 0 and estimate.approximate
                ),
                ttft_s=self._ttft_s,
                total_s=self._elapsed(),
                pictures_as_text=self.pictures_as_text,
                prompt_estimate=self._estimate,
                attempts=self._in_flight.sent if self._in_flight is not None else 0,
            )
            self._answer = Answer(
                "".join(self._parts), meta, _detached(error), key_source=self._key_source
            )
            self._final.set()
            self._changed.notify_all()
        self._ended.set()

    def _elapsed(self) -> float | None:
        return None if self._started is None else time.perf_counter() - self._started

    # -- the showing side ----------------------------------------------------------------------

    def stop(self) -> None:
        """End the answer now, keeping the text collected so far as ``stopped``; idempotent."""
        self._finish("stopped")

    @property
    def text(self) -> str:
        """The answer's text so far (final once ``finished``)."""
        with self._changed:
            if self._answer:
                return self._answer.text
            if len(self._parts) > 1:  # joined once: the next read joins only what came since
                self._parts[:] = ["".join(self._parts)]
            return self._parts[0] if self._parts else ""

    @property
    def finished(self) -> bool:
        """Whether the answer is final (any outcome)."""
        return self._answer is not None

    @property
    def answer(self) -> Answer | None:
        """The finished answer, or None while it is still coming."""
        return self._answer

    def wait(self, seen: int = 0, timeout: float | None = None) -> bool:
        """Wait until the text is longer than ``seen`` characters or the answer is final.

        Return whether that happened within ``timeout`` seconds.
        """
        with self._changed:
            return self._changed.wait_for(
                lambda: self._answer is not None or self._chars > seen, timeout
            )

    def wait_finished(self, timeout: float | None = None) -> bool:
        """Wait until the answer is final (any outcome); return whether it is."""
        return self._final.wait(timeout)

    def follow(self, poll_s: float = 0.5) -> Iterator[str]:
        """Yield the text as it arrives, in pieces, until the answer is final.

        ``poll_s`` bounds each wait so a KeyboardInterrupt is handled promptly.
        """
        seen = 0
        while True:
            self.wait(seen, poll_s)
            done = self.finished  # read before the text: no piece is lost at the end
            text = self.text
            if len(text) > seen:
                yield text[seen:]
                seen = len(text)
            if done:
                return

    def record_once(self, record: Callable[[Answer], object]) -> bool:
        """Call ``record(answer)`` once across all threads; return whether this call did it.

        A later caller waits until the first one has recorded, so that when it returns False the
        answer is already where ``record`` puts it. Returns False while the answer is not final.
        """
        with self._record_lock:
            answer = self._answer
            if self._recorded.is_set() or answer is None:
                return False
            record(answer)
            self._recorded.set()
            return True

    def wait_recorded(self, timeout: float | None = None) -> bool:
        """Wait until ``record_once`` has recorded the answer; return whether it has."""
        return self._recorded.wait(timeout)


def _detached(error: KantuError | None) -> KantuError | None:
    """Return ``error`` without its traceback and chained causes: they hold the request that
    failed (its Authorization header) and the frames that built it, and an answer is kept in the
    session. What the error says is in its own detail and facts."""
    if error is not None:
        error.__cause__ = error.__context__ = None
        error.__traceback__ = None
    return error


def _close_when_set(ended: threading.Event, stream: ChatStream | LocalStream) -> None:
    ended.wait()
    stream.close()
