"""Compare in the browser: three models answer one photo side by side, with figures under each.

Screenshots (zh and en, desktop 1280×900 and phone 390×844) go to
``$KANTU_SHOTS/compare/`` (``shots_dir``).
"""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Page, expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    assert_no_exception,
    console_errors,
    shots_dir,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, gated, sse
from components.i18n import t
from components.ui import state_keys as keys

SHOTS = shots_dir("compare")
USAGE = {"prompt_tokens": 160, "completion_tokens": 12, "total_tokens": 172}
MODELS = ("fast-vl", "steady-vl", "slow-vl")
ANSWERS = {
    "fast-vl": ["一只", "橙色的", "猫坐在窗台上。"],
    "steady-vl": ["A ginger cat ", "sitting on a ", "window sill."],
    "slow-vl": ["图中", "是一只", "猫，", "背景是", "窗户。"],
}
DELAYS = {"fast-vl": 0.05, "steady-vl": 0.2, "slow-vl": 0.4}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    # the operator lets its key ask the fake models (issue 11's allow-list)
    return {**operator_env, "KANTU_ALLOWED_MODELS": ",".join(("gpt-4o-mini", *MODELS))}


@pytest.fixture(autouse=True)
def _models(up: FakeUpstream) -> None:
    up.reset()
    up.by_model = {m: sse(ANSWERS[m], model=m, delay=DELAYS[m], usage=USAGE) for m in MODELS}


def shoot(page: Page, name: str) -> None:
    """Save the results as the person sees them (scrolled to the columns) and the whole page
    (the viewport stretched to the page's height: Streamlit scrolls inside its main block)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(_key(keys.compare_column_key("col", "A"))).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{name}.png"), animations="disabled")
    size = page.viewport_size
    height = page.get_by_test_id("stMain").evaluate("el => el.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), animations="disabled")
    page.set_viewport_size(size)


def _key(key: str) -> str:
    return f".st-key-{key}"


def _pick_model(page: Page, i: int, model: str) -> None:
    """Type a model name into column ``i``'s model box (it accepts new names) and choose it."""
    box = page.locator(_key(keys.compare_model_key(i)))
    box.locator("input").click()
    box.locator("input").fill(model)
    page.keyboard.press("Enter")
    wait_for_idle(page)
    expect(box.get_by_role("combobox")).to_have_value(model)


def open_compare(page: Page, lang: str) -> None:
    """Go to the Compare page: through the sidebar's navigation on a desktop, by its address on
    a phone (where the sidebar starts closed); nothing to do on a page opened on it."""
    if page.url.split("?")[0].rstrip("/").endswith("/compare"):
        pass  # opened on it
    elif page.viewport_size["width"] >= 640:
        page.get_by_test_id("stSidebarNav").get_by_text(t("nav.compare", lang)).click()
    else:
        page.goto(page.url.split("?")[0].rstrip("/") + "/compare")
    wait_for_idle(page)
    expect(page.locator(_key(keys.COMPARE_RUN_BUTTON))).to_be_visible()


def compare_three(page: Page, lang: str, *, blind: bool = False) -> None:
    """Fill the form with one photo and the three models, run, and wait for every column."""
    open_compare(page, lang)
    for i, model in enumerate(MODELS):
        _pick_model(page, i, model)
    if blind:
        page.locator(_key(keys.COMPARE_BLIND)).locator("label").first.click()
        wait_for_idle(page)
    uploader = page.locator(_key(keys.COMPARE_FILES))
    uploader.locator("input[type=file]").set_input_files(
        {"name": "cat.jpg", "mimeType": "image/jpeg", "buffer": make.photo_jpeg(800, 600)}
    )
    expect(uploader.get_by_test_id("stFileChip")).to_have_count(1)
    expect(uploader.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)
    page.locator(_key(keys.COMPARE_QUESTION)).locator("input").fill(
        t("chat.default_question", lang)
    )
    page.keyboard.press("Enter")
    wait_for_idle(page)
    page.locator(_key(keys.COMPARE_RUN_BUTTON)).locator("button").click()
    for label in "ABC":
        expect(page.locator(_key(keys.compare_column_key("col", label)))).to_contain_text(
            "⏱", timeout=20_000
        )
    # Once every column is final, one full run adds the votes (and, names shown, the exports).
    expect(page.locator(_key(keys.compare_column_key("vote", "A")))).to_be_visible()
    wait_for_idle(page)


def test_three_models_answer_one_photo_side_by_side(app, new_page, up):
    """On a desktop in Chinese: the three columns answer together, side by side, each with its
    model, answer and figures, and the exports (screenshot ``compare-zh-desktop``); switched to
    English on the same page, the three answers are still shown (``compare-en-desktop``)."""
    # Every answer waits until three requests have arrived: only columns sent together finish
    # (timing alone made this flaky with four workers on two cores).
    gate = threading.Event()
    up.by_model = {model: gated(reply, gate, keep=0) for model, reply in up.by_model.items()}
    threading.Thread(
        target=lambda: (up.wait_for_requests(3, timeout=60), gate.set()), daemon=True
    ).start()
    page = new_page(app)
    compare_three(page, "zh")
    columns = [page.locator(_key(keys.compare_column_key("col", label))) for label in "ABC"]
    for column, model in zip(columns, MODELS, strict=True):
        expect(column).to_contain_text(f"custom/{model}")
        expect(column).to_contain_text("".join(ANSWERS[model]))
        expect(column).to_contain_text("服务商：输入 160 · 输出 12 tokens")
        expect(column).to_contain_text("结束原因：stop")
        expect(column).to_contain_text("看图检查：未检查")
    # Side by side: the three columns share one row on a desktop screen.
    tops = {round(column.bounding_box()["y"]) for column in columns}
    assert len(tops) == 1, tops
    # The three requests were in flight together (server-side order of events).
    kinds = [kind for kind, _, _ in up.events]
    assert kinds.index("finished") == 3, up.events
    expect(page.get_by_test_id("stDownloadButton")).to_have_count(2)
    assert_no_exception(page)
    assert console_errors(page) == []
    shoot(page, "compare-zh-desktop")
    switch_language(page, "en")
    _answers_are_shown(page)
    shoot(page, "compare-en-desktop")


def _answers_are_shown(page: Page) -> None:
    for model in MODELS:
        expect(page.get_by_text("".join(ANSWERS[model]))).to_be_visible()
    assert_no_exception(page)


def test_compare_on_a_phone(app, new_page):
    """On a phone, opened on the Compare page in Chinese: the three answers are shown
    (screenshot ``compare-zh-phone``), and again once switched to English on the same page
    (``compare-en-phone``)."""
    page = new_page(app, locale="zh-CN", viewport=(390, 844), path="compare")
    compare_three(page, "zh")
    _answers_are_shown(page)
    shoot(page, "compare-zh-phone")
    switch_language(page, "en")
    _answers_are_shown(page)
    shoot(page, "compare-en-phone")


def test_blind_mode_hides_the_names_until_the_best_is_picked(app, new_page):
    page = new_page(app, locale="en-US")
    compare_three(page, "en", blind=True)
    columns = page.locator("[class*='st-key-kantu_compare_col_']")
    expect(columns).to_have_count(3)
    for model in MODELS:
        expect(columns.filter(has_text=model)).to_have_count(0)
        expect(page.get_by_text(model)).to_have_count(0)  # nowhere on the page but its box
    expect(page.get_by_test_id("stDownloadButton")).to_have_count(0)
    shoot(page, "compare-en-blind")

    page.locator(_key(keys.compare_column_key("vote", "B"))).locator("button").click()
    wait_for_idle(page)
    column_b = page.locator(_key(keys.compare_column_key("col", "B")))
    expect(column_b).to_contain_text("B · custom/")
    expect(page.get_by_text("You picked B: custom/")).to_be_visible()
    expect(page.get_by_text("picked best 1 of 1 times")).to_be_visible()
    expect(page.get_by_test_id("stDownloadButton")).to_have_count(2)
    assert_no_exception(page)
    shoot(page, "compare-en-blind-revealed")
