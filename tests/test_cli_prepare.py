"""The `python -m components prepare` contract, run as other tools run it: a subprocess."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from components.devtools import image_factory as make
from tests.conftest import CORPUS, ROOT

OK_KEYS = {"file", "ok", "mime", "width", "height", "bytes", "tokens", "detail", "source"}


def prepare(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "components", "prepare", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def corpus_run() -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    with (CORPUS / "expect.tsv").open(newline="", encoding="utf-8") as handle:
        expect = {row["file"]: row["expect"] for row in csv.DictReader(handle, delimiter="\t")}
    return prepare("--json", *(CORPUS / name for name in expect)), expect


def test_json_over_the_whole_corpus_gives_one_parsable_line_per_file(corpus_run):
    result, expect = corpus_run
    lines = result.stdout.splitlines()
    assert len(lines) == len(expect)
    rows = [json.loads(line) for line in lines]
    assert [Path(row["file"]).name for row in rows] == list(expect)
    assert "Traceback" not in result.stderr


def test_json_ok_and_refusals_match_expectations(corpus_run):
    result, expect = corpus_run
    for row in map(json.loads, result.stdout.splitlines()):
        wanted = expect[Path(row["file"]).name]
        if row["ok"]:
            assert wanted in ("prepare", "either"), row
            assert set(row) == OK_KEYS
            assert row["bytes"] > 0 and row["tokens"] > 0 and row["detail"] == "auto"
            assert set(row["source"]) >= {"format", "width", "height", "frames", "truncated"}
        else:
            assert wanted in ("refuse", "either"), row
            assert set(row) == {"file", "ok", "error"}
            assert row["error"].startswith(Path(row["file"]).name)


def test_exit_code_is_1_when_any_input_is_refused(corpus_run):
    assert corpus_run[0].returncode == 1


def test_exit_code_is_0_when_every_input_is_prepared():
    result = prepare("--json", CORPUS / "hopper.jpg", CORPUS / "transparent.png")
    assert result.returncode == 0, result.stderr
    assert all(json.loads(line)["ok"] for line in result.stdout.splitlines())


@pytest.mark.parametrize("args", [(), ("--detail", "huge", "x.jpg"), ("--nope", "x.jpg")])
def test_usage_errors_exit_2(args):
    result = prepare(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_missing_file_is_a_refusal_with_a_message_not_a_traceback(tmp_path):
    result = prepare("--json", tmp_path / "gone.jpg")
    assert result.returncode == 1
    row = json.loads(result.stdout)
    assert row == {"file": str(tmp_path / "gone.jpg"), "ok": False, "error": row["error"]}
    assert "gone.jpg" in row["error"] and "cannot be read" in row["error"]  # not "not an image"
    assert "Traceback" not in result.stderr


def test_out_writes_each_prepared_image_as_stem_and_extension(tmp_path):
    photo = tmp_path / "holiday.heic"
    photo.write_bytes(make.heic())
    out = tmp_path / "out"
    result = prepare("--json", "--out", out, photo, CORPUS / "chi.gif", CORPUS / "broken.png")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["chi.png", "holiday.jpg"]
    assert (out / "holiday.jpg").stat().st_size == rows[0]["bytes"]


def test_detail_and_model_options_change_size_and_tokens():
    low = json.loads(
        prepare(
            "--json", "--detail", "low", "--model", "gpt-4o", CORPUS / "hopper_bad_exif.jpg"
        ).stdout
    )
    assert low["detail"] == "low" and low["tokens"] == 85
    assert max(low["width"], low["height"]) <= 512


def test_table_without_json_is_aligned_and_names_refusals():
    result = prepare(CORPUS / "hopper.jpg", CORPUS / "broken.png")
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["file", "result"]
    assert "refused" in lines[2] and "broken.png: the image is damaged" in lines[2]
    assert lines[1].index("image/jpeg") == lines[0].index("result")
    assert result.returncode == 1


@pytest.mark.parametrize(("width", "height", "mp"), [(20_000, 12_000, 240), (30_000, 20_000, 600)])
def test_jpeg_bomb_refusal_names_its_size_even_when_pillow_refuses_first(
    tmp_path, width, height, mp
):
    # Outside pytest, Pillow's DecompressionBombWarning is an error; the message still has the size.
    path = tmp_path / "pano.jpg"
    path.write_bytes(make.jpeg_claiming(width, height))
    result = prepare("--json", path)
    row = json.loads(result.stdout)
    assert result.returncode == 1 and not row["ok"]
    assert f"{width}×{height} pixels ({mp} MP) is over the 200 MP limit for JPEG" in row["error"]


def test_hostile_files_are_refused_with_a_reason_and_the_good_one_still_prepared(tmp_path):
    files = {
        "chunks.png": make.png_with_chunks(70_000),
        "pages.tif": make.tiff_pages(10_001),
        "scan16.png": make.grey16_trns_png(7071, cut=True),
        "photo.jpg": make.photo_jpeg(320, 240),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = prepare("--json", *(tmp_path / name for name in files))
    rows = {Path(row["file"]).name: row for row in map(json.loads, result.stdout.splitlines())}
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert rows["photo.jpg"]["ok"]
    assert "more than 65,536 chunks" in rows["chunks.png"]["error"]
    assert "more than 10,000 pages" in rows["pages.tif"]["error"]
    assert "over the 256 MB allowed per picture" in rows["scan16.png"]["error"]


def test_json_with_slices_lists_each_slice_as_sent_with_its_top_in_original_pixels(tmp_path):
    long = tmp_path / "chat.png"
    long.write_bytes(make.long_screenshot(1170, 9000))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(make.photo_jpeg(1600, 1200))
    result = prepare("--detail", "slices", "--model", "gpt-4o", "--json", long, photo)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2  # one object per input
    sliced, single = rows
    assert OK_KEYS | {"slices"} <= set(sliced)
    assert all(set(s) >= {"width", "height", "tokens", "top"} for s in sliced["slices"])
    assert [(s["width"], s["height"]) for s in sliced["slices"]] == [(768, 2048)] * 4
    tops = [s["top"] for s in sliced["slices"]]
    assert tops[0] == 0 and tops == sorted(tops) and tops[-1] + 2048 * 1170 / 768 >= 9000
    assert sliced["tokens"] == sum(s["tokens"] for s in sliced["slices"])
    assert len(single["slices"]) == 1 and single["slices"][0]["top"] == 0


def test_other_details_keep_todays_output_without_slices(tmp_path):
    long = tmp_path / "chat.png"
    long.write_bytes(make.long_screenshot(1170, 3000))
    row = json.loads(prepare("--json", long).stdout)
    assert set(row) == OK_KEYS


def test_slice_cap_refuses_on_the_command_line_and_says_how_many(tmp_path):
    long = tmp_path / "chat.png"
    long.write_bytes(make.long_screenshot(1170, 9000))
    result = prepare("--detail", "slices", "--max-slices", "2", "--json", long)
    row = json.loads(result.stdout)
    assert result.returncode == 1 and not row["ok"] and "4 slices" in row["error"]


@pytest.mark.parametrize(
    ("model", "long_side", "tokens"),
    [
        ("anthropic/claude-sonnet-4", 1264, None),  # area ≤ ~1600 tokens: 1264×948
        ("qwen3-vl-plus", 1856, 2496),  # ≤ 2560 cells of 32 px, +2 markers
    ],
)
def test_model_option_sizes_a_photo_by_that_familys_rule(tmp_path, model, long_side, tokens):
    photo = tmp_path / "wide.jpg"
    photo.write_bytes(make.photo_jpeg(4000, 3000))
    row = json.loads(prepare("--json", "--model", model, photo).stdout)
    assert row["ok"] and set(row) == OK_KEYS
    assert max(row["width"], row["height"]) == long_side
    if tokens is None:
        assert 1550 <= row["tokens"] <= 1600
    else:
        assert row["tokens"] == tokens
