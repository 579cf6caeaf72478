"""Follow an answer as it grows: each finished top-level block once, and the open tail.

A top-level block is finished once the next one has started: nothing written later can change
it (a later reference definition could, but each block is shown as its own document, so it
cannot reach one). So a live view writes each finished block once, into an element of its own,
and redraws only the tail: the work and the bytes sent for the finished part are linear in the
answer's length, and each redraw costs only the tail.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from components.text.markdown_safety import block_starts, safe_markdown, safe_partial_markdown


@dataclass
class LiveBlocks:
    """The split of one growing text: ``done`` characters handed out as finished blocks."""

    done: int = 0

    def advance(self, text: str) -> list[str]:
        """Return, made safe, each block of ``text`` finished since the last call, in order.

        ``text`` must extend the text of the previous calls (an answer only grows).
        """
        tail = text[self.done :]
        starts = block_starts(tail)
        if len(starts) < 2:
            return []
        bounds = [0, *starts[1:]]
        blocks = [safe_markdown(tail[a:b]) for a, b in pairwise(bounds)]
        self.done += starts[-1]
        return blocks

    def tail(self, text: str) -> str:
        """Return the live view of the open tail (what is complete of it, made safe)."""
        return safe_partial_markdown(text[self.done :])
