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
from components.images.decode import Decoded, Sizer, decode, looks_like_image, refuse_unsupported
from components.images.legibility import Legibility, assess
from components.images.policy import SizePolicy, policy_for, target_size
from components.images.prepared import DETAILS, ApiDetail, Box, Detail, ImagePart, PreparedImage
from components.images.slice_limits import DEFAULT_MAX_SLICES
from components.images.slicing import plan_slices, slice_cost
from components.images.tokens import estimate_image_tokens, rule_for

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # input files; the 20 MB API limit applies to the output
JPEG_QUALITY = 85
FAST, NO_DITHER = Image.Quantize.FASTOCTREE, Image.Dither.NONE
OVERVIEW_FIT = 512  # the shown-only overview of a sliced picture
ZOOM_GRID = 3  # region zoom offers a 3×3 grid of zones


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


@dataclass(frozen=True)
class _SliceSizer:
    """Sizes a picture to be sliced: the whole, scaled so every slice is sent as it is.

    It is asked before any pixel is decoded, so a picture needing more slices than the cap is
    refused (``ImageError`` too_many_slices) from its header.
    """

    model: str
    name: str
    max_slices: int

    def __call__(self, width: int, height: int) -> tuple[int, int]:
        plan = plan_slices(width, height, rule_for(self.model)[0].kind)
        if len(plan.boxes) > self.max_slices:
            raise ImageError(
                "too_many_slices",
                self.name,
                f"{len(plan.boxes)} slices",
                count=len(plan.boxes),
                cap=self.max_slices,
                tokens=f"{slice_cost(width, height, self.model).tokens:,}",
            )
        return plan.scaled

    def same_cost(self, size: tuple[int, int], target: tuple[int, int]) -> bool:
        return size == target  # a slightly smaller decode would shift every slice's cut


@dataclass(frozen=True)
class _FullSizer:
    """Sizes a picture to be cropped: as it is, so the crop keeps every pixel it has."""

    def __call__(self, width: int, height: int) -> tuple[int, int]:
        return width, height

    def same_cost(self, size: tuple[int, int], target: tuple[int, int]) -> bool:
        return size == target


def prepare_image(
    data: bytes,
    *,
    name: str,
    detail: Detail = "auto",
    model: str = "gpt-4o-mini",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_slices: int = DEFAULT_MAX_SLICES,
) -> PreparedImage:
    """Decode, orient, flatten, resize to the detail policy and encode ``data`` once.

    ``detail="slices"`` cuts the picture into overlapping slices sent at full resolution (see
    ``components.images.slicing``), at most ``max_slices`` of them.

    Raises ``ImageError`` (reason unreadable, empty, not_image, unsupported_format, too_many_bytes,
    too_many_pixels, too_many_slices or corrupt) for anything about the picture; ``ValueError``
    only for a ``detail`` outside ``DETAILS``, which is a caller's bug, not a user's file.
    """
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {DETAILS}, got {detail!r}")
    _refuse_by_bytes(data, name, max_bytes)
    if detail == "slices":
        return _prepare_slices(data, name=name, model=model, max_slices=max_slices)
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
        token_rule=estimate.rule,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=decoded.facts,
        name=name,
        legibility=assess(decoded.image, _upright(decoded)),
    )


def _prepare_slices(data: bytes, *, name: str, model: str, max_slices: int) -> PreparedImage:
    sizer = _SliceSizer(model, name, max_slices)
    decoded, _, _ = _decode_at_boundary(data, name, sizer, encoded=False)
    whole = decoded.image
    original = _upright(decoded)
    plan = plan_slices(whole.width, whole.height, rule_for(model)[0].kind)
    back = original[0] / whole.width, original[1] / whole.height
    parts = []
    for box in plan.boxes:
        piece = whole.crop(box)
        piece_data, piece_mime = _encode_at_boundary(piece, name, few_colours=decoded.few_colours)
        estimate = estimate_image_tokens(*piece.size, model=model, detail="slices")
        parts.append(
            ImagePart(
                data=piece_data,
                mime=piece_mime,
                width=piece.width,
                height=piece.height,
                tokens=estimate.tokens,
                box=_scale_box(box, back),
            )
        )
    return _multipart(
        decoded, parts, name=name, detail="slices", model=model, legibility=assess(whole, original)
    )


def prepare_region(
    data: bytes,
    *,
    name: str,
    zone: tuple[int, int],
    model: str = "gpt-4o-mini",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PreparedImage:
    """Prepare a zoom on one zone (column, row) of a ``ZOOM_GRID``² grid over the picture.

    Two parts are sent: the whole picture at low detail, then the zone (with a sixth of a zone's
    margin around it, so text on a grid line is kept) at high detail. Raises ``ImageError`` as
    ``prepare_image`` does, and ``ValueError`` for a zone outside the grid.
    """
    if not all(0 <= z < ZOOM_GRID for z in zone):
        raise ValueError(f"zone must be within a {ZOOM_GRID}×{ZOOM_GRID} grid, got {zone}")
    _refuse_by_bytes(data, name, max_bytes)
    decoded, _, _ = _decode_at_boundary(data, name, _FullSizer(), encoded=False)
    full = decoded.image
    box = zone_box(full.size, zone)
    parts = []
    legs: tuple[tuple[Image.Image, ApiDetail, Box], ...] = (
        (full, "low", (0, 0, *full.size)),
        (full.crop(box), "high", box),
    )
    for image, detail, shown in legs:
        size = target_size(*image.size, policy_for(model, detail))
        sent = image if image.size == size else image.resize(size, Image.Resampling.LANCZOS)
        sent_data, sent_mime = _encode_at_boundary(sent, name, few_colours=decoded.few_colours)
        estimate = estimate_image_tokens(*sent.size, model=model, detail=detail)
        parts.append(
            ImagePart(sent_data, sent_mime, sent.width, sent.height, estimate.tokens, shown, detail)
        )
    return _multipart(decoded, parts, name=name, detail="high", model=model, region=box)


def zone_box(size: tuple[int, int], zone: tuple[int, int]) -> Box:
    """Return the box of ``zone`` (column, row) in a picture of ``size``, with its margin."""
    width, height = size
    col, row = zone
    margin_x, margin_y = width // (6 * ZOOM_GRID), height // (6 * ZOOM_GRID)
    return (
        max(0, col * width // ZOOM_GRID - margin_x),
        max(0, row * height // ZOOM_GRID - margin_y),
        min(width, (col + 1) * width // ZOOM_GRID + margin_x),
        min(height, (row + 1) * height // ZOOM_GRID + margin_y),
    )


def _multipart(
    decoded: Decoded,
    parts: list[ImagePart],
    *,
    name: str,
    detail: Detail,
    model: str,
    region: Box | None = None,
    legibility: Legibility | None = None,
) -> PreparedImage:
    """Return a picture sent as ``parts``; its own bytes are a small overview, only shown."""
    overview = decoded.image.copy()
    overview.thumbnail((OVERVIEW_FIT, OVERVIEW_FIT), Image.Resampling.LANCZOS)
    shown, mime = _encode_at_boundary(overview, name, few_colours=decoded.few_colours)
    digest = hashlib.sha256(f"{detail}:{region}".encode())
    for part in parts:
        digest.update(hashlib.sha256(part.data).digest())
    return PreparedImage(
        data=shown,
        mime=mime,
        width=overview.width,
        height=overview.height,
        detail=detail,
        tokens=sum(part.tokens for part in parts),
        tokens_approximate=rule_for(model)[1],
        token_rule=rule_for(model)[0].name,
        sha256=digest.hexdigest(),
        source=decoded.facts,
        name=name,
        parts=tuple(parts),
        region=region,
        legibility=legibility,
    )


def _upright(decoded: Decoded) -> tuple[int, int]:
    """Return the original's size the way up it is shown (EXIF orientation applied)."""
    stored = decoded.facts.width, decoded.facts.height
    image = decoded.image.size
    turned = (stored[0] >= stored[1]) != (image[0] >= image[1]) and stored[0] != stored[1]
    return stored[::-1] if turned else stored


def _scale_box(box: Box, factor: tuple[float, float]) -> Box:
    return (
        round(box[0] * factor[0]),
        round(box[1] * factor[1]),
        round(box[2] * factor[0]),
        round(box[3] * factor[1]),
    )


def prepare_file(
    path: str | os.PathLike[str],
    *,
    detail: Detail = "auto",
    model: str = "gpt-4o-mini",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_slices: int = DEFAULT_MAX_SLICES,
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
    return prepare_image(
        data,
        name=path.name,
        detail=detail,
        model=model,
        max_bytes=max_bytes,
        max_slices=max_slices,
    )


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


def _decode_at_boundary(
    data: bytes, name: str, sizer: Sizer, *, encoded: bool = True
) -> tuple[Decoded, bytes, str]:
    """Decode and encode, translating every third-party exception into ``ImageError``.

    With ``encoded=False`` the picture is only decoded (its parts are encoded by the caller).
    """
    try:
        with PREPARATION_SLOTS:
            decoded = decode(data, name, sizer)
            if not encoded:
                return decoded, b"", ""
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


def _encode_at_boundary(image: Image.Image, name: str, *, few_colours: bool) -> tuple[bytes, str]:
    """Encode one part, translating Pillow's exceptions into ``ImageError`` (corrupt)."""
    try:
        return encode(image, few_colours=few_colours)
    except Exception as exc:  # an encoder failing on a decoded picture is still the file's fault
        raise ImageError("corrupt", name, f"{type(exc).__name__}: {exc}") from exc


def _bomb(data: bytes, name: str, exc: Exception) -> ImageError:
    """Describe a file Pillow refused as a decompression bomb, from its header where possible."""
    found = _BOMB_PIXELS.search(str(exc))
    layout = scan(data, name)  # already passed once, so it cannot raise here
    fmt = layout.format or Path(name).suffix.lstrip(".").upper()
    pixels = int(found.group(1)) if found else 0
    return too_many_pixels(name, fmt, layout.width, layout.height, pixels=pixels, detail=str(exc))
