"""Cutting a long picture into overlapping slices the provider keeps at full resolution.

The whole picture is first scaled so its short side fits the family's slice width (or left alone
when it already does), then cut along its long side into windows no longer than the family
allows:

=======  ==================  ========================================================
family   slice short side    slice long side
=======  ==================  ========================================================
tile     ≤ 768               ≤ 2048: fits 2048² and its short side is already ≤ 768
patch    ≤ 768               ≤ 1536 32-px patches (2048 at 768): the patch cap is not hit
=======  ==================  ========================================================

so ``target_size`` at ``high`` returns every slice's own size: nothing is downscaled again.
Consecutive slices share at least ``overlap`` pixels (a tenth of a slice), so any line of text
up to that height lies whole inside one slice. Tall pictures are cut top to bottom; wide ones
(panoramas) left to right.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

from components.images.tokens import (
    PATCH_CAP,
    PATCH_SIZE,
    TILE_FIT,
    TILE_SHORT_SIDE,
    estimate_image_tokens,
    rule_for,
)

Family = Literal["tile", "patch"]
Axis = Literal["vertical", "horizontal"]

SLICE_SHORT_SIDE: dict[Family, int] = {"tile": TILE_SHORT_SIDE, "patch": 768}
OVERLAP_FRACTION = 0.1  # the crowd fix's 120 px over 1200-px windows
MIN_OVERLAP = 64


@dataclass(frozen=True)
class SlicePlan:
    """Where to cut: the size the whole picture is scaled to, and each slice's box in it."""

    scaled: tuple[int, int]  # width, height of the whole picture before cutting
    boxes: tuple[tuple[int, int, int, int], ...]  # left, top, right, bottom in scaled pixels
    axis: Axis
    overlap: int  # the least overlap between consecutive slices, in scaled pixels
    scale: float  # scaled short side over the original's (≤ 1)


@dataclass(frozen=True)
class SliceCost:
    """What slicing a picture would send: how many slices, of what size, for how many tokens."""

    count: int
    size: tuple[int, int]  # every slice's size as sent (they are all alike)
    tokens: int


def slice_cost(width: int, height: int, model: str) -> SliceCost:
    """Return the cost of slicing an upright ``width``×``height`` picture for ``model``.

    Raises ``ValueError`` for a non-positive size.
    """
    plan = plan_slices(width, height, rule_for(model)[0].kind)
    size = (plan.boxes[0][2] - plan.boxes[0][0], plan.boxes[0][3] - plan.boxes[0][1])
    each = estimate_image_tokens(*size, model=model, detail="slices").tokens
    return SliceCost(len(plan.boxes), size, each * len(plan.boxes))


def slice_length(short_side: int, family: Family) -> int:
    """Return the longest slice (along the cut) that ``family`` keeps whole at ``short_side``."""
    if family == "tile":
        return TILE_FIT
    columns = math.ceil(short_side / PATCH_SIZE)
    return min(TILE_FIT, (PATCH_CAP // columns) * PATCH_SIZE)


def plan_slices(width: int, height: int, family: Family) -> SlicePlan:
    """Plan the slices of an upright ``width``×``height`` picture for a model of ``family``.

    Raises ``ValueError`` for a non-positive size.
    """
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    axis: Axis = "vertical" if height >= width else "horizontal"
    short, long = min(width, height), max(width, height)
    scale = min(1.0, SLICE_SHORT_SIDE[family] / short)
    short_s = max(1, math.floor(short * scale + 0.5))
    long_s = max(1, math.floor(long * scale + 0.5))
    length = min(long_s, slice_length(short_s, family))
    overlap = max(MIN_OVERLAP, round(length * OVERLAP_FRACTION))
    starts = _starts(long_s, length, overlap)
    if axis == "vertical":
        scaled = (short_s, long_s)
        boxes = tuple((0, s, short_s, s + length) for s in starts)
    else:
        scaled = (long_s, short_s)
        boxes = tuple((s, 0, s + length, short_s) for s in starts)
    least = min((length - (b - a) for a, b in itertools.pairwise(starts)), default=0)
    return SlicePlan(scaled, boxes, axis, least, short_s / short)


def _starts(total: int, length: int, overlap: int) -> list[int]:
    """Return evenly spread window starts covering ``total`` with at least ``overlap`` shared."""
    if total <= length:
        return [0]
    count = math.ceil((total - overlap) / (length - overlap))
    step = (total - length) / (count - 1)
    return [round(i * step) for i in range(count)]
