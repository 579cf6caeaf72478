"""The next request, planned once: the turns it sends, which pictures travel, and its estimate.

``Conversation.next_request`` folds the history, applies the context policy and dedupes pictures
by sha256, then hands the turns to ``plan_request``, which estimates them here and nowhere else.
What the chat shows under the conversation, the held message, the hosting gate, the exchange,
the ledger row and the answer's meta all read the same ``PlannedRequest``::

    plan = conv.next_request(question, options=options, model=model, price=price)
    plan.estimate.prompt_tokens   # shown, admitted by the gate and recorded in the answer's meta
    Exchange.of(plan).start(settings)

Only the pictures' token rules (``components.images.tokens``) and the text rule
(``components.costs.estimate.text_tokens``) are used; the send limits measure requests with
``estimate_turns`` too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components.conversation.context_policy import Travel
from components.conversation.turns import ChatTurn
from components.costs.calibration import Calibration
from components.costs.estimate import (
    PER_MESSAGE,
    REPLY_PRIMING,
    TEXT_RULE,
    RequestEstimate,
    cost_of,
    text_tokens,
)
from components.costs.prices import Money, Price
from components.images.prepared import Detail, PreparedImage
from components.images.tokens import estimate_image_tokens
from components.providers.payload import ChatOptions, part_note

# Said of a request whose pictures are read here and sent as their text: that text is not known
# before they are read, so it is not counted.
READ_HERE_RULE = "pictures read here and sent as text (not counted)"


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


def estimate_turns(
    turns: Sequence[ChatTurn],
    *,
    model: str,
    system: str | None,
    max_tokens: int | None,
    prepared_for: str | None = None,
    pictures_as_text: bool = False,
) -> RequestEstimate:
    """Estimate the prompt tokens of sending ``turns`` (and ``system``) to ``model``.

    Each picture is estimated for ``model`` from the size it is sent at, unless ``prepared_for``
    names ``model`` or ``model`` is empty: then its own ``tokens`` are used. With
    ``pictures_as_text`` the pictures are not counted (their text is read later) and the
    estimate is marked approximate. Raises nothing.
    """
    messages = len(turns) + (1 if system else 0)
    text = PER_MESSAGE * messages + REPLY_PRIMING + text_tokens(system or "")
    own = not model.strip() or (
        prepared_for is not None and prepared_for.strip().lower() == model.strip().lower()
    )
    per_image: list[int] = []
    approximate = False
    rules: list[str] = []
    for turn in turns:
        text += text_tokens(turn.text)
        for image in turn.images:
            if pictures_as_text:
                approximate = True
                if READ_HERE_RULE not in rules:
                    rules.append(READ_HERE_RULE)
                continue
            text += text_tokens(part_note(image))
            tokens, guess, rule = _picture(image, model, own=own)
            per_image.append(tokens)
            approximate = approximate or guess
            if rule not in rules:
                rules.append(rule)
    return RequestEstimate(
        model=model,
        text_tokens=text,
        image_tokens=sum(per_image),
        per_image=tuple(per_image),
        approximate=approximate,
        rule="; ".join([*rules, TEXT_RULE]),
        max_tokens=max_tokens,
    )


def _picture(image: PreparedImage, model: str, *, own: bool) -> tuple[int, bool, str]:
    """Return one picture's tokens on ``model``, whether that is a guess, and the rule's name."""
    sent: list[tuple[int, int, Detail]] = [(p.width, p.height, p.detail) for p in image.parts] or [
        (image.width, image.height, image.detail)
    ]
    estimates = [estimate_image_tokens(w, h, model=model, detail=d) for w, h, d in sent]
    if own:
        return image.tokens, image.tokens_approximate, estimates[0].rule
    tokens = sum(e.tokens for e in estimates)
    return tokens, any(e.approximate for e in estimates), estimates[0].rule
