"""The "Local text reading (offline)" provider: a client shaped like ``ChatClient`` that answers
every question with the text read from the question's pictures, on this machine.

``LocalSettings`` carries no URL and no key: nothing here opens a socket. ``LocalStream`` has
the interface the exchange uses on a ``ChatStream``: iterate the deltas, ``text``, ``result``
and ``close()`` from any thread (the read stops at the next band or picture).

A message from a visitor (``LocalSettings.visitor_id``) passes the reader's quota first
(``components.ocr.quota``): one message at a time per session, so many pictures a visitor an
hour; a refusal ends the stream with ReaderRefusedError. The read also stops when the quota
cancels the job because its session ended.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from components.errors import ConfigError, ReaderUnavailableError
from components.i18n import Lang, t
from components.images.prepared import PreparedImage
from components.ocr.engine import ReadResult, TextLine, TextReader, reader_status, shared_reader
from components.ocr.quota import ReaderQuota, shared_quota, slices_of
from components.providers.delta_stream import ClosesOnExit, DeltaStream
from components.providers.payload import ChatOptions
from components.providers.presets import LOCAL_PRESET_ID, ProviderPreset, get_preset
from components.providers.reader import StreamResult
from components.turns import ChatTurn

LOCAL_MODEL = "rapidocr-pp-ocrv6"
_LOCAL_PRESET = get_preset(LOCAL_PRESET_ID)
log = logging.getLogger("kantu")
_LINE_START = re.compile(r"^(\s*\d*)([-+=.)])")
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#$~|:"})


@dataclass(frozen=True)
class LocalSettings:
    """Settings for the local reader: no URL, no key. ``lang`` is the answer's language.

    Shaped like ``ClientSettings`` where the page and CLI read it (``model``, ``preset``,
    ``key_source``, ``key_withheld``, ``missing_key_error``). ``visitor_id`` and ``session_id``
    (opaque ids) put the reading under the visitor's quota; empty (the command line): no quota.
    """

    lang: Lang = "en"
    visitor_id: str = ""
    session_id: str = ""
    model: str = LOCAL_MODEL
    preset: ProviderPreset = _LOCAL_PRESET
    key_source: Literal["none"] = "none"
    key_withheld: bool = False
    hosted: bool = False

    def missing_key_error(self, lang: Lang = "en") -> ConfigError | None:
        """Return None: the local reader needs no key."""
        return None

    def unavailable_error(self) -> ReaderUnavailableError | None:
        """Return why the reader cannot run here, or None when it can."""
        status = reader_status()
        if status.available:
            return None
        return ReaderUnavailableError(status.reason, reason=status.reason)


class LocalClient(ClosesOnExit):
    """Read pictures locally; the same calls as ``ChatClient`` (``stream_chat``, ``close``)."""

    def __init__(
        self,
        settings: LocalSettings,
        reader: TextReader | None = None,
        quota: ReaderQuota | None = None,
    ) -> None:
        self.settings = settings
        self.reader = reader or shared_reader()
        self.quota = quota or shared_quota()

    def __repr__(self) -> str:
        return f"LocalClient(model={self.settings.model!r})"

    def stream_chat(
        self, turns: Sequence[ChatTurn], options: ChatOptions | None = None
    ) -> LocalStream:
        """Return a stream of the answer: the text of the last question's pictures.

        Iteration raises ReaderUnavailableError or ReadFailedError.
        """
        question = next((turn for turn in reversed(turns) if turn.role == "user"), None)
        images = question.images if question else ()
        return LocalStream(self, images)

    def close(self) -> None:
        """Nothing to release: the reader is shared by the process."""


class LocalStream(DeltaStream):
    """An iterator of text deltas: a heading, then each picture's lines as they are read."""

    def __init__(self, client: LocalClient, images: Sequence[PreparedImage]) -> None:
        self.result: StreamResult | None = None
        self._client = client
        self._images = tuple(images)
        self._parts: list[str] = []
        self._closed = threading.Event()
        self._gen = self._run()

    def __repr__(self) -> str:
        return f"LocalStream(pictures={len(self._images)}, chars={len(self.text)})"

    @property
    def text(self) -> str:
        """The answer's text so far."""
        return "".join(self._parts)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Stop after the band being read; iteration then ends without an error."""
        self._closed.set()
        # Left waiting at a delta: end it now, which ends its quota job. Being read in another
        # thread: it sees the flag after this band and ends by itself.
        self._close_generator()

    def _note_cancel(self, read: int) -> None:
        """Log a reading dropped because its session ended (a Stop is no news)."""
        if self._client.quota.cancelled(self._client.settings.session_id):
            log.warning(
                "local reading cancelled, its session ended: %d of %d pictures read",
                read,
                len(self._images),
            )

    def _cancelled(self) -> bool:
        """Whether to stop reading: closed here, or the visitor's session ended."""
        session_id = self._client.settings.session_id
        return self._closed.is_set() or self._client.quota.cancelled(session_id)

    def _emit(self, piece: str) -> str:
        self._parts.append(piece)
        return piece

    def _run(self) -> Generator[str, None, None]:
        settings = self._client.settings
        unavailable = settings.unavailable_error()
        if unavailable is not None:
            raise unavailable
        quota = self._client.quota
        refusal = quota.admit(settings.visitor_id, settings.session_id, slices_of(self._images))
        if refusal is not None:
            raise refusal
        try:
            yield from self._read_all(settings.lang)
        finally:
            quota.finish(settings.session_id)

    def _read_all(self, lang: Lang) -> Iterator[str]:
        started = time.perf_counter()
        yield self._emit(t("ocr.answer_intro", lang) + "\n\n")
        first = time.perf_counter() - started
        if not self._images:
            yield self._emit(t("ocr.no_pictures", lang))
        for number, image in enumerate(self._images, 1):
            if self._cancelled():
                self._note_cancel(number - 1)
                return
            found = self._client.reader.read(image, cancelled=self._cancelled)
            if self._cancelled():
                self._note_cancel(number - 1)
                return
            yield self._emit(render_result(found, number, len(self._images), image.name, lang))
        self.result = StreamResult(
            text=self.text,
            finish_reason="stop",
            model=self._client.settings.model,
            usage=None,
            ttft_s=first,
            total_s=time.perf_counter() - started,
        )
        self._closed.set()


def escape_markdown(text: str) -> str:
    """Return ``text`` shown literally by Markdown (read text is data, never formatting)."""
    escaped = text.translate(_MARKDOWN_SPECIAL)
    # a line that starts like a list item or a setext underline stays a plain line
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def render_line(line: TextLine) -> str:
    """Return one read line as Markdown, its confidence quiet (grey, in percent)."""
    return f"{escape_markdown(line.text)} :gray[{line.confidence:.0%}]"


def render_result(found: ReadResult, number: int, count: int, name: str, lang: Lang) -> str:
    """Return one picture's text as Markdown: a heading when there are several, then the lines."""
    heading = ""
    if count > 1:
        label = t("ocr.picture_heading", lang, number=number, name=escape_markdown(name or "—"))
        heading = f"**{label}**\n\n"
    if not found.lines:
        return heading + t("ocr.no_text", lang) + "\n\n"
    return heading + "  \n".join(render_line(line) for line in found.lines) + "\n\n"
