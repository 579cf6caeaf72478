"""Pictures in, for a batch: files, folders and .zip archives, each entry checked before reading.

A zip is refused entry by entry (or whole) when it could hurt the machine or the file system:
too many entries, too many uncompressed bytes, a compression ratio only a zip bomb has, absolute
or ``..`` names, symlinks. Sizes in a zip's directory can lie, so each entry is read through a
counter that stops at its declared size and at the total cap.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from components.images.upload import IMAGE_EXTENSIONS, Upload

MAX_ENTRIES = 1000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # uncompressed, all entries together
MAX_ENTRY_BYTES = 50 * 1024 * 1024  # the 50 MB input limit pictures have everywhere
MAX_RATIO = 100  # uncompressed / compressed; images barely compress, bombs compress 1000×
_READ = 1024 * 1024


@dataclass(frozen=True)
class Refused:
    """A file that will not be sent, and why (an i18n key under ``batch.refused.``)."""

    name: str
    reason: str  # zip_entries, zip_total, zip_ratio, zip_unsafe_name, zip_symlink, zip_corrupt,
    # zip_entry_size, not_picture, unreadable
    detail: str = ""


@dataclass(frozen=True)
class Source:
    """A picture to prepare: its shown name and how to read its bytes (read once, when
    prepared, so 500 originals never sit in memory together)."""

    name: str
    load: Callable[[], bytes] = field(repr=False, compare=False)

    @classmethod
    def of(cls, upload: Upload) -> Source:
        """Return a source for bytes already in memory."""
        return cls(upload.name, lambda: upload.data)


@dataclass(frozen=True)
class Intake:
    """What came in: the pictures to prepare (in order) and what was refused."""

    sources: tuple[Source, ...]
    refused: tuple[Refused, ...] = ()


@dataclass(frozen=True)
class ZipLimits:
    """The caps a zip must stay under."""

    max_entries: int = MAX_ENTRIES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_entry_bytes: int = MAX_ENTRY_BYTES
    max_ratio: float = MAX_RATIO


def picture_hash(data: bytes) -> str:
    """Return the sha256 of a picture file's bytes (the batch's identity of a picture)."""
    return hashlib.sha256(data).hexdigest()


def is_picture_name(name: str) -> bool:
    """Return True when ``name`` ends in an extension the picture pipeline accepts."""
    return PurePosixPath(name).suffix.lower().lstrip(".") in IMAGE_EXTENSIONS


def is_zip_name(name: str) -> bool:
    """Return True for a ``.zip`` name."""
    return name.lower().endswith(".zip")


def unsafe_name(name: str) -> bool:
    """Return True for a zip entry name that could escape a folder: absolute, drive, or ``..``."""
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":") or "\x00" in text:
        return True
    return ".." in PurePosixPath(text).parts


def read_zip(
    opener: Callable[[], BinaryIO], *, name: str, limits: ZipLimits = ZipLimits()
) -> Intake:
    """Return the pictures inside the zip archive ``opener()`` opens, refusing unsafe entries or
    the whole archive. Each picture is read later, when its source is loaded.

    Never raises for a bad archive: it comes back as a ``Refused`` (zip_corrupt, zip_entries,
    zip_total or zip_ratio for the whole archive; zip_unsafe_name, zip_symlink, zip_entry_size
    for one entry; an entry holding more than its directory says is refused when it is loaded).
    Entries that are not pictures by name (folders, ``__MACOSX``, text) are skipped silently.
    """
    try:
        with opener() as stream, zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        # (an unknown zip version in a damaged header is NotImplementedError)
        return Intake((), (Refused(name, "zip_corrupt", str(exc)[:120]),))
    if len(infos) > limits.max_entries:
        return Intake((), (Refused(name, "zip_entries", str(len(infos))),))
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_total_bytes:
        return Intake((), (Refused(name, "zip_total", str(declared)),))
    compressed = sum(info.compress_size for info in infos)
    if declared > 1024 * 1024 and declared > limits.max_ratio * max(compressed, 1):
        return Intake((), (Refused(name, "zip_ratio", f"{declared}/{compressed}"),))
    sources: list[Source] = []
    refused: list[Refused] = []
    for info in infos:
        shown = f"{name}/{info.filename}"
        if not info.filename or unsafe_name(info.filename):  # (an empty name breaks is_dir)
            refused.append(Refused(shown, "zip_unsafe_name"))
        elif stat.S_ISLNK(info.external_attr >> 16):
            refused.append(Refused(shown, "zip_symlink"))
        elif info.is_dir() or not is_picture_name(info.filename) or _resource_fork(info.filename):
            continue
        elif info.file_size > limits.max_entry_bytes:
            refused.append(Refused(shown, "zip_entry_size", str(info.file_size)))
        else:
            sources.append(Source(shown, _entry_loader(opener, info)))
    return Intake(tuple(sources), tuple(refused))


def _resource_fork(filename: str) -> bool:
    return PurePosixPath(filename).name.startswith("._") or "__MACOSX" in filename


class ZipEntryError(OSError):
    """Raised when a zip entry cannot be read, or holds more bytes than its directory said."""


def _entry_loader(opener: Callable[[], BinaryIO], info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def load() -> bytes:
        chunks: list[bytes] = []
        total = 0
        try:
            with (
                opener() as stream,
                zipfile.ZipFile(stream) as archive,
                archive.open(info) as entry,
            ):
                while chunk := entry.read(_READ):
                    total += len(chunk)
                    if total > info.file_size:  # the directory lied: a bomb in disguise
                        raise ZipEntryError("the entry holds more than its declared size")
                    chunks.append(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,  # a damaged deflate stream
            RuntimeError,  # an encrypted entry
            ValueError,
            EOFError,
            NotImplementedError,
        ) as exc:
            raise ZipEntryError(str(exc)[:120]) from exc
        return b"".join(chunks)

    return load


def from_uploads(uploads: Iterable[Upload], limits: ZipLimits = ZipLimits()) -> Intake:
    """Return the pictures among files a person uploaded, opening any .zip among them."""
    pictures: list[Source] = []
    refused: list[Refused] = []
    for upload in uploads:
        if is_zip_name(upload.name):
            data = upload.data
            inner = read_zip(partial(io.BytesIO, data), name=upload.name, limits=limits)
            pictures.extend(inner.sources)
            refused.extend(inner.refused)
        else:
            pictures.append(Source.of(upload))
    return Intake(tuple(pictures), tuple(refused))


def from_paths(paths: Iterable[str | os.PathLike[str]], limits: ZipLimits = ZipLimits()) -> Intake:
    """Return the pictures in files, folders (walked in name order) and .zip archives.

    A folder contributes its files with picture extensions and its zips; a file named on the
    command line is always tried (the picture pipeline refuses it with a reason if it is not one).
    """
    pictures: list[Source] = []
    refused: list[Refused] = []
    for given in paths:
        path = Path(given)
        files = [path] if not path.is_dir() else _walk(path)
        for file in files:
            shown = str(file)
            if file.is_symlink() and path.is_dir():
                continue  # a folder's links may point anywhere
            try:
                if is_zip_name(file.name):
                    inner = read_zip(partial(_open_binary, file), name=shown, limits=limits)
                    pictures.extend(inner.sources)
                    refused.extend(inner.refused)
                    continue
                size = file.stat().st_size
                if size > limits.max_entry_bytes:
                    refused.append(Refused(shown, "zip_entry_size", str(size)))
                    continue
                pictures.append(Source(shown, file.read_bytes))
            except OSError as exc:
                refused.append(Refused(shown, "unreadable", exc.strerror or type(exc).__name__))
    return Intake(tuple(pictures), tuple(refused))


def _open_binary(path: Path) -> BinaryIO:
    return path.open("rb")


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if is_picture_name(name) or is_zip_name(name):
                found.append(Path(root) / name)
    return found
