"""The picture as it travels: prepared bytes plus the facts about where they came from.

A picture is one entry in a message (and one toward the per-message cap) however it is sent. Most
are sent as themselves; a sliced long screenshot or a zoomed region is sent as its ``parts``
(consecutive image parts), while ``data`` holds a small overview that is only shown, never sent.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Literal

from components.images.legibility import Legibility

Detail = Literal["low", "auto", "high", "max", "slices"]
DETAILS: tuple[Detail, ...] = ("low", "auto", "high", "max", "slices")
ApiDetail = Literal["low", "high", "auto"]
Box = tuple[int, int, int, int]  # left, top, right, bottom in the upright original's pixels


def data_url(data: bytes, mime: str) -> str:
    """Return ``data`` as a base64 ``data:`` URL of type ``mime``."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@dataclass(frozen=True)
class SourceFacts:
    """What the original file was, and what preparation had to do to it."""

    format: str  # Pillow's format name: "JPEG", "PNG", "HEIF", ...
    width: int  # as stored in the file, before orientation
    height: int
    bytes: int
    frames: int = 1  # >1: animated or multi-page, only the first frame is used
    orientation_applied: bool = False
    metadata_stripped: bool = False
    truncated: bool = False  # the file was cut short and recovered


@dataclass(frozen=True, repr=False)
class ImagePart:
    """One image part of a picture sent in several: a slice, or a zoom's whole or crop."""

    data: bytes = field(repr=False)
    mime: str
    width: int  # as sent
    height: int
    tokens: int
    box: Box  # what it shows, in the original's pixels
    detail: ApiDetail = "high"

    @property
    def top(self) -> int:
        """Return the first original row this part shows."""
        return self.box[1]

    @property
    def data_url(self) -> str:
        """Return the ``data:`` URL, built on demand (never stored)."""
        return data_url(self.data, self.mime)

    def __repr__(self) -> str:
        return (
            f"ImagePart({self.mime}, {self.width}x{self.height}, box={self.box}, "
            f"{len(self.data)} bytes, {self.tokens} tokens)"
        )


@dataclass(frozen=True, repr=False)
class PreparedImage:
    """An image ready for the API: encoded once, with its size and token cost."""

    data: bytes = field(repr=False)
    mime: str  # image/jpeg, image/png, image/webp or image/gif
    width: int  # of ``data``: as sent, or the overview's when the picture is sent as parts
    height: int
    detail: Detail
    tokens: int
    tokens_approximate: bool
    sha256: str
    source: SourceFacts
    name: str = ""
    parts: tuple[ImagePart, ...] = ()  # sent instead of ``data`` when present
    region: Box | None = None  # a zoom: the crop's box (parts are the whole, then the crop)
    legibility: Legibility | None = None  # the text as the provider would see it (one part)
    token_rule: str = ""  # the rule that gave ``tokens``, e.g. "tile 85+170" (for the large view)

    @property
    def original_size(self) -> tuple[int, int]:
        """Return the original's size the way up it is shown (EXIF orientation applied)."""
        stored = self.source.width, self.source.height
        turned = (stored[0] >= stored[1]) != (self.width >= self.height) and stored[0] != stored[1]
        return stored[::-1] if turned else stored

    @property
    def sliced(self) -> bool:
        """Return True if this picture is sent as slices of itself."""
        return bool(self.parts) and self.region is None

    @property
    def data_url(self) -> str:
        """Return the ``data:`` URL, built on demand (never stored)."""
        return data_url(self.data, self.mime)

    @property
    def api_detail(self) -> ApiDetail:
        """Return the value for the OpenAI ``detail`` field (``max`` and slices as ``high``)."""
        return "high" if self.detail == "max" or self.detail == "slices" else self.detail

    def __repr__(self) -> str:
        return (
            f"PreparedImage({self.name!r}, {self.mime}, {self.width}x{self.height}, "
            f"{len(self.data)} bytes, {self.tokens} tokens, {len(self.parts)} parts, "
            f"sha256={self.sha256[:12]})"
        )
