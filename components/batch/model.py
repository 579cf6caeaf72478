"""What a batch is made of: the question (``BatchSpec``), each picture's state (``ItemResult``,
frozen and replaced whole) and the job's snapshot (``Progress``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from components.batch import structured
from components.costs.prices import Money
from components.errors import KantuError
from components.images.prepared import Detail
from components.usage import Usage

Status = Literal["queued", "running", "done", "failed", "refused", "cancelled"]


@dataclass(frozen=True)
class BatchSpec:
    """What every picture is asked, and of which model."""

    prompt: str
    model: str
    detail: Detail = "auto"
    columns: tuple[str, ...] = ()
    preset_id: str = ""
    max_tokens: int | None = None

    @property
    def schema(self) -> bool:
        """Whether the columns go as a JSON schema (else only as words in the prompt)."""
        return bool(self.columns) and structured.supports_schema(self.preset_id)

    @property
    def full_prompt(self) -> str:
        """Return the prompt as sent: with the columns' instruction when there are columns."""
        if not self.columns:
            return self.prompt
        return self.prompt + structured.instruction(self.columns)

    def key(self, picture_sha256: str) -> str:
        """Return the resume key: the picture's hash, the prompt as sent, model and detail."""
        parts = (picture_sha256, self.full_prompt, self.model, self.detail)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, repr=False)
class ItemResult:
    """One item's state: frozen, replaced whole when it changes (safe to read from any thread)."""

    index: int
    name: str
    key: str
    picture_sha256: str
    status: Status
    answer: str = ""
    fields: dict[str, str] | None = field(default=None, compare=False)  # None: no columns parsed
    usage: Usage | None = None
    cost: Money | None = None
    seconds: float | None = None
    attempts: int = 0  # times its request went out, over every run (what may have been billed)
    error: KantuError | None = field(default=None, compare=False)
    refusal: object = field(default=None, compare=False)  # an ImageError or intake's Refused
    thumbnail: bytes = field(default=b"", compare=False)

    def __repr__(self) -> str:
        return f"ItemResult({self.index}, {self.name!r}, {self.status}, attempts={self.attempts})"


@dataclass(frozen=True)
class Progress:
    """A snapshot of the job: counts, speed and time left."""

    total: int
    done: int
    failed: int
    refused: int
    cancelled: int
    running: int
    queued: int
    elapsed_s: float
    finished: bool

    @property
    def remaining(self) -> int:
        """Items still to answer (queued or running)."""
        return self.queued + self.running

    @property
    def settled(self) -> int:
        """Items answered or failed in this job."""
        return self.done + self.failed

    @property
    def fraction(self) -> float:
        """Share of the runnable items that are settled (0..1)."""
        runnable = self.total - self.refused - self.cancelled
        return 1.0 if runnable <= 0 else min(1.0, self.settled / runnable)

    @property
    def throughput(self) -> float:
        """Items settled per second since the run started (0 before any)."""
        return self.settled / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the current throughput; None before it is known."""
        if self.remaining == 0:
            return 0.0
        return self.remaining / self.throughput if self.throughput > 0 else None
