"""Stop, at any moment: what arrived is kept, marked as stopped, with a Retry button, at once.

Before the first word too: the provider is silent, and the answer is still recorded (empty,
stopped, with Retry) while it says nothing, and the next question goes as one user turn.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    assert_no_exception,
    console_errors,
    send_prompt,
    stop_button,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, hang, sse
from components.i18n import t

DELTAS = [f"第{i}段 " for i in range(20)]
HANG_MS = 15_000  # a generous bound that only catches a hang, never a slow machine


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def stop_streaming_answer(page: Page, up: FakeUpstream) -> None:
    up.reset()
    up.enqueue(sse(DELTAS, delay=0.3))
    send_prompt(page, "慢慢说")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("第2段")
    # While the answer streams, the next question can be typed, and Stop sits where the send
    # button is (which steps aside), not at the end of the moving answer.
    chat = page.locator(CHAT_INPUT_SELECTOR)
    expect(chat.locator("textarea")).to_be_enabled()
    stop = stop_button(page, t("chat.stop", "zh"))
    expect(stop).to_be_visible()
    expect(answer.get_by_role("button", name=t("chat.stop", "zh"))).to_have_count(0)
    send = chat.get_by_test_id("stChatInputSubmitButton")
    expect(send).to_be_hidden()
    assert _centre(stop) == pytest.approx(_centre(send), abs=4)
    stop.click()
    wait_for_idle(page)


def _centre(target: Locator) -> tuple[float, float]:
    box = target.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_stop_ends_the_stream_keeping_the_partial_answer(app, new_page, up):
    page = new_page(app)
    stop_streaming_answer(page, up)
    messages = page.get_by_test_id("stChatMessage")
    answer = messages.last
    expect(messages).to_have_count(2)
    expect(answer).to_contain_text("第0段 第1段 第2段")
    expect(answer).not_to_contain_text(DELTAS[-1].strip())
    # The chat input works again and the Stop button is gone.
    chat = page.locator(CHAT_INPUT_SELECTOR)
    expect(chat.locator("textarea")).to_be_enabled()
    expect(page.get_by_role("button", name=t("chat.stop", "zh"))).to_have_count(0)
    assert_no_exception(page)
    assert console_errors(page) == []

    # The history kept the partial answer as stopped: the next run shows it marked, with Retry.
    page.locator(".st-key-kantu_camera_button button").click()
    wait_for_idle(page)
    expect(messages).to_have_count(2)
    expect(answer).to_contain_text("第0段 第1段 第2段")
    expect(answer).not_to_contain_text(DELTAS[-1].strip())
    expect(answer.get_by_text(t("chat.status_stopped", "zh"))).to_be_visible()
    retry = answer.get_by_role("button", name=t("chat.retry", "zh"))
    expect(retry).to_be_visible()

    up.enqueue(sse(["这次", "说完了。"]))
    retry.click()
    expect(messages.last).to_contain_text("这次说完了。")
    wait_for_idle(page)
    expect(messages).to_have_count(2)
    expect(messages.last).not_to_contain_text("第0段")
    expect(page.get_by_text(t("chat.status_stopped", "zh"))).to_have_count(0)
    assert len(up.requests) == 2
    assert up.requests[1].json["messages"][-1]["role"] == "user"
    assert_no_exception(page)


def test_stop_marks_the_answer_stopped_with_retry_at_once(app, new_page, up, tmp_path):
    page = new_page(app)
    stop_streaming_answer(page, up)
    page.screenshot(path=tmp_path / "stopped.png")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("第0段 第1段 第2段")
    expect(answer.get_by_text(t("chat.status_stopped", "zh"))).to_be_visible()
    expect(answer.get_by_role("button", name=t("chat.retry", "zh"))).to_be_visible()


def test_stop_before_the_first_word_is_recorded_at_once(app, new_page, up):
    page = new_page(app)
    up.reset()
    # The provider says nothing for an hour: the stopped mark can only come from the Stop.
    up.enqueue(hang(), sse(["红色。"]))
    send_prompt(page, "这是什么？")
    messages = page.get_by_test_id("stChatMessage")
    answer = messages.last
    expect(answer.get_by_text(t("chat.thinking", "zh"))).to_be_visible()
    up.wait_for_requests(1)  # the question is with the provider, which says nothing
    stop_button(page, t("chat.stop", "zh")).click()
    stopped = answer.get_by_text(t("chat.status_stopped_empty", "zh"))
    expect(stopped).to_be_visible(timeout=HANG_MS)  # generous: only a wait for the provider fails
    expect(answer.get_by_role("button", name=t("chat.retry", "zh"))).to_be_visible()
    assert up.bodies_finished == 0  # shown while the provider was still silent
    wait_for_idle(page)
    expect(messages).to_have_count(2)
    expect(page.get_by_role("button", name=t("chat.stop", "zh"))).to_have_count(0)

    # The next question is one user turn after the stopped answer: the unanswered question rides
    # along in it instead of standing as a second user turn in a row.
    send_prompt(page, "什么颜色？")
    expect(messages.last).to_contain_text("红色。")
    wait_for_idle(page)
    expect(messages).to_have_count(4)
    expect(messages.nth(1).get_by_text(t("chat.status_stopped_empty", "zh"))).to_be_visible()
    sent = up.requests[-1].json["messages"]
    assert [m["role"] for m in sent] == ["user"]
    assert sent[0]["content"].endswith("什么颜色？") and "这是什么？" in sent[0]["content"]
    assert_no_exception(page)
    assert console_errors(page) == []


def test_other_clicks_while_the_answer_streams_do_not_end_it(app, new_page, up):
    page = new_page(app)
    up.reset()
    up.enqueue(sse(DELTAS[:8], delay=0.2))
    send_prompt(page, "慢慢说")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.last).to_contain_text("第1段")
    # Anything that reruns the page (here the camera button) draws the answer again, still coming.
    page.locator(".st-key-kantu_camera_button button").click()
    expect(messages.last).to_contain_text("第7段")
    wait_for_idle(page)
    expect(messages).to_have_count(2)
    expect(messages.last).to_contain_text("".join(DELTAS[:8]).strip())
    expect(page.get_by_text(t("chat.status_stopped", "zh"))).to_have_count(0)
    assert len(up.requests) == 1
    assert_no_exception(page)
