"""What an operator sees of a real ``streamlit run``: the health endpoint answers, and each
request sent upstream leaves one JSON line in the server's log (stderr by default) without the
question, the answer or the key."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from components.devtools.browser import App, send_prompt
from components.devtools.upstream import FakeUpstream, sse

MARKER = "qv3MARKERw8"
USAGE = {"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129}


def _request_lines(app: App, timeout: float = 20.0) -> list[dict]:
    """The JSON lines in the server's output, once there is one (the ledger's watcher thread
    writes it as the answer ends, maybe just after the page shows it)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [json.loads(x) for x in app.logs().splitlines() if x.startswith("{")]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.fixture(scope="module")
def app_env(up: FakeUpstream) -> dict[str, str]:
    return {"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": f"sk-{MARKER}-operator"}


def test_the_health_endpoint_says_ok(app: App):
    url = f"http://127.0.0.1:{app.port}/_stcore/health"
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert (resp.status, resp.read()) == (200, b"ok")


def test_a_chat_request_leaves_one_json_line_and_nothing_it_said(app: App, up, new_page):
    up.enqueue(sse([f"Answer {MARKER} here."], usage=USAGE))
    page = new_page(app, locale="en-US")
    send_prompt(page, f"What is {MARKER}?")
    expect(page.get_by_text(f"Answer {MARKER} here.")).to_be_visible()
    assert MARKER in up.requests[-1].body.decode()  # the question did go upstream

    lines = _request_lines(app)
    assert [(x["feature"], x["outcome"], x["host"]) for x in lines] == [("chat", "ok", "127.0.0.1")]
    assert (lines[0]["prompt_tokens"], lines[0]["completion_tokens"]) == (120, 9)
    assert MARKER not in app.logs()
