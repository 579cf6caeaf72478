"""The keyboard alone, in Chromium: Tab reaches the chat input's attach button and Enter opens the
file chooser; Enter sends; Tab reaches Stop (by the input) while the provider is silent and Enter stops; Tab
reaches a picture's "View large" button, Enter opens the large view and Esc closes it, and the
keyboard sends again after it. Every stop on the way shows a visible focus ring. Then the
shortcuts: ``?`` lists them, P opens the last picture, / focuses the input, Ctrl+Shift+O starts
a new chat."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import FileChooser, Locator, Page, expect

from components.devtools import image_factory as make
from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    assert_no_exception,
    shots_dir,
    stop_button,
    switch_language,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, gated, sse
from components.i18n import t
from components.ui import state_keys as keys

LOCALES = {"zh": "zh-CN", "en": "en-US"}
MAX_TABS = 60
SHOTS = shots_dir("keyboard")


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def holds_focus(target: Locator) -> bool:
    """True when the focused element is ``target`` or inside it."""
    return target.evaluate(
        "el => el === document.activeElement || el.contains(document.activeElement)"
    )


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``target`` holds the focus; fail after MAX_TABS presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if holds_focus(target):
            return
    raise AssertionError(f"{MAX_TABS} × {key} never reached {target}")


def assert_focus_visible(page: Page) -> None:
    """The focused element (or the field it sits in) draws a ring or a coloured border."""
    ring = page.evaluate(
        """() => {
        const el = document.activeElement;
        const seen = [el, el.closest('[data-baseweb="textarea"]'), el.closest('[data-testid="stChatInput"] > div')];
        for (const node of seen) {
            if (!node) continue;
            const s = getComputedStyle(node);
            if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) return 'outline';
            if (s.boxShadow && s.boxShadow !== 'none') return 'shadow';
        }
        return el.matches(':focus-visible') ? 'focus-visible:' + getComputedStyle(el).outline : '';
    }"""
    )
    assert ring and not ring.startswith("focus-visible:"), f"no visible focus ring ({ring!r})"


def test_attach_send_stop_and_the_large_view_work_from_the_keyboard(
    app, new_page, up: FakeUpstream
):
    """The whole keyboard journey in Chinese on a fresh page, then again in English on the same
    page (switched after the new chat that ends the first): every stop, label and list in the
    page's language."""
    page = new_page(app, locale=LOCALES["zh"])
    # Listen before any key is pressed: Chromium's chooser interception must already be on.
    choosers: list[FileChooser] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    for lang in ("zh", "en"):
        if lang == "en":
            switch_language(page, "en")
        chat = page.locator(CHAT_INPUT_SELECTOR)
        textarea = chat.locator("textarea")

        # Attach: Tab reaches the input's file button; Enter opens the chooser.
        attach = chat.get_by_test_id("stChatInputFileUploadButton")
        choosers.clear()
        tab_to(page, attach)
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        photo = {
            "name": "photo.jpg",
            "mimeType": "image/jpeg",
            "buffer": make.photo_jpeg(1600, 1200),
        }
        for _ in range(50):
            if choosers:
                break
            page.wait_for_timeout(100)
        assert choosers, "Enter on the attach button opened no file chooser"
        choosers[0].set_files(photo)
        expect(chat.get_by_test_id("stFileChip")).to_have_count(1)
        expect(chat.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)

        # Send: type in the field and press Enter; the provider stays silent until released.
        up.reset()
        gate = threading.Event()
        up.enqueue(gated(sse(["太晚了"]), gate, keep=0), sse(["一张照片。"]))
        try:
            tab_to(page, textarea)
            page.keyboard.type("这是什么？")
            page.keyboard.press("Enter")
            up.wait_for_requests(1)
            answer = page.get_by_test_id("stChatMessage").last
            stop = stop_button(page, t("chat.stop", lang))
            expect(stop).to_be_visible(
                timeout=20_000
            )  # four workers on two cores: the first rerun can be slow
            tab_to(page, stop)
            assert_focus_visible(page)
            page.keyboard.press("Enter")
            expect(answer.get_by_text(t("chat.status_stopped_empty", lang))).to_be_visible()
        finally:
            gate.set()
        wait_for_idle(page)

        # The large view: Tab to "View large", Enter opens, Esc closes.
        view = page.get_by_role("button", name=t("gallery.view", lang)).first
        expect(view).to_be_visible()
        tab_to(page, view, backwards=True)
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("1600×1200")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)

        # And the keyboard still sends after all that.
        tab_to(page, textarea)
        page.keyboard.type("再说一次")
        page.keyboard.press("Enter")
        # (while the run that records it replaces the live bubble, both may be in the page briefly)
        expect(page.get_by_text("一张照片。").first).to_be_visible()
        wait_for_idle(page)
        expect(page.get_by_test_id("stChatMessage").filter(has_text="一张照片。")).to_have_count(1)

        # The shortcuts: ? lists them (the focus outside any field), Esc closes the list.
        page.evaluate("document.activeElement?.blur()")
        page.keyboard.press("?")
        overlay = page.get_by_role("dialog", name=t("shortcuts.title", lang))
        expect(overlay).to_be_visible()
        for what in ("new_chat", "focus_input", "stop", "last_picture", "help"):
            expect(overlay).to_contain_text(t(f"shortcuts.{what}", lang))
        expect(overlay.get_by_role("button", name=t("shortcuts.close", lang))).to_be_focused()
        page.screenshot(path=SHOTS / f"shortcuts-{lang}.png")
        page.keyboard.press("Escape")
        expect(overlay).to_have_count(0)
        expect(page.get_by_test_id("stChatMessage").filter(has_text="一张照片。")).to_have_count(1)
        # P: the last picture, large.
        page.keyboard.press("p")
        expect(dialog).to_contain_text("1600×1200")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        # /: the cursor goes to the input, and a typed "p" or "?" is text there.
        page.evaluate("document.activeElement?.blur()")
        page.keyboard.press("/")
        expect(textarea).to_be_focused()
        page.keyboard.type("p?")
        expect(textarea).to_have_value("p?")
        expect(dialog).to_have_count(0)
        textarea.fill("")
        # (no undo notice left from the first language's new chat: the one below is this one's)
        expect(page.locator(f".st-key-{keys.UNDO_NOTICE}")).to_have_count(0)
        # Ctrl+Shift+O: a new chat, as the sidebar's button starts it (with its undo notice).
        page.keyboard.press("Control+Shift+O")
        expect(page.get_by_test_id("stChatMessage")).to_have_count(0)
        expect(page.get_by_text(t("chats.new_started", lang))).to_be_visible()
        assert_no_exception(page)
