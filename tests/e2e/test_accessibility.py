"""Accessibility in Chromium: axe-core (WCAG 2.1 AA) finds no serious or critical violation on any
screen, in both languages, on a desktop and on a phone; an error's "enter a key" action puts the
keyboard in the key field.

The screens: the welcome; a conversation with three pictures and an answer with its action buttons
and quiet line; the large view open; the camera open with a photo waiting; a held message; an
error notice; the sidebar open on a phone with the cost and conversation sections open. Each is
also saved as a screenshot (desktop 1280×900 and phone 390×844) in ``$KANTU_SHOTS/sweep/`` (by
default the test worker's temporary ``~/shots/sweep/``) for a person to look at.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    FAKE_CAMERA_ARGS,
    App,
    assert_no_exception,
    attach_files,
    launch_browser,
    open_page,
    send_prompt,
    shots_dir,
    switch_language,
    wait_for_animations,
    wait_for_idle,
    wait_for_pictures,
)
from components.devtools.upstream import FakeUpstream, openai_error, sse
from components.i18n import t
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS
from components.ui import state_keys as keys
from components.ui.sidebar import LANG_LABELS

LOCALES = {"zh": "zh-CN", "en": "en-US"}
DESKTOP = (1280, 900)
PHONE = (390, 844)
SHOTS = shots_dir("sweep")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    up.reset()
    up.default = sse(["这是一只橙子。", " It is an orange."])


def serious_violations(
    page: Page, expected: frozenset[str] = frozenset(), context: dict | None = None
) -> list[str]:
    """Run axe-core on the page (or on axe's ``context``), once no fade is running; return each
    serious or critical violation, readable."""
    wait_for_animations(page)
    results = Axe().run(page, context=context, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in ("serious", "critical") or violation["id"] in expected:
            continue
        for node in violation["nodes"]:
            found.append(
                f"{violation['id']} ({violation['impact']}): {node['html'][:160]}\n"
                f"    {node.get('failureSummary', '')[:300]}"
            )
    return found


def _assert_accessible(page: Page, shot: str | None = None, *, both_sizes: bool = True) -> None:
    """Fail on any serious or critical finding; with ``shot``, also save a screenshot.

    ``both_sizes`` checks (and shoots) the screen again at the other size (desktop ↔ phone).
    """
    sizes = [page.viewport_size]
    if both_sizes:
        other = PHONE if (sizes[0] or {}).get("width") != PHONE[0] else DESKTOP
        sizes.append({"width": other[0], "height": other[1]})
    for size in sizes:
        if size != page.viewport_size:
            page.set_viewport_size(size)
            page.wait_for_timeout(400)  # the sidebar and columns re-flow with a transition
        wait_for_idle(page)
        found = serious_violations(page)
        assert not found, f"{size}:\n" + "\n".join(found)
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            kind = "phone" if size and size["width"] == PHONE[0] else "desktop"
            page.screenshot(path=str(SHOTS / f"{shot}-{kind}.png"))


def _back_to_desktop(page: Page) -> None:
    """Go back to the desktop size as a desktop first shows the page: with the sidebar open (a
    phone size closed it, and a wider window does not open it again)."""
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    page.wait_for_timeout(400)  # the sidebar and columns re-flow with a transition
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():
        expand.click()
    expect(page.get_by_test_id("stSidebar")).to_be_in_viewport()
    page.mouse.move(0, 0)  # (where a fresh page has the pointer: nothing left hovered)
    wait_for_idle(page)


def orange_jpeg() -> bytes:
    image = Image.new("RGB", (800, 600), (250, 248, 240))
    ImageDraw.Draw(image).ellipse((200, 100, 600, 500), fill=(245, 140, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def three_pictures() -> list[FilePayload]:
    """An orange, a wide phone photo and a tiny icon: three sizes side by side."""
    return [
        {"name": "orange.jpg", "mimeType": "image/jpeg", "buffer": orange_jpeg()},
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": make.photo_jpeg(4032, 3024)},
        {"name": "icon.jpg", "mimeType": "image/jpeg", "buffer": make.photo_jpeg(100, 40)},
    ]


def ask_about_three_pictures(page: Page, lang: str) -> Locator:
    """Send three pictures with an example question; return the thumbnails once all are drawn."""
    attach_files(page, three_pictures())
    send_prompt(page, t("welcome.example_1", lang))
    expect(page.get_by_test_id("stChatMessage").last).to_contain_text("It is an orange.")
    wait_for_idle(page)
    thumbs = page.get_by_test_id("stChatMessage").first.locator('[data-testid="stImage"] img')
    expect(thumbs).to_have_count(3)
    wait_for_pictures(thumbs)
    return thumbs


def test_welcome_is_accessible(app, new_page):
    """The welcome in Chinese (the browser's language), then in English after the switch; each
    at both sizes."""
    page = new_page(app, locale=LOCALES["zh"])
    for lang in ("zh", "en"):
        if lang == "en":
            switch_language(page, "en")  # on the phone size the check above ended on
            _back_to_desktop(page)
        expect(page.get_by_role("heading", name=t("layout.heading", lang))).to_be_visible()
        _assert_accessible(page, f"welcome-{lang}")
    # the sidebar's chosen segments keep their contrast under the pointer (Streamlit's hover
    # tint alone made the chosen language #A84800 on #E8D5C6, 4.11:1)
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    _back_to_desktop(page)
    sidebar = page.get_by_test_id("stSidebar")
    for chosen in (LANG_LABELS["en"], t("theme.system", "en")):
        sidebar.get_by_role("radio", name=chosen).hover()
        found = serious_violations(page, context={"include": [['[data-testid="stSidebar"]']]})
        assert not found, f"{chosen} hovered:\n" + "\n".join(found)


def test_conversation_with_pictures_and_then_its_large_view_are_accessible(app, new_page, up):
    """One journey, two screens, in Chinese and then in English on the same page: the
    conversation (three pictures, an answer with its action buttons), then the large view
    opened from it."""
    page = new_page(app, locale=LOCALES["zh"])
    question = t("welcome.example_1", "zh")
    thumbs = ask_about_three_pictures(page, "zh")
    for lang in ("zh", "en"):
        if lang == "en":
            page.keyboard.press("Escape")  # close the large view, to reach the sidebar
            expect(page.get_by_role("dialog")).to_have_count(0)
            switch_language(page, "en")
            _back_to_desktop(page)
        for i in range(3):  # every picture speaks: the question it came with
            alt = thumbs.nth(i).get_attribute("alt") or ""
            assert alt.startswith(question), alt
        answer = page.get_by_test_id("stChatMessage").last
        expect(answer.get_by_role("button", name=t("actions.copy", lang))).to_be_visible()
        _assert_accessible(page, f"conversation-{lang}")
        assert_no_exception(page)

        # the large view, opened on the desktop as before (the check above ended on the phone)
        page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
        wait_for_idle(page)
        page.get_by_role("button", name=t("gallery.view", lang)).nth(1).click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        large = dialog.locator('[data-testid="stImage"] img').first
        wait_for_pictures(large)
        large.hover()  # no stray fullscreen button over the large picture
        expect(page.locator('[data-testid="stElementToolbar"]:visible')).to_have_count(0)
        colon = "：" if lang == "zh" else ": "
        expect(dialog).to_contain_text(t("gallery.fact_original", lang) + colon + "JPEG")
        _assert_accessible(page, f"dialog-{lang}")
        expect(dialog).to_be_visible()


@pytest.fixture(scope="module")
def camera_browser(browser: Browser) -> Iterator[Browser]:
    """A second Chromium with the fake camera, always allowed."""
    chromium = launch_browser(browser.browser_type, FAKE_CAMERA_ARGS)
    yield chromium
    chromium.close()


def test_camera_open_with_a_photo_waiting_is_accessible(app, camera_browser):
    """The camera open (desktop), then with a photo waiting (both sizes): in Chinese, then, once
    the photo is removed (the camera goes back to live video), in English on the same page."""
    page = open_page(camera_browser, app, locale=LOCALES["zh"])
    try:
        for lang in ("zh", "en"):
            if lang == "zh":
                page.get_by_role("button", name=t("camera.open", lang), exact=True).click()
            else:
                _back_to_desktop(page)
                chip = page.locator(f".st-key-{keys.CAMERA_CHIP}")
                chip.get_by_role("button", name=t("camera.remove", "zh")).click()
                expect(chip).to_have_count(0)
                switch_language(page, "en")
            take = page.locator(".kc").get_by_role(
                "button", name=t("camera.take", lang), exact=True
            )
            expect(take).to_be_enabled(timeout=15_000)
            _assert_accessible(page, f"camera-{lang}", both_sizes=False)
            take.click()
            expect(page.locator(f".st-key-{keys.CAMERA_CHIP}")).to_be_visible()
            _assert_accessible(page, f"camera-photo-waiting-{lang}")
            assert_no_exception(page)
    finally:
        page.context.close()


def test_held_message_is_accessible(app, new_page, up):
    """A held message (a long screenshot, not sent), in Chinese, then in English on the same
    page: its card, its thumbnail's height and alt text, axe at both sizes."""
    screenshot, _ = make.long_screenshot_image(1170, 12000)
    png = io.BytesIO()
    screenshot.save(png, "PNG")
    page = new_page(app, locale=LOCALES["zh"])
    attach_files(page, {"name": "chat.png", "mimeType": "image/png", "buffer": png.getvalue()})
    send_prompt(page, t("welcome.example_1", "zh"))
    for lang in ("zh", "en"):
        if lang == "en":
            switch_language(page, "en")
            _back_to_desktop(page)
        box = page.locator(f".st-key-{keys.PENDING_BOX}")
        expect(box.get_by_role("button", name=t("pending.send_slices", lang))).to_be_visible()
        assert up.requests == []
        thumb = box.locator('[data-testid="stImage"] img').first
        wait_for_pictures(thumb)
        shown = thumb.bounding_box()
        assert shown is not None and shown["height"] <= 130, shown  # the top of it, not 1,700 px
        alt = t("pending.alt", lang, name="chat.png", width="W", height="H")
        expect(thumb).to_have_attribute(
            "alt", re.compile(re.escape(alt).replace("W", r"\d+").replace("H", r"\d+"))
        )
        _assert_accessible(page, f"held-{lang}")


def test_error_notice_is_accessible(app, new_page, up):
    """A refused key's notice, in the conversation and in the sidebar: in Chinese, then in
    English on the same page (the notice is redrawn in the new language)."""
    up.default = openai_error(401, "Incorrect API key provided", "invalid_request_error")
    page = new_page(app, locale=LOCALES["zh"])
    send_prompt(page, "你好")
    for lang in ("zh", "en"):
        if lang == "en":
            switch_language(page, "en")
            _back_to_desktop(page)
        main = page.get_by_role("main")
        expect(main.get_by_text(t("error.operator_key_refused", lang))).to_be_visible()
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text(t("layout.operator_key_refused", lang))).to_be_visible()
        _assert_accessible(page, f"error-{lang}")


def test_sidebar_open_on_a_phone_is_accessible(app, new_page, up):
    """The sidebar open on a phone with its cost and conversation sections open: in Chinese,
    then in English on the same page (switched in that sidebar)."""
    page = new_page(app, locale=LOCALES["zh"], viewport=PHONE)
    send_prompt(page, "你好")  # a conversation, so the cost and conversation sections have figures
    expect(page.get_by_test_id("stChatMessage").last).to_contain_text("It is an orange.")
    wait_for_idle(page)
    page.get_by_test_id("stExpandSidebarButton").click()
    sidebar = page.get_by_test_id("stSidebar")
    for lang in ("zh", "en"):
        if lang == "en":
            # back to the top of the sidebar, where the language switch is
            sidebar.get_by_text(
                t("sidebar.settings", "zh"), exact=True
            ).scroll_into_view_if_needed()
            switch_language(page, "en")  # the sidebar is open: it stays open
        expect(sidebar.get_by_text(t("sidebar.settings", lang), exact=True)).to_be_in_viewport()
        for title in (t("costs.title", lang), t("tools.title", lang)):
            section = sidebar.get_by_test_id("stExpander").filter(has_text=title).first
            details = section.get_by_test_id("stExpanderDetails")
            if not details.is_visible():  # (a section opened in Chinese may stay open)
                section.locator("summary").click()
            expect(details).to_be_visible()
        wait_for_idle(page)
        _assert_accessible(page, f"sidebar-{lang}", both_sizes=False)
        section = sidebar.get_by_test_id("stExpander").filter(has_text=t("tools.title", lang)).first
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"sidebar-{lang}-phone-lower.png"))


@pytest.fixture(scope="module")
def no_key_app(start_module_app) -> App:
    """A provider that needs a key, and none configured."""
    return start_module_app({"KANTU_BASE_URL": PRESETS[DEFAULT_PRESET_ID].base_url})


def test_enter_a_key_action_focuses_the_sidebar_key_field(no_key_app, new_page):
    """A provider that needs a key, and none configured: sending asks for one, nothing leaves.
    On a phone (the sidebar starts closed) the notice's action opens the sidebar with the
    keyboard in the key field: in Chinese, then in English on the same page (the notice is
    redrawn in the new language, the sidebar closed again)."""
    page = new_page(no_key_app, locale=LOCALES["zh"], viewport=PHONE)
    send_prompt(page, "你好")
    key_field = page.locator(f".st-key-{keys.API_KEY} input")
    for lang in ("zh", "en"):
        if lang == "en":
            key_field.fill("")  # no key after all: the notice stays
            switch_language(page, "en")
            sidebar = page.get_by_test_id("stSidebar")
            sidebar.get_by_test_id("stSidebarCollapseButton").locator("button").click()
            expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible()
            expect(key_field).not_to_be_in_viewport()
        action = page.get_by_role("button", name=t("action.enter_key", lang))
        expect(action).to_be_visible()
        action.click()
        expect(key_field).to_be_in_viewport()
        expect(key_field).to_be_focused()
        page.keyboard.type("typed-by-keyboard")
        expect(key_field).to_have_value("typed-by-keyboard")
