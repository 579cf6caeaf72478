"""Benchmark what a public site takes in from strangers: typed settings, the access code,
imported conversation files and uploaded archives.

Run ``python bench/hostile_settings.py`` (``--repeat N``, default 5). The tests in
tests/test_hostile_settings.py and tests/test_transfer.py prove these inputs give only typed
errors in bounded memory; how long they take is measured here, never asserted in a test. Each
row is the median of the repeats, beside a baseline timed in the same run on the same machine:

1. typed settings: ``resolve_settings`` on the hostile examples of the property test, beside
   the same call with ordinary values;
2. the access code: ``code_matches`` on a 2,000-character near miss, a far miss and the right
   code, beside a one-character wrong code (the ratios should stay near 1: its time must not
   say how close a guess was);
3. imported files: ``import_json`` on each hostile file of the tests, beside ``json.loads`` of
   an ordinary JSON document of the same size (the floor any importer pays to read it);
4. uploaded archives: ``from_uploads`` (and reading every entry) on archives with flipped bytes,
   beside the same intact archive.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.batch.intake import ZipEntryError, from_uploads  # noqa: E402
from components.conversation.transfer import MAX_FILE_BYTES, import_json  # noqa: E402
from components.errors import KantuError  # noqa: E402
from components.hosting.access import code_matches  # noqa: E402
from components.images.upload import Upload  # noqa: E402
from components.providers.settings import resolve_settings  # noqa: E402

CODES = ("orange-7391", "第二个访问码")


def median_s(call: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``call`` (its KantuError counts as its outcome)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(KantuError):
            call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def settings_rows(repeat: int) -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    def settings(base_url: str, model: str, key: str, hosted: bool) -> Callable[[], object]:
        return lambda: resolve_settings(
            base_url=base_url, model=model, api_key=key, secrets={}, environ={}, hosted=hosted
        )

    plain = settings("https://api.openai.com/v1", "gpt-4o-mini", "sk-" + "a" * 40, True)
    return [
        ("100k-label host, 100k model", plain, settings("http://" + "a." * 20_000 + "com/v1", "m" * 100_000, "", True)),
        ("10k-colon IPv6 host, 100k key", plain, settings("http://[" + ":" * 10_000 + "]/v1", "", "k" * 100_000, False)),
    ]  # fmt: skip


def access_rows() -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    def matches(typed: str) -> Callable[[], object]:
        return lambda: [code_matches(typed, CODES) for _ in range(1000)]

    short = matches("x")
    return [
        ("near miss, 2,000 chars (×1000)", short, matches("orange-739" + "1" * 1990)),
        ("far miss, 2,000 chars (×1000)", short, matches("\x00" * 2000)),
        ("the right code (×1000)", short, matches(" orange-7391 ")),
    ]


def import_rows() -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    hostile = {
        "deep [[[ (1 MB)": b"[" * 1_000_000,
        "deep entries (600 KB)": b'{"kantu": 1, "entries": '
        + b"[" * 300_000
        + b"]" * 300_000
        + b"}",
        "escapes (3 MB)": b'{"a": "' + b"\\u0000" * 500_000 + b'"}',
        "many entries": json.dumps(
            {"kantu": 1, "entries": [{}] * 100_000, "pictures": []}
        ).encode(),
        "oversized (64 MB + 1)": b'{"kantu": "conversation", "pad": "'
        + b"x" * MAX_FILE_BYTES
        + b'"}',
    }
    rows = []
    for name, data in hostile.items():
        words = max(1, len(data) // 12)
        benign = json.dumps(["abcdefgh"] * words).encode()
        rows.append((name, lambda b=benign: json.loads(b), lambda d=data: import_json(d)))
    return rows


def _archive(flips: list[tuple[int, int]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("a.png", "../x.png", "/abs.jpg", "d/b.jpg", "C:\\w.png", "n.txt"):
            archive.writestr(name, bytes(range(256)) * 2)
    raw = bytearray(out.getvalue())
    for where, value in flips:
        raw[where % len(raw)] = value
    return bytes(raw)


def archive_rows() -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    def intake(data: bytes) -> Callable[[], object]:
        def run() -> object:
            sources = from_uploads([Upload("up.zip", data)]).sources
            for source in sources:
                with contextlib.suppress(ZipEntryError):
                    source.load()
            return sources

        return run

    intact = intake(_archive([]))
    return [
        ("flipped header bytes", intact, intake(_archive([(0, 0), (40, 255), (80, 7)]))),
        ("flipped deflate bytes", intact, intake(_archive([(60, 0), (200, 255), (330, 1)]))),
        ("flipped central directory", intact, intake(_archive([(-60, 0), (-40, 255)]))),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per row (median shown)")
    args = parser.parse_args()
    sections = [
        ("typed settings", settings_rows(args.repeat)),
        ("access code", access_rows()),
        ("imported file", import_rows()),
        ("uploaded archive", archive_rows()),
    ]
    print(f"Python {sys.version.split()[0]}; median of {args.repeat} runs per row")
    print(f"{'case':<46}{'baseline ms':>12}{'kantu ms':>12}{'ratio':>9}")
    for title, rows in sections:
        print(f"-- {title}")
        for name, baseline, kantu in rows:
            base = median_s(baseline, args.repeat)
            ours = median_s(kantu, args.repeat)
            ratio = f"{ours / base:.1f}×" if base > 0 else "—"
            print(f"{name:<46}{base * 1000:>12.2f}{ours * 1000:>12.2f}{ratio:>9}")


if __name__ == "__main__":
    main()
