"""Follow an answer as it grows: each finished top-level block once, and the open tail.

A top-level block is finished once the next one has started: nothing written later can change
it (a later reference definition could, but each block is shown as its own document, so it
cannot reach one). So a live view writes each finished block once, into an element of its own,
and redraws only the tail: the work and the bytes sent for the finished part are linear in the
answer's length, and each redraw costs only the tail.

Some things written later can still change how finished blocks read as one document: a
reference definition, a list item that continues a list across a blank line. So the end of an
answer is checked once against the whole text (``still_holds``): when it differs, the whole
answer is drawn again.

A single block can be huge (an answer with no blank line at all), so how often the tail is
redrawn also follows its size (``redraw_interval``): a tail of n characters waits n /
``TAIL_CHARS_PER_S`` seconds, so the tail is re-sent at about that many characters a second
whatever its size (linear in time, never quadratic in the block's length). A 283,000-character
paragraph arriving in 18 s is sent about 2.5 times in all; a 16,000-character one is redrawn
every 2 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from components.text.markdown_safety import block_starts, safe_markdown, safe_partial_markdown

# The tail is re-sent at about this many characters a second: a tail of 8,000 characters is
# redrawn once a second, one of 80,000 every 10 s (a fast model writes 50-200 a second, so an
# ordinary paragraph is redrawn at the floor's pace).
TAIL_CHARS_PER_S = 8_000
# How many times its own cost a redraw waits, so a slow redraw cannot keep the server busy.
COST_FACTOR = 5


def redraw_interval(tail_chars: int, spent: float, floor: float) -> float:
    """Return the seconds until the next redraw of a tail of ``tail_chars`` characters whose
    last redraw took ``spent`` seconds: at least ``floor``."""
    return max(floor, COST_FACTOR * spent, tail_chars / TAIL_CHARS_PER_S)


@dataclass
class LiveBlocks:
    """The split of one growing text: ``done`` characters handed out as finished blocks."""

    done: int = 0

    def _finished(self, text: str) -> list[int]:
        """Return the offsets bounding each block finished since the last call (the first is
        ``done``), and move ``done`` past them; ``[]`` when none has finished."""
        starts = block_starts(text[self.done :])
        if len(starts) < 2:
            return []
        bounds = [self.done, *(self.done + start for start in starts[1:])]
        self.done = bounds[-1]
        return bounds

    def advance(self, text: str) -> list[str]:
        """Return, made safe, each block of ``text`` finished since the last call, in order.

        ``text`` must extend the text of the previous calls (an answer only grows).
        """
        return [safe_markdown(text[a:b]) for a, b in pairwise(self._finished(text))]

    def take(self, text: str) -> str:
        """Return, made safe as one piece, the blocks of ``text`` finished since the last call
        ('' when none): one element for all of them, sanitised once."""
        bounds = self._finished(text)
        return safe_markdown(text[bounds[0] : bounds[-1]]) if bounds else ""

    def tail(self, text: str) -> str:
        """Return the live view of the open tail (what is complete of it, made safe)."""
        return safe_partial_markdown(text[self.done :])


def still_holds(text: str, ends: Sequence[int], shown: Sequence[str]) -> bool:
    """Say whether finished pieces ``shown`` (made safe, ending at offsets ``ends``), followed by
    the rest of ``text`` made safe, read as ``safe_markdown(text)``: every piece still ends where
    a block of the whole text starts, and no later definition changes what a piece says."""
    if not ends:
        return True
    if not set(ends) <= set(block_starts(text)):
        return False  # e.g. a list went on after a blank line: the pieces split one block
    # A later definition, or a line read differently beside its neighbours in one of the
    # sanitiser's parses, changes what a piece says: compare with the whole, made safe once.
    return safe_markdown(text) == "".join(shown) + safe_markdown(text[ends[-1] :])
