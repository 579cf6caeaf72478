"""A long answer streamed in many small pieces (issue 24): finished blocks are drawn once, the
end shows the whole answer once, and Stop mid-answer keeps what was shown."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    send_prompt,
    stop_button,
    watch_websocket,
)
from components.devtools.browser import wait_for_idle as settle
from components.devtools.upstream import gated, sse
from components.i18n import t
from tests.e2e.test_chat_flow import by_run

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


# Paragraphs long enough for Streamlit to send again as a hash (``minCachedMessageSize``).
LONG_PARAGRAPHS = [
    f"Paragraph {i} Qz{i}q. " + f"Line {i} of a long answer. " * 60 for i in range(6)
]


def _markdown_sent(messages: list[ForwardMsg], needle: str) -> int:
    """How many Markdown elements holding ``needle`` are in ``messages`` whole."""
    return sum(
        msg.WhichOneof("type") == "delta"
        and msg.delta.WhichOneof("type") == "new_element"
        and needle in msg.delta.new_element.markdown.body
        for msg in messages
    )


def test_the_run_after_an_answer_does_not_send_its_text_again(app, new_page, up):
    """An answer is finished in the run that streamed it; the page's next run (here Streamlit's
    own "R" key) draws it from the history, where and as the live view did: the blocks the
    browser already holds go as their hash, not again whole (a long answer travelled a second
    time, 1.1× its size, when the page reran after every answer)."""
    page = new_page(app, locale="en-US")
    frames = watch_websocket(page)
    page.reload()
    settle(page)
    up.reset()
    deltas = _deltas("\n\n".join(LONG_PARAGRAPHS) + "\n\nThe end Zqlastk.", 50)
    # the upstream holds the rest once paragraph 4 has begun, until the page shows it: the
    # paragraphs before it have then been drawn (so sent), whatever the machine's load
    begun = next(i for i, delta in enumerate(deltas) if "Qz4q" in "".join(deltas[: i + 1]))
    gate = threading.Event()
    up.enqueue(gated(sse(deltas, delay=0.005), gate, keep=begun + 2))  # the role chunk first
    asked = len(frames)
    send_prompt(page, "Describe every detail")
    answer = page.get_by_test_id("stChatMessage").last
    try:
        expect(answer).to_contain_text("Qz4q")
    finally:
        gate.set()
    expect(answer).to_contain_text("Zqlastk")
    settle(page)
    expect(page.get_by_role("button", name=t("actions.copy", "en"))).to_be_visible()
    # the question's run is the one that drew the answer live (the page's own runs, such as the
    # browser store's report, may come before it), and the last
    runs = by_run(frames[asked:])
    live = next(i for i, run in enumerate(runs) if _markdown_sent(run, "Qz0q"))
    assert live == len(runs) - 1
    page.evaluate("document.activeElement?.blur()")
    page.keyboard.press("r")  # the page's next run
    settle(page)
    after = [msg for run in by_run(frames[asked:])[live + 1 :] for msg in run]
    assert any(msg.WhichOneof("type") == "new_session" for msg in after)  # the page drew again
    for i in range(4):
        assert _markdown_sent(runs[live], f"Qz{i}q") >= 1, i  # drawn live
        assert _markdown_sent(after, f"Qz{i}q") == 0, i  # then as its hash
    for i in range(len(LONG_PARAGRAPHS)):
        assert _count(page, f"Qz{i}q") == 1
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
