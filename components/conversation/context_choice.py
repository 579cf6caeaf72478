"""Which earlier pictures travel with the next question, as chosen: the policy's kind, its ``n``
and the default (what each kind does: ``context_policy``, which applies them).

Kept apart from the pictures' pipeline, so that the settings' defaults (``ui.state_keys``) import
nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PolicyKind = Literal["all", "last_turns", "newest", "older_low"]
POLICY_KINDS: tuple[PolicyKind, ...] = ("newest", "last_turns", "older_low", "all")


@dataclass(frozen=True)
class ContextPolicy:
    """Which earlier pictures travel with the next question; ``n`` is used by ``last_turns``.

    Raises ``ValueError`` for an unknown kind or an ``n`` below 1 (a caller's bug).
    """

    kind: PolicyKind = "newest"
    n: int = 2

    def __post_init__(self) -> None:
        if self.kind not in POLICY_KINDS:
            raise ValueError(f"kind must be one of {POLICY_KINDS}, got {self.kind!r}")
        if self.n < 1:
            raise ValueError(f"n must be at least 1, got {self.n}")


DEFAULT_POLICY = ContextPolicy("newest")
ALL = ContextPolicy("all")
