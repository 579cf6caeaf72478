"""`kantu prepare FILE...`: prepare pictures as Kantu would send them.

With ``--json`` each input gives one JSON object on its own stdout line::

    {"file", "ok": true, "mime", "width", "height", "bytes", "tokens", "detail", "source": {...}}
    {"file", "ok": false, "error": "<message>"}

With ``--detail slices`` ``width`` and ``height`` are the overview's (``--out`` writes the slices)
and an ok object also has ``"slices": [{"width", "height", "tokens", "top",
"left"}, ...]``: each slice's size as sent, and where it starts in the original's pixels (top to
bottom; left to right for a wide panorama). ``tokens`` is then their sum, and ``--out`` writes
``DIR/<stem>.<n>.<ext>`` for each slice. At most ``--max-slices`` are made (a longer picture is
refused, saying how many it needs).

Exit status: 0 when every input was prepared, 1 when any was refused, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from components.cli.commands import command_parser
from components.cli.outcome import FAILED, OK
from components.errors import ImageError
from components.images.prepare import prepare_file
from components.images.prepared import DETAILS, PreparedImage
from components.images.slice_limits import DEFAULT_MAX_SLICES, MAX_SLICES_LIMIT

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the `prepare` subcommand."""
    parser = command_parser(
        sub,
        "prepare",
        summary="prepare pictures for a vision model (resize, orient, strip metadata)",
        doc=__doc__,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="pictures to prepare")
    parser.add_argument("--detail", choices=DETAILS, default="auto", help="size policy (auto)")
    parser.add_argument(
        "--max-slices",
        type=_slice_cap,
        default=DEFAULT_MAX_SLICES,
        metavar="N",
        help=f"with --detail slices: refuse a picture needing more (default {DEFAULT_MAX_SLICES})",
    )
    parser.add_argument("--model", default="gpt-4o-mini", help="model the tokens are estimated for")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write DIR/<stem>.<ext> for each")
    parser.add_argument("--json", action="store_true", help="one JSON object per input line")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Prepare each file, print a line per file, return 0 if all were prepared else 1."""
    rows = [_prepare_one(Path(name), args) for name in args.files]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False), flush=True)
    else:
        print(format_table(rows))
    return OK if all(row["ok"] for row in rows) else FAILED


def _slice_cap(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_SLICES_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_SLICES_LIMIT}")
    return value


def _prepare_one(path: Path, args: argparse.Namespace) -> dict[str, Any]:
    try:
        prepared = prepare_file(
            path, detail=args.detail, model=args.model, max_slices=args.max_slices
        )
    except ImageError as exc:
        return {"file": str(path), "ok": False, "error": exc.message("en")}
    if args.out is not None:
        if prepared.parts:
            files = [
                (args.out / f"{path.stem}.{i}.{EXTENSIONS[part.mime]}", part.data)
                for i, part in enumerate(prepared.parts, 1)
            ]
        else:
            files = [(args.out / f"{path.stem}.{EXTENSIONS[prepared.mime]}", prepared.data)]
        for target, data in files:
            try:
                args.out.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            except OSError as exc:
                return {
                    "file": str(path),
                    "ok": False,
                    "error": f"cannot write {target}: {exc.strerror}",
                }
    return _ok_row(path, prepared)


def _ok_row(path: Path, prepared: PreparedImage) -> dict[str, Any]:
    row = _plain_row(path, prepared)
    if prepared.detail == "slices":
        row["slices"] = [
            {
                "width": part.width,
                "height": part.height,
                "tokens": part.tokens,
                "top": part.box[1],
                "left": part.box[0],
            }
            for part in prepared.parts
        ]
    return row


def _plain_row(path: Path, prepared: PreparedImage) -> dict[str, Any]:
    return {
        "file": str(path),
        "ok": True,
        "mime": prepared.mime,
        "width": prepared.width,
        "height": prepared.height,
        "bytes": len(prepared.data),
        "tokens": prepared.tokens,
        "detail": prepared.detail,
        "source": dataclasses.asdict(prepared.source),
    }


def format_table(rows: list[dict[str, Any]]) -> str:
    """Return the rows as an aligned, human-readable table."""
    header = ("file", "result", "size", "bytes", "tokens", "source")
    lines = [header]
    for row in rows:
        if row["ok"]:
            src = row["source"]
            notes = [f"{src['format']} {src['width']}x{src['height']}"]
            notes += [f"{src['frames']} frames"] if src["frames"] > 1 else []
            notes += ["rotated"] if src["orientation_applied"] else []
            notes += ["truncated"] if src["truncated"] else []
            size = f"{row['width']}x{row['height']}"
            if "slices" in row:
                first = row["slices"][0]
                size = f"{len(row['slices'])} × {first['width']}x{first['height']}"
            lines.append(
                (
                    row["file"],
                    row["mime"],
                    size,
                    str(row["bytes"]),
                    str(row["tokens"]),
                    ", ".join(notes),
                )
            )
        else:
            lines.append((row["file"], "refused", "", "", "", row["error"]))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    out = []
    for line in lines:
        cells = [
            cell.ljust(w) if i != 3 and i != 4 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=False))
        ]
        out.append("  ".join([*cells, line[-1]]).rstrip())
    return "\n".join(out)
