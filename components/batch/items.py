"""What a batch works on: each picture prepared once, with a small thumbnail, originals dropped.

``prepare_items`` reads every source once, hashes the original (the resume key's picture part),
prepares it for the model and detail, and makes a 96 px thumbnail from the prepared bytes. Only
the prepared bytes and the thumbnail are kept, so memory grows with what is sent, not with the
originals.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image

from components.batch.intake import Refused, Source
from components.errors import ImageError, KantuError
from components.images.budget import CONCURRENT_PREPARATIONS
from components.images.prepare import prepare_image
from components.images.prepared import Detail, PreparedImage

THUMB_SIZE = 96


@dataclass(frozen=True, repr=False)
class BatchItem:
    """One picture of a batch, prepared (``image``) or refused before running (``refusal``)."""

    index: int
    name: str
    picture_sha256: str  # of the original file ("" when it could not be read)
    image: PreparedImage | None = field(default=None, compare=False)
    thumbnail: bytes = field(default=b"", compare=False)  # JPEG, at most THUMB_SIZE px
    refusal: KantuError | Refused | None = None

    def __repr__(self) -> str:
        state = "ready" if self.image is not None else "refused"
        return f"BatchItem({self.index}, {self.name!r}, {state}, sha256={self.picture_sha256[:12]})"


def thumbnail(image: PreparedImage) -> bytes:
    """Return a small JPEG of the prepared picture (its overview when sent in parts)."""
    with Image.open(io.BytesIO(image.data)) as opened:
        small = opened.convert("RGB")
        small.thumbnail((THUMB_SIZE, THUMB_SIZE))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=70)
    return out.getvalue()


def prepare_items(
    sources: Sequence[Source],
    *,
    detail: Detail,
    model: str,
    refused: Sequence[Refused] = (),
    on_each: Callable[[int], None] | None = None,
    skip: Callable[[str], bool] | None = None,
) -> list[BatchItem]:
    """Prepare every source (in parallel, bounded); refused files come last, with their reason.

    Never raises for a user's file: a picture that cannot be used becomes an item with its
    ``refusal`` (an ImageError, or a ``Refused`` from intake). ``on_each(n)`` is told how many
    are done so far. ``skip(sha256)`` True: the picture is not prepared (answered already);
    its item has neither image nor refusal.
    """
    done = 0
    counting = threading.Lock()

    def one(pair: tuple[int, Source]) -> BatchItem:
        nonlocal done
        index, source = pair
        try:
            data = source.load()
        except OSError as exc:
            item = BatchItem(
                index, source.name, "", refusal=Refused(source.name, "unreadable", str(exc))
            )
        else:
            digest = hashlib.sha256(data).hexdigest()
            if skip is not None and skip(digest):
                item = BatchItem(index, source.name, digest)
            else:
                item = _prepared(index, source.name, digest, data, detail, model)
            del data  # the original is not kept
        with counting:
            done += 1
            so_far = done
        if on_each is not None:
            on_each(so_far)
        return item

    with ThreadPoolExecutor(CONCURRENT_PREPARATIONS, "kantu-batch-prepare") as pool:
        items = list(pool.map(one, enumerate(sources)))
    start = len(items)
    items += [BatchItem(start + i, r.name, "", refusal=r) for i, r in enumerate(refused)]
    return items


def _prepared(
    index: int, name: str, digest: str, data: bytes, detail: Detail, model: str
) -> BatchItem:
    try:
        image = prepare_image(data, name=name, detail=detail, model=model)
    except ImageError as err:
        return BatchItem(index, name, digest, refusal=err)
    return BatchItem(index, name, digest, image, thumbnail(image))
