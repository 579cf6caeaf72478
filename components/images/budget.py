"""What one decode may cost, decided from the file's header before any pixel is allocated.

Three bounds, each refused with a translated ``ImageError`` naming the file:

- **Pixels** (``too_many_pixels``). JPEG/MPO decode through DCT scaling (``Image.draft``): a 1/8
  decode of a 200 MP camera JPEG holds ~3 MP, so camera files up to 200 MP are accepted. Every
  other format is decoded in full, and 50 MP is its cap.
- **Structure** (``too_complex``). Pillow walks JPEG marker segments, PNG chunks, GIF blocks and
  TIFF page chains in Python, one step per part, and ``n_frames`` on a TIFF is quadratic in its
  pages. ``scan`` counts the parts on the bytes (C-speed searches, loops that stop at the cap)
  before Pillow sees them: at most 4,096 JPEG segments and 256 KB of filler before the first scan
  (a camera JPEG has ~20; a 255-part ICC profile fits), 65,536 PNG chunks (a 50 MB PNG in libpng's
  8 KB IDAT chunks has 6,400), 500,000 GIF blocks (a 50 MB GIF in full 255-byte blocks has
  ~200,000), 10,000 frames or pages, and 8 MB of values in a TIFF's first directory.
- **Memory** (``too_much_memory``). ``decode_memory`` derives the working memory of the whole
  preparation from the header: the decoded mode's bytes per pixel (Pillow stores RGB in 4 bytes),
  the full-size conversions it needs (palette, 16-bit, transparency), the decoder's own buffers,
  and for JPEG the DCT scale, except that a progressive or multi-scan JPEG keeps its whole
  coefficient image (2 bytes per sample of every component, whatever the scale). The input's
  bytes plus that estimate must fit in ``MEMORY_BUDGET`` (256 MiB). Measured with
  ``bench/hostile_images.py``: a fresh process preparing any input up to the 50 MB file limit
  peaks under 300 MB RSS, interpreter included (about 30 MB of it).

Process-wide, ``PREPARATION_SLOTS`` lets ``CONCURRENT_PREPARATIONS`` (2, the cores of the target
machine) preparations decode at once; others wait their turn. The process's image work therefore
stays within 2 × 256 MiB = 512 MiB above what it holds otherwise (uploaded bytes included), however
many visitors send pictures at the same moment.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Literal

from components.errors import ImageError

DCT_PIXEL_LIMIT = 200_000_000
FULL_DECODE_PIXEL_LIMIT = 50_000_000
PIXEL_LIMITS: dict[str, int] = {"JPEG": DCT_PIXEL_LIMIT, "MPO": DCT_PIXEL_LIMIT}

MEMORY_BUDGET = 256 * 2**20
CONCURRENT_PREPARATIONS = 2
PREPARATION_SLOTS = threading.BoundedSemaphore(CONCURRENT_PREPARATIONS)

MAX_JPEG_SEGMENTS = 4096
MAX_JPEG_FILLER = 256 * 1024
MAX_PNG_CHUNKS = 65_536
MAX_GIF_BLOCKS = 500_000
MAX_FRAMES = 10_000
MAX_TIFF_TAG_BYTES = 8 * 2**20

# Bytes per pixel of Pillow's storage for a mode (2- and 3-band modes use 4 bytes per pixel).
_STORAGE = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")
# Extra bytes per pixel some decoders hold beside Pillow's image (measured with
# bench/hostile_images.py's edge cases): libwebp and libheif decode into their own buffers, which
# are copied into Pillow's image afterwards.
_DECODER_EXTRA = {"WEBP": 12, "HEIF": 4, "AVIF": 5}
_SOF_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})
_SOF_LOSSLESS = frozenset({0xC3, 0xC7, 0xCB, 0xCF})
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


@dataclass(frozen=True)
class JpegFrame:
    """A JPEG's frame header and first scan: what decides its decoder's memory."""

    width: int
    height: int
    sampling: tuple[tuple[int, int], ...]  # (horizontal, vertical) factor per component
    progressive: bool
    multi_scan: bool  # progressive, or a first scan that holds only some components
    lossless: bool  # no DCT, so no scaled decode

    def coefficient_bytes(self) -> int:
        """Return the size of libjpeg's whole-image coefficient buffer (0 for one-scan files)."""
        if not self.multi_scan:
            return 0
        hmax = max(h for h, _ in self.sampling)
        vmax = max(v for _, v in self.sampling)
        mcu_cols = math.ceil(self.width / (8 * hmax))
        mcu_rows = math.ceil(self.height / (8 * vmax))
        blocks = sum(mcu_cols * h * mcu_rows * v for h, v in self.sampling)
        return blocks * 64 * 2


@dataclass(frozen=True)
class Layout:
    """What ``scan`` learned from the bytes: the frame count where it is cheap, the JPEG frame."""

    format: str = ""  # "JPEG", "PNG", "GIF", "TIFF" or "" when not scanned
    width: int = 0
    height: int = 0
    frames: int | None = None  # None: not counted here (ask Pillow, where that is cheap)
    jpeg: JpegFrame | None = None


def too_many_pixels(
    name: str, fmt: str, width: int, height: int, *, pixels: int | None = None, detail: str = ""
) -> ImageError:
    """Return the refusal for a picture over ``fmt``'s pixel limit.

    ``pixels`` is what a decoder counted when it differs from ``width``×``height`` (frame extents
    beyond the canvas): then the message says what the file claims rather than a size.
    """
    limit = PIXEL_LIMITS.get(fmt, FULL_DECODE_PIXEL_LIMIT)
    count = width * height if pixels is None else pixels
    claimed = pixels is not None and pixels != width * height
    return ImageError(
        "too_many_pixels",
        name,
        detail or f"{width}x{height} {fmt}",
        message_key="image.too_many_pixels_claimed" if claimed else None,
        format=fmt or "?",
        width=width,
        height=height,
        megapixels=f"{count / 1e6:.0f}",
        limit_mp=f"{limit / 1e6:.0f}",
    )


def refuse_too_many_pixels(name: str, fmt: str, width: int, height: int) -> None:
    """Raise ``ImageError`` (too_many_pixels) if ``width``×``height`` is over ``fmt``'s limit."""
    if width * height > PIXEL_LIMITS.get(fmt, FULL_DECODE_PIXEL_LIMIT):
        raise too_many_pixels(name, fmt, width, height)


def scan(data: bytes, name: str) -> Layout:
    """Count the parts Pillow would walk one by one, and read the JPEG frame header.

    Raises ``ImageError`` (too_complex) past a cap, before the parts are walked any further.
    """
    if data.startswith(b"\xff\xd8"):
        return _scan_jpeg(data, name)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _scan_png(data, name)
    if data.startswith((b"GIF87a", b"GIF89a")):
        return _scan_gif(data, name)
    if data.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return _scan_tiff(data, name)
    return Layout()


def too_complex(name: str, part: str, limit: int, fmt: str) -> ImageError:
    """Return the refusal for a file with more than ``limit`` of ``part`` (an i18n key suffix)."""
    return ImageError(
        "too_complex",
        name,
        f"{fmt}: more than {limit} {part}",
        message_key=f"image.too_complex.{part}",
        format=fmt,
        limit=f"{limit:,}",
    )


def _scan_jpeg(data: bytes, name: str) -> Layout:
    at, segments, filler, frame_at = 2, 0, 0, None
    end = len(data)
    while at + 1 < end:
        if data[at] != 0xFF or data[at + 1] in (0x00, 0xFF):
            # Filler between segments, which Pillow steps over one byte at a time.
            marker = data.find(b"\xff", at + 1)
            while 0 <= marker < end - 1 and data[marker + 1] in (0x00, 0xFF):
                if filler + marker - at > MAX_JPEG_FILLER:
                    break
                marker = data.find(b"\xff", marker + 1)
            marker = end if marker < 0 else marker
            filler += marker - at
            if filler > MAX_JPEG_FILLER:
                raise too_complex(name, "jpeg_filler", MAX_JPEG_FILLER, "JPEG")
            at = marker
            continue
        marker = data[at + 1]
        segments += 1
        if segments > MAX_JPEG_SEGMENTS:
            raise too_complex(name, "jpeg_segments", MAX_JPEG_SEGMENTS, "JPEG")
        if marker in _STANDALONE:
            at += 2
            continue
        if marker == 0xD9:  # EOI before any scan
            break
        if marker in _SOF and frame_at is None:
            frame_at = at
        if marker == 0xDA:
            return Layout("JPEG", *_jpeg_frame(data, frame_at, at))
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return Layout("JPEG", *_jpeg_frame(data, frame_at, None))


def _jpeg_frame(
    data: bytes, sof: int | None, sos: int | None
) -> tuple[int, int, int | None, JpegFrame | None]:
    """Return (width, height, frames, frame) from the SOF segment at ``sof`` and SOS at ``sos``."""
    if sof is None or sof + 10 > len(data):
        return 0, 0, None, None
    marker = data[sof + 1]
    height = int.from_bytes(data[sof + 5 : sof + 7], "big")
    width = int.from_bytes(data[sof + 7 : sof + 9], "big")
    count = data[sof + 9]
    raw = data[sof + 10 : sof + 10 + 3 * count]
    sampling = tuple(
        (max(1, raw[i + 1] >> 4), max(1, raw[i + 1] & 0x0F)) for i in range(0, len(raw) - 2, 3)
    ) or ((1, 1),)
    in_first_scan = data[sos + 4] if sos is not None and sos + 4 < len(data) else len(sampling)
    progressive = marker in _SOF_PROGRESSIVE
    frame = JpegFrame(
        width=width,
        height=height,
        sampling=sampling,
        progressive=progressive,
        multi_scan=progressive or in_first_scan < len(sampling),
        lossless=marker in _SOF_LOSSLESS,
    )
    return width, height, None, frame


def _scan_png(data: bytes, name: str) -> Layout:
    at, chunks, frames, width, height = 8, 0, 0, 0, 0
    default_is_frame = False  # Pillow counts a still default image as one more frame
    end = len(data)
    while at + 8 <= end:
        chunks += 1
        if chunks > MAX_PNG_CHUNKS:
            raise too_complex(name, "png_chunks", MAX_PNG_CHUNKS, "PNG")
        kind = data[at + 4 : at + 8]
        if kind == b"IHDR":
            width = int.from_bytes(data[at + 8 : at + 12], "big")
            height = int.from_bytes(data[at + 12 : at + 16], "big")
        elif kind == b"fcTL":
            frames += 1
            if frames > MAX_FRAMES:
                raise too_complex(name, "frames", MAX_FRAMES, "PNG")
        elif kind == b"IDAT" and frames == 1:
            default_is_frame = True
        elif kind == b"IEND":
            break
        at += 12 + int.from_bytes(data[at : at + 4], "big")
    return Layout("PNG", width, height, frames + (not default_is_frame))


def _scan_gif(data: bytes, name: str) -> Layout:
    width = int.from_bytes(data[6:8], "little")
    height = int.from_bytes(data[8:10], "little")
    flags = data[10] if len(data) > 10 else 0
    at = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = blocks = 0
    end = len(data)
    while at < end:
        intro = data[at]
        if intro == 0x21:  # extension: label, then sub-blocks
            at += 2
        elif intro == 0x2C:  # image: descriptor, local colour table, LZW code size, sub-blocks
            frames += 1
            if frames > MAX_FRAMES:
                raise too_complex(name, "frames", MAX_FRAMES, "GIF")
            local = data[at + 9] if at + 9 < end else 0
            at += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
        else:  # trailer, or bytes Pillow will not read either
            break
        while at < end:
            blocks += 1
            if blocks > MAX_GIF_BLOCKS:
                raise too_complex(name, "gif_blocks", MAX_GIF_BLOCKS, "GIF")
            size = data[at]
            at += 1 + size
            if size == 0:
                break
    return Layout("GIF", width, height, max(1, frames))


_TIFF_TYPE_BYTES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_TIFF_TYPE_BYTES |= {13: 4, 16: 8, 17: 8, 18: 8}


def _scan_tiff(data: bytes, name: str) -> Layout:
    order: Literal["little", "big"] = "little" if data[:2] == b"II" else "big"
    big = data[2:4] in (b"+\x00", b"\x00+")
    offset_size, count_size, entry_size = (8, 8, 20) if big else (4, 2, 12)

    def number(at: int, size: int) -> int:
        return int.from_bytes(data[at : at + size], order)

    offset = number(8 if big else 4, offset_size)
    pages, seen, first = 0, set(), True
    width = height = 0
    while 0 < offset < len(data) and offset not in seen:
        seen.add(offset)
        pages += 1
        if pages > MAX_FRAMES:
            raise too_complex(name, "tiff_pages", MAX_FRAMES, "TIFF")
        entries = number(offset, count_size)
        table = offset + count_size
        if first:  # Pillow reads every value of the first directory into Python objects
            values = 0
            for i in range(min(entries, (len(data) - table) // entry_size)):
                at = table + i * entry_size
                tag, kind = number(at, 2), number(at + 2, 2)
                count = number(at + 4, offset_size)
                values += count * _TIFF_TYPE_BYTES.get(kind, 1)
                if tag in (256, 257):
                    value = number(at + 4 + offset_size, 2 if kind == 3 else 4)
                    width, height = (value, height) if tag == 256 else (width, value)
            if values > MAX_TIFF_TAG_BYTES:
                raise too_complex(name, "tiff_tags", MAX_TIFF_TAG_BYTES, "TIFF")
            first = False
        offset = number(table + entries * entry_size, offset_size)
    return Layout("TIFF", width, height, max(1, pages))


def decode_memory(
    fmt: str,
    mode: str,
    decoded: tuple[int, int],
    target: tuple[int, int],
    *,
    transparency: bool,
    alpha: bool,
    jpeg: JpegFrame | None = None,
) -> int:
    """Estimate the peak bytes the whole preparation holds while decoding this picture.

    ``decoded`` is the size the decoder will produce: the stored size, or for a JPEG the size
    after DCT scaling (``Image.draft``), which does not shrink a multi-scan file's coefficients.
    ``target`` is the size sent, in stored orientation; ``transparency`` says a tRNS colour is to
    become alpha, and ``alpha`` that the picture is resized with an alpha channel.
    """
    width, height = decoded
    pixels = width * height
    if fmt in ("JPEG", "MPO"):
        stored = 1 if mode == "L" else 4
        copies = 2 if mode == "CMYK" else 1  # CMYK is converted to RGB at the decoded size
        need = pixels * stored * copies + (jpeg.coefficient_bytes() if jpeg else 0)
    else:
        stored = _STORAGE.get(mode, 4)
        if mode in _SIXTEEN_BIT or mode in ("I", "F"):
            # Widened to 32-bit, rescaled into another 32-bit image, then 8-bit; tRNS adds alpha.
            converted = (4 if mode in _SIXTEEN_BIT else 0) + 4 + 1 + (1 if transparency else 0)
        elif mode in ("L", "RGB", "RGBA", "LA"):
            converted = 4 if transparency else 0
        elif mode == "1":
            converted = 1
        else:  # palette, CMYK, YCbCr, premultiplied…: converted to RGB(A) at full size
            converted = 4
        need = pixels * (stored + converted + _DECODER_EXTRA.get(fmt, 0))
    # Resizing: Pillow premultiplies alpha in a full-size copy, reduces by whole factors when the
    # picture is over 3× the target, then resamples through a (target width × height) pass.
    tw, th = target
    factor = min(width // (3 * tw), height // (3 * th)) if tw and th else 1
    if factor >= 2:
        width, height = math.ceil(width / factor), math.ceil(height / factor)
    resize = 4 * (pixels * alpha + (width * height if factor >= 2 else 0) + tw * height + tw * th)
    return need + resize


def refuse_too_much_memory(
    name: str, fmt: str, mode: str, size: tuple[int, int], *, need: int, input_bytes: int
) -> None:
    """Raise ``ImageError`` (too_much_memory) if the input plus ``need`` is over the budget."""
    total = need + input_bytes
    if total <= MEMORY_BUDGET:
        return
    raise ImageError(
        "too_much_memory",
        name,
        f"{size[0]}x{size[1]} {fmt} {mode}: ~{total} bytes to decode",
        format=fmt,
        mode=mode,
        width=size[0],
        height=size[1],
        need_mb=f"{total / 2**20:.0f}",
        limit_mb=f"{MEMORY_BUDGET / 2**20:.0f}",
    )
