"""The picture as it travels: prepared bytes plus the facts about where they came from."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Literal

Detail = Literal["low", "auto", "high", "max"]
DETAILS: tuple[Detail, ...] = ("low", "auto", "high", "max")


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
class PreparedImage:
    """An image ready for the API: encoded once, with its size and token cost."""

    data: bytes = field(repr=False)
    mime: str  # image/jpeg, image/png, image/webp or image/gif
    width: int
    height: int
    detail: Detail
    tokens: int
    tokens_approximate: bool
    sha256: str
    source: SourceFacts
    name: str = ""

    @property
    def data_url(self) -> str:
        """Return the ``data:`` URL, built on demand (never stored)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    @property
    def api_detail(self) -> Literal["low", "high", "auto"]:
        """Return the value for the OpenAI ``detail`` field (``max`` is sent as ``high``)."""
        return "high" if self.detail == "max" else self.detail

    def __repr__(self) -> str:
        return (
            f"PreparedImage({self.name!r}, {self.mime}, {self.width}x{self.height}, "
            f"{len(self.data)} bytes, {self.tokens} tokens, sha256={self.sha256[:12]})"
        )
