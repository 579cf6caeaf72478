"""The layout in Chromium: the detail control on one line and one modest heading, in both
languages, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components.i18n import t

LOCALES = {"zh": "zh-CN", "en": "en-US"}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_detail_choices_fit_on_one_line_and_the_heading_stays_small(app, new_page, lang, size):
    page = new_page(app, locale=LOCALES[lang], viewport=SIZES[size])
    heading = page.get_by_role("heading", name=t("layout.heading", lang))
    heading.scroll_into_view_if_needed()  # a phone opens scrolled down to the chat input
    expect(heading).to_be_in_viewport()
    assert len(page.get_by_role("main").locator("h1, h2").all()) == 1  # one heading
    box = heading.bounding_box()
    assert box is not None and box["height"] < 0.1 * SIZES[size][1], box  # not 40 % of a phone
    if size == "phone":
        page.get_by_test_id("stExpandSidebarButton").click()
    detail = page.get_by_test_id("stSidebar").get_by_role(
        "radiogroup", name=t("sidebar.detail", lang)
    )
    options = detail.get_by_role("radio")
    expect(options).to_have_count(5)
    expect(options.last).to_be_in_viewport()
    tops = {round(o.bounding_box()["y"]) for o in options.all()}
    assert len(tops) == 1, f"detail choices wrap onto {len(tops)} lines"
