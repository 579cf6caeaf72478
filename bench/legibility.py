"""How legible is the text the provider sees: sent as it is, against slices or a zoom.

Run ``python bench/legibility.py`` (``--model`` to change the token rule, default gpt-4o).
Inputs are generated with known Chinese and English text (``components.devtools.image_factory``):
long chat screenshots at 1170 px wide (a phone at 3×) with 42-px text, a 9360×1170 panorama of the
same text (sliced left to right) and a 12 MP photo with a label in 22-px print. For each, ``as is``
(detail ``auto``) is the baseline, measured in the same run as the ``slices`` or ``zoom`` row.
Columns:

- ``text px``: the text height the provider sees, from the drawn size times the scale it is sent
  at (exact), and ``est.`` the row-structure estimate Kantu flags pictures with;
- ``images``: image parts sent; ``tokens``: the estimate, summed over the parts;
- ``px ×``, ``tokens ×``: text px and tokens against ``as is``;
- ``OCR acc.``: character accuracy of the local text reader run on exactly what the provider
  would get (slices read part by part; a zoom's crop), ``n/a`` where the reader's packages are
  missing.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.devtools import image_factory as make
from components.devtools.text_pictures import character_accuracy
from components.images.prepare import prepare_image, prepare_region
from components.images.prepared import PreparedImage

Reader = Callable[[PreparedImage | bytes], str]


def _reader() -> Reader | None:
    """Return the offline reader (a picture → its text), or None where its packages are missing."""
    from components.ocr import engine

    if not engine.reader_status().available:
        return None
    shared = engine.shared_reader()
    return lambda picture: shared.read(picture).text


def _sent(image: PreparedImage) -> list[tuple[bytes, int, int]]:
    if image.parts:
        return [(p.data, p.width, p.height) for p in image.parts]
    return [(image.data, image.width, image.height)]


def _text_px(image: PreparedImage, drawn: int, original: tuple[int, int]) -> float:
    """Return the drawn text height scaled as the provider gets it (for a zoom: in the crop)."""
    if image.parts:
        part = image.parts[-1]  # a slice, or a zoom's crop
        return drawn * part.width / (part.box[2] - part.box[0])
    return drawn * image.width / original[0]


def _ocr(reader: Reader | None, image: PreparedImage, expected: str) -> str:
    if reader is None:
        return "n/a"
    # a zoom: the crop it was made for; slices: read part by part, each line once
    picture = image.parts[-1].data if image.region is not None else image
    return f"{character_accuracy(expected, reader(picture)):.0%}"


def cases() -> list[tuple[str, bytes, int, tuple[int, int], str, str]]:
    """Return (name, bytes, drawn text px, original size, better mode, expected text)."""
    out = []
    for width, height in ((1170, 9000), (1170, 20000)):
        image, lines = make.long_screenshot_image(width, height, text_px=42)
        buf = io.BytesIO()
        image.save(buf, "PNG")
        text = "".join(line for _, line in lines)
        out.append((f"chat {width}×{height}", buf.getvalue(), 42, (width, height), "slices", text))
    # A panorama with upright text: eight 1170-px columns of the chat side by side.
    strip, _ = make.long_screenshot_image(1170, 8 * 1170, text_px=42)
    wide = Image.new("RGB", (8 * 1170, 1170))
    for i in range(8):
        wide.paste(strip.crop((0, i * 1170, 1170, (i + 1) * 1170)), (i * 1170, 0))
    buf = io.BytesIO()
    wide.save(buf, "PNG")
    out.append(
        (f"panorama {wide.width}×{wide.height}", buf.getvalue(), 42, wide.size, "slices", "")
    )
    photo, label = make.small_print_photo(4000, 3000, text_px=22)
    out.append(("label photo 12 MP", photo, 22, (4000, 3000), "zoom", "".join(label)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="gpt-4o")
    args = parser.parse_args()
    reader = _reader()
    header = (
        "picture",
        "sent as",
        "images",
        "text px",
        "est.",
        "tokens",
        "px ×",
        "tokens ×",
        "OCR",
    )
    rows = [header]
    for name, data, drawn, original, mode, expected in cases():
        base = prepare_image(data, name=name, detail="auto", model=args.model)
        if mode == "slices":
            better = prepare_image(
                data, name=name, detail="slices", model=args.model, max_slices=40
            )
        else:
            better = prepare_region(data, name=name, zone=(1, 1), model=args.model)
        base_px = _text_px(base, drawn, original)
        for label, image in (("as is (auto)", base), (mode, better)):
            px = _text_px(image, drawn, original)
            est = image.legibility.text_height if image.legibility else None
            rows.append(
                (
                    name if image is base else "",
                    label,
                    str(len(_sent(image))),
                    f"{px:.1f}",
                    f"{est:.0f}" if est else "-",
                    f"{image.tokens:,}",
                    f"{px / base_px:.2f}",
                    f"{image.tokens / base.tokens:.2f}",
                    _ocr(reader, image, expected) if expected else "n/a",
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(f"\nmodel {args.model}; reader: {'installed' if reader else 'not installed (n/a)'}")


if __name__ == "__main__":
    main()
