"""A long answer streamed in many small pieces (issue 24): finished blocks are drawn once, the
end shows the whole answer once, and Stop mid-answer keeps what was shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    send_prompt,
    stop_button,
)
from components.devtools.browser import wait_for_idle as settle
from components.devtools.upstream import sse
from components.i18n import t

SECTIONS = [
    f"## Part {i}\n\nItem {i} of the receipt costs {i}.50, see [menu](https://e.org/{i}).\n\n"
    f"- tea {i}\n- cake {i}\n\n"
    for i in range(60)
]
ANSWER = "".join(SECTIONS) + "The end Zqlastk."


def _deltas(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def _count(page: Page, needle: str) -> int:
    """How many times ``needle`` is in the chat's messages, as the reader sees them."""
    return sum(
        text.count(needle) for text in page.get_by_test_id("stChatMessage").all_inner_texts()
    )


def test_a_long_streamed_answer_ends_shown_once_with_every_block(app, new_page, up):
    page = new_page(app)
    up.reset()
    up.enqueue(sse(_deltas(ANSWER, 50), delay=0.01))
    send_prompt(page, "Describe every detail")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("Part 20")
    assert _count(page, "Part 10\n") <= 1  # a finished block is never drawn twice, even live
    expect(answer).to_contain_text("Zqlastk")
    settle(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    for i in (0, 1, 30, 59):
        assert _count(page, f"Part {i}\n") == 1
        assert _count(page, f"cake {i}\n") == 1
    assert _count(page, "Zqlastk") == 1
    assert_no_exception(page)
    assert console_errors(page) == []


def test_stop_in_a_long_answer_keeps_every_block_shown(app, new_page, up):
    page = new_page(app)
    up.reset()
    up.enqueue(sse(_deltas(ANSWER, 50), delay=0.15))
    send_prompt(page, "Describe slowly")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("Part 3")
    stop_button(page, t("chat.stop", "zh")).click()
    settle(page)
    expect(answer.get_by_text(t("chat.status_stopped", "zh"))).to_be_visible()
    for i in range(4):
        assert _count(page, f"Part {i}\n") == 1
    assert _count(page, "Zqlastk") == 0
    assert_no_exception(page)
