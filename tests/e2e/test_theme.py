"""Dark mode in Chromium: the page follows the system's colour scheme; the sidebar's switch pins
light or dark (live, the conversation kept) and the browser remembers it; axe-core finds no
serious or critical violation on the main screens in either theme."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from components.devtools.browser import (
    POLL_MS,
    assert_no_exception,
    send_prompt,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import Lang, t
from tests.e2e.test_accessibility import serious_violations

LOCALES = {"zh": "zh-CN", "en": "en-US"}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    up.reset()
    up.default = sse(["这是一只橙子。", " It is an orange."])


def background_is_dark(page: Page) -> bool:
    """Return whether the page's background (Streamlit's, as drawn) is dark."""
    return page.evaluate(
        """() => {
          const [r, g, b] = getComputedStyle(document.querySelector('.stApp'))
            .backgroundColor.match(/\\d+/g).map(Number);
          return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
        }"""
    )


def expect_dark(page: Page, dark: bool) -> None:
    page.wait_for_function(
        """(dark) => {
          const m = getComputedStyle(document.querySelector('.stApp')).backgroundColor
            .match(/\\d+/g).map(Number);
          return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2] < 128) === dark;
        }""",
        arg=dark,
        polling=POLL_MS,
    )


def switch(page: Page, choice: str, lang: Lang) -> Locator:
    """The sidebar's theme segment for ``choice`` (its emoji is drawn as an icon, not named)."""
    return page.get_by_test_id("stSidebar").get_by_role("radio", name=t(f"theme.{choice}", lang))


def test_a_dark_system_gives_a_dark_page_and_the_switch_pins_a_theme_live_and_remembered(
    app, new_page
):
    """A dark system gives a dark page, which follows the system when it turns light (a light
    system at load: test_main_screens_pass_axe_in_both_themes). The sidebar's switch then pins
    light or dark live, the chat kept, and the browser remembers it."""
    page = new_page(app, color_scheme="dark")
    expect_dark(page, True)
    expect(switch(page, "system", "zh")).to_have_attribute("aria-checked", "true")
    page.emulate_media(color_scheme="light")  # the system changes while the page is open
    expect_dark(page, False)
    page.emulate_media(color_scheme="dark")
    expect_dark(page, True)

    send_prompt(page, "你好")
    expect(page.get_by_test_id("stChatMessage").last).to_contain_text("It is an orange.")
    switch(page, "light", "zh").click()
    expect_dark(page, False)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)  # no reload: the chat stays
    page.emulate_media(color_scheme="dark")  # a pinned theme ignores the system
    page.wait_for_timeout(300)
    assert not background_is_dark(page)
    switch(page, "system", "zh").click()
    expect_dark(page, True)
    switch(page, "light", "zh").click()
    expect_dark(page, False)
    wait_for_idle(page)

    page.reload()  # a new session in the same browser: the remembered choice comes back
    wait_for_idle(page)
    expect_dark(page, False)
    expect(switch(page, "light", "zh")).to_have_attribute("aria-checked", "true")
    page.emulate_media(color_scheme="light")
    switch(page, "dark", "zh").click()
    expect_dark(page, True)
    assert_no_exception(page)


def _axe_clean(page: Page, screen: str) -> None:
    wait_for_idle(page)
    found = serious_violations(page)
    assert not found, f"{screen}:\n" + "\n".join(found)


def test_main_screens_pass_axe_in_both_themes(app, new_page):
    """The welcome, a conversation with its answer, Compare and Batch, each in zh and en and in
    the system's light and dark theme (switched live: the page follows the system, see
    test_a_dark_system_gives_a_dark_page...). The page opens in a light system: light at once."""
    page = new_page(app, locale=LOCALES["zh"], color_scheme="light")
    assert not background_is_dark(page)
    lang: Lang = "zh"
    scheme = "light"

    def both_themes(screen: str) -> None:
        nonlocal scheme
        for _ in range(2):
            expect_dark(page, scheme == "dark")
            _axe_clean(page, f"{screen} ({lang}, {scheme})")
            scheme = "dark" if scheme == "light" else "light"
            page.emulate_media(color_scheme=scheme)

    def both_languages(screen: str) -> None:
        nonlocal lang
        both_themes(screen)
        lang = "en" if lang == "zh" else "zh"
        switch_language(page, lang)  # the pointer left at (0, 0), as on a fresh page
        both_themes(screen)

    both_languages("welcome")
    send_prompt(page, t("welcome.example_1", lang))
    expect(page.get_by_test_id("stChatMessage").last).to_contain_text("It is an orange.")
    both_languages("conversation")
    for title in ("nav.compare", "nav.batch"):
        page.get_by_test_id("stSidebarNav").get_by_role(
            "link", name=re.compile(re.escape(t(title, lang)))
        ).click()
        wait_for_idle(page)
        both_languages(title)
