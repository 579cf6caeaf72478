"""Will the provider be able to read the text in a picture? A cheap guess from row structure.

Text on a screenshot or a document shows as bands of rows full of edges, with quiet rows between
lines. The median height of those bands, measured on the picture as it will be sent, is the text
height the model sees. Below ``LEGIBLE_TEXT_PX`` a Chinese character's strokes run together.
Pictures much longer than wide are flagged by shape too: their text is lost before it is found.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import cast

from PIL import Image, ImageChops

LEGIBLE_TEXT_PX = 12  # a CJK glyph needs about this many rows to keep its strokes apart
LONG_RATIO = 3.0  # long side over short side: a scrolling screenshot or a panorama
SHRUNK = 0.5  # …that the provider scales to under half its size
_MIN_BAND = 3  # fewer rows is a rule or a border, not a line of text
_MIN_LINES = 3  # fewer bands: no evidence of running text
_EDGE_SHARE = 0.2  # a row is "inked" above this share of the busiest rows' edge energy
# Rows through running text are dense with steps (a mean of 12–30 on screenshots); a photo's
# busiest rows hold a few outlines and JPEG noise (0–1). Below this there is no text to measure,
# and a shape on a plain background must not pass for small print.
_MIN_TEXT_EDGES = 4


@dataclass(frozen=True)
class Legibility:
    """What the provider would see of the text, and whether slicing is worth suggesting."""

    text_height: float | None  # median text-line height in sent pixels; None: no text found
    shrink: float  # sent size over the original's (1: sent as it is)
    long: bool  # far longer than wide (or wider than tall) and shrunk hard

    @property
    def illegible(self) -> bool:
        """Return True if the text would be too small to read, or the shape says it will be."""
        small = self.text_height is not None and self.text_height < LEGIBLE_TEXT_PX
        return small or self.long


def text_line_heights(image: Image.Image) -> list[int]:
    """Return the heights of the bands of text-like rows in ``image``, top to bottom."""
    gray = image.convert("L")
    width, height = gray.size
    if width < 3 or height < 3:
        return []
    # Each row's mean change from one pixel to the next: rows through text are full of strokes.
    # (A difference of two shifted crops costs a tenth of a 3×3 edge filter, and finds the same
    # bands: text is made of the vertical strokes this sees.)
    steps = ImageChops.difference(
        gray.crop((1, 0, width, height)), gray.crop((0, 0, width - 1, height))
    )
    # One band ("L"): Pillow gives one number per pixel, not the per-band tuples it may give.
    profile = cast(list[float], list(steps.reduce((width - 1, 1)).get_flattened_data()))
    busiest = sorted(profile)[int(0.95 * (height - 1))]
    if busiest < _MIN_TEXT_EDGES:
        return []
    inked = [value > _EDGE_SHARE * busiest for value in profile]
    bands, run = [], 0
    for row in [*inked, False]:
        if row:
            run += 1
        elif run:
            bands.append(run)
            run = 0
    return [band for band in bands if band >= _MIN_BAND]


def assess(sent: Image.Image, original: tuple[int, int]) -> Legibility:
    """Estimate the text height in ``sent`` (the picture as the provider will see it)."""
    bands = text_line_heights(sent)
    height = float(statistics.median(bands)) if len(bands) >= _MIN_LINES else None
    shrink = min(sent.width / original[0], sent.height / original[1], 1.0)
    ratio = max(original) / max(1, min(original))
    return Legibility(height, shrink, ratio >= LONG_RATIO and shrink < SHRUNK)
