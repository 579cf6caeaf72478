"""Benchmark the local text reader (RapidOCR, PP-OCRv6 on onnxruntime, CPU).

Run ``python bench/ocr.py`` (``--repeats N`` for the warm reads, 3 by default). Inputs are
generated with known text (``components.devtools.text_pictures``): a phone photo of a receipt
(3024×4032 JPEG, tilted and blurred), a 1170×2532 screenshot and a 1170×12000 long screenshot.

Each picture runs in a fresh subprocess, which reports:

- ``load``: importing rapidocr and loading the three models (``TextReader.load``);
- ``first``: the first read after loading; ``first use`` = load + first (what the first
  question would wait without the start-up warm-up);
- ``warm``: the median of the next reads;
- memory: ``VmRSS`` after Kantu's own imports (the baseline, measured in the same process),
  then ``VmHWM`` (peak) after the reads, and the reader's share: peak − baseline;
- character accuracy on that picture.

A last row reads the generated accuracy set (four pictures, Chinese and English) and prints the
mean character accuracy (1 − edit distance / characters, spaces ignored).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import json, statistics, sys, time
from components.devtools.proc import status_mb as status
from components.devtools import text_pictures as tp
from components.ocr.engine import TextReader
path, expected, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
baseline = status("VmRSS")
reader = TextReader()
started = time.perf_counter(); reader.load(); load = time.perf_counter() - started
started = time.perf_counter(); found = reader.read(data); first = time.perf_counter() - started
warm = []
for _ in range(repeats):
    started = time.perf_counter(); reader.read(data); warm.append(time.perf_counter() - started)
print(json.dumps({
    "load": load, "first": first, "warm": statistics.median(warm) if warm else None,
    "baseline_mb": baseline, "peak_mb": status("VmHWM"),
    "accuracy": tp.character_accuracy(expected, found.text), "lines": len(found.lines),
}))
"""

ACCURACY = r"""
import json
from components.devtools import text_pictures as tp
from components.ocr.engine import TextReader
reader = TextReader()
scores = []
for index, lines in enumerate(tp.ACCURACY_SET):
    for photo in (False, True):
        found = reader.read(tp.text_picture(lines, photo=photo))
        scores.append(tp.character_accuracy("\n".join(lines), found.text))
print(json.dumps({"pictures": len(scores), "mean": sum(scores) / len(scores), "min": min(scores)}))
"""


def make_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """Write the three pictures; return name → (path, expected text)."""
    from components.devtools import text_pictures as tp

    screen = tp.SCREENSHOT + tp.RECEIPT
    long_lines = tuple(line for lines in tp.ACCURACY_SET for line in lines)
    cases = {
        "receipt photo 3024×4032": (
            tp.text_picture(tp.RECEIPT, width=3024, height=4032, size=120, top=600, photo=True),
            tp.RECEIPT,
        ),
        "screenshot 1170×2532": (
            tp.text_picture(screen, width=1170, height=2532, size=48, line_gap=3.5, top=200),
            screen,
        ),
        "long screenshot 1170×12000": (tp.long_screenshot(long_lines), long_lines),
    }
    written = {}
    for index, (name, (data, lines)) in enumerate(cases.items()):
        path = folder / f"case{index}"
        path.write_bytes(data)
        written[name] = (path, "\n".join(lines))
    return written


def run_python(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm reads per picture")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    header = (
        f"{'picture':28s} {'load s':>7s} {'first s':>8s} {'first use s':>12s} {'warm s':>7s}"
        f" {'base MB':>8s} {'peak MB':>8s} {'reader MB':>10s} {'accuracy':>9s}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for name, (path, expected) in make_inputs(Path(tmp)).items():
            row = run_python(WORKER, str(path), expected, str(args.repeats))
            print(
                f"{name:28s} {row['load']:7.2f} {row['first']:8.2f}"
                f" {row['load'] + row['first']:12.2f} {row['warm']:7.2f}"
                f" {row['baseline_mb']:8.0f} {row['peak_mb']:8.0f}"
                f" {row['peak_mb'] - row['baseline_mb']:10.0f} {row['accuracy']:9.3f}"
            )
    summary = run_python(ACCURACY)
    print(
        f"\naccuracy set: {summary['pictures']} generated pictures (clean and photographed),"
        f" mean character accuracy {summary['mean']:.3f}, worst {summary['min']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
