"""A new session's first screen in Chromium (components/ui/first_screen.py): the chat input and
the welcome's words alone, then the whole page on the run its timer asks for. The timer's request
is held on its way to the server here, so that the first screen stays while the test acts on it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from google.protobuf.message import DecodeError
from playwright.sync_api import Browser, BrowserContext, Page, expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    FIRST_SCREEN_SELECTOR,
    App,
    HeldOnTheWay,
    assert_no_exception,
    chat_messages,
    send_prompt,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.ui.theme import COOKIE
from components.ui.welcome import EXAMPLES
from tests.e2e.test_theme import expect_dark

HELD_WAIT_MS = 20_000
# The page's style rules (components/ui/style.py) are in the page: the element that carries them
# can come a moment after the heading it sizes.
STYLED_JS = """() => [...document.querySelectorAll("style")]
  .some((style) => style.textContent.includes("stMainBlockContainer"))"""


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def timer_asks(data: bytes) -> bool:
    """The message is a rerun a fragment's timer asks for (the first screen's, for the rest of the
    page: it asks again every ``NEXT_RUN_AFTER_S`` until that run has come)."""
    msg = BackMsg()
    try:
        msg.ParseFromString(data)
    except DecodeError:
        return False
    return msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.is_auto_rerun


def hold_first_screen(context: BrowserContext, app: App) -> tuple[Page, HeldOnTheWay]:
    """Open the chat page in ``context`` (a new browser session) and hold it on its first
    screen: its timer's request held on the page's websocket until ``release(timer_asks)``."""
    page = context.new_page()
    timer = HeldOnTheWay(page, timer_asks, reload=False, drop_repeats=True)
    page.goto(app.url)
    timer.wait(page, timer_asks, HELD_WAIT_MS)
    expect(page.locator(FIRST_SCREEN_SELECTOR)).to_have_count(1)
    return page, timer


@pytest.fixture
def held_first_screen(browser: Browser, app: App) -> Iterator[tuple[Page, HeldOnTheWay]]:
    """A new browser session on the chat page, held on its first screen."""
    context = browser.new_context(locale="en-US")
    yield hold_first_screen(context, app)
    context.close()


def test_words_typed_on_the_first_screen_stay_with_the_focus_when_the_page_comes(
    held_first_screen: tuple[Page, HeldOnTheWay],
):
    page, timer = held_first_screen
    main = page.get_by_role("main")
    heading = main.get_by_role("heading", name=t("layout.heading", "en"))
    expect(heading).to_be_visible()
    page.wait_for_function(STYLED_JS)  # the first screen at rest: the page's style rules in force
    first_place = heading.bounding_box()
    box = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    expect(box).to_be_enabled()
    # the first screen alone: no suggestion yet, no settings
    expect(main.get_by_role("button", name=t(EXAMPLES[0], "en"))).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")).to_have_count(0)
    box.click()
    page.keyboard.type("What is wrong here")

    timer.release(timer_asks)
    expect(page.locator(FIRST_SCREEN_SELECTOR)).to_have_count(0)
    expect(main.get_by_role("button", name=t(EXAMPLES[0], "en"))).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first).to_be_visible()
    wait_for_idle(page)
    # the page's own style from the first: the heading comes to rest where it was, as large
    assert first_place is not None
    page.wait_for_function(
        """([y, height]) => {
          const box = document.querySelector("main h1")?.getBoundingClientRect();
          return box && Math.abs(box.y - y) < 1 && Math.abs(box.height - height) < 1;
        }""",
        arg=[first_place["y"], first_place["height"]],
    )
    expect(box).to_have_value("What is wrong here")  # the same input: nothing typed is lost
    expect(box).to_be_focused()
    page.keyboard.type("?")  # and typing goes on where it was
    expect(box).to_have_value("What is wrong here?")
    assert_no_exception(page)


def test_a_question_sent_from_the_first_screen_is_answered_once(
    held_first_screen: tuple[Page, HeldOnTheWay], up: FakeUpstream
):
    page, timer = held_first_screen
    up.reset()
    up.enqueue(sse(["It is a cat."]))
    send_prompt(page, "What is it?")
    expect(chat_messages(page, "assistant").last).to_contain_text("It is a cat.")
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first).to_be_visible()
    timer.release(timer_asks)  # the timer's request, late: its fragment is gone, nothing more runs
    wait_for_idle(page)
    expect(chat_messages(page, "assistant")).to_have_count(1)
    assert len(up.requests) == 1
    assert up.requests[0].headers["Authorization"] == "Bearer test-key"
    assert_no_exception(page)


@pytest.mark.parametrize(("pinned", "dark"), [("light", False), (None, True)])
def test_the_first_screen_comes_in_the_pinned_theme_or_the_systems(
    browser: Browser, app: App, pinned: str | None, dark: bool
):
    """A dark system: the first screen turns light, before the rest of the page comes, when the
    browser keeps "light" pinned (its cookie, read by the session's first run); it is dark when
    the browser keeps nothing."""
    context = browser.new_context(locale="en-US", color_scheme="dark")
    try:
        if pinned is not None:
            context.add_cookies([{"name": COOKIE, "value": pinned, "url": app.url}])
        page, timer = hold_first_screen(context, app)
        expect_dark(page, dark)
        expect(page.locator(FIRST_SCREEN_SELECTOR)).to_have_count(1)  # still the first screen
        timer.release(timer_asks)
        expect(page.locator(FIRST_SCREEN_SELECTOR)).to_have_count(0)
        wait_for_idle(page)
        expect_dark(page, dark)  # and so it stays once the page is whole
        assert_no_exception(page)
    finally:
        context.close()
