"""Turn what a person attached into prepared images, keeping every refusal and its reason.

The pictures of one message are prepared in parallel threads (Pillow releases the GIL while it
decodes, resizes and encodes), as many at once as ``budget.CONCURRENT_PREPARATIONS``; the
process-wide ``budget.PREPARATION_SLOTS`` still bounds all preparations together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from components.errors import ImageError
from components.images.budget import CONCURRENT_PREPARATIONS
from components.images.prepare import prepare_image
from components.images.prepared import Detail, PreparedImage
from components.images.slice_limits import DEFAULT_MAX_SLICES
from components.images.upload import Upload


@dataclass(frozen=True)
class Preparation:
    """How pictures are prepared for a message: the detail asked for, the model they go to, and
    at most how many slices."""

    detail: Detail
    model: str
    max_slices: int = DEFAULT_MAX_SLICES


# An upload's preparation made earlier (``components.images.ahead``), or None to prepare it now.
Ready = Callable[[Upload, Preparation], PreparedImage | ImageError | None]


@dataclass(frozen=True)
class PreparedUploads:
    """The images that can be sent, and the ones that were refused (with why)."""

    images: tuple[PreparedImage, ...]
    refusals: tuple[ImageError, ...]


def combine(*parts: PreparedUploads) -> PreparedUploads:
    """Return the images (each picture once) and refusals of several preparations together."""
    images = {image.sha256: image for part in parts for image in part.images}
    refusals = tuple(err for part in parts for err in part.refusals)
    return PreparedUploads(images=tuple(images.values()), refusals=refusals)


def prepare_upload(upload: Upload, how: Preparation) -> PreparedImage | ImageError:
    """Prepare one upload; a picture that cannot go comes back as its ``ImageError``."""
    try:
        return prepare_image(
            upload.data,
            name=upload.name,
            detail=how.detail,
            model=how.model,
            max_slices=how.max_slices,
        )
    except ImageError as err:
        return err


def prepare_uploads(
    uploads: Iterable[Upload], how: Preparation, *, ready: Ready | None = None
) -> PreparedUploads:
    """Prepare each upload as ``how`` says; a refused one is kept with its reason while the
    others still go. ``ready`` gives an upload's preparation made earlier, where there is one.

    Images and refusals keep the order the uploads came in.
    """

    def prepare(upload: Upload) -> PreparedImage | ImageError:
        made = ready(upload, how) if ready is not None else None
        return made if made is not None else prepare_upload(upload, how)

    uploads = list(uploads)
    if len(uploads) <= 1:
        outcomes = [prepare(upload) for upload in uploads]
    else:
        with ThreadPoolExecutor(CONCURRENT_PREPARATIONS, "kantu-prepare") as pool:
            outcomes = list(pool.map(prepare, uploads))
    images: dict[str, PreparedImage] = {}
    refusals: list[ImageError] = []
    for result in outcomes:
        if isinstance(result, ImageError):
            refusals.append(result)
        else:
            images.setdefault(result.sha256, result)  # the same picture twice is sent once
    return PreparedUploads(images=tuple(images.values()), refusals=tuple(refusals))
