"""How big an image is sent, per detail level and model family: a table, not branches.

=======  ============================  =======================================
detail   tile-priced (gpt-4o, o3, …)   patch-priced (gpt-4.1-mini, o4-mini, …)
=======  ============================  =======================================
low      fit 512×512                   fit 512×512
auto     fit 2048², short side ≤ 768   ≤ 1536 32-px patches (OpenAI's shrink)
high     fit 2048², short side ≤ 768   ≤ 1536 32-px patches (OpenAI's shrink)
max      fit 2048×2048                 fit 2048×2048
slices   each slice as ``high``        each slice as ``high``
=======  ============================  =======================================

``auto`` and ``high`` send exactly what the provider would downscale to anyway, so the model sees
the same pixels while the upload is as small as it can be. ``max`` keeps more pixels for providers
that use them (Qwen-VL and other relays) and is sent as ``high`` (``PreparedImage.api_detail``).
``slices`` cuts the picture first (``components.images.slicing``) so each slice already fits its
row: the row is the check that no slice is downscaled again.

Other families (``TokenRule.count``) are sized by their own rule, so nothing is sent that the
provider would throw away:

=======  ====================================  ==========================================
count    low                                   auto / high / slices (max)
=======  ====================================  ==========================================
grid     fit 512, then the rule                fit 2048 (max: 4096), then the grid rule:
                                               Qwen ≤ max_pixels, GLM ≤ 28²×15000 px
area     fit 512                               Claude: long side 1568, area ≤ ~1600 tokens
gemini   fit 384 (one 258-token tile)          fit 1536 (a square is 2×2 tiles of 768)
fixed    fit 512                               fit the model's square (GLM-4V 1120, Gemma 896)
=======  ====================================  ==========================================

Images are never upscaled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from components.images.prepared import Detail
from components.images.tokens import TokenRule, patch_size, rule_for, rule_size, tile_size

Family = Literal["tile", "patch"]
Shrink = Literal["none", "tile", "patch", "rule"]


@dataclass(frozen=True)
class SizePolicy:
    """One row of the table: the box to fit in, then the provider's own shrink rule."""

    fit: int  # longest side fits this square
    shrink: Shrink  # then the provider's rule: tile (short side ≤ 768), patch (≤ 1536) or rule's
    rule: TokenRule | None = None  # shrink "rule": the family's own rule (``rule_size``)


POLICIES: dict[tuple[Family, Detail], SizePolicy] = {
    ("tile", "low"): SizePolicy(512, "none"),
    ("tile", "auto"): SizePolicy(2048, "tile"),
    ("tile", "high"): SizePolicy(2048, "tile"),
    ("tile", "max"): SizePolicy(2048, "none"),
    ("tile", "slices"): SizePolicy(2048, "tile"),
    ("patch", "low"): SizePolicy(512, "none"),
    ("patch", "auto"): SizePolicy(2048, "patch"),
    ("patch", "high"): SizePolicy(2048, "patch"),
    ("patch", "max"): SizePolicy(2048, "none"),
    ("patch", "slices"): SizePolicy(2048, "patch"),
}


GEMINI_FIT = 1536
GEMINI_LOW_FIT = 384
GRID_MAX_FIT = 4096


def policy_for(model: str, detail: Detail) -> SizePolicy:
    """Return the size policy for ``model`` (by its token rule's family) at ``detail``."""
    rule, _ = rule_for(model)
    if rule.count in ("tile", "patch"):
        return POLICIES[(rule.kind, detail)]
    low = detail == "low"
    if rule.count == "grid":
        fit = 512 if low else GRID_MAX_FIT if detail == "max" else 2048
        return SizePolicy(fit, "rule", rule)
    if rule.count == "gemini":
        return SizePolicy(GEMINI_LOW_FIT if low else GEMINI_FIT, "none")
    if rule.count == "fixed":
        return SizePolicy(min(512, rule.grid) if low else rule.grid, "none")
    return SizePolicy(512, "none") if low else SizePolicy(rule.max_side, "rule", rule)


def target_size(width: int, height: int, policy: SizePolicy) -> tuple[int, int]:
    """Return the size to send a ``width``×``height`` (upright) image at; never larger."""
    scale = min(1.0, policy.fit / max(width, height))
    w, h = max(1, math.floor(width * scale + 0.5)), max(1, math.floor(height * scale + 0.5))
    if policy.shrink == "tile":
        w, h = tile_size(w, h)
    elif policy.shrink == "patch":
        w, h = patch_size(w, h)
    elif policy.shrink == "rule" and policy.rule is not None:
        w, h = rule_size(w, h, policy.rule)
    return min(w, width), min(h, height)
