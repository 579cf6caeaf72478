"""The next request, planned once: the turns it sends, which pictures travel, and its estimate.

``Conversation.next_request`` folds the history, applies the context policy and dedupes pictures
by sha256, then hands the turns to ``plan_request``, which estimates them once, with
``components.costs.estimate.estimate_turns`` (the one estimator).
What the chat shows under the conversation, the held message, the hosting gate, the exchange,
the ledger row and the answer's meta all read the same ``PlannedRequest``::

    plan = conv.next_request(question, options=options, model=model, price=price)
    plan.estimate.prompt_tokens   # shown, admitted by the gate and recorded in the answer's meta
    Exchange.of(plan).start(settings)

The send limits (``components.providers.send_limits``) measure a request without a plan with
``estimate_turns`` too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components.conversation.context_policy import Travel
from components.costs.calibration import Calibration
from components.costs.estimate import RequestEstimate, cost_of, estimate_turns
from components.costs.prices import Money, Price
from components.images.prepared import PreparedImage
from components.providers.payload import ChatOptions
from components.turns import ChatTurn


@dataclass(frozen=True)
class PlannedRequest:
    """One request as it will be sent: its turns and options, where each picture of the
    conversation goes, and Kantu's estimate of it (``money`` when a price was given)."""

    turns: tuple[ChatTurn, ...]
    options: ChatOptions
    model: str
    estimate: RequestEstimate
    travel: tuple[tuple[str, Travel], ...] = ()  # per picture (sha256): full, low or dropped
    pictures_as_text: bool = False  # the model cannot see: pictures go as text read here
    money: Money | None = None

    def __repr__(self) -> str:
        pictures = sum(len(turn.images) for turn in self.turns)
        return (
            f"PlannedRequest(model={self.model!r}, turns={len(self.turns)}, "
            f"pictures={pictures}, prompt_tokens={self.estimate.prompt_tokens})"
        )

    @property
    def travels(self) -> Mapping[str, Travel]:
        """Where each picture of the conversation goes with this request, by sha256."""
        return dict(self.travel)

    @property
    def images(self) -> tuple[PreparedImage, ...]:
        """Every picture the request carries, in request order."""
        return tuple(image for turn in self.turns for image in turn.images)


def plan_request(
    turns: Sequence[ChatTurn],
    *,
    options: ChatOptions,
    model: str,
    pictures_as_text: bool = False,
    travel: Mapping[str, Travel] | None = None,
    calibration: Calibration | None = None,
    price: Price | None = None,
) -> PlannedRequest:
    """Return the plan of sending ``turns`` (as they are) with ``options`` to ``model``.

    ``calibration`` corrects the picture part by what this session's bills taught; ``price``
    gives the estimate's money. Raises nothing.
    """
    estimate = estimate_turns(
        turns,
        model=model,
        system=options.system,
        max_tokens=options.max_tokens,
        pictures_as_text=pictures_as_text,
    )
    if calibration is not None:
        estimate = calibration.corrected(estimate)
    return PlannedRequest(
        turns=tuple(turns),
        options=options,
        model=model,
        estimate=estimate,
        travel=tuple((travel or {}).items()),
        pictures_as_text=pictures_as_text,
        money=cost_of(estimate, price) if price is not None else None,
    )
