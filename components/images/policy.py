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
Images are never upscaled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from components.images.prepared import Detail
from components.images.tokens import patch_size, rule_for, tile_size

Family = Literal["tile", "patch"]
Shrink = Literal["none", "tile", "patch"]


@dataclass(frozen=True)
class SizePolicy:
    """One row of the table: the box to fit in, then the provider's own shrink rule."""

    fit: int  # longest side fits this square
    shrink: Shrink  # then apply the provider's rule: tile (short side ≤ 768) or patch (≤ 1536)


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


def policy_for(model: str, detail: Detail) -> SizePolicy:
    """Return the size policy for ``model`` (by its token rule's family) at ``detail``."""
    rule, _ = rule_for(model)
    return POLICIES[(rule.kind, detail)]


def target_size(width: int, height: int, policy: SizePolicy) -> tuple[int, int]:
    """Return the size to send a ``width``×``height`` (upright) image at; never larger."""
    scale = min(1.0, policy.fit / max(width, height))
    w, h = max(1, math.floor(width * scale + 0.5)), max(1, math.floor(height * scale + 0.5))
    if policy.shrink == "tile":
        w, h = tile_size(w, h)
    elif policy.shrink == "patch":
        w, h = patch_size(w, h)
    return min(w, width), min(h, height)
