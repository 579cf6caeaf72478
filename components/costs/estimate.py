"""What a request costs in prompt tokens, text and pictures counted apart, and in money.

The request itself is estimated in one place, ``components.conversation.planner``; this module
holds the figures it makes and the one text rule. Pictures follow the providers' published rules
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
from dataclasses import dataclass

from components.costs.prices import Money, Price
from components.providers.reader import Usage

PER_MESSAGE = 4
REPLY_PRIMING = 3
CHARS_PER_TOKEN = 4
TEXT_RULE = "text ≈ 1 token per CJK character, 1 per 4 other characters, 4 per message"
_CJK = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)


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
