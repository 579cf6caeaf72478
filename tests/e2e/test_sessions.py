"""Two people on the same server: each browser session has its own conversation, and the
operator's key never reaches either browser.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    send_prompt,
    wait_for_idle,
    watch_websocket,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t

OPERATOR_KEY = "test-key"


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    assert operator_env["KANTU_API_KEY"] == OPERATOR_KEY
    return operator_env


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    up.reset()
    up.default = sse(["默认回答"])


def messages(page: Page) -> Locator:
    return page.get_by_test_id("stChatMessage")


def ask(page: Page, up: FakeUpstream, question: str, answer: str) -> None:
    up.enqueue(sse([answer]))
    send_prompt(page, question)
    expect(messages(page).last).to_contain_text(answer)
    wait_for_idle(page)


def user_texts(request_json: dict) -> list[str]:
    texts = []
    for message in request_json["messages"]:
        if message["role"] != "user":
            continue
        content = message["content"]
        if isinstance(content, str):
            texts.append(content)
        else:
            texts += [part["text"] for part in content if part.get("type") == "text"]
    return texts


def assert_key_hidden(page: Page) -> None:
    assert OPERATOR_KEY not in page.content()
    key_field = page.get_by_test_id("stSidebar").get_by_role(
        "textbox", name=t("sidebar.api_key", "zh"), exact=True
    )
    expect(key_field).to_have_attribute("type", "password")
    expect(key_field).to_have_value("")


def test_each_browser_has_its_own_conversation(app, new_page, up):
    page_a = new_page(app)
    page_b = new_page(app)
    frames = watch_websocket(page_a)
    page_a.reload()  # reconnect with the listener in place: every frame of A's session is seen
    wait_for_idle(page_a)

    ask(page_a, up, "A 的问题：这是猫吗？", "A 的回答：是猫。")
    expect(messages(page_a)).to_have_count(2)
    # B is a different person: nothing of A's conversation shows up there.
    expect(messages(page_b)).to_have_count(0)
    expect(page_b.get_by_text("A 的问题")).to_have_count(0)

    ask(page_b, up, "B 的问题：这是狗吗？", "B 的回答：是狗。")
    # B's own run does not bring A's conversation in either.
    expect(messages(page_b)).to_have_count(2)
    expect(page_b.get_by_text("A 的")).to_have_count(0)

    # A's next question reruns A's script: still only A's messages, and only A's history is sent.
    ask(page_a, up, "A 的第二个问题", "A 的第二个回答")
    expect(messages(page_a)).to_have_count(4)
    expect(page_a.get_by_text("B 的")).to_have_count(0)

    assert len(up.requests) == 3
    assert user_texts(up.requests[1].json) == ["B 的问题：这是狗吗？"]
    assert user_texts(up.requests[2].json) == ["A 的问题：这是猫吗？", "A 的第二个问题"]
    assert all(r.headers["Authorization"] == f"Bearer {OPERATOR_KEY}" for r in up.requests)

    assert any("A 的回答：是猫。".encode() in f for f in frames), "A's frames were not seen"
    assert not [f for f in frames if OPERATOR_KEY.encode() in f]
    for page in (page_a, page_b):
        assert_key_hidden(page)
        assert_no_exception(page)
        assert console_errors(page) == []
