"""Every string Kantu shows through Markdown passes here, so none can load or run anything.

Streamlit renders Markdown in bodies, captions, notices, toasts and in every label (buttons,
expanders, tabs, inputs, radio and pill options), and labels load images too. Two helpers:

- ``safe_label`` for text that may carry Markdown of its own (an answer, a translated line with
  data filled in, an error with the provider's words): images, HTML and odd links are made
  inert by ``components.text.markdown_safety``; formatting survives.
- ``literal`` for data that is never Markdown (a file name, a model id, a column name): every
  mark is escaped, so it shows exactly as written.

``show_markdown`` writes a safe body into ``where`` (Streamlit itself, a container, a slot),
made safe by a session's ``MadeSafe`` (which keeps its last results) where one is given;
``LiveMarkdown`` draws an answer still arriving: each finished block once, the tail redrawn,
then ``finish`` ends it in place;
``show_growing`` does the same work for a view drawn afresh on each run (a Compare column).
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from components.text.live_markdown import LiveBlocks, redraw_interval
from components.text.markdown_safety import MadeSafe, escape_markdown, safe_markdown


class _Writes(Protocol):
    """Where Markdown can be written: ``st``, a container, a column, or a test's recorder."""

    def markdown(self, body: str, /) -> Any: ...


class _Holds(_Writes, Protocol):
    def empty(self) -> Any: ...


class _Contains(_Writes, Protocol):
    def container(self) -> _Writes: ...


def safe_label(text: object) -> str:
    """Return ``text`` as Markdown safe to show: images, HTML and odd links made inert."""
    return safe_markdown(str(text))


def literal(text: object) -> str:
    """Return ``text`` escaped so that Markdown shows it exactly as written, on one line."""
    return escape_markdown(str(text))


def show_markdown(
    where: _Writes, text: str, made_safe: Callable[[str], str] = safe_markdown
) -> Any:
    """Write ``text`` made safe (by ``made_safe``: a session's ``MadeSafe``, else anew) as a
    Markdown body into ``where``; return the element."""
    return where.markdown(made_safe(text))


def show_answer(where: _Contains, text: str, made_safe: MadeSafe) -> None:
    """Write an answer made safe by the session's ``made_safe`` into ``where``: as the pieces
    its live view drew when they were kept (``LiveMarkdown.finish``), in a container, where the
    live view's container stood; else as one element.

    Drawn the same way in the same place, each piece the browser already shows is kept as it
    is (Streamlit's page reuses an element whose content did not change), so the page's next
    run after the answer does not draw a long answer again (1.5 s of the browser's time for
    283,000 characters), and the last words show even when that run started before the live
    view's last redraw reached the page (a new run drops what the old one had not sent yet).
    """
    pieces = made_safe.pieces(text)
    if len(pieces) == 1:
        where.markdown(pieces[0])
        return
    box = where.container()
    for piece in pieces:
        box.markdown(piece)


class LiveMarkdown:
    """Draw a growing answer in ``where``: the top-level blocks finished since the last redraw
    are written once, together, into an element of their own; only the open tail is drawn
    again, and ``finish`` ends the view without sending the finished blocks again.

    The finished blocks stay in the element that showed them as the tail, and the tail goes on
    in a new element below: one element changes at a time, so the page never shows a block
    twice (written into an element above first, a block showed twice until the tail's redraw
    came, a frame or a test's look at the page later).

    A redraw waits at least ``min_interval`` seconds, five times as long as the tail's last
    redraw took, and longer as the tail grows (``redraw_interval``), so neither a fast stream
    nor one huge block floods the websocket; ``update(..., force=True)`` draws now.
    """

    def __init__(
        self,
        where: _Holds,
        *,
        min_interval: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        made_safe: MadeSafe | None = None,
    ) -> None:
        self._where = where
        # the whole answer's, at the end: a session's, which keeps it for the history's draw
        self._made_safe = made_safe if made_safe is not None else MadeSafe()
        self._tail = where.empty()
        self._tail_body = ""  # what the tail's element shows
        self._split = LiveBlocks()
        self._min_interval = min_interval
        self._clock = clock
        self._next = 0.0
        self._shown = ""
        # each finished piece as sent, and its element
        self._pieces: list[str] = []
        self._elements: list[Any] = []

    def update(self, text: str, *, force: bool = False) -> bool:
        """Show ``text`` (which extends what was shown before) if a redraw is due; say if so."""
        start = self._clock()
        if not force and (start < self._next or text == self._shown):
            return False
        self._freeze(text)
        drawn = self._clock()
        self._draw_tail(self._split.tail(text))
        self._shown = text
        # Only the tail's redraw is work done again; finished blocks are made safe once, so
        # their cost must not stretch the wait (a longer wait would make the next piece longer).
        spent = self._clock() - drawn
        tail_chars = len(text) - self._split.done
        self._next = start + redraw_interval(tail_chars, spent, self._min_interval)
        return True

    def finish(self, text: str) -> None:
        """Draw ``text``, the whole answer, final: its last block at once; the finished pieces
        stay as sent when they still read as the whole text does, else the whole replaces them."""
        self._freeze(text)
        rest = safe_markdown(text[self._split.done :])
        self._draw_tail(rest)  # the last words show before the whole text is checked
        if self._split.pieces_read_as_whole(text):
            # Kept as the whole made safe: the history's next draw of it parses nothing again.
            self._made_safe.keep(text, [*self._pieces, rest] if rest else self._pieces)
            return
        whole = self._made_safe(text)
        if self._split.split_held and whole == "".join(self._pieces) + rest:
            return
        first, *others = [*self._elements, self._tail]
        first.markdown(whole)
        for element in others:
            element.empty()

    def _freeze(self, text: str) -> None:
        piece = self._split.take(text)
        if piece:
            self._draw_tail(piece)  # the tail's words, less the start of the next block
            self._elements.append(self._tail)
            self._pieces.append(piece)
            self._tail, self._tail_body = self._where.empty(), ""

    def _draw_tail(self, body: str) -> None:
        if body != self._tail_body:  # a block the tail already shows whole is not sent again
            self._tail.markdown(body)
            self._tail_body = body


@dataclass
class _Growing:
    """What ``show_growing`` keeps between runs: the split so far and its blocks, made safe."""

    head: str = ""
    split: LiveBlocks = field(default_factory=LiveBlocks)
    blocks: list[str] = field(default_factory=list)


def show_growing(where: _Writes, text: str, store: MutableMapping[Any, Any], key: str) -> None:
    """Draw ``text``, which grows from run to run, into ``where``: finished blocks are made safe
    once and kept in ``store[key]``; only the open tail is made safe again on each run."""
    kept = store.get(key)
    if not isinstance(kept, _Growing) or not text.startswith(kept.head):
        kept = store[key] = _Growing()
    kept.blocks += kept.split.advance(text)
    kept.head = text[: kept.split.done]
    for block in kept.blocks:
        where.markdown(block)
    where.markdown(kept.split.tail(text))
