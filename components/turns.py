"""One turn of a conversation, as the client sends it, and the note sent before a picture's parts.

The types here travel between ``conversation``, ``ocr``, ``providers`` and ``costs``, so they sit
below all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.images.prepared import PreparedImage

SLICES_NOTE = (
    "[The next {count} images are overlapping slices of one picture ({name}), in order from "
    "{start} to {end}. 以下{count}张图是同一张图片按{order}顺序切开的重叠片段。]"
)
ZOOM_NOTE = (
    "[The next 2 images: the whole picture ({name}), then a zoomed region of it at full detail. "
    "以下2张图：整张图片，和其中一个区域的放大。]"
)


@dataclass(frozen=True)
class ChatTurn:
    """A user or assistant turn: its text and, for user turns, its pictures."""

    role: Literal["user", "assistant"]
    text: str
    images: tuple[PreparedImage, ...] = ()


def part_note(image: PreparedImage) -> str:
    """Return the note sent before a picture's parts ("" for a picture sent as one image)."""
    if len(image.parts) < 2:
        return ""
    name = image.name or "image"
    if image.region is not None:
        return ZOOM_NOTE.format(name=name)
    wide = image.parts[0].box[1] == image.parts[-1].box[1]
    return SLICES_NOTE.format(
        count=len(image.parts),
        name=name,
        start="left" if wide else "top",
        end="right" if wide else "bottom",
        order="从左到右" if wide else "从上到下",
    )
