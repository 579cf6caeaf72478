"""`python -m components ask` as a subprocess against the fake upstream."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from components.devtools.upstream import (
    FakeUpstream,
    bingcheng_error,
    hang,
    json_reply,
    openai_error,
    sse,
)
from tests.conftest import CLI_CWD, cli_environment

KEY = "sk-cli-0123456789abcdef"
HANG_S = 30  # a generous bound that only catches a hang, never a slow machine
USAGE = {"prompt_tokens": 90, "completion_tokens": 3, "total_tokens": 93}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anyone's own keys or base URLs."""
    return cli_environment(**extra)


def ask(
    up: FakeUpstream, *args: str, env: dict[str, str] | None = None, key: bool = True
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "components", "ask", "--base-url", up.base_url]
    if key:
        command += ["--api-key", KEY]
    return subprocess.run(
        [*command, *args],
        cwd=CLI_CWD,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 48), (255, 140, 0)).save(path, "PNG")
    return path


def test_answer_streams_to_stdout(upstream):
    upstream.enqueue(sse(["这是", "一个橙子。"]))
    done = ask(upstream, "这是什么？")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "这是一个橙子。\n" and done.stderr == ""
    body = upstream.requests[0].json
    assert body["messages"][0]["content"] == "这是什么？"
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {KEY}"


def test_each_delta_is_flushed_as_it_arrives(upstream):
    upstream.enqueue(sse(["先到", "后到"], stall_after=1, stall=30))
    command = [sys.executable, "-m", "components", "ask", "--base-url", upstream.base_url]
    proc = subprocess.Popen(
        [*command, "--api-key", KEY, "hi"], cwd=CLI_CWD, env=clean_env(), stdout=subprocess.PIPE
    )
    try:
        upstream.wait_for_requests(1, timeout=30)  # timed from here: a loaded machine starts slowly
        ready, _, _ = select.select([proc.stdout], [], [], 10)  # the second delta is 30 s away
        assert ready, "nothing on stdout before the stream ended"
        assert os.read(proc.stdout.fileno(), 100).decode() == "先到"
        assert proc.poll() is None  # still streaming: the first words did not wait for the end
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_options_and_system_prompt_are_sent(upstream):
    done = ask(
        upstream, "--system", "只用中文", "--max-tokens", "50", "--temperature", "0.3", "--model",
        "gpt-4.1-mini", "问题",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = upstream.requests[0].json
    assert body["model"] == "gpt-4.1-mini"
    assert body["max_tokens"] == 50 and body["temperature"] == 0.3
    assert body["messages"][0] == {"role": "system", "content": "只用中文"}


def test_image_is_sent_as_a_data_url(upstream, tmp_path):
    done = ask(upstream, "--image", str(png(tmp_path / "orange.png")), "--detail", "low", "看图")
    assert done.returncode == 0, done.stderr
    text, picture = upstream.requests[0].json["messages"][0]["content"]
    assert text == {"type": "text", "text": "看图"}
    assert picture["image_url"]["url"].startswith("data:image/")
    assert picture["image_url"]["detail"] == "low"


def test_provider_failure_is_one_line_on_stderr_and_exit_1(upstream):
    upstream.enqueue(bingcheng_error(900))
    done = ask(upstream, "hi")
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "API key is wrong" in lines[0] and "密钥错误或已过期" in lines[0]


def test_partial_answer_stays_on_stdout_when_cut(upstream):
    upstream.enqueue(sse(["前半句", "还有"], cut_after=2))
    done = ask(upstream, "hi")
    assert done.returncode == 1
    assert done.stdout.startswith("前半句还有")
    assert len(done.stderr.strip().splitlines()) == 1 and "cut off" in done.stderr


def test_json_line_has_answer_usage_timings(upstream, tmp_path):
    upstream.enqueue(sse(["答案"], usage=USAGE, model="gpt-4o-mini-2024-07-18"))
    done = ask(upstream, "--json", "--image", str(png(tmp_path / "a.png")), "hi")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["answer"] == "答案" and summary["finish_reason"] == "stop"
    assert summary["model"] == "gpt-4o-mini-2024-07-18"
    assert summary["usage"] == USAGE
    assert summary["image_tokens"] > 0
    assert summary["timings"]["total_s"] >= summary["timings"]["ttft_s"] > 0
    assert summary["error"] is None


def test_json_line_carries_the_error_kind(upstream):
    upstream.enqueue(openai_error(404, "The model `x` does not exist", "invalid_request_error"))
    done = ask(upstream, "--json", "--model", "x", "hi")
    assert done.returncode == 1
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["error"]["kind"] == "model_not_found"
    assert "“x”" in summary["error"]["message"]


def test_unreadable_image_exits_2(upstream, tmp_path):
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("hello")
    for path in (not_a_picture, tmp_path / "missing.jpg"):
        done = ask(upstream, "--image", str(path), "hi")
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert upstream.requests == []


@pytest.mark.parametrize(
    "args",
    [[], ["--temperature", "7", "hi"], ["--max-tokens", "0", "hi"], ["--detail", "huge", "hi"]],
)
def test_usage_errors_exit_2(upstream, args):
    done = ask(upstream, *args)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_bad_base_url_exits_2(upstream):
    done = subprocess.run(
        [sys.executable, "-m", "components", "ask", "--base-url", "ftp://x/v1", "hi"],
        cwd=CLI_CWD,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "http://" in done.stderr


def test_key_and_base_url_from_the_environment_and_never_printed(upstream):
    echo = f"Incorrect API key provided: {KEY}"
    upstream.enqueue(openai_error(401, echo, "invalid_request_error", "invalid_api_key"))
    env = clean_env(KANTU_API_KEY=KEY, KANTU_BASE_URL=upstream.base_url, KANTU_MODEL="m-1")
    done = subprocess.run(
        [sys.executable, "-m", "components", "ask", "--json", "hi"],
        cwd=CLI_CWD,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert upstream.requests[0].json["model"] == "m-1"
    assert KEY not in done.stdout and KEY not in done.stderr


def test_openai_api_key_is_the_fallback(upstream):
    env = clean_env(OPENAI_API_KEY=KEY, OPENAI_BASE_URL=upstream.base_url)
    done = subprocess.run(
        [sys.executable, "-m", "components", "ask", "hi"],
        cwd=CLI_CWD,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {KEY}"


def test_environment_key_is_withheld_from_another_base_url(upstream):
    # A custom server may need no key: the question goes, but never with the operator's key.
    env = clean_env(KANTU_API_KEY=KEY, KANTU_BASE_URL="https://yewu.bcwhkj.cn/v1")
    done = ask(upstream, "hi", env=env, key=False)
    assert done.returncode == 0, done.stderr
    assert [r.headers.get("Authorization") for r in upstream.requests] == [None]


def test_a_provider_that_needs_a_key_asks_for_your_own_when_the_operators_is_withheld():
    env = clean_env(KANTU_API_KEY=KEY, KANTU_BASE_URL="https://yewu.bcwhkj.cn/v1")
    command = [sys.executable, "-m", "components", "ask", "--base-url", "https://api.openai.com/v1"]
    done = subprocess.run(
        [*command, "hi"], cwd=CLI_CWD, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "own key" in done.stderr
    assert KEY not in done.stderr


def test_a_kantu_key_beside_only_an_openai_url_is_not_sent_and_the_cli_says_why(upstream):
    env = clean_env(KANTU_API_KEY=KEY, OPENAI_BASE_URL=upstream.base_url)
    done = ask(upstream, "hi", env=env, key=False)
    assert done.returncode == 0, done.stderr
    assert [r.headers.get("Authorization") for r in upstream.requests] == [None]
    for name in ("KANTU_API_KEY", "KANTU_BASE_URL", "OPENAI_BASE_URL"):
        assert name in done.stderr
    assert KEY not in done.stderr


def test_timeout_sets_the_first_byte_wait(upstream):
    # The reply comes after 20 s: with the default wait (60 s) the ask would succeed.
    upstream.enqueue(json_reply({"late": True}, delay=20))
    done = ask(upstream, "--timeout", "0.5", "hi")
    assert done.returncode == 1 and "too long" in done.stderr
    assert upstream.bodies_finished == 0  # it gave up before the provider answered


@pytest.mark.parametrize("words_first", [True, False], ids=["mid-answer", "before-first-byte"])
def test_ctrl_c_stops_at_once_with_exit_130(upstream, words_first):
    if words_first:
        upstream.enqueue(sse(["先到", "后到"], stall_after=1, stall=300))
    else:
        upstream.enqueue(hang(300))
    command = [sys.executable, "-m", "components", "ask", "--base-url", upstream.base_url]
    proc = subprocess.Popen(
        [*command, "--api-key", KEY, "--json", "hi"],
        cwd=CLI_CWD,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        upstream.wait_for_requests(1, timeout=30)
        if words_first:  # with --json the words stream to stderr
            ready, _, _ = select.select([proc.stderr], [], [], 10)
            assert ready and os.read(proc.stderr.fileno(), 100).decode() == "先到"
        proc.send_signal(signal.SIGINT)
        # the provider stays silent for 5 minutes: the generous bound only catches a wait for it
        assert proc.wait(timeout=HANG_S) == 130, "Ctrl-C waited for the provider"
        assert upstream.bodies_finished == 0
        assert b"Traceback" not in proc.stderr.read()
        summary = json.loads(proc.stdout.read())  # still exactly one JSON document
        assert summary["exit_code"] == 130 and summary["error"]["kind"] == "cancelled"
        assert summary["status"] == "stopped"
        assert summary["answer"] == ("先到" if words_first else "")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_json_line_sets_the_estimate_beside_the_bill_with_costs(upstream, tmp_path):
    upstream.enqueue(sse(["答案"], usage={"prompt_tokens": 400, "completion_tokens": 10}))
    done = ask(
        upstream,
        "--json",
        "--model",
        "gpt-4o",
        "--image",
        str(png(tmp_path / "a.png")),
        "这是什么？",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(summary) == [  # the public contract's keys first and unchanged, then the new ones
        "answer", "status", "finish_reason", "model", "usage", "image_tokens",
        "image_tokens_approximate", "timings", "error",
        "estimate", "calibration", "price", "estimated_cost", "billed_cost", "exit_code",
    ]  # fmt: skip
    estimate = summary["estimate"]
    assert estimate["image_tokens"] == summary["image_tokens"] == sum(estimate["per_image"]) == 255
    assert estimate["prompt_tokens"] == estimate["text_tokens"] + 255
    assert estimate["approximate"] is False and "tile 85+170" in estimate["rule"]
    bill = summary["calibration"]
    assert bill["billed_prompt_tokens"] == 400 and bill["flag"] == "bills_differently"
    assert bill["difference"] == pytest.approx(
        (400 - estimate["prompt_tokens"]) / estimate["prompt_tokens"], abs=1e-3
    )
    assert bill["image_factor"] == pytest.approx((400 - estimate["text_tokens"]) / 255, abs=1e-3)
    # A custom base URL has no price in the table: unknown, never 0.
    assert summary["price"] is None
    assert summary["estimated_cost"] is None and summary["billed_cost"] is None


def test_json_line_reads_a_bill_in_input_and_output_tokens(upstream, tmp_path):
    upstream.enqueue(sse(["答案"], usage={"input_tokens": 400, "output_tokens": 10}))
    done = ask(
        upstream, "--json", "--model", "gpt-4o", "--image", str(png(tmp_path / "a.png")), "?"
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["usage"] == {"prompt_tokens": 400, "completion_tokens": 10, "total_tokens": 410}
    assert summary["calibration"]["billed_prompt_tokens"] == 400


def test_json_line_sets_no_difference_against_a_bill_of_no_prompt_tokens(upstream, tmp_path):
    upstream.enqueue(sse(["答案"], usage={"prompt_tokens": 0, "completion_tokens": 10}))
    done = ask(
        upstream, "--json", "--model", "gpt-4o", "--image", str(png(tmp_path / "a.png")), "?"
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["calibration"] is None  # was a difference of -100 %


def test_json_line_prices_the_model_with_the_operators_kantu_prices(upstream, tmp_path):
    upstream.enqueue(sse(["答案"], usage={"prompt_tokens": 1000, "completion_tokens": 100}))
    prices = '"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }'
    image = str(png(tmp_path / "a.png"))
    done = ask(upstream, "--json", "--image", image, "hi", env=clean_env(KANTU_PRICES=prices))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["price"] == {
        "input_per_million": 1.05, "output_per_million": 4.2, "currency": "CNY", "confirmed": True
    }  # fmt: skip
    assert summary["billed_cost"]["amount"] == pytest.approx((1000 * 1.05 + 100 * 4.2) / 1e6)
    assert summary["billed_cost"]["text"] == "¥0.0015"
    expected = summary["estimate"]["prompt_tokens"] * 1.05 / 1e6
    assert summary["estimated_cost"]["amount"] == pytest.approx(expected)
    assert summary["estimated_cost"]["text"].startswith("¥0.0")


def test_a_malformed_kantu_prices_is_a_usage_error(upstream):
    done = ask(upstream, "hi", env=clean_env(KANTU_PRICES='"m" = { input = 1 }'))
    assert done.returncode == 2 and "KANTU_PRICES" in done.stderr and "Traceback" not in done.stderr
    assert upstream.requests == []
