"""The command line as a Unix tool, run as real subprocesses against the fake upstream:
``--version``, ``-`` for stdin, ``--json`` as exactly one JSON document, a quiet closed pipe,
messages that name flags and variables, and the exit codes README documents."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from components import __version__
from components.cli import outcome
from components.devtools.upstream import FakeUpstream, hang, openai_error, sse
from tests.conftest import CLI_CWD, ROOT, cli_environment
from tests.helpers import png_bytes

KEY = "sk-unix-0123456789abcdef"


def run(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "components", *args],
        cwd=CLI_CWD,
        env=env or cli_environment(),
        input=stdin,
        capture_output=True,
        timeout=60,
    )


def ask(up: FakeUpstream, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return run("ask", "--base-url", up.base_url, "--api-key", KEY, *args, stdin=stdin)


def test_version_names_the_program_and_its_version():
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.decode() == f"kantu {__version__}\n"


def test_usage_says_kantu_when_run_as_the_installed_script(tmp_path):
    # what pip's console script does: a file named kantu that calls components.__main__:main
    script = tmp_path / "kantu"
    script.write_text("import sys\nfrom components.__main__ import main\nsys.exit(main())\n")
    as_script = subprocess.run(
        [sys.executable, str(script), "--help"],
        env=cli_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert as_script.returncode == 0 and as_script.stdout.startswith("usage: kantu ")
    as_module = run("--help")
    assert as_module.stdout.decode().startswith("usage: python -m components ")


def test_dash_reads_the_question_from_stdin(upstream):
    done = ask(upstream, "-", stdin="这是什么图片？\n".encode())
    assert done.returncode == 0, done.stderr
    assert upstream.requests[0].json["messages"][0]["content"] == "这是什么图片？"


def test_image_dash_reads_the_picture_bytes_from_stdin(upstream, tmp_path):
    picture = png_bytes(64)
    (tmp_path / "a.png").write_bytes(picture)
    from_file = ask(upstream, "--image", str(tmp_path / "a.png"), "看图")
    from_stdin = ask(upstream, "--image", "-", "看图", stdin=picture)
    assert from_file.returncode == from_stdin.returncode == 0, from_stdin.stderr
    sent = [r.json["messages"][0]["content"][1]["image_url"]["url"] for r in upstream.requests]
    assert sent[0].startswith("data:image/") and sent[1] == sent[0]  # the same bytes, unharmed


def test_stdin_for_both_the_question_and_a_picture_is_a_usage_error(upstream):
    done = ask(upstream, "--image", "-", "-", stdin=png_bytes(64))
    assert done.returncode == 2
    assert b"'-' (stdin) can stand in one place only" in done.stderr
    assert upstream.requests == []


def test_an_empty_question_on_stdin_is_a_usage_error(upstream):
    done = ask(upstream, "-", stdin=b"  \n")
    assert done.returncode == 2 and b"stdin is empty" in done.stderr
    assert upstream.requests == []


def test_json_is_exactly_one_document_and_the_answer_streams_to_stderr(upstream):
    upstream.enqueue(sse(["这是", "一个橙子。"]))
    done = ask(upstream, "--json", "这是什么？")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # the whole of stdout: one document, nothing before it
    assert summary["answer"] == "这是一个橙子。" and summary["exit_code"] == 0
    assert done.stderr.decode() == "这是一个橙子。\n"


def test_json_quiet_streams_nothing(upstream):
    upstream.enqueue(sse(["橙子"]))
    done = ask(upstream, "--json", "--quiet", "?")
    assert done.returncode == 0 and done.stderr == b""
    assert json.loads(done.stdout)["answer"] == "橙子"


def test_quiet_without_json_is_a_usage_error(upstream):
    done = ask(upstream, "--quiet", "?")
    assert done.returncode == 2 and b"--quiet goes with --json" in done.stderr


def test_json_on_a_provider_failure_is_one_document_with_kind_and_exit_code(upstream):
    upstream.enqueue(openai_error(401, "Incorrect API key", "invalid_request_error"))
    done = ask(upstream, "--json", "hi")
    assert done.returncode == 1
    summary = json.loads(done.stdout)
    assert summary["error"]["kind"] == "auth" and summary["exit_code"] == 1
    assert summary["error"]["message"]


def test_json_on_settings_that_cannot_work_is_one_document(upstream):
    done = run("ask", "--json", "hi")  # no key at all for the default provider
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "error" and summary["exit_code"] == 2
    assert summary["error"]["kind"] == "config" and "KANTU_API_KEY" in summary["error"]["message"]


@pytest.mark.parametrize("args", [["--temperature", "7", "hi"], []], ids=["bad-flag", "missing"])
def test_json_on_a_usage_error_is_one_document(upstream, args):
    done = ask(upstream, "--json", *args)
    assert done.returncode == 2 and done.stderr.startswith(b"usage: ")
    summary = json.loads(done.stdout)
    assert summary["error"]["kind"] == "usage" and summary["exit_code"] == 2


def test_probe_json_on_failure_is_one_document(upstream):
    upstream.enqueue(openai_error(401, "Incorrect API key", "invalid_request_error"))
    done = run("probe", "--base-url", upstream.base_url, "--api-key", KEY, "--list", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["kind"] == "auth"


def test_a_closed_pipe_ends_quietly_with_141(upstream, tmp_path):
    # 200 kB: more than a pipe holds, so writes go on after head has gone
    upstream.enqueue(sse(["橙" * 1000] * 200))
    errors = tmp_path / "stderr.txt"
    command = (
        f"{sys.executable} -m components ask --base-url {upstream.base_url} --api-key {KEY} hi "
        f"2>{errors} | head -c 5; exit ${{PIPESTATUS[0]}}"
    )
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=CLI_CWD,
        env=cli_environment(),
        capture_output=True,
        timeout=60,
    )
    assert done.stdout == "橙".encode()[:3] + "橙".encode()[:2]  # head's five bytes
    said = errors.read_text(encoding="utf-8")
    assert "Traceback" not in said and "Exception ignored" not in said and said == ""
    assert done.returncode == 141


def test_no_key_names_the_variable_and_the_flag_not_the_sidebar():
    done = run("ask", "hi")
    said = done.stderr.decode()
    assert done.returncode == 2 and said.count("\n") == 1
    assert "KANTU_API_KEY" in said and "--api-key" in said and "sidebar" not in said


def test_messages_follow_a_chinese_locale():
    done = run("ask", "hi", env=cli_environment(LC_ALL="zh_CN.UTF-8"))
    said = done.stderr.decode()
    assert done.returncode == 2 and "还没有 API 密钥" in said and "侧边栏" not in said


def test_unknown_model_names_the_flag(upstream):
    upstream.enqueue(openai_error(404, "The model `x` does not exist", "invalid_request_error"))
    done = ask(upstream, "--model", "x", "hi")
    said = done.stderr.decode()
    assert done.returncode == 1 and "--model" in said and "sidebar" not in said


def test_ctrl_c_in_any_command_exits_130_without_a_traceback(upstream):
    upstream.enqueue(hang(300))
    proc = subprocess.Popen(
        [sys.executable, "-m", "components", "probe", "--base-url", upstream.base_url,
         "--api-key", KEY, "--list"],
        cwd=CLI_CWD, env=cli_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        upstream.wait_for_requests(1, timeout=30)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == outcome.INTERRUPTED
        assert b"Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def _readme_exit_codes() -> dict[int, str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Command line", 1)[1]
    section = section.split("\n## ", 1)[0]
    return {int(code): why for code, why in re.findall(r"^\| (\d+) \| (.+?) \|$", section, re.M)}


def test_readme_documents_every_exit_code():
    codes = {
        value for name, value in vars(outcome).items() if name.isupper() and isinstance(value, int)
    }
    assert set(_readme_exit_codes()) == codes == {0, 1, 2, 130, 141}


def test_exit_codes_as_documented(upstream, tmp_path):
    upstream.enqueue(sse(["ok"]))
    assert ask(upstream, "hi").returncode == outcome.OK
    upstream.enqueue(openai_error(401, "Incorrect API key", "invalid_request_error"))
    assert ask(upstream, "hi").returncode == outcome.FAILED
    assert ask(upstream, "--detail", "huge", "hi").returncode == outcome.USAGE
    missing = str(Path(tmp_path) / "missing.png")
    assert ask(upstream, "--image", missing, "hi").returncode == outcome.USAGE
