"""Server-sent events, decoded from bytes, in time linear in the body, within size caps.

Bytes are split into lines on any newline style (CRLF, CR, LF) *before* UTF-8 decoding, so a
multibyte character split across network reads is decoded whole, and a response that omits its
charset is never misread as ISO-8859-1. A leading UTF-8 byte order mark is dropped (as the spec
says), comment lines (``: PING``) are ignored, and ``data:`` works with or without the space.

Each read is scanned once: an unfinished line is kept as a list of pieces and joined only when
its newline arrives, so one huge line costs what its bytes cost. A line longer than
``max_line_bytes``, or an event whose data is longer than ``max_event_bytes``, raises
OversizedAnswerError as soon as the cap is passed, before it is buffered whole.

The decoder only frames events: what ``data`` means is the reader's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from components.errors import OversizedAnswerError

_NEWLINE = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"
MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_EVENT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event: its ``data`` lines joined with ``\\n``."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Turn a stream of byte chunks into events: ``iter_events(chunks)``, or ``feed`` + ``flush``.

    Raises OversizedAnswerError when a line or an event's data is over its cap.
    """

    __slots__ = (
        "_data",
        "_data_size",
        "_event",
        "_head",
        "_id",
        "_max_event",
        "_max_line",
        "_partial",
        "_partial_size",
        "_retry",
        "_skip_lf",
    )

    def __init__(
        self, *, max_line_bytes: int = MAX_LINE_BYTES, max_event_bytes: int = MAX_EVENT_BYTES
    ) -> None:
        self._max_line = max_line_bytes
        self._max_event = max_event_bytes
        self._head: bytes | None = b""  # the first bytes, until they are known not to be a BOM
        self._partial: list[bytes] = []
        self._partial_size = 0
        self._skip_lf = False  # the last read ended in CR: a LF first in the next one is its pair
        self._data: list[str] = []
        self._data_size = 0
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the events they complete (possibly none)."""
        if self._head is not None:
            chunk = self._head + chunk
            if len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                self._head = chunk
                return []
            self._head = None
            chunk = chunk.removeprefix(_BOM)
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        events: list[ServerSentEvent] = []
        pos = 0
        for match in _NEWLINE.finditer(chunk):
            piece = chunk[pos : match.start()]
            if self._partial:
                self._add_partial(piece)
                piece = b"".join(self._partial)
                self._partial.clear()
                self._partial_size = 0
            self._line(piece, events)
            pos = match.end()
        if pos < len(chunk):
            self._add_partial(chunk[pos:])
        elif chunk[-1:] == b"\r":
            self._skip_lf = True
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: finish a last unterminated line and dispatch a pending event."""
        events: list[ServerSentEvent] = []
        if self._head:
            rest, self._head = self._head, None
            events = self.feed(rest)
        if self._partial:
            line = b"".join(self._partial)
            self._partial.clear()
            self._partial_size = 0
            self._line(line, events)
        self._line(b"", events)
        return events

    def iter_events(self, chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
        """Yield every event of ``chunks`` as soon as its bytes arrive, flushing at the end."""
        for chunk in chunks:
            yield from self.feed(chunk)
        yield from self.flush()

    def _add_partial(self, piece: bytes) -> None:
        self._partial_size += len(piece)
        if self._partial_size > self._max_line:
            raise OversizedAnswerError(
                f"a stream line is over {self._max_line:,} bytes", limit="line"
            )
        self._partial.append(piece)

    def _line(self, line: bytes, events: list[ServerSentEvent]) -> None:
        if len(line) > self._max_line:
            raise OversizedAnswerError(
                f"a stream line is over {self._max_line:,} bytes", limit="line"
            )
        if not line:
            if self._data or self._event is not None:
                events.append(
                    ServerSentEvent("\n".join(self._data), self._event, self._id, self._retry)
                )
            self._data = []
            self._data_size = 0
            self._event = None
            self._retry = None
            return
        if line[:1] == b":":
            return
        name, sep, value = line.partition(b":")
        if sep and value[:1] == b" ":
            value = value[1:]
        text = value.decode("utf-8", errors="replace")
        if name == b"data":
            self._data_size += len(value) + 1
            if self._data_size > self._max_event:
                raise OversizedAnswerError(
                    f"a stream event is over {self._max_event:,} bytes", limit="event"
                )
            self._data.append(text)
        elif name == b"event":
            self._event = text
        elif name == b"id" and "\0" not in text:
            self._id = text
        elif name == b"retry" and text.isascii() and text.isdigit() and len(text) < 10:
            self._retry = int(text)
        # other field names are ignored, as the spec says
