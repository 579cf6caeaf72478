"""Decoding untrusted picture bytes: sniff, check limits from the header, decode as little as needed.

Everything here may raise Pillow's own exceptions (``OSError``, ``ValueError``,
``DecompressionBombError``…); ``components.images.prepare.prepare_image`` translates them to
``ImageError`` at one boundary. ``ImageError`` itself is raised for what is refused on purpose.

Pixel limits are per format. JPEG/MPO decode through DCT scaling (``Image.draft``): a 1/8 decode of
a 200 MP camera JPEG holds ~3 MP, so real camera files up to 200 MP are accepted. Every other format
is decoded in full, and 50 MP is the cap: that covers 48 MP phone HEICs and big screenshots while
keeping the worst full decode near 200 MB (RGBA), and a decompression bomb is refused from its
header before any pixel is allocated.
"""

from __future__ import annotations

import io
import math
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Protocol

import pillow_heif
from PIL import Image, ImageCms, ImageFile, ImageOps

from components.errors import ImageError
from components.images.prepared import SourceFacts

pillow_heif.register_heif_opener()

DCT_PIXEL_LIMIT = 200_000_000
FULL_DECODE_PIXEL_LIMIT = 50_000_000
PIXEL_LIMITS: dict[str, int] = {"JPEG": DCT_PIXEL_LIMIT, "MPO": DCT_PIXEL_LIMIT}

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
FEW_COLOURS = 256
_truncated_lock = threading.Lock()
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


def header_size(data: bytes) -> tuple[str, int, int] | None:
    """Return (format, width, height) read straight from a PNG, GIF or JPEG header, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return "PNG", int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"GIF8") and len(data) >= 10:
        return "GIF", int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8"):
        return _jpeg_frame_size(data)
    return None


def _jpeg_frame_size(data: bytes) -> tuple[str, int, int] | None:
    at = 2
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker, length = data[at + 1], int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            return "JPEG", int.from_bytes(data[at + 7 : at + 9], "big"), height
        at += 2 + length
    return None


def looks_like_image(data: bytes) -> bool:
    """Return True if ``data`` starts with a common image signature."""
    return data.startswith(_IMAGE_MAGIC) or data[4:12] in (b"ftypheic", b"ftypavif", b"ftypmif1")


def refuse_too_many_pixels(name: str, fmt: str, width: int, height: int) -> None:
    """Raise ``ImageError`` (too_many_pixels) if ``width``×``height`` is over ``fmt``'s limit."""
    limit = PIXEL_LIMITS.get(fmt, FULL_DECODE_PIXEL_LIMIT)
    if width * height > limit:
        raise ImageError(
            "too_many_pixels",
            name,
            f"{width}x{height} {fmt}",
            format=fmt,
            width=width,
            height=height,
            megapixels=f"{width * height / 1e6:.0f}",
            limit_mp=f"{limit / 1e6:.0f}",
        )


def decode(data: bytes, name: str, target: Sizer) -> Decoded:
    """Decode ``data`` upright and flattened, at the smallest size ``target`` allows.

    A file cut short is retried once with Pillow's truncated-image loading and flagged.
    Raises ``ImageError`` for refusals and lets Pillow's exceptions through for the caller.
    """
    try:
        return _decode(data, name, target, truncated=False)
    except OSError as exc:
        if "truncated" not in str(exc).lower():
            raise
    # The flag is global in Pillow; hold a lock so only this decode relies on it being set.
    with _truncated_lock:
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            return _decode(data, name, target, truncated=True)
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = False


def _decode(data: bytes, name: str, target: Sizer, *, truncated: bool) -> Decoded:
    im = Image.open(io.BytesIO(data))
    fmt = im.format or "unknown"
    width, height = im.size
    refuse_too_many_pixels(name, fmt, width, height)
    frames = int(getattr(im, "n_frames", 1) or 1)
    if frames > 1:
        im.seek(0)
    dct = fmt in ("JPEG", "MPO")
    if not dct:
        # Load before reading EXIF: for PNG, getexif() loads the image and would hide its errors.
        im.load()
    orientation = _orientation(im)
    upright = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    tw, th = target(*upright)
    if dct:
        _draft(im, upright, (tw, th), target, swap=upright != (width, height))
    metadata = bool(_METADATA_KEYS & im.info.keys()) or _has_exif(im)
    im.load()
    # Orientation is applied on the (DCT-reduced) decode, which is already small.
    pixels = ImageOps.exif_transpose(im) if orientation in range(2, 9) else im
    pixels = normalize(pixels)
    few_colours = pixels.getcolors(FEW_COLOURS) is not None
    if pixels.size != (tw, th) and not _as_good(pixels.size, (tw, th), target):
        pixels = pixels.resize((tw, th), Image.Resampling.LANCZOS, reducing_gap=3.0)
    pixels = to_srgb(flatten(pixels), im.info.get("icc_profile"))
    facts = SourceFacts(
        format=fmt,
        width=width,
        height=height,
        bytes=len(data),
        frames=frames,
        orientation_applied=orientation in range(2, 9),
        metadata_stripped=metadata,
        truncated=truncated,
    )
    return Decoded(pixels, facts, few_colours)


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
            request = (upright[0] // scale, upright[1] // scale)
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
    if im.mode == "F":
        low, high = im.getextrema()
        span = (high - low) or 1.0
        return im.point(lambda v: (v - low) * 255.0 / span).convert("L")
    im = im.convert("I") if im.mode != "I" else im
    high = im.getextrema()[1]
    # 16-bit sources span 0..65535; wider "I" data (32-bit TIFF) is scaled by its own maximum.
    scale = 255.0 / (65535 if high <= 65535 else high)
    return im.point(lambda v: v * scale).convert("L")
