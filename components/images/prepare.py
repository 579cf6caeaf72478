"""Turn any picture a user drops into one small, upright, metadata-free image for the API.

``prepare_image`` is the one boundary where Pillow's exceptions become ``ImageError``: callers
see a refusal with a message naming the file and what is supported, never a traceback.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from components.errors import ImageError
from components.images.budget import PREPARATION_SLOTS, scan, too_many_pixels
from components.images.decode import Decoded, decode, looks_like_image, refuse_unsupported
from components.images.policy import SizePolicy, policy_for, target_size
from components.images.prepared import DETAILS, Detail, PreparedImage
from components.images.tokens import estimate_image_tokens

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # input files; the 20 MB API limit applies to the output
JPEG_QUALITY = 85
FAST, NO_DITHER = Image.Quantize.FASTOCTREE, Image.Dither.NONE


@dataclass(frozen=True)
class _Sizer:
    """Sizes for one model and detail: the policy's target, and the token rule to compare by."""

    policy: SizePolicy
    model: str
    detail: Detail

    def __call__(self, width: int, height: int) -> tuple[int, int]:
        return target_size(width, height, self.policy)

    def same_cost(self, size: tuple[int, int], target: tuple[int, int]) -> bool:
        cost = [
            estimate_image_tokens(*s, model=self.model, detail=self.detail) for s in (size, target)
        ]
        return cost[0].tokens == cost[1].tokens


def prepare_image(
    data: bytes,
    *,
    name: str,
    detail: Detail = "auto",
    model: str = "gpt-4o-mini",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PreparedImage:
    """Decode, orient, flatten, resize to the detail policy and encode ``data`` once.

    Raises ``ImageError`` (reason unreadable, empty, not_image, unsupported_format, too_many_bytes,
    too_many_pixels or corrupt) for anything about the picture; ``ValueError`` only for a
    ``detail`` outside ``DETAILS``, which is a caller's bug, not a user's file.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {DETAILS}, got {detail!r}")
    _refuse_by_bytes(data, name, max_bytes)
    sizer = _Sizer(policy_for(model, detail), model, detail)
    decoded, payload, mime = _decode_at_boundary(data, name, sizer)
    width, height = decoded.image.size
    estimate = estimate_image_tokens(width, height, model=model, detail=detail)
    return PreparedImage(
        data=payload,
        mime=mime,
        width=width,
        height=height,
        detail=detail,
        tokens=estimate.tokens,
        tokens_approximate=estimate.approximate,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=decoded.facts,
        name=name,
    )


def prepare_file(
    path: str | os.PathLike[str],
    *,
    detail: Detail = "auto",
    model: str = "gpt-4o-mini",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PreparedImage:
    """Read ``path`` and prepare it like ``prepare_image``; a missing file is an ``ImageError``.

    The size is checked before reading, so an oversized file is never loaded into memory.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_many_bytes(path.name, size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ImageError("unreadable", path.name, reason, why=reason) from exc
    return prepare_image(data, name=path.name, detail=detail, model=model, max_bytes=max_bytes)


def encode(image: Image.Image, *, few_colours: bool = False) -> tuple[bytes, str]:
    """Encode once: JPEG for photos; PNG for few-colour art when it is not larger.

    Nothing from the source's ``info`` (EXIF, XMP, ICC, text chunks) is written. Resizing line
    art adds in-between shades, so its PNG is quantized back to at most 256 colours.
    """
    image.info = {}
    jpeg = io.BytesIO()
    image.save(jpeg, "JPEG", quality=JPEG_QUALITY)
    if not few_colours:
        return jpeg.getvalue(), "image/jpeg"
    # Fast octree: median cut costs ~6× more on a 2048-px screenshot for no visible gain.
    flat = image if image.mode == "L" else image.quantize(256, method=FAST, dither=NO_DITHER)
    flat.info = {}
    png = io.BytesIO()
    flat.save(png, "PNG")
    if png.tell() <= jpeg.tell():
        return png.getvalue(), "image/png"
    return jpeg.getvalue(), "image/jpeg"


def _refuse_by_bytes(data: bytes, name: str, max_bytes: int) -> None:
    if not data:
        raise ImageError("empty", name, "0 bytes")
    if len(data) > max_bytes:
        raise _too_many_bytes(name, len(data), max_bytes)
    refuse_unsupported(data, name)


def _too_many_bytes(name: str, size: int, limit: int) -> ImageError:
    return ImageError(
        "too_many_bytes",
        name,
        f"{size} bytes",
        size_mb=_megabytes(size),
        limit_mb=_megabytes(limit),
    )


def _megabytes(count: int) -> str:
    """Return ``count`` bytes in MB, with enough digits that small limits do not read as 0."""
    mb = count / 1024 / 1024
    return f"{mb:.0f}" if mb >= 10 else f"{mb:.1f}" if mb >= 1 else f"{mb:.2g}"


_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")


def _decode_at_boundary(data: bytes, name: str, sizer: _Sizer) -> tuple[Decoded, bytes, str]:
    """Decode and encode, translating every third-party exception into ``ImageError``."""
    try:
        with PREPARATION_SLOTS:
            decoded = decode(data, name, sizer)
            return (decoded, *encode(decoded.image, few_colours=decoded.few_colours))
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(data, name, exc) from exc
    except UnidentifiedImageError as exc:
        reason = "corrupt" if looks_like_image(data) else "not_image"
        raise ImageError(reason, name, str(exc)) from exc
    except MemoryError as exc:
        raise ImageError("corrupt", name, "out of memory while decoding") from exc
    except Exception as exc:  # Pillow and its plugins raise many types; none may escape
        raise ImageError("corrupt", name, f"{type(exc).__name__}: {exc}") from exc


def _bomb(data: bytes, name: str, exc: Exception) -> ImageError:
    """Describe a file Pillow refused as a decompression bomb, from its header where possible."""
    found = _BOMB_PIXELS.search(str(exc))
    layout = scan(data, name)  # already passed once, so it cannot raise here
    fmt = layout.format or Path(name).suffix.lstrip(".").upper()
    pixels = int(found.group(1)) if found else 0
    return too_many_pixels(name, fmt, layout.width, layout.height, pixels=pixels, detail=str(exc))
