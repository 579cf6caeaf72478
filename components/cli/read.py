"""`kantu read FILE...`: print the text in pictures, read on this machine.

Nothing leaves the machine: the local reader's models are in its installed package. Without
``--json`` each file gives a ``== FILE ==`` line and its lines of text with their confidence;
with ``--json`` each input gives one JSON object on its own stdout line::

    {"file", "ok": true, "width", "height", "seconds", "text",
     "lines": [{"text", "confidence", "box": [[x, y], [x, y], [x, y], [x, y]]}, ...]}
    {"file", "ok": false, "error": "<message>"}

Boxes are the corners in the picture's pixels (after its EXIF orientation), clockwise from top
left; lines come in reading order. Exit status: 0 when every input was read, 1 when any could
not be, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from components.cli.commands import command_parser
from components.cli.outcome import FAILED, OK
from components.errors import KantuError
from components.ocr.allocator import tune_allocator
from components.ocr.engine import ReadResult, shared_reader

MAX_FILE_BYTES = 50 * 1024 * 1024


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `read` subcommand."""
    parser = command_parser(
        sub, "read", summary="print the text in pictures (local OCR, offline)", doc=__doc__
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="pictures to read")
    parser.add_argument("--json", action="store_true", help="one JSON object per input line")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read each file, print its text, return 0 if all were read else 1."""
    tune_allocator()  # before the reader loads: what it frees goes back to the system
    ok = True
    for name in args.files:
        row = read_one(Path(name))
        ok = ok and row["ok"]
        print(json.dumps(row, ensure_ascii=False) if args.json else _plain(row), flush=True)
    return OK if ok else FAILED


def read_one(path: Path) -> dict[str, Any]:
    """Return the JSON-ready row for one file (``ok`` false with the error's message)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return {"file": str(path), "ok": False, "error": exc.strerror or type(exc).__name__}
    if len(data) > MAX_FILE_BYTES:
        return {"file": str(path), "ok": False, "error": "larger than 50 MB"}
    try:
        found = shared_reader().read(data)
    except KantuError as exc:
        return {"file": str(path), "ok": False, "error": exc.message("en")}
    return {"file": str(path), "ok": True, **result_json(found)}


def result_json(found: ReadResult) -> dict[str, Any]:
    """Return a read result as JSON-ready fields."""
    return {
        "width": found.width,
        "height": found.height,
        "seconds": round(found.seconds, 3),
        "text": found.text,
        "lines": [
            {"text": line.text, "confidence": line.confidence, "box": [list(p) for p in line.box]}
            for line in found.lines
        ],
    }


def _plain(row: dict[str, Any]) -> str:
    head = f"== {row['file']} =="
    if not row["ok"]:
        return f"{head}\nerror: {row['error']}"
    lines = [f"{line['text']}\t({line['confidence']:.0%})" for line in row["lines"]]
    return "\n".join([head, *lines])
