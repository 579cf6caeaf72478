"""A real LiteLLM proxy on 127.0.0.1 in front of mock models, for the gateway tests.

LiteLLM's pins clash with the app's, so it lives in a venv of its own, ``.ci/.litellm``, which
``.ci/run`` makes (``litellm[proxy]`` at the version in ``LITELLM_VERSION`` below). ``running_proxy``
writes a config whose models answer with ``mock_response`` (no upstream at all), starts
``litellm --config … --host 127.0.0.1 --port <free>`` with a master key and no database, waits for
``/health/liveliness``, and stops it afterwards. Nothing is fetched: the cost map is the one the
wheel ships (``LITELLM_LOCAL_MODEL_COST_MAP``), telemetry is off, and no ``.env`` is read.

Without the venv the tests are skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".ci" / ".litellm"
LITELLM = VENV / "bin" / "litellm"
LITELLM_VERSION = "1.108.7"
MASTER_KEY = "sk-kantu-litellm-master-0123456789"
MOCK_ANSWER = "这是一张收据，合计 16.30 元。"
MOCK_MODEL = "gpt-4o-mini"
START_TIMEOUT_S = 300  # it imports a great deal; on two busy cores a minute or more
QUIET_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # the wheel's own price map, never the network
    "LITELLM_TELEMETRY": "False",
    "LITELLM_MODE": "PRODUCTION",  # do not load a .env from the working directory
    "LITELLM_LOG": "ERROR",
    "NO_PROXY": "127.0.0.1,localhost",
}
CONFIG = f"""\
model_list:
  - model_name: {MOCK_MODEL}
    litellm_params:
      model: openai/{MOCK_MODEL}
      api_key: sk-not-used-0000
      mock_response: "{MOCK_ANSWER}"
general_settings:
  master_key: {MASTER_KEY}
litellm_settings:
  telemetry: false
"""


@dataclass(frozen=True)
class Proxy:
    """A running proxy: its OpenAI-compatible base URL and the key it takes."""

    base_url: str
    master_key: str
    log: Path


def unavailable(reason: str) -> None:
    """Skip for ``reason``, or fail under CI (where ``.ci/run`` installs the proxy)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"LiteLLM proxy tests must run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("KANTU_", "OPENAI_"))}
    return {**keep, **QUIET_ENV, "HOME": str(home)}


def _wait_alive(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"litellm exited: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/health/liveliness", timeout=2).ok:
                return
        time.sleep(0.5)
    raise RuntimeError(f"litellm did not answer in {START_TIMEOUT_S} s")


@contextlib.contextmanager
def running_proxy() -> Iterator[Proxy]:
    """Start a LiteLLM proxy with mock models on a free loopback port; stop it afterwards."""
    if not LITELLM.exists():
        unavailable(f"no LiteLLM venv at {VENV} (bash .ci/run makes it)")
    with tempfile.TemporaryDirectory(prefix="kantu-litellm-") as tmp:
        home = Path(tmp)
        config = home / "config.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        log = home / "proxy.log"
        port = _free_port()
        argv = [str(LITELLM), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv, cwd=home, env=_env(home), stdout=out, stderr=subprocess.STDOUT
            )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_alive(url, process, log)
            yield Proxy(base_url=f"{url}/v1", master_key=MASTER_KEY, log=log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
