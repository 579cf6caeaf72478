"""The layout in Chromium: the detail control on one line and one modest heading, in both
languages, on a desktop and a phone.

One page covers the four cases: it opens in Chinese on a desktop, switches to English, is
narrowed to a phone, and switches back to Chinese; every case makes the same checks."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from components.devtools.browser import switch_language, wait_for_animations, wait_for_idle
from components.i18n import Lang, t

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def _resize(page: Page, size: str) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    wait_for_idle(page)
    page.wait_for_timeout(400)  # the sidebar's transition


def _check(page: Page, lang: Lang, size: str) -> None:
    heading = page.get_by_role("heading", name=t("layout.heading", lang))
    heading.scroll_into_view_if_needed()  # a phone opens scrolled down to the chat input
    expect(heading).to_be_in_viewport()
    assert len(page.get_by_role("main").locator("h1, h2").all()) == 1  # one heading
    box = heading.bounding_box()
    assert box is not None and box["height"] < 0.1 * SIZES[size][1], box  # not 40 % of a phone
    expand = page.get_by_test_id("stExpandSidebarButton")
    opened = size == "phone"
    if opened:
        expand.click()
        # Measured once the sidebar has slid in: half-way, its segments wrap for a moment.
        wait_for_animations(page)
    sidebar = page.get_by_test_id("stSidebar")
    detail = sidebar.get_by_role("radiogroup", name=t("sidebar.detail", lang))
    options = detail.get_by_role("radio")
    expect(options).to_have_count(5)
    expect(options.last).to_be_in_viewport()
    tops = {round(o.bounding_box()["y"]) for o in options.all()}
    assert len(tops) == 1, f"detail choices wrap onto {len(tops)} lines ({lang}, {size})"
    if opened:  # leave the page as found: the sidebar closed on a phone
        sidebar.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(expand).to_be_visible()


def test_detail_choices_fit_on_one_line_and_the_heading_stays_small(app, new_page):
    """zh and en, desktop 1280×900 and phone 390×844: one heading, in view, under a tenth of the
    screen's height; the five detail choices in the sidebar on one line."""
    page = new_page(app, locale="zh-CN", viewport=SIZES["desktop"])
    _check(page, "zh", "desktop")
    switch_language(page, "en")
    _check(page, "en", "desktop")
    _resize(page, "phone")
    _check(page, "en", "phone")
    switch_language(page, "zh")
    _check(page, "zh", "phone")
