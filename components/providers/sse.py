"""Server-sent events, decoded from bytes.

Bytes are split into lines on any newline style (CRLF, CR, LF) *before* UTF-8 decoding, so a
multibyte character split across network reads is decoded whole, and a response that omits its
charset is never misread as ISO-8859-1. Comment lines (``: PING``) are dropped; ``data:`` works
with or without the space. The decoder only frames events: what ``data`` means is the client's
business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_NEWLINE = re.compile(rb"\r\n|\r|\n")


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event: its ``data`` lines joined with ``\\n``."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Turn a stream of byte chunks into events; feed chunks, then ``flush`` at the end.

    ``comments`` counts comment lines seen (keep-alives), which callers may use as a sign of life.
    """

    __slots__ = ("_buf", "_data", "_event", "_id", "_retry", "comments")

    def __init__(self) -> None:
        self._buf = b""
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self.comments = 0

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the events they complete (possibly none)."""
        buf = self._buf + chunk if self._buf else chunk
        events: list[ServerSentEvent] = []
        pos = 0
        end = len(buf)
        for match in _NEWLINE.finditer(buf):
            if match.end() == end and buf[-1:] == b"\r":
                break  # a lone CR at the end may be the first half of CRLF: wait for more
            self._line(buf[pos : match.start()], events)
            pos = match.end()
        self._buf = buf[pos:]
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: finish a last unterminated line and dispatch a pending event."""
        events: list[ServerSentEvent] = []
        rest, self._buf = self._buf, b""
        for line in _NEWLINE.split(rest):
            if line:
                self._line(line, events)
        self._line(b"", events)
        return events

    def iter_events(self, chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
        """Yield every event of ``chunks``, flushing at the end."""
        for chunk in chunks:
            yield from self.feed(chunk)
        yield from self.flush()

    def _line(self, line: bytes, events: list[ServerSentEvent]) -> None:
        if not line:
            if self._data or self._event is not None:
                events.append(
                    ServerSentEvent("\n".join(self._data), self._event, self._id, self._retry)
                )
            self._data = []
            self._event = None
            self._retry = None
            return
        if line[:1] == b":":
            self.comments += 1
            return
        name, sep, value = line.partition(b":")
        if sep and value[:1] == b" ":
            value = value[1:]
        text = value.decode("utf-8", errors="replace")
        if name == b"data":
            self._data.append(text)
        elif name == b"event":
            self._event = text
        elif name == b"id" and "\0" not in text:
            self._id = text
        elif name == b"retry" and text.isdigit():
            self._retry = int(text)
        # other field names are ignored, as the spec says
