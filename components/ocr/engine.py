"""Read the text in a picture on this machine: RapidOCR's PP-OCRv6 models on onnxruntime.

The models ship inside the ``rapidocr`` wheel; every model path is given explicitly, so the
package never reaches for its download code. One ``TextReader`` per process (``shared_reader``)
loads lazily under a lock, and one picture is read at a time (a semaphore taken per picture, not
per message), so one visitor's many pictures interleave with everyone else's.

::

    reader = shared_reader()
    for line in reader.read(image_bytes).lines:
        print(line.text, line.confidence)

Tall pictures (long screenshots) are read in overlapping bands, since RapidOCR shrinks a picture
to 2000 px on its long side first and a 12000 px screenshot would lose its text.
"""

from __future__ import annotations

import atexit
import importlib.util
import io
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from components.errors import ReaderUnavailableError, ReadFailedError
from components.images.prepared import ImagePart, PreparedImage
from components.ocr.allocator import give_back, tune_allocator
from components.ocr.process_one import ProcessOne

log = logging.getLogger("kantu")

REQUIRED_MODULES = ("rapidocr", "onnxruntime", "cv2")
MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
BAND_HEIGHT = 1400  # px of a tall picture read at once: detection sees it at 960 px at most
BAND_OVERLAP = 120  # px shared by neighbouring bands: a line cut by one is whole in the next
MAX_PIXELS = 40_000_000  # a decoded picture larger than this is refused, not read


@dataclass(frozen=True)
class TextLine:
    """One line of text: its words, the box corners (x, y in the picture's pixels, clockwise
    from top-left) and the model's confidence from 0 to 1."""

    text: str
    box: tuple[tuple[int, int], ...]
    confidence: float

    @property
    def top(self) -> int:
        return min(y for _, y in self.box)

    @property
    def left(self) -> int:
        return min(x for x, _ in self.box)


@dataclass(frozen=True)
class ReadResult:
    """What one picture said, in reading order, and how long reading took."""

    lines: tuple[TextLine, ...]
    width: int
    height: int
    seconds: float

    @property
    def text(self) -> str:
        """Return the lines joined by newlines."""
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class ReaderStatus:
    """Whether the local reader can run here, and if not, why (in English, for the operator)."""

    available: bool
    reason: str = ""


def reader_status() -> ReaderStatus:
    """Return whether the OCR packages are installed, without importing them (cheap)."""
    missing = missing_module()
    if missing is not None:
        return ReaderStatus(False, f"the Python package providing {missing!r} is not installed")
    error = _load_error
    if error is not None:
        return ReaderStatus(False, error)
    return ReaderStatus(True)


_load_error: str | None = None  # set once when loading failed: the reason shown to people


@cache
def missing_module() -> str | None:
    """The first of ``REQUIRED_MODULES`` not installed, or None; looked up once per process
    (a look-up walks ``sys.path``: a millisecond, twice a run where nobody reads)."""
    for name in REQUIRED_MODULES:
        # Already imported, or being imported right now by the background load: cv2 swaps its
        # own module in sys.modules while it loads, and find_spec then raises ValueError.
        if name in sys.modules:
            continue
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = name in sys.modules
        if not found:
            return name
    return None


class FairSlots:
    """At most ``size`` holders at once, served first come, first served (a bare semaphore lets
    the thread that just released win again, so one long message could starve the others)."""

    def __init__(self, size: int = 1) -> None:
        self._changed = threading.Condition()
        self._free = size
        self._queue: deque[object] = deque()

    def __enter__(self) -> None:
        ticket = object()
        with self._changed:
            self._queue.append(ticket)
            self._changed.wait_for(lambda: self._free > 0 and self._queue[0] is ticket)
            self._queue.popleft()
            self._free -= 1
            self._changed.notify_all()  # the next in line may find a free slot too

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._free += 1
            self._changed.notify_all()

    def wait_idle(self, size: int, timeout: float) -> bool:
        """Wait until every slot is free; return whether that happened within ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: self._free == size, timeout)


class TextReader:
    """RapidOCR loaded once; ``read`` is thread-safe and runs one picture at a time."""

    def __init__(self, *, concurrency: int = 1, threads: int | None = None) -> None:
        self._engine: Any = None
        self._load_lock = threading.Lock()
        self._concurrency = concurrency
        self._runs = FairSlots(concurrency)
        self._threads = threads or min(4, os.cpu_count() or 1)
        self.load_seconds: float | None = None

    def __repr__(self) -> str:
        return f"TextReader(loaded={self._engine is not None})"

    def load(self) -> None:
        """Load the models now (idempotent). Raises ReaderUnavailableError."""
        global _load_error
        with self._load_lock:
            if self._engine is not None:
                return
            if _exiting.is_set():
                raise ReaderUnavailableError("the process is exiting", reason="exiting")
            tune_allocator()  # done at start-up already; a no-op then
            started = time.perf_counter()
            try:
                self._engine = _build_engine(self._threads)
                # RapidOCR builds its sessions on first use: one tiny read loads all three.
                self._engine(Image.new("RGB", (64, 32), "white"))
            except ImportError as exc:
                _load_error = f"cannot import {exc.name or exc}"
                raise ReaderUnavailableError(_load_error, reason=_load_error) from None
            except Exception as exc:  # a broken wheel or model: the preset says why
                _load_error = f"the models did not load ({type(exc).__name__})"
                log.exception("local text reader failed to load")
                raise ReaderUnavailableError(_load_error, reason=_load_error) from None
            self.load_seconds = time.perf_counter() - started

    def read(
        self, picture: PreparedImage | bytes, *, cancelled: Callable[[], bool] = lambda: False
    ) -> ReadResult:
        """Return the text lines in ``picture`` (prepared image or encoded bytes), in reading
        order. ``cancelled`` is checked between bands; a cancelled read returns what it has.

        Raises ReaderUnavailableError, ReadFailedError.
        """
        try:
            if isinstance(picture, PreparedImage) and picture.parts:
                return self._read_parts(picture, cancelled)
            return self._read_one(picture, cancelled)
        finally:
            give_back()  # what the models freed goes back to the system, not to glibc's arenas

    def _read_one(
        self, picture: PreparedImage | bytes, cancelled: Callable[[], bool]
    ) -> ReadResult:
        data = picture.data if isinstance(picture, PreparedImage) else picture
        image = _decode(data)
        self.load()
        started = time.perf_counter()
        lines: list[TextLine] = []
        for top, bottom, keep_from, keep_to in _bands(image.height):
            if cancelled():
                break
            band = image.crop((0, top, image.width, bottom))
            with self._runs:
                if _exiting.is_set():
                    break
                output = self._engine(band)
            for line in _lines(output, offset=top):
                centre = sum(y for _, y in line.box) / len(line.box)
                if keep_from <= centre < keep_to:
                    lines.append(line)
        return ReadResult(tuple(lines), image.width, image.height, time.perf_counter() - started)

    def _read_parts(self, picture: PreparedImage, cancelled: Callable[[], bool]) -> ReadResult:
        """Read a sliced (or zoomed) picture part by part, as sent: its overview is too small.

        Lines are mapped back into the original's pixels. Neighbouring slices overlap, so each
        keeps the lines whose centre falls on its side of the middle of an overlap: a line is read
        once. A zoom's parts (the whole, then the region) are read one after the other.
        """
        started = time.perf_counter()
        parts = picture.parts
        keep = _slice_ranges(parts) if picture.region is None else None
        lines: list[TextLine] = []
        for index, part in enumerate(parts):
            if cancelled():
                break
            for line in self._read_one(part.data, cancelled).lines:
                mapped = _to_original(line, part)
                if keep is None or _centre_within(mapped, keep[index]):
                    lines.append(mapped)
        width, height = picture.original_size
        return ReadResult(tuple(lines), width, height, time.perf_counter() - started)


def _build_engine(threads: int) -> Any:
    from rapidocr import RapidOCR  # imported here: the app starts without it

    spec = importlib.util.find_spec("rapidocr")
    assert spec is not None and spec.origin is not None  # imported just above
    models = Path(spec.origin).parent / "models"
    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.model_root_dir": str(models),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        # PaddleOCR's classic detection size: the long side at most 960 px. RapidOCR's own
        # default (short side at least 736) peaked near 800 MB on a phone photo, this near 400,
        # with the same accuracy on the generated set (bench/ocr.py).
        "Det.limit_type": "max",
        "Det.limit_side_len": 960,
    }
    for stage, name in MODEL_FILES.items():
        path = models / name
        if not path.is_file():  # never let RapidOCR fetch a missing model
            raise FileNotFoundError(name)
        params[f"{stage}.model_path"] = str(path)
    return RapidOCR(params=params)


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ReadFailedError(
                    "picture too large to read", pixels=opened.width * opened.height
                )
            return ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ReadFailedError(f"cannot decode the picture ({type(exc).__name__})") from None


def _bands(height: int) -> list[tuple[int, int, float, float]]:
    """Return (top, bottom, keep_from, keep_to) per band: a line belongs to the band whose
    keep range holds its centre, so a line in an overlap is kept once."""
    if height <= BAND_HEIGHT + BAND_OVERLAP:
        return [(0, height, 0.0, float("inf"))]
    step = BAND_HEIGHT - BAND_OVERLAP
    tops = list(range(0, height - BAND_OVERLAP, step))
    bands = []
    for index, top in enumerate(tops):
        bottom = min(top + BAND_HEIGHT, height)
        keep_from = 0.0 if index == 0 else top + BAND_OVERLAP / 2
        keep_to = float("inf") if index == len(tops) - 1 else bottom - BAND_OVERLAP / 2
        bands.append((top, bottom, keep_from, keep_to))
    return bands


Range = tuple[int, float, float]  # axis (1: rows, 0: columns), from, to: in original pixels


def _slice_ranges(parts: Sequence[ImagePart]) -> list[Range]:
    """Return, per slice, the stretch of the original it alone answers for: overlaps are split
    at their middle. Slices run top to bottom, or left to right for a panorama."""
    axis = 1 if len({(part.box[0], part.box[2]) for part in parts}) == 1 else 0
    spans = [(part.box[axis], part.box[axis + 2]) for part in parts]
    ranges: list[Range] = []
    for i, (start, end) in enumerate(spans):
        low = (start + spans[i - 1][1]) / 2 if i > 0 else float("-inf")
        high = (end + spans[i + 1][0]) / 2 if i + 1 < len(spans) else float("inf")
        ranges.append((axis, low, high))
    return ranges


def _to_original(line: TextLine, part: ImagePart) -> TextLine:
    left, top, right, bottom = part.box
    sx, sy = (right - left) / max(1, part.width), (bottom - top) / max(1, part.height)
    corners = tuple((round(left + x * sx), round(top + y * sy)) for x, y in line.box)
    return TextLine(line.text, corners, line.confidence)


def _centre_within(line: TextLine, keep: Range) -> bool:
    axis, low, high = keep
    centre = sum(corner[axis] for corner in line.box) / len(line.box)
    return low <= centre < high


def _lines(output: Any, *, offset: int) -> list[TextLine]:
    if output.boxes is None or output.txts is None:
        return []
    found = []
    for box, text, score in zip(output.boxes, output.txts, output.scores, strict=True):
        corners = tuple((round(float(x)), round(float(y)) + offset) for x, y in box)
        found.append(TextLine(str(text), corners, round(float(score), 4)))
    return found  # RapidOCR sorts its boxes top to bottom, then left to right


_shared: ProcessOne[TextReader] = ProcessOne(TextReader)
_exiting = threading.Event()


@atexit.register
def _settle_before_exit() -> None:
    """Let a load or read in a daemon thread finish before the interpreter goes: onnxruntime
    aborts the whole process (exit 134) when torn down under a running session."""
    _exiting.set()
    reader = _shared.made()
    if reader is None:
        return
    if reader._load_lock.acquire(timeout=30):
        reader._load_lock.release()
    reader._runs.wait_idle(reader._concurrency, timeout=30)


def shared_reader() -> TextReader:
    """Return the process's one reader (created, not loaded, on first call)."""
    return _shared.get()
