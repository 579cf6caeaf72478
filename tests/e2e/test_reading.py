"""Reading while an answer streams, in Chromium (issue 21): the page follows the answer only
while the reader is at the bottom; once they scroll up it stays where they put it and a
"↓ Latest" button brings following back; Esc stops the answer; the next question can be typed
meanwhile, Enter keeps it in the input with a hint, and it is sent once the answer has ended."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Locator, Page, Route, expect

from components.devtools.browser import (
    CHAT_FILE_INPUT_SELECTOR,
    CHAT_INPUT_SELECTOR,
    POLL_MS,
    HeldOnTheWay,
    assert_no_exception,
    attach_files,
    console_errors,
    send_prompt,
    shots_dir,
    stop_button,
    switch_language,
    wait_for_idle,
    wait_for_pictures,
    wait_for_store,
)
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, gated, sse
from components.i18n import Lang, t
from components.ui import state_keys as keys
from components.ui.reading import NEAR_PX
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_theme import expect_dark

LOCALES = {"zh": "zh-CN", "en": "en-US"}
LINES = [f"Line {i} of a long answer.\n\n" for i in range(400)]
# About 45 s of answer at 30 ms a line: it outlasts a test slowed down by a busy machine (which
# stops it at the end); 400 lines (12 s) once ended before a slowed test had seen it grow.
LONG_LINES = [f"Line {i} of a long answer.\n\n" for i in range(1500)]
GROWTH_PX = 1500  # about two seconds of this answer arriving
SHOTS = shots_dir("stream")
SCROLL = """() => { const m = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
  return {top: m.scrollTop, height: m.scrollHeight, gap: m.scrollHeight - m.scrollTop - m.clientHeight}; }"""


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    """No reply a failed test left queued answers the next test's question."""
    up.reset()


# True once scrollTop has not changed for 300 ms (the wheel's smooth scroll has ended) and the
# page is away from the end (not following).
STILL_FOR_300_MS = """() => { const m = document.querySelector('[data-testid="stAppScrollToBottomContainer"]');
  const now = performance.now(), w = window.__kantuStill ??= {top: -1, since: now};
  if (m.scrollTop !== w.top) { w.top = m.scrollTop; w.since = now; }
  return now - w.since >= 300 && m.scrollHeight - m.scrollTop - m.clientHeight > 200; }"""


def scroll(page: Page) -> dict[str, float]:
    """The conversation's scrolling element: its scrollTop, scrollHeight and gap to the end."""
    return page.evaluate(SCROLL)


def grown_by(page: Page, height: float, more: float) -> None:
    """Wait until the conversation is ``more`` px taller than ``height`` (the answer goes on)."""
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=\"stAppScrollToBottomContainer\"]')"
        f".scrollHeight > {height + more}",
        polling=POLL_MS,
    )


def start_long_answer(page: Page, up: FakeUpstream) -> None:
    up.reset()
    up.enqueue(sse(LONG_LINES, delay=0.03))
    send_prompt(page, "Tell me everything")
    expect(page.get_by_test_id("stChatMessage").last).to_contain_text("Line 40 ")


def new_chat(page: Page) -> None:
    """Start a new chat from the sidebar (opened for the click on a phone, closed again)."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    closed = expand.is_visible()
    if closed:
        expand.click()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.locator(".st-key-kantu_new_chat button").click()
    wait_for_idle(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(0)
    if closed and sidebar.get_by_test_id("stSidebarCollapseButton").is_visible():
        sidebar.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(expand).to_be_visible()


def resize(page: Page, viewport: tuple[int, int]) -> None:
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    wait_for_idle(page)
    page.wait_for_timeout(400)  # the sidebar's transition


def test_scrolling_up_while_it_streams_stays_put_until_latest(app, new_page, up: FakeUpstream):
    """zh and en, desktop 1440×900 and phone 390×844, one page and one long answer for each
    (a new chat each time; the page narrowed or widened, the language switched in between):
    scrolled up, the page stays put while the answer grows and "↓ Latest" shows; it brings
    following back; Esc stops the answer. In the first case, going back to the end by hand
    (the wheel) also follows again before "↓ Latest" is tried."""
    page = new_page(app, locale=LOCALES["zh"], viewport=(1440, 900))
    cases = [("zh", (1440, 900)), ("zh", (390, 844)), ("en", (390, 844)), ("en", (1440, 900))]
    for number, (lang, viewport) in enumerate(cases):
        if number:
            new_chat(page)
            if viewport != cases[number - 1][1]:
                resize(page, viewport)
            if lang != cases[number - 1][0]:
                switch_language(page, lang)
        start_long_answer(page, up)
        latest = page.get_by_role("button", name=t("chat.latest", lang))
        expect(latest).to_be_hidden()  # following: nothing to go back to
        page.mouse.move(viewport[0] * 0.6, viewport[1] / 3)  # over the conversation
        if number == 0:  # back at the end by hand: following again, no button
            scrolled_up_by(page, 600)
            expect(latest).to_be_visible()
            page.mouse.wheel(0, 100_000)  # down to the end by hand
            expect(latest).to_be_hidden()
            follows_again(page)
        left = scrolled_up_by(page, 600)
        expect(latest).to_be_visible()
        assert left["gap"] > NEAR_PX
        # The answer keeps arriving for about two seconds; the reader is not moved.
        grown_by(page, left["height"], GROWTH_PX)
        assert scroll(page)["top"] == pytest.approx(left["top"], abs=2)
        expect(latest).to_have_text(t("chat.latest", lang))
        page.screenshot(path=SHOTS / f"stream-latest-{lang}-{viewport[0]}.png")

        # ↓ Latest goes to the end and follows again while it keeps growing.
        latest.click()
        expect(latest).to_be_hidden()
        follows_again(page)
        # Esc (the focus on the page, not in a field) stops the answer.
        page.locator("body").press("Escape")
        expect(page.get_by_text(t("chat.status_stopped", lang))).to_be_visible()
        wait_for_idle(page)
        expect(stop_button(page, t("chat.stop", lang))).to_have_count(0)
        assert_no_exception(page)
        assert console_errors(page) == []


def scrolled_up_by(page: Page, px: int) -> dict[str, float]:
    """Turn the wheel up by ``px`` and return the position once the scroll has come to rest.

    Chromium scrolls a wheel turn smoothly: on a busy machine "↓ Latest" (shown as the turn starts)
    can come before the position moves, and a position read then is not where the reader is."""
    page.mouse.wheel(0, -px)
    page.wait_for_function(STILL_FOR_300_MS, polling=100)
    return scroll(page)


def follows_again(page: Page) -> None:
    """Wait until the answer has grown by 600 px more and the page is still at its end."""
    grown_from = scroll(page)["height"]
    page.wait_for_function(
        f"() => {{ const m = document.querySelector('[data-testid=\"stAppScrollToBottomContainer\"]');"
        f" return m.scrollHeight > {grown_from + 600}"
        f" && m.scrollHeight - m.scrollTop - m.clientHeight <= {NEAR_PX}; }}",
        polling=POLL_MS,
    )


def test_the_next_question_typed_while_it_streams_waits_in_the_input(
    app, new_page, up: FakeUpstream
):
    """In zh, then in en (the language switched, a new chat) on one page: Enter while the answer
    streams keeps the text with a hint; once the answer has ended Enter sends it."""
    page = new_page(app, locale=LOCALES["zh"])
    for lang in ("zh", "en"):
        if lang == "en":
            new_chat(page)
            switch_language(page, lang)
        next_question_waits(page, up, lang)


def next_question_waits(page: Page, up: FakeUpstream, lang: Lang) -> None:
    up.reset()
    up.enqueue(sse([f"第{i}段 " for i in range(12)], delay=0.25), sse(["第二个回答。"]))
    send_prompt(page, "慢慢说")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.last).to_contain_text("第1段")
    field = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    field.fill("下一个问题")
    field.press("Enter")
    # Enter is held while the answer comes: the text stays, a hint says why, the answer goes on.
    hint = page.get_by_role("status").filter(has_text=t("chat.wait_hint", lang))
    expect(hint).to_be_visible()
    page.screenshot(path=SHOTS / f"stream-typing-{lang}-1440.png")
    expect(field).to_have_value("下一个问题")
    expect(messages.last).to_contain_text("第11段")
    wait_for_idle(page)
    expect(page.get_by_text(t("chat.status_stopped", lang))).to_have_count(0)
    expect(field).to_have_value("下一个问题")  # still there once the answer has ended
    expect(hint).to_be_hidden()
    assert len(up.requests) == 1
    # Now Enter sends it.
    field.press("Enter")
    expect(messages.last).to_contain_text("第二个回答。")
    wait_for_idle(page)
    expect(messages).to_have_count(4)
    assert up.requests[1].json["messages"][-1]["content"] == "下一个问题"
    assert_no_exception(page)
    assert console_errors(page) == []


def test_esc_stops_the_answer_from_the_input_but_not_in_a_popover(app, new_page, up: FakeUpstream):
    page = new_page(app)
    up.reset()
    up.enqueue(sse([f"第{i}段 " for i in range(30)], delay=0.25))
    send_prompt(page, "慢慢说")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer).to_contain_text("第1段")
    page.screenshot(path=SHOTS / "stream-stop-zh-1440.png")
    # Esc in an open popover closes the popover, not the answer.
    page.get_by_test_id("stBottom").get_by_test_id("stPopoverButton").click()
    expect(page.get_by_test_id("stPopoverBody")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stPopoverBody")).to_have_count(0)
    expect(answer).to_contain_text("第3段")
    expect(answer.get_by_text(t("chat.status_stopped", "zh"))).to_have_count(0)
    field = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    field.fill("还没写完")
    field.press("Escape")
    expect(answer.get_by_text(t("chat.status_stopped", "zh"))).to_be_visible()
    wait_for_idle(page)
    expect(field).to_have_value("还没写完")
    assert_no_exception(page)


def test_latest_stop_and_the_hint_pass_axe_in_both_themes(app, new_page, up: FakeUpstream):
    """One answer held half-way (its stream waits), scrolled up with the next question typed:
    "↓ Latest", the hint and the input pass axe in the light theme, then in the dark one (the
    system's scheme switched live, test_theme)."""
    page = new_page(app, color_scheme="light")
    up.reset()
    gate = threading.Event()
    up.enqueue(gated(sse(LINES[:120]), gate, keep=80))  # a long answer that then waits
    try:
        send_prompt(page, "Tell me everything")
        expect(page.get_by_test_id("stChatMessage").last).to_contain_text("Line 60 ")
        page.mouse.move(800, 300)
        page.mouse.wheel(0, -600)
        latest = page.get_by_role("button", name=t("chat.latest", "zh"))
        expect(latest).to_be_visible()
        field = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
        field.fill("下一个问题")
        field.press("Enter")
        hint = page.get_by_role("status").filter(has_text=t("chat.wait_hint", "zh"))
        expect(hint).to_be_visible()
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            expect_dark(page, scheme == "dark")
            expect(latest).to_be_visible()
            field.press("Enter")  # the hint shows for 4 s after each Enter
            expect(hint).to_be_visible()
            page.screenshot(path=SHOTS / f"stream-axe-{scheme}.png")
            found = serious_violations(
                page,
                context={
                    "include": [
                        [".kantu-latest"],
                        [".kantu-wait-hint"],
                        ['[data-testid="stBottom"]'],
                    ]
                },
            )
            assert not found, f"{scheme}:\n" + "\n".join(found)
    finally:
        gate.set()
    wait_for_idle(page)  # the rest of the answer arrives
    expect(field).to_have_value("下一个问题")


@pytest.mark.parametrize(
    ("lang", "viewport", "then"),
    [("zh", (1440, 900), "en"), ("zh", (390, 844), None)],
    ids=["zh-desktop-then-en", "zh-phone"],
)
def test_a_question_python_never_heard_comes_back_to_the_input(
    app, new_page, up, lang, viewport, then
):
    """Now and then, right after a page load, Streamlit never heard a question sent, and the
    input was already empty: the question was gone. Here the page's message carrying it is lost
    on its way to the server: the question comes back in the input, with a hint, and Enter
    sends it. On the desktop the visitor switches the language at once: a run for something
    else is no proof the question arrived (a question lost with the browser store's report was
    taken for heard when the report's resend ran)."""
    question = "这是什么鸟？没送到的那只"
    page = new_page(app, locale="zh-CN", viewport=viewport)
    way = HeldOnTheWay(page, question)  # lost: the server never hears it
    wait_for_store(page)  # its report's run is not the question's either way
    send_prompt(page, question)
    if then is not None:
        switch_language(page, then)
        lang = then
    field = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    expect(field).to_have_value(question)
    expect(page.get_by_text(t("chat.not_sent_hint", lang))).to_be_visible()
    expect(page.get_by_test_id("kantuEcho")).to_have_count(0)  # not shown as sent
    page.screenshot(path=SHOTS / f"stream-not-sent-{lang}-{viewport[0]}.png")
    assert list(way.held) == [question]
    up.enqueue(sse(["A robin."]))
    field.press("Enter")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.filter(has_text="A robin.")).to_have_count(1)
    expect(messages.filter(has_text=question)).to_have_count(1)  # asked once


# Picked through the page's own click() the moment the question's run has begun (a Playwright
# click waits for the element to be still: its message could come after that run had ended).
CLICK_DARK = """(name) => [...document.querySelectorAll('[data-testid="stSidebar"] [role="radio"]')]
  .find((radio) => radio.textContent.includes(name)).click()"""


# The page shows a script run in progress (Streamlit sets this when the server says it started).
RUNNING_JS = """() => document.querySelector('[data-testid="stApp"]')
  .getAttribute("data-test-script-state") === 'running'"""


def test_a_question_whose_run_a_click_stops_is_still_asked_once(app, new_page, up):
    """A click that reaches the server while the run for a question is under way (its three 12 MP
    photos being prepared) stops that run, and Streamlit does not bring the question to the
    next run. The page keeps the question in the session from the moment it arrives (the chat
    input's ``on_submit``, before the run starts), so the click's run asks it: once, with all
    its photos, and nothing comes back to the input. Before, the question was gone from the server
    and came back to the input two seconds later, to be sent again."""
    question = "这几张照片有什么不同？路上停了一下"
    page = new_page(app, locale="zh-CN", viewport=(1280, 900))
    way = HeldOnTheWay(page, question)  # held until the test lets it go, with the click after
    wait_for_store(page)
    photos: list[FilePayload] = [
        {"name": f"photo-{i}.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(4000, 3000)}
        for i in range(3)
    ]
    attach_files(page, photos)
    asked_before = len(up.requests)
    up.enqueue(sse(["Three", " photos."]))
    send_prompt(page, question)
    way.wait(page, question, 5_000)
    assert list(way.held) == [question]
    way.release(question)
    # The click once the question's run has begun and taken the question (a click before that
    # can still lose it, inside Streamlit: see session.hear_question; under CI load a fixed 30 ms
    # after the release once landed there); preparing three 12 MP photos takes longer than this.
    page.wait_for_function(RUNNING_JS, polling="raf")
    page.wait_for_timeout(30)
    page.evaluate(CLICK_DARK, t("theme.dark", "zh"))
    expect_dark(page, True)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.filter(has_text="Three photos.")).to_have_count(1)
    expect(messages.filter(has_text=question)).to_have_count(1)
    wait_for_idle(page)
    page.wait_for_timeout(2500)  # longer than the page waits before putting a question back
    field = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    expect(field).to_have_value("")
    expect(page.get_by_text(t("chat.not_sent_hint", "zh"))).to_have_count(0)
    expect(messages.filter(has_text=question)).to_have_count(1)  # asked once
    (request,) = up.requests[asked_before:]
    parts = request.json["messages"][-1]["content"]
    assert sum(part.get("type") == "image_url" for part in parts) == len(photos)
    assert_no_exception(page)


def _plain_jpeg(name: str, colour: tuple[int, int, int]) -> FilePayload:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _long_screenshot(name: str, top: tuple[int, int, int]) -> FilePayload:
    """A picture four times as high as wide, ``top`` in its top 600 px and green below: its
    thumbnail shows only its top (gallery.thumb_size)."""
    picture = Image.new("RGB", (400, 1600), (0, 160, 0))
    picture.paste(top, (0, 0, 400, 600))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


# The size each element is drawn at, in CSS px.
BOX_SIZES = """(nodes) => nodes.map((n) => {
  const box = n.getBoundingClientRect();
  return [Math.round(box.width), Math.round(box.height)];
})"""
ECHO_THUMB = ".kantu-echo-thumb"


def _middle_colours(thumbs: Locator) -> list[tuple[int, int, int]]:
    """Return the colour shown at the middle of each thumbnail, from a screenshot of it."""
    colours = []
    for thumb in thumbs.all():
        shot = Image.open(io.BytesIO(thumb.screenshot())).convert("RGB")
        colours.append(shot.getpixel((shot.width // 2, shot.height // 2)))
    return colours


# The person goes on typing (a key every 200 ms). The page puts a question its server never heard
# back in the input once the person has been still for a moment (when_not_taken.js), which a
# question the test holds on the way met on a slow machine while the test still looked at its
# stand-in (CI, under load: the stand-in gone 2.3 s after Enter).
TYPING_JS = """() => { window.__typing = setInterval(
  () => window.dispatchEvent(new KeyboardEvent("keydown", { key: "Shift" })), 200); }"""


@contextmanager
def still_typing(page: Page) -> Iterator[None]:
    page.evaluate(TYPING_JS)
    try:
        yield
    finally:
        page.evaluate("() => clearInterval(window.__typing)")


@pytest.mark.parametrize(
    ("lang", "viewport"), [("zh", (1280, 900)), ("en", (390, 844))], ids=["zh-desktop", "en-phone"]
)
def test_a_question_and_its_pictures_show_the_moment_it_is_sent(app, new_page, up, lang, viewport):
    """Enter shows the question and its thumbnails at once, before the server has run the page
    for it (held back here on the websocket): nothing blank while the photos travel. Streamlit's
    own message then takes its place, once."""
    question = "这两张图有什么不同？" if lang == "zh" else "What differs between these two?"
    follow_up = "红色那张是什么？" if lang == "zh" else "And the red one?"
    page = new_page(app, locale=LOCALES[lang], viewport=viewport)
    way = HeldOnTheWay(page, question, follow_up)  # the server hears each when the test says so
    wait_for_store(page)  # the store's run is over: the next run is the question's
    welcome = page.locator(f".st-key-{keys.WELCOME}")
    expect(welcome).to_be_visible()
    page.locator(CHAT_FILE_INPUT_SELECTOR).set_input_files(
        [_plain_jpeg("red.jpg", (255, 0, 0)), _long_screenshot("blue.jpg", (0, 0, 255))]
    )
    previews = page.get_by_test_id("stFileChipImagePreview")
    expect(previews).to_have_count(2)
    # while the person types, the photo's thumbnail is made (the long one shows its top: a copy)
    expect(previews.and_(page.locator("[data-kantu-thumb]"))).to_have_count(1)
    up.enqueue(sse(["Red, then blue."]))
    asked = len(up.requests)
    with still_typing(page):  # until the question is let go
        send_prompt(page, question)

        echo = page.get_by_test_id("kantuEcho")
        expect(echo).to_have_text(question)
        expect(echo.locator(f"{ECHO_THUMB}[data-drawn]")).to_have_count(2)
        # the photo from its thumbnail made ahead, not decoded again at Enter
        expect(echo.locator(f"canvas{ECHO_THUMB}[data-drawn=ahead]")).to_have_count(1)
        colours = _middle_colours(echo.locator(ECHO_THUMB))
        assert [max(range(3), key=c.__getitem__) for c in colours] == [0, 2], colours  # red, blue
        stand_in_sizes = echo.locator(ECHO_THUMB).evaluate_all(BOX_SIZES)
        expect(welcome).to_be_hidden()  # the question takes the welcome's place
        messages = page.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(0)  # the server has not heard it yet
        page.screenshot(path=SHOTS / f"echo-{lang}-{viewport[0]}.png")

        assert list(way.held) == [question]
        way.release(question)
    expect(messages.filter(has_text="Red, then blue.")).to_have_count(1)
    expect(messages.filter(has_text=question)).to_have_count(1)
    thumbs = messages.filter(has_text=question).locator('[data-testid="stImage"] img')
    expect(thumbs).to_have_count(2)
    wait_for_pictures(thumbs)
    # the same sizes: nothing jumps when Streamlit's thumbnails take the stand-in's place (the
    # long screenshot's only its top, as wide as the photo's is high)
    assert thumbs.evaluate_all(BOX_SIZES) == stand_in_sizes
    expect(echo).to_have_count(0)
    assert len(up.requests) == asked + 1
    wait_for_idle(page)

    # A question with no picture, in a chat: drawn below the last answer, then Streamlit's.
    up.enqueue(sse(["A red square."]))
    with still_typing(page):  # until the question is let go
        send_prompt(page, follow_up)
        expect(echo).to_have_text(follow_up)
        expect(echo.locator(ECHO_THUMB)).to_have_count(0)
        answer = messages.filter(has_text="Red, then blue.").bounding_box()
        stand_in = echo.bounding_box()
        assert answer and stand_in and stand_in["y"] >= answer["y"] + answer["height"]
        # A run for something else (a setting clicked; the page's own report) ends while the question
        # travels: the stand-in stays, for that run did not hear it.
        page.evaluate(CLICK_DARK, t("theme.dark", lang))
        expect_dark(page, True)
        wait_for_idle(page)
        expect(echo).to_have_text(follow_up)
        way.release(follow_up)
    expect(messages.filter(has_text="A red square.")).to_have_count(1)
    expect(messages.filter(has_text=follow_up)).to_have_count(1)
    expect(echo).to_have_count(0)
    assert len(up.requests) == asked + 2
    assert_no_exception(page)


def test_enter_while_a_picture_uploads_shows_nothing_as_sent(app, new_page, up):
    """Streamlit sends nothing while a picture is still uploading (its send button is off): the
    question is not drawn as sent; once the upload is done, Enter sends it with the picture."""
    page = new_page(app, locale="en-US")
    uploads: list[Route] = []

    def hold(route: Route) -> None:
        uploads.append(route)  # held until the test lets it go

    page.route("**/_stcore/upload_file/**", hold)
    page.locator(CHAT_FILE_INPUT_SELECTOR).set_input_files([_plain_jpeg("red.jpg", (255, 0, 0))])
    chat = page.locator(CHAT_INPUT_SELECTOR)
    expect(chat.get_by_test_id("stFileChipIconSpinner")).to_have_count(1)
    field = chat.get_by_test_id("stChatInputTextArea")
    field.fill("Is it red?")
    expect(chat.get_by_test_id("stChatInputSubmitButton")).to_be_disabled()
    asked = len(up.requests)
    field.press("Enter")  # the page's keydown listeners have run when this returns
    echo = page.get_by_test_id("kantuEcho")
    expect(echo).to_have_count(0)
    expect(field).to_have_value("Is it red?")

    for route in uploads:
        route.continue_()
    page.unroute("**/_stcore/upload_file/**", hold)
    expect(chat.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)
    up.enqueue(sse(["Yes, red."]))
    field.press("Enter")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.filter(has_text="Yes, red.")).to_have_count(1)
    expect(
        messages.filter(has_text="Is it red?").locator('[data-testid="stImage"] img')
    ).to_have_count(1)
    expect(echo).to_have_count(0)
    assert len(up.requests) == asked + 1
