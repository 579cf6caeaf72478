"""Pictures with known text, for the local reader's tests and bench (Chinese and English).

The font is a subset of Noto Sans CJK SC (SIL OFL 1.1, licence beside it in ``fonts/``) holding
ASCII and the Chinese characters of the texts below only: a picture with other Chinese
characters would show empty boxes. Rebuild the subset with ``python -m
components.devtools.text_pictures`` after changing the texts.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from components.devtools.image_factory import BUNDLED_FONT, CHAT_LINES, encode

FONT_PATH = BUNDLED_FONT
SOURCE_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # Debian's

RECEIPT = (
    "冰橙便利店 Kantu Store",
    "日期 2026-11-29 10:42",
    "苹果 Apple 3.50",
    "牛奶 Milk 12.80",
    "合计 Total 16.30",
)
SCREENSHOT = (
    "设置 Settings",
    "网络连接失败",
    "Network error",
    "请稍后重试",
    "Please try again later",
)
# The accuracy set: short lines a person photographs or screenshots.
ACCURACY_SET = (
    RECEIPT,
    SCREENSHOT,
    ("出口 EXIT", "禁止吸烟 No smoking", "营业时间 9:00-21:00"),
    ("订单号 A1024", "收件人 张三", "电话 138 0000 0000"),
)


def all_texts() -> tuple[str, ...]:
    """Return every line any generated picture shows."""
    return (*(line for lines in ACCURACY_SET for line in lines), *CHAT_LINES)


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    """Return the bundled CJK font at ``size`` px."""
    return ImageFont.truetype(str(FONT_PATH), size)


def text_picture(
    lines: tuple[str, ...],
    *,
    width: int = 900,
    size: int = 40,
    line_gap: float = 1.8,
    height: int | None = None,
    top: int = 40,
    photo: bool = False,
    fmt: str = "PNG",
) -> bytes:
    """Return a picture of ``lines``, black on white, one per row from ``top``.

    ``photo`` makes it look photographed (grey paper, a slight tilt and blur) and saves it as JPEG.
    """
    step = round(size * line_gap)
    tall = height or top * 2 + step * len(lines)
    paper = (236, 232, 222) if photo else (255, 255, 255)
    image = Image.new("RGB", (width, tall), paper)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((40, top + index * step), line, fill=(20, 20, 20), font=font(size))
    if photo:
        image = image.rotate(1.5, resample=Image.Resampling.BICUBIC, fillcolor=paper, expand=True)
        image = image.filter(ImageFilter.GaussianBlur(0.8))
        return encode(image, "JPEG", quality=82)
    return encode(image, fmt)


def long_screenshot(lines: tuple[str, ...], *, width: int = 1170, height: int = 12000) -> bytes:
    """Return a phone-wide long screenshot with ``lines`` spread evenly from top to bottom."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    step = (height - 200) // len(lines)
    for index, line in enumerate(lines):
        draw.text((60, 100 + index * step), line, fill=(10, 10, 10), font=font(48))
    return encode(image, "PNG")


def character_accuracy(expected: str, found: str) -> float:
    """Return 1 - (edit distance / len(expected)), ignoring spaces; 0 when nothing matches."""
    want = "".join(expected.split())
    got = "".join(found.split())
    if not want:
        return 1.0 if not got else 0.0
    previous = list(range(len(got) + 1))
    for i, a in enumerate(want, 1):
        current = [i]
        for j, b in enumerate(got, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return max(0.0, 1 - previous[-1] / len(want))


def _build_subset() -> None:
    from fontTools import subset

    chars = set(string.printable) | set("".join(all_texts()))
    options = subset.Options()
    options.font_number = 2  # Noto Sans CJK SC in the .ttc
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font_file = subset.load_font(str(SOURCE_FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font_file)
    subset.save_font(font_file, str(FONT_PATH), options)


if __name__ == "__main__":
    _build_subset()
    print(FONT_PATH, FONT_PATH.stat().st_size, "bytes")
