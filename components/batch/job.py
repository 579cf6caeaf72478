"""A batch job: one prompt over many prepared pictures, in bounded worker threads.

::

    job = BatchJob(items, spec, price=price)
    job.start(route, concurrency=4)         # returns at once; workers run in daemon threads
    job.progress()                           # done / failed / remaining, throughput, ETA
    job.results()                            # one frozen ItemResult per item, in order
    job.cancel()                             # what finished stays; the rest is "cancelled"
    job.retry_failed(route)                  # reruns only the failures, with the job's settings

Every item ends ``done``, ``failed`` (with the error), ``refused`` (before running) or
``cancelled``; none is lost or run twice at once. Each picture is asked once per run: what is
sent again is the transport's decision alone (a connect error, or a 429/503 with
``Retry-After``), so a cut stream, a read error or a 5xx after the body went out is never paid
twice behind the visitor's back; ``retry_failed`` is their choice. ``ItemResult.attempts``
counts every time a picture's request went out. A failed item never stops the batch.

The job keeps its ``Route`` (``components.hosting.gate``): the settings it was started with (the
key never shows in a repr) and the gate each picture passes before it is sent, counted as one
request with a ledger row of its own. A retry goes with the same settings: a job never changes
key source or model midway.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from components.batch import structured
from components.batch.items import BatchItem
from components.batch.model import BatchSpec, ItemResult, Progress
from components.costs.estimate import cost_of, estimate_turns
from components.costs.prices import Money, Price
from components.errors import KantuError, ProviderError
from components.hosting.gate import Route, Ticket
from components.images.prepared import PreparedImage
from components.providers.client import ChatClient, ChatOptions, ChatStream
from components.providers.send_limits import check_send_limits
from components.providers.settings import ClientSettings
from components.turns import ChatTurn

MAX_CONCURRENCY = 16
__all__ = ["MAX_CONCURRENCY", "BatchJob", "BatchSpec", "ItemResult", "Progress"]


class BatchJob:
    """Run ``spec`` over ``items`` in worker threads; read ``progress()`` and ``results()``.

    Each item is admitted by the job's route (``Route.admit``: access, allowed model, limits)
    just before it is sent; a refused item fails with why. ``on_result`` is told each settled
    item (from a worker thread, one call at a time).
    """

    def __init__(
        self,
        items: Sequence[BatchItem],
        spec: BatchSpec,
        *,
        price: Price | None = None,
        on_result: Callable[[ItemResult], None] | None = None,
        done: Sequence[ItemResult] = (),
    ) -> None:
        self.spec = spec
        self.price = price
        self._route: Route | None = None
        self._admit: Callable[[ItemResult], KantuError | None] | None = None
        self._on_result = self._settled
        self._notify = on_result
        self._tickets: dict[int, tuple[Ticket, int]] = {}  # and the item's attempts before it
        self._images = {item.index: item.image for item in items}
        self._lock = threading.Lock()
        self._report = threading.Lock()
        self._cancel = threading.Event()
        self._streams: dict[int, ChatStream] = {}
        self._threads: list[threading.Thread] = []
        self._started: float | None = None
        self._ended: float | None = None
        self._active = 0  # workers still running
        self.note = ""  # a line about the run (the provider batch's id and status)
        earlier = {r.key: r for r in done if r.status == "done"}
        self._results: list[ItemResult] = [self._first(item, earlier) for item in items]

    @property
    def route(self) -> Route | None:
        """The settings and gate the job was started with (None before ``start``)."""
        return self._route

    def _begin(self, route: Route | ClientSettings) -> Route:
        """Take ``route`` as the job's (plain settings: no hosting rules, the command line)."""
        self._route = route if isinstance(route, Route) else Route(route)
        self._admit = self._admitted
        return self._route

    def _admitted(self, result: ItemResult) -> KantuError | None:
        """Admit one picture through the job's route; return the error refusing it, if any."""
        assert self._route is not None
        try:
            ticket = self._route.admit(self.item_tokens(result.index))
        except KantuError as err:
            return err
        with self._lock:
            self._tickets[result.index] = (ticket, result.attempts)
        return None

    def _settled(self, result: ItemResult) -> None:
        """Close a settled picture's ledger row, then tell ``on_result``."""
        self.close_ticket(result)
        if self._notify is not None:
            self._notify(result)

    def close_ticket(self, result: ItemResult) -> None:
        """Close the ledger row of ``result``'s picture, if it has one (any thread)."""
        if result.status in ("queued", "running"):
            return
        with self._lock:
            held = self._tickets.pop(result.index, None)
        if held is not None:
            ticket, before = held
            outcome = "ok" if result.status == "done" else result.status
            ticket.settle(
                outcome,
                result.usage,
                error=result.error,
                partial_text=result.answer,
                attempts=result.attempts - before,
            )

    def keep_ticket(self, index: int, ticket: Ticket) -> None:
        """Hold the ledger row of item ``index`` until it settles (a runner admitted it)."""
        with self._lock:
            self._tickets[index] = (ticket, self._results[self._position(index)].attempts)

    def _first(self, item: BatchItem, earlier: dict[str, ItemResult]) -> ItemResult:
        key = self.spec.key(item.picture_sha256)
        before = earlier.get(key) if item.picture_sha256 else None
        if before is not None:  # answered by an earlier run: kept, not sent again
            return replace(before, index=item.index, name=item.name, thumbnail=item.thumbnail)
        if item.image is None:
            return ItemResult(
                item.index, item.name, key, item.picture_sha256, "refused", refusal=item.refusal
            )
        return ItemResult(
            item.index, item.name, key, item.picture_sha256, "queued", thumbnail=item.thumbnail
        )

    # -- reading ----------------------------------------------------------------------------

    def image(self, index: int) -> PreparedImage | None:
        """Return the prepared picture of item ``index`` (None when refused or answered)."""
        return self._images.get(index)

    def results(self) -> list[ItemResult]:
        """Return every item's current state, in the order the pictures came."""
        with self._lock:
            return list(self._results)

    def progress(self) -> Progress:
        """Return a snapshot of the counts and timing."""
        with self._lock:
            counts = {s: 0 for s in ("queued", "running", "done", "failed", "refused", "cancelled")}
            for result in self._results:
                counts[result.status] += 1
            started, ended = self._started, self._ended
        now = ended if ended is not None else time.monotonic()
        return Progress(
            total=len(self._results),
            done=counts["done"],
            failed=counts["failed"],
            refused=counts["refused"],
            cancelled=counts["cancelled"],
            running=counts["running"],
            queued=counts["queued"],
            elapsed_s=0.0 if started is None else now - started,
            finished=self.finished,
        )

    @property
    def running(self) -> bool:
        """Whether worker threads are still at work."""
        with self._lock:
            return self._active > 0

    @property
    def finished(self) -> bool:
        """Whether the job has started and every worker has ended."""
        return self._started is not None and not self.running

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the workers to end; return True when they did within ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in list(self._threads):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
        return not self.running

    def estimate(self) -> tuple[int, Money | None]:
        """Return the estimated prompt tokens of the items still to send, and their price."""
        tokens = sum(
            self.item_tokens(result.index)
            for result in self.results()
            if result.status in ("queued", "failed", "cancelled")
        )
        return tokens, (self.price.cost(tokens) if self.price else None)

    def item_tokens(self, index: int) -> int:
        """Return the estimated prompt tokens of one item's request (0 for one without picture)."""
        image = self._images.get(index)
        if image is None:
            return 0
        turns = [ChatTurn("user", self.spec.full_prompt, (image,))]
        return estimate_turns(
            turns, model=self.spec.model, system=None, max_tokens=None, prepared_for=self.spec.model
        ).prompt_tokens

    # -- running ----------------------------------------------------------------------------

    def start(self, route: Route | ClientSettings, *, concurrency: int = 4) -> BatchJob:
        """Start sending the queued items in ``concurrency`` threads (1..16), each admitted by
        ``route`` first; return at once. Plain settings: no hosting rules (the command line).

        Calling it while the job runs does nothing: a rerun never duplicates the work.
        """
        if self.running:
            return self
        settings = self._begin(route).settings
        assert isinstance(settings, ClientSettings)
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        with self._lock:
            pending = [r.index for r in self._results if r.status == "queued"]
            self._cancel.clear()
            self._started = time.monotonic()
            self._ended = None
        for index in pending:
            todo.put(index)
        workers = max(1, min(concurrency, MAX_CONCURRENCY, len(pending) or 1))
        self._threads = [
            threading.Thread(
                target=self._work, args=(settings, todo), name=f"kantu-batch-{n}", daemon=True
            )
            for n in range(workers)
        ]
        with self._lock:
            self._active = len(self._threads)
        for thread in self._threads:
            thread.start()
        return self

    def start_via(
        self, route: Route | ClientSettings, runner: Callable[[BatchJob], None]
    ) -> BatchJob:
        """Run ``runner(self)`` in one thread instead of the workers (the provider's batch
        engine): it admits each picture with ``route`` (the job's ``route`` from then on) and
        settles items with ``apply``. Nothing while the job runs."""
        if self.running:
            return self
        self._begin(route)
        with self._lock:
            self._cancel.clear()
            self._started = time.monotonic()
            self._ended = None
            self._active = 1
            for i, result in enumerate(self._results):
                if result.status == "queued":
                    self._results[i] = replace(result, status="running")

        def run() -> None:
            try:
                runner(self)
            finally:
                with self._lock:
                    for i, result in enumerate(self._results):
                        if result.status == "running":  # the runner ended without an answer
                            self._results[i] = replace(result, status="cancelled")
                    self._active = 0
                    self._ended = time.monotonic()

        self._threads = [threading.Thread(target=run, name="kantu-batch-api", daemon=True)]
        self._threads[0].start()
        return self

    @property
    def cancelled(self) -> threading.Event:
        """Set once ``cancel()`` was called (a runner polls it)."""
        return self._cancel

    def apply(self, settled: Sequence[ItemResult]) -> None:
        """Replace the items these results describe (matched by index), and drop the bytes of
        the answered ones."""
        with self._lock:
            for result in settled:
                self._results[self._position(result.index)] = result
                if result.status == "done":
                    self._images[result.index] = None

    def retry_failed(self, route: Route | None = None, *, concurrency: int = 4) -> int:
        """Queue the failed items again and start them with the job's own settings, each one
        admitted again by ``route``'s gate (a fresh one for the same settings; default: the
        job's own route); return how many. Nothing while running or before a start.

        Raises ValueError when ``route`` has other settings than the job's: a job never changes
        key source or model midway.
        """
        if self.running or self._route is None:
            return 0
        route = route or self._route
        if route.settings != self._route.settings:
            raise ValueError("a batch is retried with its own settings only")
        with self._lock:
            again = [i for i, r in enumerate(self._results) if r.status == "failed"]
            for i in again:
                self._results[i] = replace(self._results[i], status="queued", error=None)
        if again:
            self.start(route, concurrency=concurrency)
        return len(again)

    def cancel(self) -> None:
        """Stop: nothing new is sent, answers in flight are dropped, what finished stays."""
        self._cancel.set()
        with self._lock:
            for i, result in enumerate(self._results):
                if result.status == "queued":
                    self._results[i] = replace(result, status="cancelled")
            streams = list(self._streams.values())
        for stream in streams:
            stream.close()

    def _work(self, settings: ClientSettings, todo: queue.SimpleQueue[int]) -> None:
        client = ChatClient(settings)  # a session per worker: no pool shared across threads
        try:
            while not self._cancel.is_set():
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    break
                self._run_item(client, index)
        finally:
            client.close()
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    self._ended = time.monotonic()

    def _set(self, index: int, **changes: Any) -> ItemResult:
        with self._lock:
            position = self._position(index)
            current = self._results[position]
            if current.status == "cancelled" and changes.get("status") == "running":
                return current  # cancelled while waiting in the queue
            updated = replace(current, **changes)
            self._results[position] = updated
            return updated

    def _position(self, index: int) -> int:
        result = self._results[index] if index < len(self._results) else None
        if result is not None and result.index == index:
            return index
        return next(i for i, r in enumerate(self._results) if r.index == index)

    def _run_item(self, client: ChatClient, index: int) -> None:
        current = self._set(index, status="running")
        if current.status != "running":
            return
        if self._admit is not None and (refusal := self._admit(current)) is not None:
            self._settle(index, status="failed", error=refusal)
            return
        started = time.monotonic()
        stream = self._stream(client, index)
        try:
            text = self._read(index, stream)
        except ProviderError as err:
            sent = current.attempts + stream.attempts
            if self._cancel.is_set():
                self._settle(index, status="cancelled", attempts=sent)
                return
            seconds = time.monotonic() - started
            self._settle(index, status="failed", error=err, seconds=seconds, attempts=sent)
            return
        result = stream.result
        if result is None:  # closed by cancel
            self._settle(index, status="cancelled", attempts=current.attempts + stream.attempts)
            return
        usage = result.usage
        fields = structured.parse_answer(text, self.spec.columns) if self.spec.columns else None
        self._settle(
            index,
            status="done",
            answer=text,
            fields=fields,
            usage=usage,
            cost=cost_of(usage, self.price) if usage and self.price else None,
            seconds=time.monotonic() - started,
            attempts=current.attempts + result.attempts,
            error=None,
        )

    def _settle(self, index: int, **changes: object) -> None:
        result = self._set(index, **changes)
        if result.status == "done":
            self._images[index] = None  # never sent again: only the thumbnail stays
        if self._on_result is not None:
            with self._report:
                self._on_result(result)

    def _stream(self, client: ChatClient, index: int) -> ChatStream:
        """Return the (unsent) stream that asks item ``index``'s question once."""
        image = self._images[index]
        assert image is not None
        spec = self.spec
        turns = [ChatTurn("user", spec.full_prompt, (image,))]
        options = ChatOptions(max_tokens=spec.max_tokens)
        refusal = check_send_limits(
            turns,
            preset=client.settings.preset,
            model=client.settings.model,
            max_tokens=spec.max_tokens,
        )
        payload = {} if refusal is not None else client.build_payload(turns, options)
        if spec.schema and payload:
            payload["response_format"] = structured.response_format(spec.columns)
        return ChatStream(client, payload, refusal=refusal)

    def _read(self, index: int, stream: ChatStream) -> str:
        """Send ``stream``'s request and read its answer (cancel closes it). Raises
        ProviderError."""
        with self._lock:
            self._streams[index] = stream
        try:
            return "".join(stream)
        finally:
            with self._lock:
                self._streams.pop(index, None)
            stream.close()
