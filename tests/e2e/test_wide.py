"""Compare and Batch laid out wide (issue 21, points 3 and 10), in Chromium.

At 1440 px the columns share the width (not three 200-px columns beside empty space); Run
brings the results into view as they start; on a phone the run's thumbnails are one row that
scrolls sideways, each caption one line. Screenshots (zh and en, 1440×900 and 390×844) go to
``$KANTU_SHOTS/wide/`` (``shots_dir``).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    assert_no_exception,
    shots_dir,
    switch_language,
    wait_for_idle,
    wait_for_settled,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.ui import state_keys as keys

SHOTS = shots_dir("wide")
DESKTOP = (1440, 900)
PHONE = (390, 844)
MODELS = ("fast-vl", "steady-vl", "slow-vl")
USAGE = {"prompt_tokens": 160, "completion_tokens": 12, "total_tokens": 172}
LONG = ["这是", "一段", "较长的", "回答，", "逐字", "出现。"] * 6


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    # the operator's key may ask these models: the columns start on them, one each
    return {**operator_env, "KANTU_ALLOWED_MODELS": ",".join(MODELS), "KANTU_MODEL": MODELS[0]}


@pytest.fixture(autouse=True)
def _models(up: FakeUpstream) -> None:
    up.reset()
    up.by_model = {m: sse(LONG, model=m, delay=0.15, usage=USAGE) for m in MODELS}
    up.default = sse(["一只猫。"], usage=USAGE)


def _key(key: str) -> str:
    return f".st-key-{key}"


def _fill_compare(page: Page, pictures: int = 1) -> None:
    """Put ``pictures`` photos in the Compare form (the page is open on it)."""
    expect(page.locator(_key(keys.COMPARE_RUN_BUTTON))).to_be_visible()
    uploader = page.locator(_key(keys.COMPARE_FILES))
    uploader.locator("input[type=file]").set_input_files(
        [
            {
                "name": f"photo-{i + 1}.jpg",
                "mimeType": "image/jpeg",
                "buffer": make.photo_jpeg(800 + 40 * i, 600),
            }
            for i in range(pictures)
        ]
    )
    expect(uploader.get_by_test_id("stFileChip")).to_have_count(pictures)
    expect(uploader.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)
    wait_for_idle(page)


def _run(page: Page) -> None:
    page.locator(_key(keys.COMPARE_RUN_BUTTON)).locator("button").click()


def _shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), animations="disabled")


def _check_form(page: Page) -> None:
    """One model per column, none repeated, over a wide page (not 213 px each)."""
    expect(page.locator(_key(keys.COMPARE_FILES)).get_by_test_id("stFileChip")).to_have_count(1)
    boxes = [page.locator(_key(keys.compare_model_key(i))) for i in range(3)]
    for box, model in zip(boxes, MODELS, strict=True):
        expect(box.get_by_role("combobox")).to_have_value(model)
    widths = [box.bounding_box()["width"] for box in boxes]
    assert min(widths) > 280, widths


def _check_columns(page: Page) -> None:
    """Every column has its figures, and the three share the width."""
    columns = [page.locator(_key(keys.compare_column_key("col", x))) for x in "ABC"]
    for column in columns:
        expect(column).to_contain_text("⏱", timeout=30_000)
    wait_for_settled(page)  # measured once no run redraws them (an element mid-redraw has no box)
    assert min(c.bounding_box()["width"] for c in columns) > 280
    assert_no_exception(page)


def test_compare_columns_share_the_width_start_on_different_models_and_run_scrolls_to_them(
    app, new_page
):
    """On a 1440-px page, in English (the browser's language) and in Chinese (switched on the
    same page): the three columns start on different models and share the width, in the form
    and in the results; Run brings the results into view while the answers still stream.
    Screenshots ``compare-{en,zh}-desktop-form`` and ``compare-{en,zh}-desktop``."""
    page = new_page(app, locale="en-US", viewport=DESKTOP, path="compare")
    _fill_compare(page)
    _check_form(page)
    _shoot(page, "compare-en-desktop-form")
    switch_language(page, "zh")
    _check_form(page)
    _shoot(page, "compare-zh-desktop-form")

    results = page.locator(_key(keys.COMPARE_RESULTS))
    _run(page)
    expect(results).to_be_attached()
    # While the answers still stream, their start is on screen (before: below the fold).
    expect(results).to_be_in_viewport()
    expect(page.locator(_key(keys.compare_column_key("stop", "A")))).to_be_in_viewport()
    scrolled = page.get_by_test_id("stMain").evaluate("el => el.scrollTop")
    scrolled += page.evaluate("window.scrollY")
    assert scrolled > 0
    _check_columns(page)
    _shoot(page, "compare-zh-desktop")
    switch_language(page, "en")
    _check_columns(page)
    _shoot(page, "compare-en-desktop")


def _check_thumbnails(page: Page) -> None:
    """The run's three thumbnails are one row that scrolls sideways, each caption one line."""
    row = page.locator(_key(f"{keys.GALLERY}-compare"))
    tiles = row.locator(f"[class*='st-key-{keys.GALLERY}-compare-']")
    expect(tiles).to_have_count(3)
    # measured at one instant: the page may still be scrolling to the results
    tops = row.evaluate("el => [...el.children].map(c => Math.round(c.getBoundingClientRect().y))")
    assert len(tops) == 3 and len(set(tops)) == 1, tops  # one row, not one picture per row
    assert row.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls sideways
    captions = row.get_by_test_id("stImageCaption")
    for i in range(3):
        lines = captions.nth(i).evaluate(
            "el => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)"
        )
        assert lines < 1.5, lines
    for label in "ABC":
        expect(page.locator(_key(keys.compare_column_key("col", label)))).to_contain_text(
            "⏱", timeout=30_000
        )
    wait_for_idle(page)
    assert_no_exception(page)


def test_on_a_phone_the_thumbnails_are_one_row_with_one_line_captions(app, new_page):
    """On a phone, in Chinese and in English (switched on the same page): the form, then the
    run's thumbnails in one row that scrolls sideways, each caption on one line. Screenshots
    ``compare-{zh,en}-phone-form`` and ``compare-{zh,en}-phone``."""
    page = new_page(app, locale="zh-CN", viewport=PHONE, path="compare")
    _fill_compare(page, pictures=3)
    _shoot(page, "compare-zh-phone-form")
    switch_language(page, "en")
    expect(page.locator(_key(keys.COMPARE_FILES)).get_by_test_id("stFileChip")).to_have_count(3)
    _shoot(page, "compare-en-phone-form")
    _run(page)
    _check_thumbnails(page)
    _shoot(page, "compare-en-phone")
    switch_language(page, "zh")
    _check_thumbnails(page)
    _shoot(page, "compare-zh-phone")


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_batch_uses_the_width(app, new_page, up, locale, lang):
    """A finished batch of four pictures spans the wide page beside the sidebar; the same page
    narrowed to a phone still shows it whole. Screenshots ``batch-{lang}-{desktop,phone}``."""
    up.by_model[MODELS[0]] = sse(["一只猫。"], model=MODELS[0], usage=USAGE)  # the sidebar's model
    page = new_page(app, locale=locale, viewport=DESKTOP, path="batch")
    heading = page.get_by_role("heading", name=t("batch.title", lang))
    expect(heading).to_be_visible()
    page.get_by_test_id("stMainBlockContainer").get_by_test_id(
        "stFileUploaderDropzoneInput"
    ).set_input_files(
        [
            {"name": f"p{i}.jpg", "mimeType": "image/jpeg", "buffer": make.photo_jpeg(640, 480)}
            for i in range(4)
        ]
    )
    wait_for_idle(page)
    page.get_by_role("button", name=t("batch.run", lang)).click()
    finished = page.get_by_text(t("batch.finished", lang, done=4, failed=0, cancelled=0))
    expect(finished).to_be_visible(timeout=30_000)
    wait_for_idle(page)
    main = page.get_by_test_id("stMainBlockContainer").bounding_box()
    # the wide layout: the page's block spans most of the screen beside the sidebar
    assert main["width"] > 1000, main
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / f"batch-{lang}-desktop.png"), full_page=True)

    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    wait_for_idle(page)
    page.wait_for_timeout(400)  # the sidebar's transition
    expect(heading).to_be_visible()
    expect(finished).to_be_visible()
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / f"batch-{lang}-phone.png"), full_page=True)
