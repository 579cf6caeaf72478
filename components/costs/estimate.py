"""What a request costs in prompt tokens, text and pictures counted apart, and in money.

A request's turns are estimated in one place, ``estimate_turns`` here, called by the planner
(``components.conversation.planner``) and by the send limits; this module holds the figures it
makes and the one text rule. Pictures follow the providers' published rules
(``components.images.tokens``). Text has no tokenizer here (none is installed offline), so it is a
documented heuristic, always approximate:

- a CJK character (Han, kana, Hangul, CJK and full-width punctuation) ≈ 1 token;
- any other text ≈ 1 token per 4 characters (OpenAI's rule of thumb for English);
- each message ≈ 4 tokens of overhead (role and separators), and the reply's priming ≈ 3.

The notes Kantu sends before a picture's parts (slices, zoom) count as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from components.costs.prices import Money, Price
from components.images.prepared import Detail, PreparedImage
from components.images.tokens import estimate_image_tokens
from components.turns import ChatTurn, part_note
from components.usage import Usage

PER_MESSAGE = 4
REPLY_PRIMING = 3
CHARS_PER_TOKEN = 4
TEXT_RULE = "text ≈ 1 token per CJK character, 1 per 4 other characters, 4 per message"
_CJK = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)


# Said of a request whose pictures are read here and sent as their text: that text is not known
# before they are read, so it is not counted.
READ_HERE_RULE = "pictures read here and sent as text (not counted)"


@dataclass(frozen=True)
class RequestEstimate:
    """Kantu's estimate of one request's prompt tokens, for ``model``.

    ``approximate`` is True when a picture's figure is a guess (a model Kantu does not know, or
    a rule it could not confirm); text tokens are always approximate (see the module's rule).
    ``factor`` is the calibration applied to the picture part (1.0: none).
    """

    model: str
    text_tokens: int
    image_tokens: int
    per_image: tuple[int, ...]  # one figure per picture (all its parts), in request order
    approximate: bool
    rule: str  # how the figures were made, e.g. "tile 85+170; text ≈ …"
    max_tokens: int | None = None  # the answer's cap, when one was set
    factor: float = 1.0

    @property
    def prompt_tokens(self) -> int:
        """The estimated prompt tokens: text and pictures."""
        return self.text_tokens + self.image_tokens


def text_tokens(text: str) -> int:
    """Estimate the tokens of ``text`` alone (no message overhead); see the module's rule."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / CHARS_PER_TOKEN)


def cost_of(spent: RequestEstimate | Usage, price: Price) -> Money:
    """Return what ``spent`` costs at ``price``.

    An estimate costs its prompt tokens (the answer's length is not known before it comes); a
    provider's usage costs its prompt and completion tokens.
    """
    if isinstance(spent, Usage):
        return price.cost(spent.prompt_tokens, spent.completion_tokens)
    return price.cost(spent.prompt_tokens)


def most_cost_of(estimate: RequestEstimate, price: Price) -> Money | None:
    """Return the most the request can cost (prompt plus a ``max_tokens`` answer), or None
    when no cap was set."""
    if estimate.max_tokens is None:
        return None
    return price.cost(estimate.prompt_tokens, estimate.max_tokens)


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
