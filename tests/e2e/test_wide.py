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
from components.devtools.browser import assert_no_exception, shots_dir, wait_for_idle
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


def _open(page: Page, path: str) -> None:
    page.goto(page.url.split("?")[0].rstrip("/") + "/" + path)
    wait_for_idle(page)


def _fill_compare(page: Page, lang: str, pictures: int = 1) -> None:
    _open(page, "compare")
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


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_compare_columns_share_the_width_and_start_on_different_models(app, new_page, locale, lang):
    page = new_page(app, locale=locale, viewport=DESKTOP)
    _fill_compare(page, lang)
    boxes = [page.locator(_key(keys.compare_model_key(i))) for i in range(3)]
    for box, model in zip(boxes, MODELS, strict=True):  # one model per column, none repeated
        expect(box.get_by_role("combobox")).to_have_value(model)
    widths = [box.bounding_box()["width"] for box in boxes]
    assert min(widths) > 280, widths  # three columns over a wide page, not 213 px each
    _shoot(page, f"compare-{lang}-desktop-form")
    _run(page)
    columns = [page.locator(_key(keys.compare_column_key("col", x))) for x in "ABC"]
    for column in columns:
        expect(column).to_contain_text("⏱", timeout=30_000)
    assert min(c.bounding_box()["width"] for c in columns) > 280
    wait_for_idle(page)
    assert_no_exception(page)
    _shoot(page, f"compare-{lang}-desktop")


def test_run_scrolls_to_the_results_as_they_start(app, new_page):
    page = new_page(app, locale="en-US", viewport=DESKTOP)
    _fill_compare(page, "en")
    results = page.locator(_key(keys.COMPARE_RESULTS))
    _run(page)
    expect(results).to_be_attached()
    # While the answers still stream, their start is on screen (before: below the fold).
    expect(results).to_be_in_viewport()
    expect(page.locator(_key(keys.compare_column_key("stop", "A")))).to_be_in_viewport()
    scrolled = page.get_by_test_id("stMain").evaluate("el => el.scrollTop")
    scrolled += page.evaluate("window.scrollY")
    assert scrolled > 0
    for label in "ABC":
        expect(page.locator(_key(keys.compare_column_key("col", label)))).to_contain_text(
            "⏱", timeout=30_000
        )
    assert_no_exception(page)


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_on_a_phone_the_thumbnails_are_one_row_with_one_line_captions(app, new_page, locale, lang):
    page = new_page(app, locale=locale, viewport=PHONE)
    _fill_compare(page, lang, pictures=3)
    _shoot(page, f"compare-{lang}-phone-form")
    _run(page)
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
    _shoot(page, f"compare-{lang}-phone")


@pytest.mark.parametrize(
    ("locale", "lang", "viewport", "tag"),
    [
        ("zh-CN", "zh", DESKTOP, "desktop"),
        ("en-US", "en", DESKTOP, "desktop"),
        ("zh-CN", "zh", PHONE, "phone"),
        ("en-US", "en", PHONE, "phone"),
    ],
)
def test_batch_uses_the_width(app, new_page, up, locale, lang, viewport, tag):
    up.by_model[MODELS[0]] = sse(["一只猫。"], model=MODELS[0], usage=USAGE)  # the sidebar's model
    page = new_page(app, locale=locale, viewport=viewport)
    _open(page, "batch")
    expect(page.get_by_role("heading", name=t("batch.title", lang))).to_be_visible()
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
    expect(
        page.get_by_text(t("batch.finished", lang, done=4, failed=0, cancelled=0))
    ).to_be_visible(timeout=30_000)
    wait_for_idle(page)
    main = page.get_by_test_id("stMainBlockContainer").bounding_box()
    if tag == "desktop":
        # the wide layout: the page's block spans most of the screen beside the sidebar
        assert main["width"] > 1000, main
    assert_no_exception(page)
    page.screenshot(path=str(SHOTS / f"batch-{lang}-{tag}.png"), full_page=True)
