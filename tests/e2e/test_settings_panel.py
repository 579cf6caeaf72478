"""The sidebar's settings panel in a real browser (components/ui/settings_panel.py): a click the
page draws nothing of (the review switch) reruns the panel alone, the conversation neither run
nor sent again; a setting the page draws from redraws the page; settings changed while an answer
streams wait for it and then count."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from components.devtools.browser import (
    assert_no_exception,
    attach_files,
    chat_messages,
    send_prompt,
    wait_for_idle,
    wait_for_settled,
    watch_websocket,
)
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.providers.presets import PRESETS


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


def deltas(frames: list[bytes]) -> list[ForwardMsg]:
    """The element and block messages among ``frames``."""
    found = []
    for raw in frames:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.WhichOneof("type") == "delta":
            found.append(msg)
    return found


def review_switch(page: Page):
    return page.get_by_test_id("stSidebar").get_by_text(t("sidebar.review", "en"), exact=True)


def test_the_review_switch_reruns_the_panel_alone_and_still_holds_the_next_photo(
    app, new_page, up: FakeUpstream
):
    up.reset()
    page = new_page(app, locale="en-US")
    frames = watch_websocket(page)
    page.reload()  # the page's websocket, watched from its start
    for n in (1, 2):
        up.enqueue(sse([f"Answer number {n}."]))
        send_prompt(page, f"Question {n}")
        expect(chat_messages(page, "assistant").last).to_contain_text(f"Answer number {n}.")
    wait_for_settled(page)

    before = len(frames)
    review_switch(page).click()
    wait_for_settled(page)
    drawn = deltas(frames[before:])
    assert drawn, "the switch's rerun drew nothing"
    # Only the panel's fragment drew: no chat message, no answer, no chat input sent again.
    assert all(msg.delta.fragment_id for msg in drawn)
    kinds = {msg.delta.add_block.WhichOneof("type") for msg in drawn if msg.delta.add_block}
    assert "chat_message" not in kinds
    assert not any(b"Answer number" in raw for raw in frames[before:])
    expect(chat_messages(page, "assistant")).to_have_count(2)

    # What the switch is for still happens: the next message with a photo waits for a look.
    attach_files(page, {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg(800, 600)})
    send_prompt(page, "And this photo?")
    wait_for_idle(page)
    box = page.locator(".st-key-kantu_pending_box")
    expect(box).to_be_visible()
    assert len(up.requests) == 2  # held: nothing sent yet
    assert_no_exception(page)


def test_a_setting_the_page_draws_from_redraws_the_page(start_app, new_page):
    """The welcome says a key is missing; typing one in the panel takes that away at once."""
    fresh = start_app({})
    page = new_page(fresh, locale="en-US")
    sidebar = page.get_by_test_id("stSidebar")
    provider = sidebar.get_by_label(t("sidebar.provider", "en"), exact=True)
    provider.click()
    page.get_by_role("option", name=PRESETS["bingcheng"].name("en")).click()
    wait_for_settled(page)
    main = page.get_by_role("main")
    no_key = t("welcome.no_key", "en", provider=PRESETS["bingcheng"].name("en"))
    needs_key = main.get_by_role("status").filter(has_text=no_key.split(":")[0])
    expect(needs_key).to_be_visible()

    field = sidebar.get_by_label(t("sidebar.api_key", "en"), exact=True)
    field.fill("sk-typed-by-the-visitor")
    field.press("Enter")
    wait_for_settled(page)
    expect(needs_key).to_have_count(0)
    assert_no_exception(page)


def test_settings_changed_while_an_answer_streams_count_once_it_ends(
    app, new_page, up: FakeUpstream
):
    """The review switch and the provider changed while an answer streams: the panel's rerun
    waits for the answer (Streamlit folds it into the run after it), which is not cut, and both
    count once it ends (the offline reader's cost line under the conversation)."""
    up.reset()
    page = new_page(app, locale="en-US")
    up.enqueue(sse([f"word{n} " for n in range(60)], delay=0.1))  # about 6 s
    send_prompt(page, "Tell me a long story")
    expect(chat_messages(page, "assistant").last).to_contain_text("word3")
    cost_line = page.get_by_role("main").get_by_text(t("costs.next", "en", line=""))

    review_switch(page).click()
    sidebar = page.get_by_test_id("stSidebar")
    provider = sidebar.get_by_label(t("sidebar.provider", "en"), exact=True)
    provider.click()
    page.keyboard.type(PRESETS["local_ocr"].name("en"))
    page.keyboard.press("Enter")
    expect(provider).to_have_value(PRESETS["local_ocr"].name("en"))
    expect(chat_messages(page, "assistant").last).to_contain_text("word59")
    wait_for_settled(page)
    assert (
        "word59" in chat_messages(page, "assistant").last.inner_text()
    )  # the answer was not cut by the clicks
    expect(cost_line).to_contain_text(t("money.free", "en"))
    assert_no_exception(page)
