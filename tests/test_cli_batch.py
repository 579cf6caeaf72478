"""`python -m components batch` as a subprocess against the loopback upstream."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from PIL import Image

from components.devtools.upstream import (
    FakeBatchAPI,
    FakeUpstream,
    bingcheng_error,
    by_picture_width,
    openai_error,
    sse,
)
from tests.conftest import CLI_CWD, cli_environment
from tests.helpers import png_bytes

KEY = "sk-clibatch-0123456789abcdef"
USAGE = {"prompt_tokens": 90, "completion_tokens": 3, "total_tokens": 93}


def clean_env() -> dict[str, str]:
    return cli_environment()


def command(up: FakeUpstream, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "components", "batch", *args,
        "--base-url", up.base_url, "--api-key", KEY, "--model", "gpt-4o-mini", "--detail", "low",
    ]  # fmt: skip


def batch(up: FakeUpstream, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(up, *args),
        cwd=CLI_CWD,
        env=clean_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def mixed_folder(root: Path) -> Path:
    """Good pictures, odd ones (a cut PNG, a JPEG named .png), broken ones, a zip, a text file."""
    folder = root / "pics"
    (folder / "sub").mkdir(parents=True)
    for width in (60, 61, 62):
        (folder / f"good{width}.png").write_bytes(png_bytes(width))
    (folder / "sub" / "cut.png").write_bytes(png_bytes(63)[:60])  # odd: recovered
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 40), "red").save(jpeg, "JPEG")
    (folder / "sub" / "really-a-jpeg.png").write_bytes(jpeg.getvalue())  # odd: wrong extension
    (folder / "broken.jpg").write_bytes(b"not a picture at all")
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.txt").write_text("ignored")
    with zipfile.ZipFile(folder / "more.zip", "w") as archive:
        archive.writestr("in-zip.png", png_bytes(65))
        archive.writestr("../escape.png", png_bytes(66))
    return folder


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_mixed_folder_end_to_end_then_resume_sends_only_what_failed(
    upstream: FakeUpstream, tmp_path: Path
) -> None:
    folder = mixed_folder(tmp_path)
    out = tmp_path / "results.jsonl"
    upstream.default = sse(["一只蓝色的方块"], usage=USAGE)
    upstream.script = by_picture_width({61: [bingcheng_error(402)]})  # refused once
    first = batch(upstream, str(folder), "--prompt", "描述", "--out", str(out))
    assert first.returncode == 1, first.stderr
    records = {Path(r["file"]).name: r for r in lines(out)}
    assert {n: r["status"] for n, r in records.items()} == {
        "good60.png": "done",
        "good61.png": "failed",
        "good62.png": "done",
        "in-zip.png": "done",
        "broken.jpg": "refused",
        "empty.png": "refused",
        "cut.png": "done",
        "really-a-jpeg.png": "done",
        "escape.png": "refused",
    }
    assert records["good60.png"]["answer"] == "一只蓝色的方块"
    assert records["good60.png"]["prompt_tokens"] == 90
    assert (
        "内容安全" in records["good61.png"]["error"]
        or records["good61.png"]["error_kind"] == "content_filter"
    )
    assert "done" in first.stderr and "remaining" in first.stderr  # the progress bar
    assert KEY not in first.stderr + out.read_text(encoding="utf-8")
    sent = len(upstream.requests)
    assert sent == 6

    again = batch(upstream, str(folder), "--prompt", "描述", "--out", str(out))
    assert len(upstream.requests) - sent == 1  # only the failed picture
    assert "5 already answered" in again.stderr
    statuses = [r["status"] for r in lines(out)]
    assert statuses.count("done") == 6 and len(statuses) == 9  # one line per picture
    assert again.returncode == 1  # the refused files still did not succeed


def test_all_answered_exits_zero_and_a_new_prompt_is_a_new_run(
    upstream: FakeUpstream, tmp_path: Path
) -> None:
    for width in (60, 61):
        (tmp_path / f"p{width}.png").write_bytes(png_bytes(width))
    out = tmp_path / "o.jsonl"
    files = [str(tmp_path / "p60.png"), str(tmp_path / "p61.png")]
    busy = openai_error(429, "slow down", headers={"Retry-After": "0"})
    upstream.script = by_picture_width({60: [busy]})
    done = batch(upstream, *files, "--prompt", "hi", "--columns", "a,b", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert len(upstream.requests) == 3  # the 429 asked to come back: the one thing sent again
    other = batch(upstream, *files, "--prompt", "other", "--out", str(out))
    assert other.returncode == 0 and len(upstream.requests) == 5
    assert len(lines(out)) == 4  # both runs' answers kept


def test_usage_errors_exit_2(upstream: FakeUpstream, tmp_path: Path) -> None:
    result = batch(upstream, str(tmp_path / "nothing-here"), "--prompt", "x", "--concurrency", "99")
    assert result.returncode == 2
    result = batch(upstream, str(tmp_path), "--prompt", "x", "--out", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2 and "no pictures" in result.stderr


def test_batch_api_round_trip_survives_an_interruption(
    upstream: FakeUpstream, tmp_path: Path
) -> None:
    fake = FakeBatchAPI(polls_before_done=10_000)
    upstream.batch_api = fake
    folder = tmp_path / "pics"
    folder.mkdir()
    for width in (60, 61, 62):
        (folder / f"p{width}.png").write_bytes(png_bytes(width))
    (folder / "broken.png").write_bytes(b"nope")
    out = tmp_path / "r.jsonl"
    state = tmp_path / "r.jsonl.batch.json"
    args = [
        str(folder),
        "--prompt",
        "描述",
        "--out",
        str(out),
        "--via",
        "batch-api",
        "--poll",
        "0.05",
    ]
    proc = subprocess.Popen(
        command(upstream, *args), cwd=CLI_CWD, env=clean_env(), stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not state.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state.exists(), "the batch id is saved as soon as the batch exists"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "rerun" in err and state.exists()
    assert (fake.uploads, fake.created) == (1, 1)
    upload = next(r for r in upstream.requests if r.path.endswith("/files"))
    assert upload.headers["authorization"] == f"Bearer {KEY}"

    fake.polls_before_done = 0
    fake.fail = frozenset({json.loads(state.read_text())["keys"][1]})
    resumed = batch(upstream, *args)
    assert (fake.uploads, fake.created) == (1, 1), "resumed the saved batch, did not pay twice"
    assert not state.exists()
    records = {Path(r["file"]).name: r for r in lines(out)}
    assert {n: r["status"] for n, r in records.items()} == {
        "p60.png": "done",
        "p61.png": "failed",
        "p62.png": "done",
        "broken.png": "refused",
    }
    assert records["p60.png"]["answer"].startswith("答：")
    assert records["p60.png"]["prompt_tokens"] == 100
    assert resumed.returncode == 1
    sent = [json.loads(x) for x in fake.files["file-in1"].decode().splitlines()]
    assert len(sent) == 3 and all("stream" not in x["body"] for x in sent)
    assert all(x["url"] == "/v1/chat/completions" for x in sent)
    assert not any(r.path.endswith("/chat/completions") for r in upstream.requests)


def test_ctrl_c_keeps_finished_answers_and_the_rerun_sends_only_the_rest(
    upstream: FakeUpstream, tmp_path: Path
) -> None:
    upstream.latency = 0.4
    for width in range(60, 66):
        (tmp_path / f"p{width}.png").write_bytes(png_bytes(width))
    out = tmp_path / "o.jsonl"
    args = [str(tmp_path), "--prompt", "x", "--out", str(out), "--concurrency", "1"]
    proc = subprocess.Popen(
        command(upstream, *args), cwd=CLI_CWD, env=clean_env(), stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not out.exists() or len(out.read_text(encoding="utf-8").splitlines()) < 2
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    first = {r["file"]: r["status"] for r in lines(out)}
    answered = [f for f, s in first.items() if s == "done"]
    assert len(answered) >= 2 and len(first) == 6  # one line per picture, even when stopped
    sent = len(upstream.requests)
    upstream.latency = 0.0
    again = batch(upstream, *args)
    assert again.returncode == 0, again.stderr
    assert len(upstream.requests) - sent == 6 - len(answered)
    assert [r["status"] for r in lines(out)] == ["done"] * 6
