"""The vision probe and the model list, against a loopback fake model that sees or cannot."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import replace

import pytest

from components.devtools.upstream import (
    FakeUpstream,
    html,
    json_reply,
    model_list,
    openai_error,
    raw,
)
from components.errors import AuthError, ConfigError, ProtocolError, RedirectError
from components.providers.probe import (
    answer_has_digits,
    list_models,
    make_probe_picture,
    probe_vision,
    test_connection,
)
from components.providers.settings import ClientSettings, resolve_settings
from tests.conftest import CLI_CWD, cli_environment

KEY = "sk-probe-secret-0123456789"


def settings_for(up: FakeUpstream, **overrides: object) -> ClientSettings:
    base = resolve_settings(
        base_url=up.base_url, api_key=KEY, model="gpt-4o-mini", environ={}, backoff_factor=0
    )
    return replace(base, **overrides)


def test_probe_pictures_never_repeat_with_a_fresh_rng():
    pictures = [make_probe_picture(random.Random()) for _ in range(20)]
    assert len({p.digits for p in pictures}) == 20
    assert all(len(p.digits) == 6 and p.digits.isdigit() for p in pictures)
    assert all(p.data.startswith(b"\x89PNG") and p.mime == "image/png" for p in pictures)
    assert len({p.data for p in pictures}) == 20


@pytest.mark.parametrize(
    ("answer", "sees"),
    [
        ("391417", True),
        ("The digits are 3 9 1 4 1 7.", True),
        ("图中的数字是３９１４１７。", True),  # full-width digits
        ("391,417", True),
        ("39141", False),
        ("I cannot see any image.", False),
        ("3914 and 17", False),  # words between the digits: not one reading
    ],
)
def test_answer_holds_the_digits_whatever_the_spacing(answer, sees):
    assert answer_has_digits(answer, "391417") is sees


def test_a_model_that_sees_reads_the_digits_with_time_and_usage(upstream):
    upstream.sight = "vision"
    result = probe_vision(settings_for(upstream), rng=random.Random(7))
    assert result.error is None
    assert result.sees, result.answer_text
    assert result.digits in result.answer_text.replace(" ", "")
    assert result.seconds > 0
    assert result.usage is not None and result.usage.prompt_tokens > 0
    sent = upstream.requests[-1].json
    assert sent["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/png")
    assert "digits" in sent["messages"][0]["content"][0]["text"]


def test_a_blind_model_is_reported_as_not_seeing(upstream):
    upstream.sight = "blind"
    result = probe_vision(settings_for(upstream), lang="zh")
    assert result.error is None and not result.sees
    assert "can't see" in result.answer_text
    assert "数字" in upstream.requests[-1].json["messages"][0]["content"][0]["text"]


def test_a_refused_key_is_an_error_not_an_exception(upstream):
    upstream.enqueue(openai_error(401, "Incorrect API key provided", code="invalid_api_key"))
    result = probe_vision(settings_for(upstream))
    assert isinstance(result.error, AuthError)
    assert not result.sees
    assert KEY not in repr(result) and KEY not in result.error.message("en")


def test_no_key_where_one_is_needed_is_reported_before_sending(upstream):
    settings = resolve_settings(preset_id="openai", environ={}, backoff_factor=0)
    result = probe_vision(settings)
    assert isinstance(result.error, ConfigError)
    assert upstream.requests == []


def test_list_models_reads_the_openai_shape_sorted_and_unique(upstream):
    upstream.models = model_list(["gpt-4o-mini", "gpt-4o", "gpt-4o-mini"])
    assert list_models(settings_for(upstream)) == ["gpt-4o", "gpt-4o-mini"]
    got = upstream.requests[-1]
    assert (got.method, got.path) == ("GET", "/v1/models")
    assert got.headers["Authorization"] == f"Bearer {KEY}"


def test_list_models_reads_ollamas_shape(upstream):
    upstream.models = model_list(["qwen2.5vl:7b", "llava:latest"], shape="ollama")
    assert list_models(settings_for(upstream)) == ["llava:latest", "qwen2.5vl:7b"]


def test_models_do_not_consume_the_chat_queue(upstream):
    upstream.models = model_list(["m1"])
    upstream.enqueue(openai_error(429, "slow down"))
    assert list_models(settings_for(upstream)) == ["m1"]
    assert len(upstream._queue) == 1


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (openai_error(401, "Incorrect API key provided"), AuthError),
        (raw(404, {"Content-Type": "text/plain"}, b""), ProtocolError),
        (html(200, "Welcome to nginx"), ProtocolError),
        (json_reply({"hello": "world"}), ProtocolError),
        (raw(200, {"Content-Type": "application/json"}, b"{not json"), ProtocolError),
    ],
)
def test_list_models_turns_refusals_into_typed_errors(upstream, reply, error):
    upstream.models = reply
    with pytest.raises(error) as caught:
        list_models(settings_for(upstream))
    assert KEY not in str(caught.value) and KEY not in caught.value.message("zh")


def test_connection_result_counts_models_and_times_the_call(upstream):
    upstream.models = model_list(["a", "b", "c"])
    result = test_connection(settings_for(upstream))
    assert result.ok and result.models_count == 3 and result.seconds > 0
    assert result.error is None and result.models == ("a", "b", "c")


def test_connection_failure_is_a_result_not_an_exception(upstream):
    upstream.models = openai_error(401, "bad key")
    result = test_connection(settings_for(upstream))
    assert not result.ok and isinstance(result.error, AuthError) and result.models_count == 0


def test_the_key_only_reaches_the_configured_host():
    with FakeUpstream() as home, FakeUpstream() as elsewhere:
        home.models = raw(302, {"Location": elsewhere.base_url + "/models"}, b"")
        with pytest.raises(RedirectError):
            list_models(settings_for(home))
        home.sight = "blind"
        probe_vision(settings_for(home))
        assert elsewhere.requests == []
        assert {r.headers["Authorization"] for r in home.requests} == {f"Bearer {KEY}"}
        assert all(KEY not in r.path for r in home.requests)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "components", "probe", *args]
    env = cli_environment()
    return subprocess.run(
        command, cwd=CLI_CWD, capture_output=True, text=True, timeout=120, env=env
    )


def test_cli_probe_says_whether_the_model_sees(upstream):
    upstream.sight = "vision"
    out = run_cli("--base-url", upstream.base_url, "--api-key", KEY, "--model", "m", "--json")
    row = json.loads(out.stdout)
    assert out.returncode == 0 and row["sees"] and row["prompt_tokens"] > 0
    upstream.sight = "blind"
    out = run_cli("--base-url", upstream.base_url, "--api-key", KEY, "--model", "m")
    assert out.returncode == 1 and "does NOT see" in out.stdout
    assert KEY not in out.stdout + out.stderr


def test_cli_probe_lists_models_and_reports_a_refused_key_on_one_line(upstream):
    upstream.models = model_list(["b", "a"])
    out = run_cli("--base-url", upstream.base_url, "--api-key", KEY, "--list")
    assert (out.returncode, out.stdout) == (0, "a\nb\n")
    upstream.models = openai_error(401, "Incorrect API key provided")
    out = run_cli("--base-url", upstream.base_url, "--api-key", KEY, "--list")
    assert out.returncode == 1 and out.stderr.startswith("error: ")
    assert "Traceback" not in out.stderr and KEY not in out.stderr
