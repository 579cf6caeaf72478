"""Pictures in a real browser: one thumbnail height, small pictures not blown up, a large view that
opens from the keyboard and closes with Esc, a phone screen not filled by three photos, and a
first question's thumbnails drawn with no grey box first.

Screenshots go to ``$KANTU_SHOTS/gallery/`` (``shots_dir``; desktop and phone, zh and en, with
the view open).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    assert_no_exception,
    attach_files,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_idle,
    wait_for_pictures,
    wait_for_settled,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.ui import state_keys as keys
from tests.e2e.test_theme import expect_dark

SHOTS = shots_dir("gallery")
PHONE = (390, 844)
LOCALES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def _jpeg(name: str, width: int, height: int) -> FilePayload:
    return {"name": name, "mimeType": "image/jpeg", "buffer": make.photo_jpeg(width, height)}


def _ask(page: Page, up: FakeUpstream, files: list[FilePayload], question: str) -> Locator:
    """Send ``files`` with ``question``; return the question's thumbnails once the answer is in."""
    up.default = sse(["好的。"])
    attach_files(page, files)
    send_prompt(page, question)
    expect(page.get_by_text("好的。")).to_be_visible()
    wait_for_idle(page)
    assert_no_exception(page)
    user = page.get_by_test_id("stChatMessage").first
    thumbs = user.locator(f'[class*="st-key-{keys.GALLERY}-"] [data-testid="stImage"] img')
    expect(thumbs).to_have_count(len(files))
    wait_for_pictures(thumbs)
    return thumbs


def _switch_to_english(page: Page, thumbs: Locator, count: int) -> None:
    """Switch the page to English and wait until the ``count`` thumbnails are drawn again."""
    switch_language(page, "en")
    assert_no_exception(page)
    expect(thumbs).to_have_count(count)
    wait_for_pictures(thumbs)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


# Counts, in the page, the moments a message holds a grey box: Streamlit's stand-in while the code
# that draws an element is fetched and set up (the first time a page shows such an element).
_GREY_BOXES_JS = """() => {
  window.__greyBoxes = 0;
  new MutationObserver(() => {
    const box = '[data-testid="stChatMessage"] [data-testid="stSkeleton"]';
    if (document.querySelector(box)) window.__greyBoxes += 1;
  }).observe(document.body, { childList: true, subtree: true });
}"""


def test_first_question_shows_its_thumbnails_with_no_grey_box_first(app, new_page, up):
    page = new_page(app, locale="en-US")  # a new visitor: the page has shown no picture yet
    page.evaluate(_GREY_BOXES_JS)
    _ask(page, up, [_jpeg("photo.jpg", 1600, 1200)], "What is in this?")
    assert page.evaluate("window.__greyBoxes") == 0


def test_thumbnails_share_a_height_and_the_view_opens_large_from_the_keyboard(
    app, new_page, up: FakeUpstream
):
    """In Chinese, then in English on the same page (switched: the conversation is drawn again):
    the two thumbnails' sizes and gap, their alt text, no fullscreen button on hover, and the
    large view opened with Tab and Enter, its facts, closed with Esc."""
    page = new_page(app, locale=LOCALES["zh"])
    files = [_jpeg("photo.jpg", 4032, 3024), _jpeg("tiny.jpg", 100, 40)]
    thumbs = _ask(page, up, files, "What is in these?")
    for lang in ("zh", "en"):
        if lang == "en":
            _switch_to_english(page, thumbs, len(files))
        photo, tiny = (thumbs.nth(i).bounding_box() for i in range(2))
        assert photo is not None and tiny is not None
        assert photo["height"] == pytest.approx(120, abs=1) and photo["width"] == pytest.approx(
            160, abs=1
        )
        assert tiny["width"] == pytest.approx(100, abs=1)
        assert tiny["height"] == pytest.approx(40, abs=1)
        assert tiny["x"] >= photo["x"] + photo["width"] + 8  # a gap between them
        for img in (thumbs.nth(0), thumbs.nth(1)):
            assert img.get_attribute("alt").startswith("What is in these?")
        thumbs.nth(0).hover()  # where Streamlit's own fullscreen ⤢ would appear
        expect(page.locator('[data-testid="stElementToolbar"]:visible')).to_have_count(0)
        _shot(page, f"desktop-{lang}.png")

        view = page.get_by_role("button", name=t("gallery.view", lang)).first
        view.focus()
        page.keyboard.press("Shift+Tab")  # from the element before it, Tab reaches the button
        page.keyboard.press("Tab")
        expect(view).to_be_focused()
        _shot(page, f"desktop-{lang}-focus.png")
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        large = dialog.locator('[data-testid="stImage"] img').first
        wait_for_pictures(large)
        box = large.bounding_box()
        assert box is not None and box["width"] > 700
        expect(dialog).to_contain_text("4032×3024")
        expect(dialog).to_contain_text(t("gallery.fact_metadata", lang))
        _shot(page, f"desktop-{lang}-view.png")

        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        assert_no_exception(page)


def test_three_photos_take_little_of_a_phone_screen(app, new_page, up: FakeUpstream):
    """On a phone (touch), in Chinese, then in English on the same page: the row of three
    photos takes under 0.6 of the screen, one height for all, and the large view opens with a
    tap and closes with its button."""
    page = new_page(app, locale=LOCALES["zh"], viewport=PHONE, is_mobile=True, has_touch=True)
    files = [_jpeg(f"p{i}.jpg", 4032, 3024) for i in range(3)]
    thumbs = _ask(page, up, files, "这三张有什么不同？")
    for lang in ("zh", "en"):
        if lang == "en":
            _switch_to_english(page, thumbs, len(files))
        row = page.locator(f'[class*="st-key-{keys.GALLERY}-"]').first
        row.scroll_into_view_if_needed()
        box = row.bounding_box()
        assert box is not None and box["height"] < 0.6 * PHONE[1], box
        heights = {round(thumbs.nth(i).bounding_box()["height"]) for i in range(3)}
        assert len(heights) == 1, heights
        _shot(page, f"phone-{lang}.png")
        page.get_by_role("button", name=t("gallery.view", lang)).first.tap()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        _shot(page, f"phone-{lang}-view.png")
        dialog.get_by_role("button", name=t("widget.close", lang)).click()
        expect(dialog).to_have_count(0)


# 🔍, then the theme switch 25 ms after 🔍's run has begun: its run stops the run for 🔍 before
# the picture's button is reached (the browser store's report after a save does the same on its
# own). Counted from the run's start, not the click: a click that reaches the server in the
# moment Streamlit takes a run, before it hands the run its callbacks, loses that run's trigger
# inside Streamlit (session.hear_question), which under load a fixed 25 ms after the click hit.
# The switch is looked up when it is clicked: a click on a node since drawn anew does nothing.
VIEW_THEN_DARK = """([view, dark]) => new Promise((done) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const radio = () => [...document.querySelectorAll('[data-testid="stSidebar"] [role="radio"]')]
    .find((r) => r.textContent.includes(dark));
  let clicked = false;
  const toDark = () => {
    if (clicked) return;
    clicked = true;
    started.disconnect();
    setTimeout(() => { radio().click(); done(); }, 25);
  };
  const started = new MutationObserver(() => {
    if (app.getAttribute("data-test-script-state") === "running") toDark();
  });
  started.observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
  [...document.querySelectorAll("button")].find((b) => b.textContent.includes(view)).click();
  setTimeout(toDark, 3000); // no run seen starting: the switch goes anyway (the test then says why)
})"""


def test_the_large_view_opens_when_another_click_stops_its_run(app, new_page, up):
    """A click on 🔍 whose run a newer click stops (here the theme switch; in CI, the browser
    store's report right after an answer) still opens the large view, and it stays open through
    that newer run: it is open in the session, not read from the button's value (which the
    stopped run takes with it), until the person closes it; closed, it stays closed."""
    page = new_page(app, locale="zh-CN", viewport=(1280, 900))
    _ask(page, up, [_jpeg("photo.jpg", 640, 480)], "这是什么？")
    wait_for_settled(page)  # no run under way: 🔍's is the next to start
    page.evaluate(VIEW_THEN_DARK, [t("gallery.view", "zh"), t("theme.dark", "zh")])
    expect_dark(page, True)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    wait_for_pictures(dialog.locator('[data-testid="stImage"] img').first)
    dialog.get_by_role("button", name=t("widget.close", "zh")).click()  # closed by the person
    expect(dialog).to_have_count(0)  # and it stays closed on later runs
    # The closing's run first: a click that reaches the server in the moment Streamlit takes a
    # run, before it hands the run its callbacks, loses that run's trigger inside Streamlit
    # (session.hear_question); under CI load the next click landed there and the view came back.
    wait_for_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("radio", name=t("theme.light", "zh")).click()
    expect_dark(page, False)
    wait_for_idle(page)
    expect(dialog).to_have_count(0)
    assert_no_exception(page)
