"""Kantu's estimate set against the provider's bill, answer by answer, per model.

Each answer with pictures and a reported ``prompt_tokens`` gives one ratio for the picture part:
``(billed − text estimate) / picture estimate``. The text estimate is taken as right (it is small
next to the pictures, and no better figure exists offline), so the ratio says how the provider
counts pictures. Per model the session keeps the last ``WINDOW`` ratios; their median is the
correction factor (a median, so one odd answer, such as a cached prompt, does not move it).

A bill of 0 prompt tokens (a provider that reports zeros, or a usage Kantu could not read) is no
bill: it is never a sample, a difference or a flag.

A difference over 5 % between the estimate and the bill raises a quiet flag. Which kind:

- ``rule_may_be_wrong``: the picture figure was a guess (a model Kantu does not know, or a rule
  it could not confirm from a public source), so the likeliest culprit is Kantu's rule;
- ``bills_differently``: the rule is a published one Kantu applies exactly, so the provider (or a
  reseller in front of it) counts differently from the published rule.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from typing import Literal

from components.costs.estimate import RequestEstimate
from components.i18n import Lang, t
from components.usage import Usage

THRESHOLD = 0.05
WINDOW = 20
FlagKind = Literal["bills_differently", "rule_may_be_wrong"]


@dataclass(frozen=True)
class CalibrationFlag:
    """The bill differs from the estimate by more than 5 %, and the likelier reason."""

    kind: FlagKind
    estimate: int  # prompt tokens Kantu estimated
    billed: int  # prompt tokens the provider reported

    @property
    def difference(self) -> float:
        """The bill relative to the estimate: +0.3 is 30 % more than estimated."""
        return (self.billed - self.estimate) / self.estimate

    def message(self, lang: Lang) -> str:
        """Return the flag's quiet line in ``lang``."""
        return t(
            f"money.flag.{self.kind}",
            lang,
            billed=f"{self.billed:,}",
            estimate=f"{self.estimate:,}",
            difference=f"{self.difference:+.0%}",
        )


@dataclass
class Calibration:
    """What one session has learned about how each model bills pictures. Kept by the UI in the
    person's session; holds token counts only."""

    ratios: dict[str, list[float]] = field(default_factory=dict)
    window: int = WINDOW

    def learn(self, estimate: RequestEstimate | None, usage: Usage | None) -> bool:
        """Count one answer; return whether it counted (it needs pictures and a usage report)."""
        if estimate is None or usage is None or estimate.image_tokens <= 0:
            return False
        if usage.prompt_tokens <= 0:  # some providers report zeros: no bill to learn from
            return False
        raw = estimate.image_tokens / estimate.factor
        ratio = max(0.0, (usage.prompt_tokens - estimate.text_tokens) / raw)
        seen = self.ratios.setdefault(_key(estimate.model), [])
        seen.append(ratio)
        del seen[: -self.window]
        return True

    def factor(self, model: str) -> float:
        """Return the correction factor for ``model``'s pictures (1.0 until an answer counted)."""
        seen = self.ratios.get(_key(model))
        return statistics.median(seen) if seen else 1.0

    def count(self, model: str) -> int:
        """Return how many answers the factor comes from ("calibrated from N answers")."""
        return len(self.ratios.get(_key(model), ()))

    def corrected(self, estimate: RequestEstimate) -> RequestEstimate:
        """Return ``estimate`` with its picture part scaled by the model's factor."""
        if not self.count(estimate.model):
            return estimate
        factor = self.factor(estimate.model)
        per_image = tuple(round(n * factor) for n in estimate.per_image)
        return replace(estimate, image_tokens=sum(per_image), per_image=per_image, factor=factor)

    def flag(
        self, estimate: RequestEstimate | None, billed: int | Usage | None
    ) -> CalibrationFlag | None:
        """Return a flag when the bill differs from ``estimate`` by more than 5 %, else None.

        Only requests with pictures are judged: without them the text heuristic alone would
        flag every answer.
        """
        difference = bill_difference(estimate, billed)
        if estimate is None or difference is None or estimate.image_tokens <= 0:
            return None
        if abs(difference) <= THRESHOLD:
            return None
        kind: FlagKind = "rule_may_be_wrong" if estimate.approximate else "bills_differently"
        return CalibrationFlag(kind, estimate.prompt_tokens, _prompt(billed))


def bill_difference(estimate: RequestEstimate | None, billed: int | Usage | None) -> float | None:
    """Return the bill relative to the estimate (+0.3: 30 % more than estimated), or None when
    either is missing or the bill counts no prompt tokens (no bill, never −100 %)."""
    prompt = _prompt(billed)
    if estimate is None or estimate.prompt_tokens <= 0 or prompt <= 0:
        return None
    return (prompt - estimate.prompt_tokens) / estimate.prompt_tokens


def _prompt(billed: int | Usage | None) -> int:
    if isinstance(billed, Usage):
        return billed.prompt_tokens
    return billed or 0


def _key(model: str) -> str:
    return model.strip().lower()
