"""Decoding untrusted picture bytes: sniff, bound the work from the header, decode little.

Everything here may raise Pillow's own exceptions (``OSError``, ``ValueError``,
``DecompressionBombError``…); ``components.images.prepare.prepare_image`` translates them to
``ImageError`` at one boundary. ``ImageError`` itself is raised for what is refused on purpose.
The limits (pixels, parts of the file, memory) are decided in ``components.images.budget``.

Pillow's truncated-image switch (``ImageFile.LOAD_TRUNCATED_IMAGES``) is one global with no
per-image equivalent, so decodes take a shared/exclusive lock: every normal decode shares it, and
the lenient retry of a file cut short holds it alone while the switch is on. No decode can run
while the switch is set, other than the one that set it.
"""

from __future__ import annotations

import io
import math
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, cast

import pillow_heif
from PIL import Image, ImageCms, ImageFile

from components.errors import ImageError
from components.images.budget import (
    DCT_PIXEL_LIMIT,
    MAX_FRAMES,
    Layout,
    decode_memory,
    refuse_too_many_pixels,
    refuse_too_much_memory,
    scan,
    too_complex,
)
from components.images.prepared import SourceFacts

pillow_heif.register_heif_opener()

# Pillow's own guard stays on as a backstop at Kantu's highest limit, and its warning becomes an
# error, so nothing above the limit is ever decoded even if a check here were missed.
Image.MAX_IMAGE_PIXELS = DCT_PIXEL_LIMIT
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
# Broken EXIF is common in real photos and harmless here (it is dropped); keep stderr quiet.
warnings.filterwarnings("ignore", message=r"(Possibly )?[Cc]orrupt EXIF", category=UserWarning)

# Formats Pillow cannot turn into pixels without outside tools, or that are documents, not images.
_UNSUPPORTED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"%!PS", "PostScript"),
    (b"\xc5\xd0\xd3\xc6", "EPS"),
    (b"8BPS", "PSD"),
)
_SVG = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]", re.S
)
# Files that announce an image format; if Pillow then cannot read them they are damaged.
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*")
_METADATA_KEYS = frozenset(
    {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "photoshop", "comment", "iptc"}
)
_ORIENTATION = 0x0112
# The transpose that makes each EXIF orientation upright (as in ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Formats whose n_frames comes from a header or a C library; others are not asked (TIFF's walks
# every page, GIF's every block); ``scan`` counts TIFF, GIF and PNG frames itself.
_CHEAP_FRAME_COUNT = frozenset({"WEBP", "HEIF", "AVIF", "MPO"})
FEW_COLOURS = 256
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class Sizer(Protocol):
    """Chooses the size to send: what the detail policy and the token rules allow."""

    def __call__(self, width: int, height: int) -> tuple[int, int]:
        """Return the size to send an upright ``width``×``height`` image at."""
        ...

    def same_cost(self, size: tuple[int, int], target: tuple[int, int]) -> bool:
        """Return True if sending ``size`` costs the same tokens as ``target``."""
        ...


@dataclass(frozen=True)
class Decoded:
    """An upright image flattened onto white (mode RGB or L), and the facts about its source."""

    image: Image.Image
    facts: SourceFacts
    few_colours: bool = False  # line art or a flat screenshot before resizing: PNG may suit it


def refuse_unsupported(data: bytes, name: str) -> None:
    """Raise ``ImageError`` (unsupported_format) for documents such as SVG or PDF."""
    head = data[:1024]
    for magic, fmt in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise ImageError("unsupported_format", name, f"{fmt} signature", format=fmt)
    if _SVG.match(head.lstrip(b"\xef\xbb\xbf")):
        raise ImageError("unsupported_format", name, "SVG markup", format="SVG")


def looks_like_image(data: bytes) -> bool:
    """Return True if ``data`` starts with a common image signature."""
    return data.startswith(_IMAGE_MAGIC) or data[4:12] in (b"ftypheic", b"ftypavif", b"ftypmif1")


class _SharedExclusive:
    """A lock many holders share, or one holds alone; a waiting exclusive holder goes first."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._shared = 0
        self._exclusive = False
        self._waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the lock alongside other shared holders."""
        with self._changed:
            self._changed.wait_for(lambda: not self._exclusive and not self._waiting)
            self._shared += 1
        try:
            yield
        finally:
            with self._changed:
                self._shared -= 1
                self._changed.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the lock alone, once every shared holder has let go."""
        with self._changed:
            self._waiting += 1
            self._changed.wait_for(lambda: not self._exclusive and not self._shared)
            self._waiting -= 1
            self._exclusive = True
        try:
            yield
        finally:
            with self._changed:
                self._exclusive = False
                self._changed.notify_all()


_TRUNCATED_SWITCH = _SharedExclusive()


def decode(data: bytes, name: str, target: Sizer) -> Decoded:
    """Decode ``data`` upright and flattened, at the smallest size ``target`` allows.

    The file's parts are counted and its pixels and memory checked before anything is decoded.
    A file cut short is retried once with Pillow's truncated-image loading and flagged.
    Raises ``ImageError`` (too_complex, too_many_pixels, too_much_memory) for refusals and lets
    Pillow's exceptions through for the caller.
    """
    layout = scan(data, name)
    if layout.width and layout.height:
        refuse_too_many_pixels(name, layout.format, layout.width, layout.height)
    try:
        with _TRUNCATED_SWITCH.shared():
            return _decode(data, name, target, layout, truncated=False)
    except OSError as exc:
        if "truncated" not in str(exc).lower():
            raise
    with _TRUNCATED_SWITCH.exclusive():
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            return _decode(data, name, target, layout, truncated=True)
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = False


def _decode(data: bytes, name: str, target: Sizer, layout: Layout, *, truncated: bool) -> Decoded:
    im = Image.open(io.BytesIO(data))
    fmt = im.format or "unknown"
    width, height = im.size
    refuse_too_many_pixels(name, fmt, width, height)
    frames = layout.frames or _frame_count(im, fmt)
    if frames > MAX_FRAMES:
        raise too_complex(name, "frames", MAX_FRAMES, fmt)
    if frames > 1:
        im.seek(0)
    dct = fmt in ("JPEG", "MPO")
    if dct:
        orientation = _orientation(im)
    else:
        # Checked before loading, and EXIF read after: getexif() would load a PNG and hide errors.
        _refuse_over_budget(im, name, fmt, len(data), target, layout)
        im.load()
        orientation = _orientation(im)
    swap = orientation in (5, 6, 7, 8)
    upright = (height, width) if swap else (width, height)
    tw, th = target(*upright)
    if dct:
        _draft(im, upright, (tw, th), target, swap=swap)
        _refuse_over_budget(im, name, fmt, len(data), target, layout, stored=(width, height))
    metadata = bool(_METADATA_KEYS & im.info.keys()) or _has_exif(im)
    im.load()
    pixels = normalize(im)
    few_colours = pixels.getcolors(FEW_COLOURS) is not None
    # Resized in stored orientation, then turned: the turn costs a copy of the small image only.
    stored_target = (th, tw) if swap else (tw, th)
    if pixels.size != stored_target and not _as_good(
        pixels.size[::-1] if swap else pixels.size, (tw, th), target
    ):
        pixels = pixels.resize(stored_target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if orientation in _UPRIGHT:
        # Not ImageOps.exif_transpose: it rewrites the EXIF, which fails on wrong-typed tags and
        # is dropped here anyway.
        pixels = pixels.transpose(_UPRIGHT[orientation])
    pixels = to_srgb(flatten(pixels), im.info.get("icc_profile"))
    facts = SourceFacts(
        format=fmt,
        width=width,
        height=height,
        bytes=len(data),
        frames=frames,
        orientation_applied=orientation in _UPRIGHT,
        metadata_stripped=metadata,
        truncated=truncated,
    )
    return Decoded(pixels, facts, few_colours)


def _refuse_over_budget(
    im: Image.Image,
    name: str,
    fmt: str,
    input_bytes: int,
    target: Sizer,
    layout: Layout,
    *,
    stored: tuple[int, int] | None = None,
) -> None:
    """Raise ``ImageError`` (too_much_memory) if decoding ``im`` as it is set up would not fit."""
    stored = stored or im.size
    jpeg = layout.jpeg
    decoded = stored if jpeg is not None and jpeg.lossless else im.size
    transparency = "transparency" in im.info
    palette_alpha = im.mode == "P" and im.palette is not None and im.palette.mode == "RGBA"
    alpha = transparency or palette_alpha or im.mode in ("RGBA", "LA", "La", "PA", "RGBa")
    # The orientation is not always known yet (a PNG's EXIF is read after loading): either way.
    need = max(
        decode_memory(
            fmt, im.mode, decoded, sent, transparency=transparency, alpha=alpha, jpeg=jpeg
        )
        for sent in (target(*stored), target(*stored[::-1])[::-1])
    )
    refuse_too_much_memory(name, fmt, im.mode, stored, need=need, input_bytes=input_bytes)


def _frame_count(im: Image.Image, fmt: str) -> int:
    if fmt not in _CHEAP_FRAME_COUNT:
        return 1
    return int(getattr(im, "n_frames", 1) or 1)


def _as_good(size: tuple[int, int], want: tuple[int, int], target: Sizer) -> bool:
    """Return True if a slightly smaller ``size`` (a DCT-scaled decode) can be sent as it is."""
    close = size[0] >= 0.9 * want[0] and size[1] >= 0.9 * want[1]
    smaller = size[0] <= want[0] and size[1] <= want[1]
    return close and smaller and target.same_cost(size, want)


def _draft(
    im: ImageFile.ImageFile,
    upright: tuple[int, int],
    want: tuple[int, int],
    target: Sizer,
    *,
    swap: bool,
) -> None:
    """Ask the JPEG decoder for the smallest DCT scale that is as good as ``want``."""
    for scale in (8, 4, 2):
        size = (math.ceil(upright[0] / scale), math.ceil(upright[1] / scale))
        if (size[0] >= want[0] and size[1] >= want[1]) or _as_good(size, want, target):
            # At least one pixel: Pillow divides by the request (a 4000×7 strip at 1/8 is 500×0).
            request = (max(1, upright[0] // scale), max(1, upright[1] // scale))
            im.draft(
                im.mode if im.mode in ("RGB", "L") else None, request[::-1] if swap else request
            )
            return


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(_ORIENTATION, 1)
    except Exception:  # malformed EXIF must not stop an otherwise good picture
        return 1
    return value if isinstance(value, int) else 1


def _has_exif(im: Image.Image) -> bool:
    try:
        return len(im.getexif()) > 0
    except Exception:  # malformed EXIF is still metadata we drop
        return True


_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def normalize(im: Image.Image) -> Image.Image:
    """Return ``im`` as 8-bit L, LA, RGB or RGBA, ready to be resized smoothly.

    16-bit greyscale is scaled (65535 → 255) instead of clipped, so it does not turn white;
    palette and 1-bit images are expanded because Pillow resizes them with NEAREST; a tRNS
    transparent colour becomes an alpha channel (Pillow resizes RGBA/LA premultiplied).
    """
    if im.mode in _SIXTEEN_BIT or im.mode == "F":
        alpha = im.convert("RGBA").getchannel("A") if "transparency" in im.info else None
        grey = _to_8bit(im)
        if alpha is not None:
            grey.putalpha(alpha)
        return grey
    if im.mode in ("RGB", "L", "RGBA", "LA"):
        if "transparency" not in im.info:
            return im
        return im.convert("LA" if im.mode == "L" else "RGBA")
    has_alpha = im.mode in ("PA", "La", "RGBa") or "transparency" in im.info
    if im.mode == "P" and im.palette is not None and im.palette.mode == "RGBA":
        has_alpha = True
    if im.mode == "1":
        return im.convert("LA" if has_alpha else "L")
    return im.convert("RGBA" if has_alpha else "RGB")


def flatten(im: Image.Image) -> Image.Image:
    """Return ``im`` as RGB or L with any transparency composited onto white (never black)."""
    if im.mode not in ("RGBA", "LA"):
        return im
    alpha = im.getchannel("A")
    base = "L" if im.mode == "LA" else "RGB"
    if alpha.getextrema()[0] == 255:
        return im.convert(base)
    white = Image.new(base, im.size, 255 if base == "L" else (255, 255, 255))
    white.paste(im.convert(base), mask=alpha)
    return white


def to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Return RGB ``im`` converted from its embedded ICC profile to sRGB.

    The profile itself is not sent (metadata is stripped), so without this a Display P3 or
    Adobe RGB photo would look washed out. A profile that cannot be used leaves ``im`` as it is.
    """
    if not icc or im.mode != "RGB":
        return im
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.profile.xcolor_space.strip() != "RGB":
            return im
        return ImageCms.profileToProfile(im, source, _SRGB, outputMode="RGB") or im
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im


def _to_8bit(im: Image.Image) -> Image.Image:
    # One band ("F", then "I"): the extrema are two numbers, not per-band pairs.
    if im.mode == "F":
        low, high = cast(tuple[float, float], im.getextrema())
        span = (high - low) or 1.0
        return im.point(lambda v: (v - low) * 255.0 / span).convert("L")
    im = im.convert("I") if im.mode != "I" else im
    high = cast(tuple[float, float], im.getextrema())[1]
    # 16-bit sources span 0..65535; wider "I" data (32-bit TIFF) is scaled by its own maximum.
    scale = 255.0 / (65535 if high <= 65535 else high)
    return im.point(lambda v: v * scale).convert("L")
