"""What the command line prints, made safe for a terminal: the one place control characters go.

Provider text (answers, model ids, batch ids and statuses, error words) and file text (zip entry
names, text read from pictures) reach stdout and stderr. A hostile one could carry terminal
escapes: ``ESC ] 0;title BEL`` retitles the window, ``ESC [2J`` clears the screen, others move
the cursor to forge lines. ``filtered()`` wraps both streams for the whole command, so every
write passes ``strip_controls``: escape sequences go whole (OSC and DCS with their payload), then
every other C0 and C1 control character, except ``\\n`` and ``\\t``. Kantu's own progress bar
redraws its line through ``redraw``, the one way around the filter.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from typing import TextIO

_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: cursor, erase, colours
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS…
    r"|\x1b[ -/]*[0-~]"  # other escapes (charset, keypad, reset)
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but \t \n, DEL, C1
ERASE_LINE = "\x1b[K"


def strip_controls(text: str) -> str:
    """Return ``text`` without escape sequences and C0/C1 control characters (``\\n`` and
    ``\\t`` stay). A sequence cut between two writes loses its ESC, so it can never act."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class CleanText(io.TextIOBase):
    """A text stream that writes ``strip_controls(text)`` to the stream it wraps."""

    def __init__(self, wrapped: TextIO) -> None:
        super().__init__()
        self.wrapped = wrapped

    @property
    def encoding(self) -> str:  # type: ignore[override]  # typeshed: an attribute; io: read-only
        return self.wrapped.encoding

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.wrapped.write(strip_controls(text))
        return len(text)

    def flush(self) -> None:
        self.wrapped.flush()

    def isatty(self) -> bool:
        return self.wrapped.isatty()

    def fileno(self) -> int:
        return self.wrapped.fileno()


@contextlib.contextmanager
def filtered() -> Iterator[None]:
    """Make ``sys.stdout`` and ``sys.stderr`` strip control characters until the block ends."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleanText(out), CleanText(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def redraw(line: str, stream: TextIO) -> None:
    """Draw ``line`` over the terminal's current line (a progress bar); a log gets a line each.

    Only the carriage return and the erase-line escape are Kantu's: ``line`` itself is cleaned.
    """
    if stream.isatty():
        terminal = stream.wrapped if isinstance(stream, CleanText) else stream
        terminal.write("\r" + strip_controls(line) + ERASE_LINE)
    else:
        stream.write(strip_controls(line) + "\n")
    stream.flush()
