"""Follow an answer as it grows: each finished top-level block once, and the open tail.

A top-level block is finished once the next one has started. So a live view makes each
finished block safe once and writes it once (the blocks finished between two redraws together,
in an element of their own), and redraws only the open tail: the work and the bytes sent for
the finished part are linear in the answer's length, and each redraw costs only the tail.

Some things written later can still change how finished blocks read as one document: a
reference definition, a list item that continues a list across a blank line. So the end of an
answer is checked: the split is watched as the text grows (``LiveBlocks.split_held``), and the
pieces are compared once with the whole text made safe; when they differ, the whole answer is
drawn again. Where nothing can reach across blocks (``pieces_read_as_whole``), the pieces are
the whole made safe already, and that parse of the whole answer is not needed.

A single block can be huge (an answer with no blank line at all), so how often the tail is
redrawn also follows its size (``redraw_interval``): a tail of n characters waits n /
``TAIL_CHARS_PER_S`` seconds, so the tail is re-sent at about that many characters a second
whatever its size (linear in time, never quadratic in the block's length). A 283,000-character
paragraph arriving in 18 s is sent about 2.5 times in all; a 16,000-character one is redrawn
every 2 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from components.text.markdown_safety import (
    block_starts,
    blocks_made_safe_alone,
    safe_markdown,
    safe_partial_markdown,
)

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
    """The split of one growing text: ``done`` characters handed out as finished blocks.

    Each call parses from the start of the last finished block (``last``), so it also sees
    whether a later line joined that block to what follows (a list going on after a blank
    line): ``split_held`` turns False then, for good.
    """

    done: int = 0
    last: int = 0
    split_held: bool = True
    cuts: list[int] = field(default_factory=list)  # each value ``done`` took: where pieces meet

    def _finished(self, text: str) -> list[int]:
        """Return the offsets bounding each block finished since the last call (the first is
        ``done``), and move ``done`` past them; ``[]`` when none has finished."""
        starts = [self.last + start for start in block_starts(text[self.last :])[1:]]
        if self.done > self.last and self.done not in starts:
            self.split_held = False
        fresh = [start for start in starts if start > self.done]
        if not fresh:
            return []
        bounds = [self.done, *fresh]
        self.last, self.done = bounds[-2], bounds[-1]
        self.cuts.append(self.done)
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

    def pieces_read_as_whole(self, text: str) -> bool:
        """Whether the pieces handed out and the rest of ``text``, made safe one by one and
        joined, are ``safe_markdown(text)`` itself: the split held and no block reaches across
        blocks (``blocks_made_safe_alone``). Call it once every finished block of ``text`` has been
        taken."""
        return self.split_held and blocks_made_safe_alone(text, self.cuts)

    def tail(self, text: str) -> str:
        """Return the live view of the open tail (what is complete of it, made safe)."""
        return safe_partial_markdown(text[self.done :])
