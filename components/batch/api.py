"""The provider's own batch engine (OpenAI ``/v1/files`` + ``/v1/batches``) for big jobs.

The requests are written as JSON Lines (one chat request per picture, ``custom_id`` = the
item's resume key), uploaded with purpose ``batch``, and a batch is created over them; then the
batch is polled until it ends, its output file is downloaded and each line is merged back into
the same results the direct path makes. Everything goes through the guarded transport's
session: the key is sent only to the base URL's host, with its retries and timeouts.

The batch id is saved beside the output (``OUT.batch.json``) as soon as the batch exists, so an
interrupted run resumes polling the same batch instead of paying for a second one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from components.batch import structured
from components.batch.job import BatchJob, BatchSpec, ItemResult
from components.costs.prices import Money, Price
from components.errors import KantuError, ProtocolError, ProviderError
from components.hosting.gate import Route
from components.images.prepared import PreparedImage
from components.providers.error_mapping import error_from_payload, error_from_response
from components.providers.payload import ChatOptions, build_payload
from components.providers.reader import usage_from
from components.providers.settings import ClientSettings
from components.providers.transport import Transport, transport_error
from components.turns import ChatTurn
from components.usage import Usage

ENDPOINT = "/v1/chat/completions"
COMPLETION_WINDOW = "24h"
DISCOUNT = 0.5  # OpenAI's batch price is half the live one (pricing page, checked 2026-11)
ENDED = frozenset({"completed", "failed", "expired", "cancelled"})
# Presets whose API has /v1/batches for chat (OpenAI's Batch guide, checked 2026-11); a custom
# OpenAI-compatible server may have it too, so it is offered there and its answer decides.
BATCH_API_PRESETS = frozenset({"openai", "custom"})


def offers_batch_api(preset_id: str) -> bool:
    """Return True when the batch engine is worth offering for this preset."""
    return preset_id in BATCH_API_PRESETS


@dataclass(frozen=True)
class BatchState:
    """What is saved beside the output while a provider batch runs."""

    batch_id: str
    input_file_id: str
    keys: tuple[str, ...]

    def save(self, path: Path) -> None:
        """Write the state (atomically: a crash leaves the old one or the new one)."""
        temp = path.with_name(path.name + ".tmp")
        temp.write_text(
            json.dumps(
                {
                    "batch_id": self.batch_id,
                    "input_file_id": self.input_file_id,
                    "keys": list(self.keys),
                }
            ),
            encoding="utf-8",
        )
        temp.replace(path)

    @classmethod
    def load(cls, path: Path) -> BatchState | None:
        """Return the saved state, or None when there is none (or it is unreadable)."""
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
            return cls(str(obj["batch_id"]), str(obj["input_file_id"]), tuple(obj["keys"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def request_lines(
    settings: ClientSettings, spec: BatchSpec, images: Sequence[tuple[str, PreparedImage]]
) -> bytes:
    """Return the batch input: one chat request per ``(custom_id, picture)``, JSON Lines."""
    out: list[str] = []
    for custom_id, image in images:
        turns = [ChatTurn("user", spec.full_prompt, (image,))]
        body = build_payload(settings, turns, ChatOptions(max_tokens=spec.max_tokens))
        body.pop("stream", None)
        body.pop("stream_options", None)
        if spec.schema:
            body["response_format"] = structured.response_format(spec.columns)
        line = {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}
        out.append(json.dumps(line, ensure_ascii=False))
    return ("\n".join(out) + "\n").encode("utf-8")


class BatchAPI:
    """Files and Batch endpoints over one guarded transport. Every method raises a
    ProviderError subclass (NetworkError, RequestTimeoutError, AuthError, QuotaError, …)."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.transport = Transport(settings)

    def close(self) -> None:
        """Close the transport's session."""
        self.transport.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        transport = self.transport
        try:
            response = transport.session.request(
                method,
                self.settings.base_url.endpoint(path.lstrip("/")),
                headers=transport.headers(),
                timeout=transport.timeout,
                **kwargs,
            )
        except (requests.RequestException, Urllib3HTTPError, OSError, ValueError) as exc:
            raise transport_error(exc, transport.scrub) from exc
        if not 200 <= response.status_code < 300:
            raise error_from_response(
                response.status_code,
                response.content,
                content_type=response.headers.get("Content-Type", ""),
                scrub=transport.scrub,
            )
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._call(method, path, **kwargs)
        try:
            obj = response.json()
        except ValueError as exc:
            raise ProtocolError(f"{path}: the answer is not JSON") from exc
        failure = error_from_payload(obj, status=response.status_code, scrub=self.transport.scrub)
        if failure is not None:
            raise failure
        if not isinstance(obj, dict):
            raise ProtocolError(f"{path}: the answer is not a JSON object")
        return obj

    def upload(self, data: bytes, name: str = "kantu-batch.jsonl") -> str:
        """Upload the batch input; return its file id."""
        obj = self._json(
            "POST",
            "files",
            data={"purpose": "batch"},
            files={"file": (name, data, "application/jsonl")},
        )
        return str(obj.get("id") or "")

    def create(self, input_file_id: str) -> dict[str, Any]:
        """Create a batch over an uploaded input file; return the batch object."""
        return self._json(
            "POST",
            "batches",
            json={
                "input_file_id": input_file_id,
                "endpoint": ENDPOINT,
                "completion_window": COMPLETION_WINDOW,
            },
        )

    def get(self, batch_id: str) -> dict[str, Any]:
        """Return the batch object (its ``status``, counts and output file ids)."""
        return self._json("GET", f"batches/{batch_id}")

    def content(self, file_id: str) -> bytes:
        """Return a file's bytes (a batch's output or error file)."""
        return self._call("GET", f"files/{file_id}/content").content


@dataclass(frozen=True)
class LineResult:
    """One output line: the answer and usage, or the error."""

    text: str = ""
    usage: Usage | None = None
    error: ProviderError | None = None


def parse_output(data: bytes) -> dict[str, LineResult]:
    """Return each ``custom_id``'s result from a batch output (or error) file."""
    found: dict[str, LineResult] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if not isinstance(obj, dict) or not obj.get("custom_id"):
            continue
        found[str(obj["custom_id"])] = _line(obj)
    return found


def _line(obj: dict[str, Any]) -> LineResult:
    response = obj.get("response") or {}
    body = response.get("body") or {}
    status = response.get("status_code")
    failure = error_from_payload(body, status=status) if isinstance(body, dict) else None
    if failure is None and obj.get("error"):
        failure = error_from_payload({"error": obj["error"]}, status=status)
    if failure is not None:
        return LineResult(error=failure)
    try:
        text = body["choices"][0]["message"]["content"] or ""
    except (KeyError, IndexError, TypeError):
        return LineResult(error=ProtocolError("a batch line without an answer"))
    return LineResult(text=str(text), usage=usage_from(body.get("usage")))


def merge(
    results: Sequence[ItemResult],
    lines: dict[str, LineResult],
    spec: BatchSpec,
    price: Price | None,
) -> list[ItemResult]:
    """Return ``results`` with each queued item settled from its output line (missing: failed)."""
    merged: list[ItemResult] = []
    for result in results:
        if result.status != "queued":
            merged.append(result)
            continue
        line = lines.get(result.key)
        if line is None:
            line = LineResult(error=ProtocolError("the batch returned no line for this picture"))
        if line.error is not None:
            merged.append(replace(result, status="failed", error=line.error, attempts=1))
            continue
        fields = structured.parse_answer(line.text, spec.columns) if spec.columns else None
        cost = None
        if price is not None and line.usage is not None:
            full = price.cost(line.usage.prompt_tokens, line.usage.completion_tokens)
            cost = Money(full.amount * DISCOUNT, full.currency)
        merged.append(
            replace(
                result,
                status="done",
                answer=line.text,
                fields=fields,
                usage=line.usage,
                cost=cost,
                attempts=1,
            )
        )
    return merged


def run_batch(
    api: BatchAPI,
    spec: BatchSpec,
    pending: Sequence[tuple[str, PreparedImage]],
    state_path: Path | None,
    *,
    poll_every: float,
    on_status: Callable[[dict[str, Any]], None] = lambda batch: None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, LineResult]:
    """Send ``pending`` as one provider batch (or resume the saved one) and wait for its end;
    return the output lines by custom id. The state file is removed once merged by the caller.

    Raises ProviderError subclasses; ProtocolError when the batch ends without completing.
    """
    state = BatchState.load(state_path) if state_path is not None else None
    keys = tuple(key for key, _ in pending)
    if state is None or not set(keys) <= set(state.keys):
        data = request_lines(api.settings, spec, pending)
        file_id = api.upload(data)
        batch = api.create(file_id)
        state = BatchState(str(batch.get("id") or ""), file_id, keys)
        if state_path is not None:
            state.save(state_path)
    while True:
        batch = api.get(state.batch_id)
        on_status(batch)
        if batch.get("status") in ENDED:
            break
        sleep(poll_every)
    lines: dict[str, LineResult] = {}
    for field_name in ("error_file_id", "output_file_id"):
        if named := batch.get(field_name):
            lines.update(parse_output(api.content(str(named))))
    if batch.get("status") != "completed" and not lines:
        raise ProtocolError(f"the batch ended {batch.get('status')!r}")
    return lines


class StopPolling(Exception):
    """Raised by a runner's sleep when the job was cancelled: polling stops."""


def runner(*, poll_every: float = 10.0) -> Callable[[BatchJob], None]:
    """Return a ``BatchJob.start_via`` runner sending the job's queued items as one provider
    batch, with the job's route: each picture is admitted first (access, allowed model,
    limits; one ledger row each) and only the admitted ones go in the batch. The settings (and
    the key) are used only in the runner's thread."""

    def run(job: BatchJob) -> None:
        route = job.route
        assert route is not None and isinstance(route.settings, ClientSettings)
        admitted = _admit_each(job, route)
        pending = [(r.key, job.image(r.index)) for r in admitted]
        unique = list({key: image for key, image in pending if image is not None}.items())
        if not unique:
            return

        def sleep(seconds: float) -> None:
            if job.cancelled.wait(seconds):
                raise StopPolling

        def status(batch: dict[str, Any]) -> None:
            counts = batch.get("request_counts") or {}
            job.note = (
                f"{batch.get('id')}: {batch.get('status')} "
                f"({counts.get('completed', 0)}/{counts.get('total', len(unique))})"
            )

        client = BatchAPI(route.settings)
        try:
            lines = run_batch(
                client, job.spec, unique, None, poll_every=poll_every, on_status=status, sleep=sleep
            )
        except StopPolling:
            _settle(job, [replace(r, status="cancelled") for r in admitted])
            return
        except ProviderError as err:
            _settle(job, [replace(r, status="failed", error=err) for r in admitted])
            return
        finally:
            client.close()
        queued = [replace(r, status="queued") for r in admitted]
        _settle(job, merge(queued, lines, job.spec, job.price))

    return run


def _admit_each(job: BatchJob, route: Route) -> list[ItemResult]:
    """Admit each running picture with ``route``; fail the refused ones (saying why) and
    return the admitted ones. A picture that repeats an admitted one goes along with it."""
    admitted: list[ItemResult] = []
    refused: list[ItemResult] = []
    seen: set[str] = set()
    for result in job.results():
        if result.status != "running":
            continue
        if result.key not in seen:
            try:
                job.keep_ticket(result.index, route.admit(job.item_tokens(result.index)))
            except KantuError as err:
                refused.append(replace(result, status="failed", error=err))
                continue
            seen.add(result.key)
        admitted.append(result)
    job.apply(refused)
    return admitted


def _settle(job: BatchJob, settled: Sequence[ItemResult]) -> None:
    """Apply ``settled`` to the job and close their ledger rows."""
    job.apply(settled)
    for result in settled:
        job.close_ticket(result)
