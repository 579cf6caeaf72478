"""The catalogue's row types: frozen, plain data, each fact dated with its source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Count = Literal["tile", "patch", "grid", "area", "gemini", "fixed"]
EVERY_MODEL = "*"  # an offer for every model of a provider (a price only: local, nothing billed)


@dataclass(frozen=True)
class PriceTier:
    """Dearer prices per million tokens for a request whose prompt is over ``above`` tokens:
    the whole request is billed at them (DashScope's tiers by input length, Claude over 200k)."""

    above: int
    input: float
    output: float


@dataclass(frozen=True)
class ListPrice:
    """What a provider charges per million prompt (``input``) and answer (``output``) tokens;
    ``tiers`` (ascending ``above``) replace both for longer prompts."""

    input: float
    output: float
    currency: Literal["CNY", "USD"]
    checked: str  # the month the figure was last compared with ``source``
    source: str
    confirmed: bool = True  # False: no public source confirmed it
    tiers: tuple[PriceTier, ...] = ()


@dataclass(frozen=True)
class Window:
    """How many tokens (prompt plus answer) a provider accepts for one model."""

    tokens: int
    checked: str
    source: str
    confirmed: bool = True  # False: not stated by the provider (a model card, a third party)


@dataclass(frozen=True)
class Offer:
    """One model at one provider: offered in the provider's preset (``listed``), its price and
    its context window. ``model`` is spelled as the provider spells it; ``*`` means every model.
    """

    preset: str
    model: str
    price: ListPrice | None = None
    window: Window | None = None
    listed: bool = True

    @property
    def checked(self) -> str:
        """The month the row's oldest fact was last checked."""
        return min(f.checked for f in (self.price, self.window) if f is not None)

    @property
    def source(self) -> str:
        """Where the row's facts come from."""
        return "; ".join(dict.fromkeys(f.source for f in (self.price, self.window) if f))


@dataclass(frozen=True)
class TokenRule:
    """How one model family is billed for an image (``components.images.tokens`` counts)."""

    name: str  # shown in estimates, e.g. "tile 85+170", "patch ×1.62" or "Qwen 32px+2"
    kind: Literal["tile", "patch"]  # the OpenAI-style geometry slices and zooms are cut to
    base: int = 0  # tile rule: tokens for every image (and all of detail: low)
    per_tile: int = 0  # tile rule: tokens per 512-px tile; gemini: per crop tile; fixed: all
    multiplier: float = 1.0  # patch rule: tokens per 32-px patch
    checked: str = ""  # when the row was last checked against the published rules
    confirmed: bool = True  # False: the constant could not be confirmed from a public source
    count: Count = "tile"  # how tokens are counted (images.tokens' docstring); tile, patch: kind
    grid: int = 0  # grid: pixels per token side (28 or 32); fixed: the square every image becomes
    min_pixels: int = 0  # grid: the least area the provider scales up to
    max_pixels: int = 0  # grid, area: the most area the provider keeps (it shrinks beyond)
    extra: int = 0  # grid: tokens added to every image (vision start/end markers)
    low_side: int = 0  # grid: detail low resizes to this square (SiliconFlow), 0: no low mode
    max_side: int = 0  # area, gemini: the long side the provider fits first (0: none)


@dataclass(frozen=True)
class Family:
    """A model family, by model-name prefix: how its pictures are counted (``rule``), how many
    times the bill exceeds what its context holds (``billing_factor``) and whether it can see
    pictures at all (``sees``; False: pictures go as their read text)."""

    prefix: str
    rule: TokenRule | None
    checked: str
    source: str
    billing_factor: float = 1.0
    sees: bool = True
