"""Prepare the hostile pictures of issue 7 (items 2 and 3), each in a fresh process, and tabulate.

Run ``python bench/hostile_images.py`` (``--only NAME`` to run one input, ``--keep DIR`` to keep
the generated files). Every input is generated in code in a temp dir:

- ``photo-12MP.jpg``: a 12 MP photo-like JPEG, the baseline;
- ``progressive-200MP.jpg``: a 16384×12200 progressive JPEG of ~2 MB (libjpeg holds the whole
  coefficient image of a progressive JPEG, whatever the DCT scale);
- ``grey16-trns-cut.png``: 83 bytes, 16-bit grey, IHDR 7071×7071, tRNS, cut short;
- ``grey16-trns.png``: the same picture complete (~97 KB);
- ``app15-spam.jpg``: a 48 MB JPEG whose header is 12 M empty APP15 segments;
- ``tiff-40k-ifds.tif``: a 4.6 MB TIFF of 40,000 chained one-pixel pages;
- ``png-4M-chunks.png``: a 48 MB PNG with 4 M empty ancillary chunks before its image data;
- ``grey-200MP.jpg``: a 200 MP baseline JPEG, a control that must stay accepted and cheap;
- ``rgba-24MP.png``: a 6000×4000 RGBA PNG, a control accepted near the memory budget.

Each input is prepared by ``prepare_file`` in its own subprocess (detail ``auto``). The table shows
the child's peak RSS (``VmHWM``: interpreter, imports and input bytes included), the wall time
of ``prepare_file`` alone, and the outcome: the prepared size, or the refusal's reason and message.
The RSS of a child that only imports Kantu is printed first, for reference.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.devtools import image_factory as make  # noqa: E402

WORKER = r"""
import json, sys, time
sys.path.insert(0, {root!r})
from components.errors import ImageError
from components.images.prepare import prepare_file
from components.devtools.proc import status_mb

path = {path!r}
outcome = None
started = time.perf_counter()
if path:
    try:
        p = prepare_file(path)
        outcome = f"prepared {{p.width}}x{{p.height}} {{p.mime}}" + (
            " (truncated)" if p.source.truncated else ""
        )
    except ImageError as err:
        outcome = f"refused {{err.reason}}: {{err.message('en')}}"
    except Exception as exc:
        outcome = f"ESCAPED {{type(exc).__name__}}: {{exc}}"
seconds = time.perf_counter() - started
rss_mb = status_mb("VmHWM")  # not ru_maxrss: see components/devtools/proc.py
print(json.dumps({{"rss_mb": rss_mb, "seconds": seconds, "outcome": outcome}}))
"""


def photo_12mp() -> bytes:
    """Return the baseline: a 4000×3000 photo-like JPEG."""
    return make.encode(make.photo(4000, 3000), "JPEG", quality=90)


def progressive_200mp() -> bytes:
    """Return a 16384×12200 progressive JPEG (a gradient: small file, huge coefficient image)."""
    return make.progressive_jpeg(16384, 12200)


def grey16_trns_cut() -> bytes:
    """Return the 83-byte cut 16-bit grey 7071×7071 PNG with tRNS."""
    return make.grey16_trns_png(7071, cut=True)


def grey16_trns() -> bytes:
    """Return the complete ~97 KB 16-bit grey 7071×7071 PNG with tRNS."""
    return make.grey16_trns_png(7071)


def app15_spam() -> bytes:
    """Return a 48 MB JPEG: SOI, 12 M empty APP15 segments, then a small valid picture."""
    return make.jpeg_with_segments(12_000_000)


def tiff_chained_ifds() -> bytes:
    """Return a 4.6 MB TIFF of 40,000 one-pixel pages, each IFD linking the next."""
    return make.tiff_pages(40_000)


def png_chunk_spam() -> bytes:
    """Return a 48 MB PNG with 4 M empty ancillary chunks before its image data."""
    return make.png_with_chunks(4_000_000)


def rgba_24mp() -> bytes:
    """Return a 6000×4000 RGBA PNG: a legitimate picture whose decode comes near the budget."""
    from PIL import Image

    image = make.photo(6000, 4000, noise=False).convert("RGBA")
    image.putalpha(Image.radial_gradient("L").resize((6000, 4000)))
    return make.encode(image, "PNG", compress_level=1)


def grey_200mp() -> bytes:
    """Return a flat 16384×12200 baseline JPEG: accepted through DCT scaling."""
    return make.grey_jpeg(16384, 12200)


INPUTS: dict[str, Callable[[], bytes]] = {
    "photo-12MP.jpg": photo_12mp,
    "progressive-200MP.jpg": progressive_200mp,
    "grey16-trns-cut.png": grey16_trns_cut,
    "grey16-trns.png": grey16_trns,
    "app15-spam.jpg": app15_spam,
    "tiff-40k-ifds.tif": tiff_chained_ifds,
    "png-4M-chunks.png": png_chunk_spam,
    "grey-200MP.jpg": grey_200mp,
    "rgba-24MP.png": rgba_24mp,
}


def generate(name: str, folder: Path) -> Path:
    """Generate ``name`` in a subprocess (big pictures must not inflate this process) and save it."""
    path = folder / name
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.argv = ['x']\n"
        "from bench.hostile_images import INPUTS\n"
        f"open({str(path)!r}, 'wb').write(INPUTS[{name!r}]())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return path


def measure(path: Path | None, timeout: float) -> dict:
    """Prepare ``path`` (or nothing) in a fresh subprocess and return its report."""
    code = WORKER.format(root=str(ROOT), path=str(path) if path else "")
    try:
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"rss_mb": float("nan"), "seconds": timeout, "outcome": f"TIMEOUT after {timeout} s"}
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["?"])[-1]
        return {"rss_mb": float("nan"), "seconds": float("nan"), "outcome": f"CRASHED: {tail}"}
    return json.loads(result.stdout)


def main(argv: list[str] | None = None) -> int:
    """Generate the inputs, prepare each in a fresh process, print the table; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(INPUTS), action="append", help="input to run")
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per input")
    args = parser.parse_args(argv)
    names = args.only or list(INPUTS)
    with tempfile.TemporaryDirectory(prefix="kantu-hostile-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        imports = measure(None, args.timeout)
        print(f"child RSS after imports only: {imports['rss_mb']:.0f} MB\n")
        header = ("input", "bytes", "peak RSS MB", "seconds", "outcome")
        rows = []
        for name in names:
            path = folder / name if (folder / name).exists() else generate(name, folder)
            report = measure(path, args.timeout)
            rows.append(
                (
                    name,
                    f"{path.stat().st_size:,}",
                    f"{report['rss_mb']:.0f}",
                    f"{report['seconds']:.2f}",
                    report["outcome"][:110],
                )
            )
            print("  ".join(rows[-1]), file=sys.stderr, flush=True)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
