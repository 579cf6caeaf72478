"""Prompt-token estimates for images, from the providers' published rules.

Two OpenAI pricing rules exist, and each model family uses one of them:

- **tile**: fit the image in 2048×2048, scale its shortest side down to 768, count 512-px tiles;
  tokens = base + tile × tiles (``detail: low`` costs the base only).
- **patch**: count 32-px patches; over 1536 patches the image is shrunk (OpenAI's rule below)
  until it fits; tokens = patches × a per-model multiplier. ``detail`` does not change the rule.

Other providers' families count differently (``TokenRule.count``):

- **grid** (Qwen-VL, GLM-4.1V+): sides rounded to a multiple of the grid (28 or 32 px), the area
  kept between ``min_pixels`` and ``max_pixels`` (Qwen's ``smart_resize``); one token per cell,
  plus ``extra`` (DashScope's two vision markers).
- **area** (Claude): the long side fitted to 1568 px and the area to about 1600 tokens, then
  w·h/750 tokens.
- **gemini**: 258 tokens when both sides are ≤ 384 px, else 258 per crop tile (the crop unit is
  the short side / 1.5, clamped to 256…768).
- **fixed**: the model resizes every picture to one square (GLM-4V, Gemma 3, LLaVA): a constant.

The rules live in the catalogue's families (``components.catalogue.families``), keyed by
model-name prefix (longest prefix wins; a ``vendor/`` prefix is ignored, case does not matter),
each row dated with when it was checked and its source. Rows that could not be confirmed from a
public source say so (``confirmed=False``) and their estimates are marked approximate, as are
unknown models (the gpt-4o tile rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from components.catalogue.families import FALLBACK_PREFIX, FAMILIES, GEMINI
from components.catalogue.lookup import family_for
from components.catalogue.rows import TokenRule
from components.images.prepared import Detail

TILE_FIT = 2048
TILE_SHORT_SIDE = 768
TILE_SIZE = 512
PATCH_SIZE = 32
PATCH_CAP = 1536

# The rules by model-name prefix, read from the catalogue's families (their sources and dates).
RULES: dict[str, TokenRule] = {f.prefix: f.rule for f in FAMILIES if f.rule is not None}
FALLBACK_RULE = RULES[FALLBACK_PREFIX]


@dataclass(frozen=True)
class TokenEstimate:
    """The estimated prompt tokens for one image, and which rule produced them."""

    tokens: int
    approximate: bool
    rule: str


def rule_for(model: str) -> tuple[TokenRule, bool]:
    """Return the rule for ``model`` and whether it is only a guess (unknown or unconfirmed).

    A provider prefix such as ``openai/`` is ignored; the longest matching prefix wins
    (``components.catalogue.lookup.family_for``).
    """
    family = family_for(model)
    if family is None or family.rule is None:
        return FALLBACK_RULE, True
    return family.rule, not family.rule.confirmed


def tile_size(width: int, height: int) -> tuple[int, int]:
    """Return the size OpenAI scales a ``detail: high`` image to before counting tiles."""
    fit = min(1.0, TILE_FIT / max(width, height))
    scale = fit * min(1.0, TILE_SHORT_SIDE / (min(width, height) * fit))
    return max(1, round(width * scale)), max(1, round(height * scale))


def patch_size(width: int, height: int) -> tuple[int, int]:
    """Return the size OpenAI shrinks an image to so that it fits in 1536 patches."""
    if _patches(width, height) <= PATCH_CAP:
        return width, height
    shrink = math.sqrt(PATCH_CAP * PATCH_SIZE**2 / (width * height))
    w1, h1 = math.floor(width * shrink), math.floor(height * shrink)
    # Then shrink a little more so one side is a whole number of patches (OpenAI's 33/33.94 step).
    fit = min(
        math.floor(w1 / PATCH_SIZE) / (w1 / PATCH_SIZE),
        math.floor(h1 / PATCH_SIZE) / (h1 / PATCH_SIZE),
    )
    return max(1, math.floor(w1 * fit)), max(1, math.floor(h1 * fit))


def _patches(width: int, height: int) -> int:
    return math.ceil(width / PATCH_SIZE) * math.ceil(height / PATCH_SIZE)


def grid_size(width: int, height: int, rule: TokenRule) -> tuple[int, int]:
    """Return the size a grid-counted provider (Qwen's ``smart_resize``) turns an image into.

    Sides are rounded to the grid; an area outside ``min_pixels`` … ``max_pixels`` is scaled
    into it, keeping the aspect ratio and whole grid cells.
    """
    g = rule.grid
    w, h = max(g, round(width / g) * g), max(g, round(height / g) * g)
    if w * h > rule.max_pixels:
        beta = math.sqrt(width * height / rule.max_pixels)
        w = max(g, math.floor(width / beta / g) * g)
        h = max(g, math.floor(height / beta / g) * g)
    elif w * h < rule.min_pixels:
        beta = math.sqrt(rule.min_pixels / (width * height))
        w, h = math.ceil(width * beta / g) * g, math.ceil(height * beta / g) * g
    return w, h


def area_size(width: int, height: int, rule: TokenRule) -> tuple[int, int]:
    """Return the size Claude scales an image to: long side ≤ 1568 px, area ≤ ~1600 tokens."""
    scale = min(
        1.0,
        rule.max_side / max(width, height),
        math.sqrt(rule.max_pixels / (width * height)),
    )
    if scale >= 1.0:
        return width, height
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def gemini_tiles(width: int, height: int, rule: TokenRule = GEMINI) -> int:
    """Return how many 258-token tiles Gemini cuts a ``width``×``height`` image into."""
    scale = min(1.0, rule.max_side / max(width, height))
    w, h = width * scale, height * scale
    if w <= 384 and h <= 384:
        return 1
    unit = min(768.0, max(256.0, math.floor(min(w, h) / 1.5)))
    return math.ceil(w / unit) * math.ceil(h / unit)


def rule_size(width: int, height: int, rule: TokenRule) -> tuple[int, int]:
    """Return the size the provider itself scales an image to under ``rule`` (never upscaled)."""
    if rule.count == "tile":
        w, h = tile_size(width, height)
    elif rule.count == "patch":
        w, h = patch_size(width, height)
    elif rule.count == "grid":
        w, h = grid_size(width, height, rule)
    elif rule.count == "area":
        w, h = area_size(width, height, rule)
    elif rule.count == "fixed":
        scale = min(1.0, rule.grid / max(width, height))
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
    else:  # gemini: tiles are resized to 768² whatever is sent; the cap is the pre-tile fit
        scale = min(1.0, rule.max_side / max(width, height))
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
    return min(w, width), min(h, height)


def _count(width: int, height: int, rule: TokenRule, detail: Detail) -> int:
    """Count the tokens of one image under a non-OpenAI rule."""
    if rule.count == "grid":
        if detail == "low" and rule.low_side:
            return (rule.low_side // rule.grid) ** 2 + rule.extra
        w, h = grid_size(width, height, rule)
        return (w // rule.grid) * (h // rule.grid) + rule.extra
    if rule.count == "area":
        w, h = area_size(width, height, rule)
        return math.ceil(w * h / 750)
    if rule.count == "gemini":
        return rule.per_tile * gemini_tiles(width, height, rule)
    return rule.per_tile  # fixed


def estimate_image_tokens(width: int, height: int, *, model: str, detail: Detail) -> TokenEstimate:
    """Estimate the prompt tokens one ``width``×``height`` image costs on ``model``.

    ``auto`` is estimated as ``high`` (what OpenAI bills when no detail is set) and ``max`` is
    sent as ``high``. Raises ``ValueError`` for a non-positive size.
    """
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    rule, approximate = rule_for(model)
    if rule.count not in ("tile", "patch"):
        return TokenEstimate(_count(width, height, rule, detail), approximate, rule.name)
    if rule.kind == "patch":
        patches = min(PATCH_CAP, _patches(*patch_size(width, height)))
        return TokenEstimate(math.ceil(patches * rule.multiplier), approximate, rule.name)
    if detail == "low":
        return TokenEstimate(rule.base, approximate, rule.name)
    w, h = tile_size(width, height)
    tiles = math.ceil(w / TILE_SIZE) * math.ceil(h / TILE_SIZE)
    return TokenEstimate(rule.base + rule.per_tile * tiles, approximate, rule.name)
