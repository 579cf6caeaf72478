"""A file as it came from the browser, and the picture formats the inputs accept.

Kept apart from the preparation (``uploads``): the chat input's first screen and its callback
need these two alone, without Pillow and the pipeline behind them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Extensions the chat input accepts (the browser's file chooser filters on these).
IMAGE_EXTENSIONS: tuple[str, ...] = (
    "jpg",
    "jpeg",
    "png",
    "webp",
    "gif",
    "bmp",
    "tif",
    "tiff",
    "heic",
    "heif",
    "avif",
    "mpo",
)


@dataclass(frozen=True)
class Upload:
    """A file as it arrived from the browser: its name and bytes, and the id Streamlit's upload
    store gave it (None for a file that did not come through the store: a sample, a shot)."""

    name: str
    data: bytes = field(repr=False)
    file_id: str | None = None
