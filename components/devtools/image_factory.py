"""Pictures built in code for the image tests: each helper returns encoded file bytes."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    """Return ``image`` saved as ``fmt``."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def photo(width: int, height: int, *, noise: bool = True) -> Image.Image:
    """Return a photo-like RGB image: colour gradients plus sensor-like noise."""
    ramp = Image.linear_gradient("L")
    red = ramp.resize((width, height))
    green = ramp.rotate(90).resize((width, height))
    blue = Image.radial_gradient("L").resize((width, height))
    if noise:
        grain = Image.effect_noise((width, height), 24)
        red = Image.blend(red, grain, 0.3)
    return Image.merge("RGB", (red, green, blue))


def photo_jpeg(
    width: int,
    height: int,
    *,
    orientation: int | None = None,
    gps: bool = False,
    noise: bool = True,
    quality: int = 85,
) -> bytes:
    """Return a JPEG photo, optionally with an EXIF orientation and a GPS position."""
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "KantuCam"  # Make
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    return encode(photo(width, height, noise=noise), "JPEG", quality=quality, exif=exif.tobytes())


def half_red_jpeg(width: int, height: int, *, orientation: int) -> bytes:
    """Return a JPEG whose stored top half is red and bottom half blue, with ``orientation``."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, width, height // 2 - 1), fill=(255, 0, 0))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return encode(image, "JPEG", quality=95, exif=exif.tobytes())


def transparent_logo_png(size: int = 200) -> bytes:
    """Return an RGBA PNG: a dark disc on a fully transparent (black, alpha 0) background."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse(
        (size // 4, size // 4, 3 * size // 4, 3 * size // 4), fill=(20, 40, 200, 255)
    )
    return encode(image, "PNG")


def cmyk_jpeg(width: int = 256, height: int = 192) -> tuple[bytes, Image.Image]:
    """Return a CMYK JPEG and the RGB image it was made from."""
    rgb = photo(width, height, noise=False)
    return encode(rgb.convert("CMYK"), "JPEG", quality=95), rgb


def sixteen_bit_png(width: int = 256, height: int = 64) -> bytes:
    """Return a 16-bit greyscale PNG ramping 0..65535 left to right (mean value 32767)."""
    row = [round(x * 65535 / (width - 1)) for x in range(width)]
    raw = b"".join(b"\x00" + struct.pack(f">{width}H", *row) for _ in range(height))
    return _png(width, height, bit_depth=16, colour_type=0, raw=raw)


def striped_palette_png(width: int = 2048, height: int = 1536) -> bytes:
    """Return a palette PNG of 1-px black and white columns (a grey when properly shrunk)."""
    image = Image.new("P", (width, height), 0)
    image.putpalette([0, 0, 0, 255, 255, 255])
    ImageDraw.Draw(image).line((0, 0, 0, 0))
    stripes = Image.new("P", (2, 1))
    stripes.putpalette([0, 0, 0, 255, 255, 255])
    stripes.putdata([0, 1])
    for x in range(0, width, 2):
        image.paste(stripes.resize((2, height)), (x, 0))
    return encode(image, "PNG")


def screenshot_png(width: int = 1280, height: int = 800) -> bytes:
    """Return a flat-colour screenshot-like PNG with text-like bars (few colours)."""
    image = Image.new("RGB", (width, height), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 48), fill=(40, 44, 52))
    for row, y in enumerate(range(80, height - 40, 28)):
        for x in range(40, width - 200, 90):
            draw.rectangle((x, y, x + 40 + (x * 7 + row * 13) % 45, y + 12), fill=(30, 30, 30))
    return encode(image, "PNG")


def animated_gif(
    colours: tuple[tuple[int, int, int], ...] = ((255, 0, 0), (0, 255, 0), (0, 0, 255)),
) -> bytes:
    """Return an animated GIF whose frames are solid ``colours`` in order."""
    frames = [Image.new("RGB", (64, 48), colour) for colour in colours]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def heic(width: int = 320, height: int = 240) -> bytes:
    """Return a HEIC photo made with pillow-heif."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    return encode(photo(width, height, noise=False), "HEIF", quality=80)


def png_bomb_header(width: int, height: int) -> bytes:
    """Return a tiny valid-looking PNG whose header claims ``width``×``height`` pixels."""
    return _png(width, height, bit_depth=8, colour_type=0, raw=b"\x00" * 64)


def grey_jpeg(width: int, height: int) -> bytes:
    """Return a flat grey JPEG of any size; flat data encodes quickly even at 200 MP."""
    return encode(Image.new("L", (width, height), 128), "JPEG", quality=50)


def _png(width: int, height: int, *, bit_depth: int, colour_type: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """Return a small JPEG whose frame header (SOF0) is patched to claim ``width``×``height``."""
    data = bytearray(encode(Image.new("RGB", (16, 16), (90, 120, 150)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


# Hostile pictures (issue 7): small versions for tests, full-size ones for bench/hostile_images.py.


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """Return one PNG chunk: length, type, body and CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def progressive_jpeg(width: int, height: int, *, subsampling: int = 2) -> bytes:
    """Return a progressive RGB JPEG of a gradient (small file, full-size coefficient image)."""
    grey = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (grey, grey.transpose(Image.Transpose.ROTATE_180), grey))
    return encode(image, "JPEG", quality=40, progressive=True, subsampling=subsampling)


def progressive_jpeg_claiming(width: int, height: int) -> bytes:
    """Return a small progressive JPEG whose frame header (SOF2) claims ``width``×``height``."""
    data = bytearray(progressive_jpeg(16, 16))
    sof = data.index(b"\xff\xc2")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def grey16_trns_png(size: int, *, cut: bool = False) -> bytes:
    """Return a 16-bit grey PNG of ``size``² black pixels with a tRNS colour.

    ``cut``: keep only the signature, IHDR, tRNS and a 24-byte IDAT (83 bytes, no IEND).
    """
    row = b"\x00" * (1 + 2 * size)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(size)) + packer.flush()
    head = (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 16, 0, 0, 0, 0))
        + png_chunk(b"tRNS", b"\xff\xff")
    )
    if cut:
        return head + png_chunk(b"IDAT", body[:24])
    return head + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def jpeg_with_segments(count: int, *, marker: int = 0xEF, base: bytes | None = None) -> bytes:
    """Return a JPEG whose header starts with ``count`` empty APPn segments (APP15 by default)."""
    base = base or encode(photo(64, 48), "JPEG", quality=85)
    return b"\xff\xd8" + bytes((0xFF, marker, 0, 2)) * count + base[2:]


def jpeg_with_filler(count: int, *, base: bytes | None = None) -> bytes:
    """Return a JPEG with ``count`` bytes of 0xFF fill before its first segment."""
    base = base or encode(photo(64, 48), "JPEG", quality=85)
    return b"\xff\xd8" + b"\xff" * count + base[2:]


def png_with_chunks(count: int, *, base: bytes | None = None) -> bytes:
    """Return a PNG with ``count`` empty ancillary chunks between its IHDR and its image data."""
    base = base or encode(photo(64, 48), "PNG")
    return base[:33] + png_chunk(b"spAm", b"") * count + base[33:]


def tiff_pages(pages: int) -> bytes:
    """Return a little-endian TIFF of ``pages`` one-pixel grey pages, each IFD linking the next."""
    ifd_size = 2 + 9 * 12 + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    for page in range(pages):
        pixel = 8 + page * (ifd_size + 1) + ifd_size
        following = pixel + 1 if page < pages - 1 else 0
        tags = (
            (256, 3, 1),  # ImageWidth
            (257, 3, 1),  # ImageLength
            (258, 3, 8),  # BitsPerSample
            (259, 3, 1),  # Compression: none
            (262, 3, 1),  # Photometric: black is zero
            (273, 4, pixel),  # StripOffsets
            (277, 3, 1),  # SamplesPerPixel
            (278, 3, 1),  # RowsPerStrip
            (279, 4, 1),  # StripByteCounts
        )
        out += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, 1) + packed
        out += struct.pack("<I", following) + bytes([page % 256])
    return bytes(out)


def gif_with_blocks(count: int) -> bytes:
    """Return a one-frame GIF preceded by a comment extension of ``count`` one-byte blocks."""
    base = encode(Image.new("P", (8, 8), 0), "GIF")
    comment = b"\x21\xfe" + b"\x01!" * count + b"\x00"
    first = base.index(b"\x2c")
    return base[:first] + comment + base[first:]


def exif_bytes(entries: list[tuple[int, int, bytes]], *, little: bool = True) -> bytes:
    """Return raw EXIF (``Exif\\0\\0`` + TIFF) with IFD0 ``entries`` of (tag, type, value bytes).

    Values of up to 4 bytes sit in the entry; longer ones after the IFD. The value is padded to a
    whole number of the type's size, so any tag can be given any type (a wrong-typed EXIF) while
    the layout stays valid.
    """
    order = "<" if little else ">"
    sizes = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}
    table, extra = b"", b""
    after = 8 + 2 + 12 * len(entries) + 4
    for tag, kind, value in entries:
        size = sizes.get(kind, 1)
        count = max(1, -(-len(value) // size))
        value = value.ljust(count * size, b"\x00")
        if len(value) <= 4:
            field = value.ljust(4, b"\x00")
        else:
            field = struct.pack(order + "I", after + len(extra))
            extra += value
        table += struct.pack(order + "HHI", tag, kind, count) + field
    header = (b"II*\x00" if little else b"MM\x00*") + struct.pack(order + "I", 8)
    ifd = struct.pack(order + "H", len(entries)) + table + struct.pack(order + "I", 0)
    return b"Exif\x00\x00" + header + ifd + extra


def oriented_jpeg_with_wrong_make(width: int = 400, height: int = 300) -> bytes:
    """Return a half-red JPEG with Orientation 6 and Make stored as a RATIONAL (a wrong type)."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, width, height // 2 - 1), fill=(255, 0, 0))
    exif = exif_bytes(
        [
            (0x010F, 5, struct.pack("<II", 1, 3)),  # Make as RATIONAL
            (ORIENTATION, 3, struct.pack("<H", 6)),
        ]
    )
    return encode(image, "JPEG", quality=95, exif=exif)


# Text for the long screenshots and small print: Chinese and English, as in real chat logs.
CHAT_LINES = (
    "明天下午三点在二号会议室开会",
    "Order 20261129-0042 has shipped",
    "请把发票抬头改成公司全称",
    "The refund of 128.50 yuan is done",
    "收到，谢谢！晚上七点见",
    "Meet at gate B12 at 7:40 pm",
)
# A subset of Noto Sans CJK SC (SIL OFL 1.1, licence beside it) holding every character the
# generated pictures use, so they look the same on any machine (text_pictures.py rebuilds it).
BUNDLED_FONT = Path(__file__).parent / "fonts" / "NotoSansSC-kantu-subset.otf"


def text_font(size: int) -> ImageFont.FreeTypeFont:
    """Return the bundled CJK font at ``size`` px (it covers the generated pictures' text)."""
    return ImageFont.truetype(str(BUNDLED_FONT), size)


def long_screenshot_image(
    width: int = 1170, height: int = 12000, *, text_px: int = 42
) -> tuple[Image.Image, list[tuple[int, str]]]:
    """Return a chat-log screenshot with real text, and each line's (top row, text)."""
    image = Image.new("RGB", (width, height), (237, 237, 237))
    draw = ImageDraw.Draw(image)
    font = text_font(text_px)
    lines: list[tuple[int, str]] = []
    pitch = text_px * 3
    for i, y in enumerate(range(text_px, height - pitch, pitch)):
        text = CHAT_LINES[i % len(CHAT_LINES)]
        right = i % 2 == 1
        length = draw.textlength(text, font=font)
        x = width - length - 80 if right else 80
        fill = (149, 236, 105) if right else (255, 255, 255)
        draw.rounded_rectangle(
            (x - 24, y - text_px // 3, x + length + 24, y + text_px * 4 // 3), 12, fill=fill
        )
        draw.text((x, y), text, fill=(20, 20, 20), font=font)
        lines.append((y, text))
    return image, lines


def long_screenshot(width: int = 1170, height: int = 12000, *, text_px: int = 42) -> bytes:
    """Return ``long_screenshot_image`` as PNG bytes."""
    return encode(long_screenshot_image(width, height, text_px=text_px)[0], "PNG")


def small_print_photo(
    width: int = 4000, height: int = 3000, *, text_px: int = 22
) -> tuple[bytes, list[str]]:
    """Return a noisy photo (JPEG) with a label of small print in its middle, and the label's
    lines."""
    image = photo(width, height)
    draw = ImageDraw.Draw(image)
    font = text_font(text_px)
    lines = list(CHAT_LINES[:4])
    box_w = max(int(draw.textlength(line, font=font)) for line in lines) + 2 * text_px
    box_h = len(lines) * text_px * 2 + text_px
    left, top = (width - box_w) // 2, (height - box_h) // 2
    draw.rectangle((left, top, left + box_w, top + box_h), fill=(250, 250, 245))
    for i, line in enumerate(lines):
        draw.text(
            (left + text_px, top + text_px + i * text_px * 2), line, fill=(0, 0, 0), font=font
        )
    return encode(image, "JPEG", quality=90), lines
