"""Prompt-token estimates for images, from the providers' published rules.

Two OpenAI pricing rules exist, and each model family uses one of them:

- **tile**: fit the image in 2048×2048, scale its shortest side down to 768, count 512-px tiles;
  tokens = base + tile × tiles (``detail: low`` costs the base only).
- **patch**: count 32-px patches; over 1536 patches the image is shrunk (OpenAI's rule below)
  until it fits; tokens = patches × a per-model multiplier. ``detail`` does not change the rule.

The rules are a table keyed by model-name prefix (longest prefix wins), each row dated with when
it was checked against OpenAI's "Images and vision → Calculating costs" guide. Unknown models get
the gpt-4o tile rule and an estimate marked approximate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from components.images.prepared import Detail

TILE_FIT = 2048
TILE_SHORT_SIDE = 768
TILE_SIZE = 512
PATCH_SIZE = 32
PATCH_CAP = 1536


@dataclass(frozen=True)
class TokenRule:
    """How one model family is billed for an image."""

    name: str  # shown in estimates, e.g. "tile 85+170" or "patch ×1.62"
    kind: Literal["tile", "patch"]
    base: int = 0  # tile rule: tokens for every image (and all of detail: low)
    per_tile: int = 0  # tile rule: tokens per 512-px tile
    multiplier: float = 1.0  # patch rule: tokens per 32-px patch
    checked: str = ""  # when the row was last checked against the published rules
    confirmed: bool = True  # False: the constant could not be confirmed from a public source


def _tile(base: int, per_tile: int, checked: str, *, confirmed: bool = True) -> TokenRule:
    return TokenRule(f"tile {base}+{per_tile}", "tile", base, per_tile, 1.0, checked, confirmed)


def _patch(multiplier: float, checked: str, *, confirmed: bool = True) -> TokenRule:
    return TokenRule(f"patch ×{multiplier:g}", "patch", 0, 0, multiplier, checked, confirmed)


# Confirmation notes (2026-11-26): gpt-4o 85+170 and the 765 / 1105 worked examples, the patch rule
# with its 1024 and 1452 examples and the 1.62 / 2.46 multipliers are quoted from OpenAI's guide.
# gpt-4o-mini 2833+5667, o3 75+150 and o4-mini ×1.72 agree with measured usage published on the
# OpenAI community forum (a 128×64 image: 2845 / 8512 tokens on gpt-4o-mini, 86 / 236 on o3).
RULES: dict[str, TokenRule] = {
    "gpt-4o-mini": _tile(2833, 5667, "2026-11-26"),
    "gpt-4o": _tile(85, 170, "2026-11-26"),
    "chatgpt-4o": _tile(85, 170, "2026-11-26"),
    "gpt-4-turbo": _tile(85, 170, "2026-11-26"),
    "gpt-4.5": _tile(85, 170, "2026-11-26"),
    "gpt-4.1-mini": _patch(1.62, "2026-11-26"),
    "gpt-4.1-nano": _patch(2.46, "2026-11-26"),
    "gpt-4.1": _tile(85, 170, "2026-11-26"),
    # Not confirmed: the forum measured o1 at far fewer tokens (22 / 44 for 128×64) than 75+150.
    "o1": _tile(75, 150, "2026-11-26", confirmed=False),
    "o3": _tile(75, 150, "2026-11-26"),
    "o4-mini": _patch(1.72, "2026-11-26"),
    # Not confirmed: no public worked example found for gpt-5 (70+140) or its mini/nano multipliers;
    # one forum measurement puts gpt-5-mini at ×1.20 rather than the documented ×1.62.
    "gpt-5-mini": _patch(1.62, "2026-11-26", confirmed=False),
    "gpt-5-nano": _patch(2.46, "2026-11-26", confirmed=False),
    "gpt-5": _tile(70, 140, "2026-11-26", confirmed=False),
}
FALLBACK_RULE = RULES["gpt-4o"]


@dataclass(frozen=True)
class TokenEstimate:
    """The estimated prompt tokens for one image, and which rule produced them."""

    tokens: int
    approximate: bool
    rule: str


def rule_for(model: str) -> tuple[TokenRule, bool]:
    """Return the rule for ``model`` and whether it is only a guess (unknown or unconfirmed).

    A provider prefix such as ``openai/`` is ignored; the longest matching prefix wins.
    """
    name = model.strip().lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in RULES if name.startswith(prefix)]
    if not matches:
        return FALLBACK_RULE, True
    rule = RULES[max(matches, key=len)]
    return rule, not rule.confirmed


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


def estimate_image_tokens(width: int, height: int, *, model: str, detail: Detail) -> TokenEstimate:
    """Estimate the prompt tokens one ``width``×``height`` image costs on ``model``.

    ``auto`` is estimated as ``high`` (what OpenAI bills when no detail is set) and ``max`` is
    sent as ``high``. Raises ``ValueError`` for a non-positive size.
    """
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    rule, approximate = rule_for(model)
    if rule.kind == "patch":
        patches = min(PATCH_CAP, _patches(*patch_size(width, height)))
        return TokenEstimate(math.ceil(patches * rule.multiplier), approximate, rule.name)
    if detail == "low":
        return TokenEstimate(rule.base, approximate, rule.name)
    w, h = tile_size(width, height)
    tiles = math.ceil(w / TILE_SIZE) * math.ceil(h / TILE_SIZE)
    return TokenEstimate(rule.base + rule.per_tile * tiles, approximate, rule.name)
