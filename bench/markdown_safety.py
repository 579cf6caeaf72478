"""Benchmark the answer sanitiser on hostile text: is its work linear in the input's size?

Run ``python bench/markdown_safety.py``. For each hostile pattern (deep brackets, unclosed
images and tags, runs of backticks, escapes…) it times ``safe_markdown`` plus the live view
``safe_partial_markdown`` on 100 KB and on 1 MB of it, and prints the ratio beside the baseline
measured in the same run: plain prose of the same sizes. Linear work gives a ratio near 10 for
both; quadratic work would give about 100 for the pattern.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.text.markdown_safety import safe_markdown, safe_partial_markdown  # noqa: E402
from tests.test_markdown_safety import HOSTILE_UNITS  # noqa: E402

BASELINE = "A plain sentence with a [link](https://example.org) and `code`. "


def seconds(unit: str, size: int) -> float:
    """Time both views of ``size`` characters of ``unit`` repeated."""
    text = (unit * (size // len(unit) + 1))[:size]
    start = time.perf_counter()
    safe_markdown(text)
    safe_partial_markdown(text)
    return time.perf_counter() - start


def main() -> None:
    rows = [("baseline (prose)", BASELINE), *sorted(HOSTILE_UNITS.items())]
    print(f"{'pattern':<18} {'100 KB s':>9} {'1 MB s':>8} {'ratio':>6}")
    for name, unit in rows:
        small, large = seconds(unit, 100_000), seconds(unit, 1_000_000)
        print(f"{name:<18} {small:>9.3f} {large:>8.3f} {large / max(small, 1e-9):>6.1f}")


if __name__ == "__main__":
    main()
