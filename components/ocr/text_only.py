"""Pictures for text-only models: replace each picture in the turns by the text read from it.

With a model marked "cannot see pictures", the exchange sends every user turn's pictures as a
marked block of read text instead of image parts (the payload builder never sees a picture).
Reads are cached by the picture's SHA-256, so a conversation's earlier pictures are read once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

from components.i18n import Lang, t
from components.images.prepared import PreparedImage
from components.ocr.engine import TextReader, shared_reader
from components.turns import ChatTurn

CACHE_SIZE = 64
_cache: OrderedDict[str, str] = OrderedDict()
_cache_lock = threading.Lock()


def pictures_as_text(
    turns: Sequence[ChatTurn],
    *,
    lang: Lang = "en",
    reader: TextReader | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> tuple[ChatTurn, ...]:
    """Return ``turns`` with each user turn's pictures replaced by their read text, marked.

    Raises ReaderUnavailableError, ReadFailedError.
    """
    reader = reader or shared_reader()
    out = []
    number = 0
    for turn in turns:
        if not turn.images:
            out.append(turn)
            continue
        blocks = [turn.text]
        for image in turn.images:
            number += 1
            blocks.append(_block(number, _read(reader, image, cancelled), lang))
        out.append(ChatTurn(turn.role, "\n\n".join(blocks)))
    return tuple(out)


def _block(number: int, text: str, lang: Lang) -> str:
    body = text or t("ocr.no_text", lang)
    return f"{t('ocr.text_of_picture', lang, number=number)}\n<<<\n{body}\n>>>"


def _read(reader: TextReader, image: PreparedImage, cancelled: Callable[[], bool]) -> str:
    with _cache_lock:
        if image.sha256 in _cache:
            _cache.move_to_end(image.sha256)
            return _cache[image.sha256]
    text = reader.read(image, cancelled=cancelled).text
    with _cache_lock:
        _cache[image.sha256] = text
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return text
