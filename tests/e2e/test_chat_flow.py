"""Chat flow in a real browser: attach a photo, ask, watch the answer stream; errors and Retry;
switching the language keeps the conversation and the sidebar's choices.
"""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import FilePayload, Page, expect
from streamlit.proto.BidiComponent_pb2 import BidiComponent
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    POLL_MS,
    STORE_APPLIED_JS,
    assert_no_exception,
    attach_files,
    chat_messages,
    console_errors,
    send_prompt,
    switch_language,
    wait_for_idle,
    wait_for_pictures,
    wait_for_settled,
    wait_for_store,
    watch_websocket,
)
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, bingcheng_error, gated, sse
from components.i18n import t
from components.images.upload import Upload
from components.images.uploads import Preparation, prepare_uploads

USAGE = {"prompt_tokens": 8511, "completion_tokens": 34, "total_tokens": 8545}
ANSWER = [
    "这是",
    "一张",
    "白色",
    "背景",
    "上的",
    "橙色",
    "圆形",
    "图片，",
    "圆心",
    "大约",
    "在",
    "正中间。",
]


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str]) -> dict[str, str]:
    return operator_env


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    up.reset()
    up.default = sse(["默认回答"])


def orange_circle_jpeg() -> bytes:
    image = Image.new("RGB", (1200, 900), "white")
    ImageDraw.Draw(image).ellipse((300, 150, 900, 750), fill=(255, 140, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def chat_posts(up: FakeUpstream) -> list:
    return [(r.method, r.path) for r in up.requests]


def _open_advanced_settings(page: Page, lang: str) -> None:
    """Open the sidebar's advanced settings: answer tokens, temperature and timeout are
    Kantu's own (1024, 10, 60), not the widgets' defaults."""
    sidebar = page.get_by_test_id("stSidebar")
    advanced = sidebar.get_by_test_id("stExpander").filter(
        has=page.locator("summary").get_by_text(t("sidebar.advanced", lang))
    )
    advanced.locator("summary").click()
    fields = advanced.locator('[data-testid="stNumberInput"] input')
    expect(fields).to_have_count(3)
    assert fields.evaluate_all("inputs => inputs.map(i => Number(i.value))") == [1024, 10, 60]


def test_photo_question_streams_answer_with_meta_in_chinese(app, new_page, up):
    """A Chinese browser: the first question (with a photo) goes out with Kantu's settings
    (the advanced settings show 1024, 10, 60; the request has 1024 answer tokens and temperature
    0.7), its answer streams in, with the model and tokens under it, and the question shows the
    photo's thumbnail and caption."""
    page = new_page(app, locale="zh-CN")
    _open_advanced_settings(page, "zh")
    chat = page.locator(CHAT_INPUT_SELECTOR)
    textarea = chat.get_by_test_id("stChatInputTextArea")
    expect(textarea).to_have_attribute("placeholder", t("chat.placeholder", "zh"))

    jpeg = orange_circle_jpeg()
    payload: FilePayload = {"name": "圆.jpg", "mimeType": "image/jpeg", "buffer": jpeg}
    with page.expect_file_chooser() as chooser:
        chat.locator('[data-testid="stChatInputFileUploadButton"] button').click()
    chooser.value.set_files(payload)
    expect(chat.get_by_test_id("stFileChip")).to_have_count(1)
    expect(chat.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)
    expect(chat.get_by_test_id("stFileChipIconError")).to_have_count(0)

    rest = threading.Event()  # the words after the first three wait until the test saw those
    up.enqueue(gated(sse(ANSWER, delay=0.15, usage=USAGE), rest, keep=4))  # role, three words
    send_prompt(page, "这张图里有什么？")

    full = "".join(ANSWER)
    first_part = "".join(ANSWER[:3])
    answer = chat_messages(page, "assistant").last
    # Mid-stream: the beginning is shown while the rest has not been sent yet.
    expect(answer).to_contain_text(first_part)
    assert full not in answer.inner_text()
    rest.set()
    expect(answer).to_contain_text(full)
    wait_for_idle(page)

    meta = t("meta.tokens", "zh", prompt="8,511", completion="34")
    quiet = answer.locator(".kantu-quiet").first  # then the calibration flag
    expect(quiet).to_contain_text("gpt-4o-mini")
    expect(quiet).to_contain_text(meta)

    question = chat_messages(page, "user").last
    expect(question).to_contain_text("这张图里有什么？")
    thumb = question.locator("img")
    expect(thumb).to_have_count(1)
    expect(thumb).to_be_visible()
    wait_for_pictures(thumb)
    prepared = prepare_uploads([Upload("圆.jpg", jpeg)], Preparation("auto", "gpt-4o-mini"))
    image = prepared.images[0]
    caption = t(
        "chat.image_caption",
        "zh",
        width=image.width,
        height=image.height,
        tokens=f"{image.tokens:,}",
    )
    expect(question).to_contain_text(caption)
    assert "tokens" in caption

    assert chat_posts(up) == [("POST", "/v1/chat/completions")]
    request = up.requests[0]
    assert request.headers["Authorization"] == "Bearer test-key"
    parts = request.json["messages"][-1]["content"]
    urls = [p["image_url"]["url"] for p in parts if p.get("type") == "image_url"]
    assert len(urls) == 1 and urls[0].startswith("data:image/jpeg;base64,")
    assert {"type": "text", "text": "这张图里有什么？"} in parts
    assert (request.json["max_tokens"], request.json["temperature"]) == (1024, 0.7)

    assert_no_exception(page)
    assert console_errors(page) == []


def test_the_first_question_goes_out_with_kantus_settings_in_an_english_browser(app, new_page, up):
    """An English browser's first run is drawn in Chinese, then again in English: the advanced
    settings' widgets are mounted anew, and Streamlit's browser side once restarted them at the
    widget's own defaults (16 answer tokens, temperature 0, a 1 s timeout) and sent those.
    (A Chinese browser's first question: test_photo_question_streams_answer_with_meta_in_chinese.)
    """
    page = new_page(app, locale="en-US")
    _open_advanced_settings(page, "en")
    up.reset()
    up.enqueue(sse(["好的。"]))
    send_prompt(page, "你好")
    expect(chat_messages(page, "assistant").last).to_contain_text("好的。")
    body = up.requests[-1].json
    assert (body["max_tokens"], body["temperature"]) == (1024, 0.7)


def test_bingcheng_key_error_then_retry_recovers_and_a_language_switch_keeps_it(
    app, new_page, up, tmp_path
):
    """A Chinese page whose first question meets the site's refused key:

    - the notice says the site's key was refused (not the visitor's), with BingCheng's help and
      a Retry button, and no model message; Retry recovers: the notice and the button go, one
      question and one answer, and the retried request carries the one question;
    - after that finished exchange, the image detail set to "high", then English picked in the
      sidebar: the language control, the input, the sidebar and the camera button are in
      English, the conversation and its token line are kept, "high" is still picked, and the
      next picture goes out with detail "high".
    """
    page = new_page(app, locale="zh-CN")
    up.enqueue(bingcheng_error(900))
    send_prompt(page, "你好")
    wait_for_idle(page)

    main = page.get_by_role("main")
    # the site's configured key was refused: the notice says so, it does not blame the visitor
    refused = t("error.operator_key_refused", "zh")
    expect(main.get_by_text(refused)).to_be_visible()
    expect(chat_messages(page, "assistant")).to_have_count(0)  # a notice, not the model's words
    help_box = main.get_by_test_id("stExpander")
    expect(help_box).to_contain_text("冰橙云")
    expect(help_box).to_contain_text("yewu.bcwhkj.cn")
    retry = main.get_by_role("button", name=t("chat.retry", "zh"))
    expect(retry).to_be_visible()

    up.enqueue(sse(["重试", "成功了。"], usage=USAGE))
    retry.click()
    expect(chat_messages(page, "assistant").last).to_contain_text("重试成功了。")
    wait_for_idle(page)
    expect(main.get_by_text(refused)).to_have_count(0)
    expect(main.get_by_role("button", name=t("chat.retry", "zh"))).to_have_count(0)
    expect(chat_messages(page, "user")).to_have_count(1)
    expect(chat_messages(page, "assistant")).to_have_count(1)
    expect(chat_messages(page, "user")).to_contain_text("你好")

    assert chat_posts(up) == [("POST", "/v1/chat/completions")] * 2
    retried = up.requests[1].json["messages"]
    assert [m["role"] for m in retried if m["role"] != "system"] == ["user"]
    assert_no_exception(page)
    assert console_errors(page) == []

    # The language switch keeps the conversation and the detail.
    sidebar = page.get_by_test_id("stSidebar")
    detail_zh = sidebar.get_by_role("radiogroup", name=t("sidebar.detail", "zh"))
    detail_zh.get_by_role("radio", name=t("detail.high", "zh")).click()
    wait_for_idle(page)
    expect(detail_zh.get_by_role("radio", name=t("detail.high", "zh"))).to_have_attribute(
        "aria-checked", "true"
    )

    switch_language(page, "en")  # after a finished exchange: not the first-click case below
    page.screenshot(path=tmp_path / "language-switch.png")
    # the language control translates itself too
    label = "🌐 " + t("sidebar.language", "en")
    expect(sidebar.get_by_role("radiogroup", name=label, exact=True)).to_be_visible()

    textarea = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    expect(textarea).to_have_attribute("placeholder", t("chat.placeholder", "en"))
    expect(sidebar.get_by_text(t("sidebar.settings", "en"), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=t("camera.open", "en"))).to_be_visible()
    expect(sidebar.get_by_role("radio", name="English")).to_have_attribute("aria-checked", "true")

    expect(chat_messages(page, "user")).to_have_count(1)
    expect(chat_messages(page, "user")).to_contain_text("你好")
    expect(chat_messages(page, "assistant")).to_have_count(1)
    expect(chat_messages(page, "assistant")).to_contain_text("重试成功了。")
    meta = t("meta.tokens", "en", prompt="8,511", completion="34")
    expect(chat_messages(page, "assistant").locator(".kantu-quiet").first).to_contain_text(meta)

    detail_en = sidebar.get_by_role("radiogroup", name=t("sidebar.detail", "en"))
    expect(detail_en.get_by_role("radio", name=t("detail.high", "en"))).to_have_attribute(
        "aria-checked", "true"
    )
    expect(detail_en.get_by_role("radio", name=t("detail.auto", "en"))).to_have_attribute(
        "aria-checked", "false"
    )

    # The kept choice is the one used: the next picture goes out with detail "high".
    up.enqueue(sse(["OK"]))
    attach_files(page, {"name": "c.jpg", "mimeType": "image/jpeg", "buffer": orange_circle_jpeg()})
    send_prompt(page, "And this one?")
    expect(chat_messages(page, "assistant").last).to_contain_text("OK")
    wait_for_idle(page)
    assert len(up.requests) == 3
    sent = up.requests[2].json["messages"]
    assert [m["role"] for m in sent if m["role"] != "system"] == ["user", "assistant", "user"]
    images = [p["image_url"] for p in sent[-1]["content"] if p.get("type") == "image_url"]
    assert [image.get("detail") for image in images] == ["high"]
    assert_no_exception(page)
    assert console_errors(page) == []


def _sent_pictures(body: dict[str, Any]) -> list[tuple[str | None, tuple[int, int]]]:
    """The detail and pixel size of each picture in a request's last message."""
    sent = []
    for part in body["messages"][-1]["content"]:
        if part.get("type") == "image_url":
            encoded = part["image_url"]["url"].split(",", 1)[1]
            size = Image.open(io.BytesIO(base64.b64decode(encoded))).size
            sent.append((part["image_url"].get("detail"), size))
    return sent


def test_a_picture_goes_out_as_the_settings_say_when_it_is_sent_not_when_attached(
    app, new_page, up
):
    """Pictures are prepared while the question is typed (components/images/ahead.py), with the
    settings of that moment. A photo attached, then the detail set to "low" before Enter, goes out
    at the low size with detail "low"; one attached after the detail went back to "auto" goes out
    as "auto" prepares it."""
    page = new_page(app, locale="en-US")
    detail = page.get_by_test_id("stSidebar").get_by_role(
        "radiogroup", name=t("sidebar.detail", "en")
    )
    data = photo_jpeg(1600, 1200)
    low, auto = (
        prepare_uploads([Upload("p.jpg", data)], Preparation(how, "gpt-4o-mini")).images[0]
        for how in ("low", "auto")
    )
    assert (low.width, low.height) != (auto.width, auto.height)
    photo: FilePayload = {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": data}

    attach_files(page, photo)
    wait_for_idle(page)  # the question being typed: the photo is prepared meanwhile
    detail.get_by_role("radio", name=t("detail.low", "en"), exact=True).click()
    wait_for_idle(page)
    up.enqueue(sse(["Small."]))
    send_prompt(page, "And at low detail?")
    expect(chat_messages(page, "assistant").last).to_contain_text("Small.")
    assert _sent_pictures(up.requests[-1].json) == [("low", (low.width, low.height))]

    detail.get_by_role("radio", name=t("detail.auto", "en"), exact=True).click()
    wait_for_idle(page)
    attach_files(page, photo)
    wait_for_idle(page)
    up.enqueue(sse(["Large."]))
    send_prompt(page, "And now?")
    expect(chat_messages(page, "assistant").last).to_contain_text("Large.")
    assert _sent_pictures(up.requests[-1].json) == [(auto.api_detail, (auto.width, auto.height))]
    assert_no_exception(page)
    assert console_errors(page) == []


def test_first_language_click_after_server_start_switches(start_app, new_page, up):
    fresh = start_app({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": "test-key"})
    page = new_page(fresh, locale="zh-CN")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("radio", name="English").click()  # once: a lost click never switches
    expect(sidebar.get_by_text(t("sidebar.settings", "en"), exact=True)).to_be_visible()


def test_the_run_after_an_answer_keeps_what_the_live_view_drew(app, new_page, up):
    """The run after an answer (the one that gives it its buttons) draws it where and as the
    live view did, so the page keeps the paragraphs it shows instead of drawing them again
    (for a 283,000-character answer that took the browser 1.5 s, and its last words waited
    for it); the answer is whole."""
    up.enqueue(sse([f"Paragraph {i} of the answer.\n\n" for i in range(12)], delay=0.15))
    page = new_page(app, locale="en-US")
    send_prompt(page, "Tell me about it")
    answer = chat_messages(page, "assistant").last
    expect(answer.get_by_text("Paragraph 5 of the answer.")).to_be_visible()
    answer.get_by_text("Paragraph 0 of the answer.").evaluate("(p) => { p.__kantuSeen = true; }")
    expect(answer.get_by_role("button", name=t("actions.copy", "en"))).to_be_visible()
    wait_for_idle(page)
    expect(answer).to_contain_text("Paragraph 11 of the answer.")
    first = answer.get_by_text("Paragraph 0 of the answer.")
    assert first.evaluate("(p) => p.__kantuSeen === true"), "the answer was drawn again"
    assert_no_exception(page)


def by_run(frames: list[bytes]) -> list[list[ForwardMsg]]:
    """The messages in ``frames`` by script run: first what came before any run started, then
    one list per run (each begins with a new_session)."""
    runs: list[list[ForwardMsg]] = [[]]
    for frame in frames:
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        if msg.WhichOneof("type") == "new_session":
            runs.append([])
        runs[-1].append(msg)
    return runs


def runs_started(frames: list[bytes]) -> int:
    """How many script runs the server started in ``frames``."""
    return len(by_run(frames)) - 1


def test_while_the_answer_is_awaited_the_page_runs_once(app, new_page, up):
    """From Enter to the answer's first word the page runs once: nothing the browser store
    sends (it saved the question meanwhile) stops that run. Sent at once, the store's
    acknowledgement stopped the run that waits for the answer and drew the whole page again."""
    up.enqueue(sse(["First", " words."], delay=1.5))
    page = new_page(app, locale="en-US")
    frames = watch_websocket(page)
    page.reload()
    wait_for_store(page)  # its report heard, a resent one too: that run is not the question's
    asked = len(frames)
    send_prompt(page, "Are you there?")
    expect(chat_messages(page, "assistant").last).to_contain_text("First")
    assert runs_started(frames[asked:]) == 1
    expect(chat_messages(page, "assistant").last).to_contain_text("First words.")
    expect(page.get_by_role("button", name=t("actions.copy", "en"))).to_be_visible()


def test_enter_held_while_an_answer_streams_carries_nothing_the_store_owes(app, new_page, up):
    """Enter while an answer streams is held (the text waits in the input): what the browser
    store owes Python does not go with it either, as a run of its own would stop the answer. The
    store goes by the reading script's "a question is sent", the one reading of it."""
    up.enqueue(sse([f"part{i} " for i in range(12)], delay=0.25))
    page = new_page(app, locale="en-US")
    frames = watch_websocket(page)
    page.reload()
    wait_for_store(page)
    send_prompt(page, "Slowly?")
    expect(chat_messages(page, "assistant").last).to_contain_text("part1 ")
    page.wait_for_function(STORE_APPLIED_JS, polling=POLL_MS)  # the question written: owed
    asked = len(frames)
    field = page.locator(CHAT_INPUT_SELECTOR).get_by_test_id("stChatInputTextArea")
    field.fill("And then?")
    field.press("Enter")
    expect(chat_messages(page, "assistant").last).to_contain_text("part11")
    wait_for_settled(page)
    assert runs_started(frames[asked:]) == 0  # the answer ends in its own run; nothing before
    expect(page.get_by_text(t("chat.status_stopped", "en"))).to_have_count(0)
    expect(field).to_have_value("And then?")


def page_components(frames: list[bytes]) -> Iterator[tuple[str, BidiComponent]]:
    """The page components' elements drawn in ``frames`` (each a new or changed one; one the
    browser holds goes as a reference, not here), with their components' names, in order."""
    for frame in frames:
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        if msg.WhichOneof("type") != "delta" or not msg.delta.HasField("new_element"):
            continue
        element = msg.delta.new_element
        if element.WhichOneof("type") == "bidi_component":
            name = element.bidi_component.component_name.rpartition(".")[2]
            yield name, element.bidi_component


def store_mounts(frames: list[bytes]) -> list[dict[str, Any]]:
    """The browser store's data each time a run in ``frames`` mounted it anew, parsed."""
    return [
        json.loads(element.bytes)
        for name, element in page_components(frames)
        if name == "kantu_browser_store"
    ]


def entry_texts(mounts: list[dict[str, Any]]) -> list[str]:
    """The texts of the entries the store's ``mounts`` carried."""
    return [op["entry"]["text"] for data in mounts for op in data["ops"] if op["op"] == "entry"]


def test_saving_an_answer_in_the_browser_asks_for_no_run_of_its_own(app, new_page, up):
    """A question runs the page once: its answer streams and is finished there (it ran twice,
    the second to give the answer its buttons). Saving both in the browser asks for no run (its
    acknowledgement was a third full run after every answer): the acknowledgement goes with the
    next question, whose run no longer carries the first answer to the browser. Both answers
    come back after a reload."""
    page = new_page(app, locale="en-US")
    frames = watch_websocket(page)
    page.reload()
    wait_for_store(page)
    asked = len(frames)
    up.enqueue(sse(["Yes, here."]))
    send_prompt(page, "Are you there?")
    expect(chat_messages(page, "assistant").last).to_contain_text("Yes, here.")
    wait_for_settled(page)
    page.wait_for_timeout(1000)  # the acknowledgement went 0.1 s after the page was idle
    assert runs_started(frames[asked:]) == 1
    assert "Yes, here." in entry_texts(store_mounts(frames[asked:]))
    second = len(frames)
    up.enqueue(sse(["Still here."]))
    send_prompt(page, "Still?")
    expect(chat_messages(page, "assistant").last).to_contain_text("Still here.")
    wait_for_settled(page)
    assert runs_started(frames[second:]) == 1
    texts = entry_texts(store_mounts(frames[second:]))
    assert "Still here." in texts and "Yes, here." not in texts, texts
    page.reload()
    expect(chat_messages(page, "assistant")).to_have_count(2)  # both saved in the browser store
    expect(chat_messages(page, "assistant").first).to_contain_text("Yes, here.")
    assert_no_exception(page)
    assert console_errors(page) == []


INERT_JS = "(button) => getComputedStyle(button).pointerEvents === 'none'"


def test_an_answer_ends_where_it_stands_in_the_run_that_streamed_it(app, new_page, up):
    """An answer that ends well is finished by the run that streamed it, with no run of its
    own: its meta line and buttons, the question's buttons (kept hidden while it streamed), the
    next question's cost, the chat's total in the sidebar, and the chat list usable again (it
    rests while an answer streams). That second run cost the page 10-25 ms of JavaScript per
    question (``bench/enter_js.py``, same-run pairs)."""
    page = new_page(app, locale="en-US")
    frames = watch_websocket(page)
    page.reload()
    wait_for_store(page)
    up.enqueue(sse(["Warm."]))
    send_prompt(page, "First?")  # the chat is saved: the list shows it from now on
    expect(chat_messages(page, "assistant").last).to_contain_text("Warm.")
    wait_for_settled(page)
    asked = len(frames)
    rest = threading.Event()
    words = ["An orange ", "circle ", "on white, ", "in the middle."]
    up.enqueue(gated(sse(words, delay=0.05, usage=USAGE), rest, keep=3))  # role, two words
    send_prompt(page, "What is it?")
    answer = chat_messages(page, "assistant").last
    expect(answer).to_contain_text("An orange circle")
    question = chat_messages(page, "user").last
    edit = question.get_by_role("button", name=t("actions.edit", "en"), include_hidden=True)
    expect(edit).to_be_attached()
    expect(edit).to_be_hidden()  # while the answer streams
    chat_row = page.get_by_test_id("stSidebar").locator("[class*='st-key-kantu_chat_open_'] button")
    assert chat_row.first.evaluate(INERT_JS)
    rest.set()
    expect(answer).to_contain_text("An orange circle on white, in the middle.")
    expect(answer.get_by_role("button", name=t("actions.copy", "en"))).to_be_visible()
    meta = t("meta.tokens", "en", prompt="8,511", completion="34")
    expect(answer.locator(".kantu-quiet").first).to_contain_text(meta)
    expect(edit).to_be_visible()
    next_cost = t("costs.next", "en", line="").strip()
    expect(page.get_by_text(next_cost)).to_be_visible()
    # the chat's total: the first answer had no bill, this one has (at a price the site lacks)
    total = t("money.price_unknown", "en")
    expect(page.get_by_test_id("stSidebar").get_by_text("💰 " + total, exact=True)).to_be_visible()
    assert not chat_row.first.evaluate(INERT_JS)
    wait_for_settled(page)
    page.wait_for_timeout(1000)  # nothing follows: the store's acknowledgement waits too
    assert runs_started(frames[asked:]) == 1
    page.reload()  # saved in the browser store, from the element that followed the answer
    expect(chat_messages(page, "assistant")).to_have_count(2)
    expect(chat_messages(page, "assistant").last).to_contain_text("in the middle.")
    assert_no_exception(page)
    assert console_errors(page) == []


def scripts_sent(frames: list[bytes]) -> dict[str, list[int]]:
    """The page components' scripts in ``frames``: the size of each one that travelled inline,
    by component (an element the browser holds goes as a reference, with none)."""
    sent: dict[str, list[int]] = {}
    for name, element in page_components(frames):
        if element.js_content:
            sent.setdefault(name, []).append(len(element.js_content))
    return sent


SCRIPTS = ("kantu_browser_store", "kantu_reading")


def test_the_page_scripts_go_to_the_page_once_and_a_question_moves_only_their_data(
    app, new_page, up
):
    """The browser store's and the reading script's code go with the page load; then two
    questions and their answers move only the scripts' data (the store's ops, the questions
    heard): each script travelled inline on every run whose data changed, about 45 KB a run.
    The data still arrives: both answers are saved and come back after a reload."""
    page = new_page(app, locale="en-US")
    frames = watch_websocket(page)
    page.reload()
    wait_for_store(page)
    loaded = scripts_sent(frames)
    for name in SCRIPTS:
        assert len(loaded[f"{name}_script"]) == 1 and loaded[f"{name}_script"][0] > 10_000
    asked = len(frames)
    for question, answer in (("Are you there?", "Yes, here."), ("Still?", "Still here.")):
        up.enqueue(sse([answer]))
        send_prompt(page, question)
        expect(chat_messages(page, "assistant").last).to_contain_text(answer)
        wait_for_idle(page)
    again = scripts_sent(frames[asked:])
    for name in SCRIPTS:
        assert f"{name}_script" not in again, again
        assert max(again.get(name, [0])) < 1_000, again  # the data's own hand-over only
    assert again.get("kantu_browser_store")  # the store's new ops went
    page.reload()
    expect(chat_messages(page, "assistant")).to_have_count(2)  # restored from the browser store
    expect(chat_messages(page, "assistant").last).to_contain_text("Still here.")
    assert_no_exception(page)
    assert console_errors(page) == []
