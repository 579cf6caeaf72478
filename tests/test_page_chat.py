"""The chat page under Streamlit's AppTest, talking to the real loopback fake upstream."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
import threading

import pytest
from PIL import Image
from streamlit.proto.Common_pb2 import FileURLs as FileURLsProto
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec
from streamlit.testing.v1 import AppTest

from components.conversation.exchange import Exchange
from components.conversation.history import Conversation
from components.conversation.transfer import export_json
from components.devtools import image_factory as make
from components.devtools.upstream import (
    FakeUpstream,
    bingcheng_error,
    gated,
    html,
    openai_error,
    sse,
)
from components.i18n import t
from components.providers.presets import PRESETS
from components.providers.settings import resolve_settings
from components.ui import chat_state, session, sidebar_tools
from components.ui import state_keys as keys
from components.ui.camera import make_shot
from tests.conftest import ROOT
from tests.helpers import (
    OPERATOR_KEY,
    advanced_field,
    assistant_text,
    configured_app,
    jpeg_bytes,
    no_exception,
    open_section,
    page_texts,
    started_app,
)
from tests.state_walk import find_text, walk

VISITOR_KEY = "visitor-typed-key-987654"
USAGE = {"prompt_tokens": 8511, "completion_tokens": 34, "total_tokens": 8545}


pytestmark = pytest.mark.usefixtures("isolated_secrets")


# Run in a fresh interpreter: which modules the first question loads depends on what ran before.
FIRST_QUESTION = """
import io, json, os, sys, tempfile
from streamlit import config
from streamlit.testing.v1 import AppTest
from components.devtools.upstream import FakeUpstream
from components.ui import state_keys as keys
from components.ui.chat import warm_up

config.set_option("secrets.files", [os.path.join(tempfile.mkdtemp(), "secrets.toml")])
photo = sys.stdin.buffer.read()
with FakeUpstream() as up:
    at = AppTest.from_file(os.path.abspath("app.py"), default_timeout=30)
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": "k" * 20})
    at.session_state[keys.LANG] = "en"
    at.run()  # the first screen, then the run its timer asks for (components/ui/first_screen.py)
    at._finished_page_script_hash = ""
    at.run()
    warm_up().join()  # a person takes longer than this to pick a photo
    before = set(sys.modules)
    at.chat_input[0].upload("a.jpg", photo, "image/jpeg").set_value("What?").run()
    loaded = sorted(set(sys.modules) - before)
    print(json.dumps({"requests": len(up.requests), "loaded": loaded}))
"""


def test_first_question_loads_nothing_new_on_its_way_to_the_provider():
    done = subprocess.run(
        [sys.executable, "-c", FIRST_QUESTION],
        cwd=ROOT,
        input=jpeg_bytes(
            size=(1200, 900)
        ),  # made here: the child must not have loaded Pillow's codecs
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert report["requests"] == 1
    assert report["loaded"] == []  # e.g. numpy for st.image, pandas for st.write_stream, codecs


def test_starts_without_secrets_and_says_how_to_get_a_key():
    at = started_app("zh")
    no_exception(at)
    text = page_texts(at)
    assert "冰橙云" in text and "yewu.bcwhkj.cn" in text  # the spec's two routes to a token
    # a clickable example, one the offline reader (the default without a key) can answer
    assert t("welcome.reader_example_1", "zh") in [b.label for b in at.button]
    at_en = started_app("en")
    no_exception(at_en)
    # Without a key the local reader is chosen (issue 13); 冰橙 without a key says so.
    provider = at_en.selectbox(key=keys.choice_key(keys.PROVIDER, "en"))
    provider.set_value("bingcheng").run()
    no_exception(at_en)
    assert "No API key yet" in page_texts(at_en)


def test_upload_and_ask_streams_the_answer_with_the_photo(upstream):
    upstream.enqueue(sse(["这是一张", "橙子的", "图标。"], usage=USAGE))
    at = configured_app(upstream)
    at.chat_input[0].upload("orange.jpg", jpeg_bytes(), "image/jpeg").set_value(
        "这是什么图片?"
    ).run()
    no_exception(at)
    assert "这是一张橙子的图标。" in assistant_text(at)
    request = upstream.requests[-1]
    assert request.headers["Authorization"] == f"Bearer {OPERATOR_KEY}"
    content = request.json["messages"][-1]["content"]
    assert {"type": "text", "text": "这是什么图片?"} in content
    image_parts = [p for p in content if p["type"] == "image_url"]
    assert len(image_parts) == 1 and image_parts[0]["image_url"]["url"].startswith("data:image/")
    user = [m for m in at.chat_message if m.name == "user"][-1]
    images = user.get("image")
    assert len(images) == 1 and len(images[0].value) == 1  # the photo is in the conversation
    assert "tokens" in images[0].captions[0]
    assert "8,511" in page_texts(at)  # the quiet line under the answer shows the billed tokens


def first_screen_pictures(at: AppTest) -> list:
    """Return the pictures in the hidden container of the chat page's first screen."""
    return [
        picture
        for block in at.sidebar.children.values()
        if getattr(block.proto, "id", "").endswith(keys.PICTURE_CODE)
        for picture in block.get("image")
    ]


def test_first_screen_draws_a_hidden_picture_so_the_first_thumbnails_wait_for_no_code(upstream):
    # Streamlit's browser sets up the code that draws pictures when a page first shows one: the
    # first question's thumbnails were grey boxes until then (bench/first_screen.py).
    at = configured_app(upstream, "en")
    no_exception(at)
    assert len(first_screen_pictures(at)) == 1 and not at.main.get("image")
    at.run()  # the first screen again (a widget's late value, the browser store's reply)
    assert len(first_screen_pictures(at)) == 1
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("What?").run()
    no_exception(at)
    assert not first_screen_pictures(at)  # the question's own thumbnail is there
    at.button(key=keys.NEW_CHAT).click().run()
    assert not first_screen_pictures(at)  # a welcome again, but the browser has the code


def test_rerun_encodes_no_picture_again(upstream, monkeypatch):
    at = configured_app(upstream, "en")
    chat = at.chat_input[0]
    chat.upload("photo.jpg", jpeg_bytes(size=(1600, 1200)), "image/jpeg")
    chat.upload("panorama.jpg", jpeg_bytes(size=(4000, 1500)), "image/jpeg")  # sent 2048 px wide
    chat.set_value("Hi").run()
    # the camera's trigger
    session.state_in(at.session_state, session.CameraState).shot = make_shot(
        jpeg_bytes(size=(1920, 1080))
    )
    at.run()
    assert len(at.get("image")) == 3  # the sent pictures, and the camera's photo waiting
    encodes: list[str] = []
    save = Image.Image.save
    monkeypatch.setattr(
        Image.Image, "save", lambda im, *a, **k: encodes.append(im.format) or save(im, *a, **k)
    )
    at.run()  # what any click does: the whole page is drawn again
    no_exception(at)
    assert len(at.get("image")) == 3
    assert encodes == []  # thumbnails are the prepared bytes; the photo was prepared once


def test_image_only_message_asks_the_default_question(upstream):
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").run()
    no_exception(at)
    content = upstream.requests[-1].json["messages"][-1]["content"]
    assert {"type": "text", "text": "What is in this picture?"} in content


def test_follow_up_carries_the_earlier_turn_and_its_image(upstream):
    upstream.enqueue(sse(["一个橙子。"]), sse(["橙色。"]))
    at = configured_app(upstream)
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("这是什么?").run()
    at.chat_input[0].set_value("什么颜色?").run()
    no_exception(at)
    messages = upstream.requests[-1].json["messages"]
    roles = [m["role"] for m in messages if m["role"] != "system"]
    assert roles == ["user", "assistant", "user"]
    assert any(p["type"] == "image_url" for p in messages[0]["content"])
    assert "橙色。" in assistant_text(at)


# (reply, message key, main action). The configured key is the site's, so a refused key says so.
ERROR_CASES = [
    (bingcheng_error(900), "error.operator_key_refused", "key"),
    (bingcheng_error(300), "error.quota", "top_up"),
    (bingcheng_error(402), "error.content_filter", "rephrase"),
    (bingcheng_error(400), "error.invalid_input", "rephrase"),
    (
        openai_error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
        "error.operator_key_refused",
        "key",
    ),
    (
        openai_error(
            429, "You exceeded your current quota", "insufficient_quota", "insufficient_quota"
        ),
        "error.quota",
        "top_up_here",  # a custom provider: no top-up page is known; the message says top up
    ),
    (
        openai_error(404, "The model does not exist", "invalid_request_error", "model_not_found"),
        "error.model_not_found",
        "model",
    ),
    (openai_error(413, "Request too large"), "error.too_large", "fewer"),
    (html(502), "error.server", "retry"),
    (html(200, "Welcome to nginx!"), "error.protocol", "retry"),
    (
        openai_error(
            429, "Rate limit reached", "requests", "rate_limit_exceeded", {"Retry-After": "0"}
        ),
        "error.rate_limited",
        "retry",
    ),
]
ACTION_LABELS = {
    "key": "action.enter_key",
    "model": "action.pick_model",
    "rephrase": "action.rephrase",
    "fewer": "action.send_fewer",
}


def _notice_outside_bubbles(at: AppTest) -> None:
    """The error is the app's notice: no chat bubble holds it, and no empty answer is drawn."""
    assert [m.name for m in at.chat_message] == ["user"]
    assert all(not m.get("error") for m in at.chat_message)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("reply", "key", "action"),
    ERROR_CASES,
    ids=[k + str(i) for i, (_, k, _) in enumerate(ERROR_CASES)],
)
def test_provider_error_is_a_notice_whose_main_action_fits(upstream, reply, key, action, lang):
    upstream.default = reply
    at = configured_app(upstream, lang)
    at.chat_input[0].set_value("这是什么图片?").run()
    no_exception(at)
    errors = [e.value for e in at.error]
    expected = t(key, lang, model="gpt-4o-mini").split("“")[0]
    assert any(expected in e for e in errors), errors
    _notice_outside_bubbles(at)
    buttons = {b.key: b for b in at.button}
    if action == "retry":
        assert buttons["retry_2"].proto.type == "primary" and "action_2" not in buttons
    elif action == "top_up_here":
        assert not at.get("link_button") and "action_2" not in buttons
        assert buttons["retry_2"].proto.type == "secondary"
    elif action == "top_up":
        link = at.get("link_button")[0].proto
        assert link.url == "https://yewu.bcwhkj.cn" and link.type == "primary"
        assert buttons["retry_2"].proto.type == "secondary"  # after topping up, ask again
    else:
        main = buttons["action_2"]
        assert main.label == t(ACTION_LABELS[action], lang) and main.proto.type == "primary"
        if action in ("rephrase", "fewer"):  # asking the same again cannot help
            assert "retry_2" not in buttons
        else:
            assert buttons["retry_2"].proto.type == "secondary"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_refused_site_key_never_blames_the_visitor_and_points_to_the_key_field(upstream, lang):
    upstream.default = bingcheng_error(900)
    at = configured_app(upstream, lang)
    at.chat_input[0].set_value("你好").run()
    no_exception(at)
    shown = page_texts(at)
    assert t("error.operator_key_refused", lang) in shown
    assert t("error.auth", lang) not in shown  # "check your key": a key they never entered
    at.button(key="action_2").click().run()
    no_exception(at)
    scripts = [h.proto.body for h in at.get("html")]
    assert any(f".st-key-{keys.API_KEY} input" in body for body in scripts)
    at.run()
    assert not any(keys.API_KEY in h.proto.body for h in at.get("html"))  # focused once
    # The visitor's own key, once entered, is what Retry sends; a refusal of it is theirs.
    at.text_input(key=keys.API_KEY).set_value(VISITOR_KEY).run()
    at.button(key="retry_2").click().run()
    no_exception(at)
    assert upstream.requests[-1].headers["Authorization"] == f"Bearer {VISITOR_KEY}"
    assert t("error.auth", lang) in [e.value for e in at.error]
    assert t("error.operator_key_refused", lang) not in page_texts(at)


def test_vendor_900_says_where_to_get_a_token_without_repeating_itself(upstream):
    upstream.default = bingcheng_error(900)
    at = configured_app(upstream, "zh")
    at.chat_input[0].set_value("你好").run()
    text = page_texts(at)
    assert "冰橙云" in text and "yewu.bcwhkj.cn" in text
    assert t("error.provider_said", "zh", detail="") not in text  # its words repeat the message


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_provider_words_show_when_they_add_something(upstream, lang):
    upstream.default = openai_error(400, "Invalid image: unsupported MIME type image/x-icon")
    at = configured_app(upstream, lang)
    at.chat_input[0].set_value("hi").run()
    no_exception(at)
    assert t(
        "error.provider_said", lang, detail="Invalid image: unsupported MIME type image/x-icon"
    ) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rephrase_puts_the_question_back_in_the_input(upstream, lang):
    upstream.default = bingcheng_error(402)
    at = configured_app(upstream, lang)
    at.chat_input[0].set_value("这张图里的人是谁？").run()
    assert not at.chat_input[0].proto.set_value
    at.button(key="action_2").click().run()
    no_exception(at)
    assert at.chat_input[0].proto.set_value
    assert at.chat_input[0].proto.value == "这张图里的人是谁？"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_custom_provider_key_help_says_where_keys_come_from(lang):
    at = started_app(lang)
    at.selectbox(key=keys.choice_key(keys.PROVIDER, lang)).set_value("custom").run()
    no_exception(at)
    shown = page_texts(at)
    assert t("key_help.custom", lang) in shown
    assert "--api-key" in shown and ("API keys" in shown or "API 密钥" in shown)


def test_cut_stream_keeps_partial_answer_and_retry_replaces_it(upstream):
    upstream.enqueue(sse(["前半句，", "后半句"], cut_after=1), sse(["完整的回答。"]))
    at = configured_app(upstream, "zh")
    at.chat_input[0].set_value("讲一下").run()
    no_exception(at)
    assert "前半句" in assistant_text(at)
    assert t("error.interrupted", "zh") in [w.value for w in at.warning]
    at.button(key="retry_2").click().run()
    no_exception(at)
    assert "完整的回答。" in assistant_text(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert len(upstream.requests) == 2


def _stopped_before_the_first_word(
    up: FakeUpstream, question: str
) -> tuple[Conversation, Exchange]:
    """A question whose answer was stopped (as the Stop button's callback does) before any word."""
    up.enqueue(dataclasses.replace(sse(["太晚了"]), first_byte_delay=30))
    conv = Conversation()
    conv.add_user(question)
    settings = resolve_settings(base_url=up.base_url, api_key=OPERATOR_KEY)
    exchange = Exchange(conv.request_turns()).start(settings)
    up.wait_for_requests(1)
    exchange.stop()
    return conv, exchange


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_answer_stopped_before_its_first_word_shows_stopped_with_retry(upstream, lang):
    at = configured_app(upstream, lang)
    conv, exchange = _stopped_before_the_first_word(upstream, "这是什么？")
    session.state_in(at.session_state, chat_state.ChatState).conversation = conv
    session.state_in(at.session_state, chat_state.ChatState).exchange = exchange
    at.run()
    no_exception(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert t("chat.status_stopped_empty", lang) in [i.value for i in at.info]
    assert at.button(key="retry_2").label == t("chat.retry", lang)
    # recorded once, then let go
    assert session.state_in(at.session_state, chat_state.ChatState).exchange is None
    upstream.enqueue(sse(["一个橙子。"]))
    at.button(key="retry_2").click().run()
    no_exception(at)
    assert "一个橙子。" in assistant_text(at)
    assert [m["role"] for m in upstream.requests[-1].json["messages"]] == ["user"]
    assert [(e.role, e.status) for e in conv.entries] == [("user", "ok"), ("assistant", "ok")]


def test_question_after_a_stopped_answer_goes_as_one_user_turn(upstream):
    at = configured_app(upstream, "zh")
    conv, exchange = _stopped_before_the_first_word(upstream, "这是什么？")
    session.state_in(at.session_state, chat_state.ChatState).conversation = conv
    session.state_in(at.session_state, chat_state.ChatState).exchange = exchange
    at.run()
    upstream.enqueue(sse(["橙色。"]))
    at.chat_input[0].set_value("什么颜色？").run()
    no_exception(at)
    assert "橙色。" in assistant_text(at)
    messages = upstream.requests[-1].json["messages"]
    assert messages == [{"role": "user", "content": "这是什么？\n\n什么颜色？"}]
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]
    assert t("chat.status_stopped_empty", "zh") in [i.value for i in at.info]  # the mark stays


def test_refused_image_is_named_while_the_others_still_go(upstream):
    at = configured_app(upstream, "en")
    chat = at.chat_input[0]
    chat.upload("good.jpg", jpeg_bytes(), "image/jpeg")
    chat.upload("broken.png", b"\x89PNG\r\n\x1a\nnot really", "image/png")
    chat.set_value("Compare").run()
    no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "broken.png" in warnings
    content = upstream.requests[-1].json["messages"][-1]["content"]
    assert sum(p["type"] == "image_url" for p in content) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_eleven_pictures_in_one_message_are_refused_before_sending_with_the_cap(upstream, lang):
    at = configured_app(upstream, lang)
    chat = at.chat_input[0]
    for i in range(11):
        chat.upload(f"p{i}.jpg", make.photo_jpeg(160 + i, 120), "image/jpeg")
    chat.set_value("这些是什么？").run()
    no_exception(at)
    assert upstream.requests == []  # nothing went out
    shown = " ".join(e.value for e in at.error)
    assert t("error.too_many_images", lang, count=11, cap=10) in shown
    # the question stays in the history, and is not sent again with the next one
    upstream.enqueue(sse(["一张照片。"]))
    at.chat_input[0].upload("one.jpg", jpeg_bytes(), "image/jpeg").set_value("这张呢？").run()
    no_exception(at)
    content = upstream.requests[-1].json["messages"]
    assert len(content) == 1 and content[0]["content"][0]["text"] == "这张呢？"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_only_refused_images_send_nothing_and_put_the_text_back(upstream, lang):
    at = configured_app(upstream, lang)
    at.chat_input[0].upload("notes.jpg", b"just text, not a picture", "image/jpeg").set_value(
        "What is this?"
    ).run()
    no_exception(at)
    assert upstream.requests == []
    user = [m for m in at.chat_message if m.name == "user"][-1]
    assert "What is this?" in user.text[0].value
    line = [w.value for w in user.warning]
    reason = t("image.not_image", lang, name="notes.jpg")
    assert line == [t("chat.refused_line", lang, reason=reason)]
    assert not re.search(r"[:：]\s*notes\.jpg[:：]", line[0])  # no "Not sent: notes.jpg: …"
    assert t("chat.not_sent_restored", lang) in [i.value for i in user.info]
    assert at.chat_input[0].proto.set_value  # nothing to retype
    assert at.chat_input[0].proto.value == "What is this?"
    upstream.enqueue(sse(["一张照片。"]))
    at.chat_input[0].upload("one.jpg", jpeg_bytes(), "image/jpeg").set_value("What is this?").run()
    no_exception(at)
    assert len(upstream.requests) == 1


def test_operator_key_is_not_sent_to_a_changed_base_url(upstream):
    with FakeUpstream() as elsewhere:
        elsewhere.default = openai_error(401, "No auth provided", "invalid_request_error")
        # not hosted: "elsewhere" is on loopback, which hosted mode refuses for a custom URL
        at = started_app(
            "en",
            {
                "KANTU_BASE_URL": upstream.base_url,
                "KANTU_API_KEY": OPERATOR_KEY,
                "KANTU_HOSTED": False,
            },
        )
        at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).set_value("custom").run()
        at.text_input(key=keys.BASE_URL).set_value(elsewhere.base_url).run()
        at.chat_input[0].set_value("hi").run()
        no_exception(at)
        assert not any(
            OPERATOR_KEY in r.headers.get("Authorization", "") for r in elsewhere.requests
        )
        assert t("config.operator_key_withheld", "en") in page_texts(at)
        assert any(t("error.auth", "en") in e.value for e in at.error)
        elsewhere.default = sse(["ok"])
        at.text_input(key=keys.API_KEY).set_value("visitor-own-key").run()
        at.button(key="retry_2").click().run()
        no_exception(at)
        assert elsewhere.requests[-1].headers["Authorization"] == "Bearer visitor-own-key"


def test_configured_key_is_never_shown(upstream):
    at = configured_app(upstream, "zh")
    assert t("sidebar.using_configured_key", "zh") in page_texts(at)
    assert at.text_input(key=keys.API_KEY).value == ""
    assert OPERATOR_KEY not in page_texts(at)


def test_answer_cannot_load_a_tracking_image(upstream):
    upstream.enqueue(
        sse(["见 ![x](http://127.0.0.1:9/leak?q=secret)", " 和 [文档](https://example.org/d)"])
    )
    at = configured_app(upstream, "zh")
    at.chat_input[0].set_value("读一下图里的字").run()
    answer = assistant_text(at)
    assert "![x](" not in answer
    assert "https://example.org/d" in answer  # links show their address


def test_language_switch_changes_the_interface():
    at = started_app("zh")
    assert at.chat_input[0].placeholder == t("chat.placeholder", "zh")
    at.button_group(key=keys.choice_key(keys.LANG, "zh")).set_value("en").run()
    assert at.chat_input[0].placeholder == t("chat.placeholder", "en")
    assert at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).label == t(
        "sidebar.provider", "en"
    )
    assert at.button_group(key=keys.choice_key(keys.DETAIL, "en")).value == "auto"  # kept


def test_a_switch_back_is_not_undone_by_the_old_languages_stale_switch():
    """English, then 中文 at once: the second click, on the English page's switch, comes with
    the Chinese switch as the first click's stopped run left it ("English"), which the browser
    still sends. The page stays in the language clicked last; so does a choice made meanwhile
    (the detail, switched per language the same way)."""
    at = started_app("zh")
    at.button_group(key=keys.choice_key(keys.LANG, "zh")).set_value("en").run()
    at.button_group(key=keys.choice_key(keys.DETAIL, "en")).set_value("high").run()
    # what the browser still holds of the Chinese page's widgets, sent with the next click
    at.session_state[keys.choice_key(keys.LANG, "zh")] = "en"
    at.session_state[keys.choice_key(keys.DETAIL, "zh")] = "auto"
    at.button_group(key=keys.choice_key(keys.LANG, "en")).set_value("zh").run()
    no_exception(at)
    assert at.chat_input[0].placeholder == t("chat.placeholder", "zh")
    at.run()
    assert at.chat_input[0].placeholder == t("chat.placeholder", "zh")
    assert at.button_group(key=keys.choice_key(keys.DETAIL, "zh")).value == "high"


def test_a_click_whose_callback_a_newer_trigger_stopped_is_still_taken():
    """Streamlit runs a widget's callback where a session-state read can stop it (a newer trigger
    reaching the server in that moment: the page's own report, another click), and does not run
    it again: the click's value arrives without its callback. It is the person's choice: the
    detail clicked stays (it was put back as a stale value, and the click was lost: seen in CI,
    e2e/test_isolation.py), and a provider picked so brings its model and address, its own
    callback's work."""
    at = started_app("en").run()  # the settings drawn: the detail's widget shows "auto"
    detail = keys.choice_key(keys.DETAIL, "en")
    assert at.button_group(key=detail).value == "auto"
    at.session_state[detail] = "high"  # the click's value, its callback stopped
    at.run()
    no_exception(at)
    assert at.button_group(key=detail).value == "high"
    assert at.session_state[keys.DETAIL] == "high"  # what the next request is made with
    at.run()
    assert at.button_group(key=detail).value == "high"
    at.session_state[detail] = None  # a widget with no value is not a click
    at.run()
    assert at.button_group(key=detail).value == "high" == at.session_state[keys.DETAIL]

    at.session_state[keys.choice_key(keys.PROVIDER, "en")] = "dashscope"
    at.run()
    no_exception(at)
    assert at.session_state[keys.PROVIDER] == "dashscope"
    dashscope = PRESETS["dashscope"]
    assert (at.session_state[keys.MODEL], at.session_state[keys.BASE_URL]) == (
        dashscope.default_model,
        dashscope.base_url,
    )


def test_a_question_goes_with_a_stopped_click_that_came_with_it(upstream):
    """The chat page sends its question before it draws the settings (settings_panel.place_panel):
    a click whose callback a newer trigger stopped, arriving with the question (the detail
    clicked, then Enter at once), is taken first, and the question goes with it, as the
    settings then show."""
    at = configured_app(upstream, "en")
    detail = keys.choice_key(keys.DETAIL, "en")
    assert at.button_group(key=detail).value == "auto"
    at.session_state[detail] = "high"  # the click's value, its callback stopped
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("What is it?").run()
    no_exception(at)
    content = upstream.requests[-1].json["messages"][-1]["content"]
    assert [p["image_url"]["detail"] for p in content if p["type"] == "image_url"] == ["high"]
    assert at.button_group(key=detail).value == "high" == at.session_state[keys.DETAIL]


def test_new_chat_starts_over(upstream):
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("What is it?").run()
    assert len(at.chat_message) == 2
    at.button(key=keys.NEW_CHAT).click().run()
    no_exception(at)
    assert len(at.chat_message) == 0
    assert t("layout.heading", "en") in [h.value for h in at.title]  # the welcome is back
    # the pictures are gone too
    assert session.state_in(at.session_state, chat_state.ChatState).conversation.images == {}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unreachable_provider_is_a_network_error(lang):
    with FakeUpstream() as gone:
        base_url = gone.base_url
    at = started_app(lang, {"KANTU_BASE_URL": base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.chat_input[0].set_value("hi").run()
    no_exception(at)
    assert t("error.network", lang) in [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_silent_provider_is_a_timeout_after_the_configured_wait(upstream, lang):
    upstream.default = sse(["late"], delay=5)  # nothing for 5 s
    at = configured_app(upstream, lang)
    advanced_field(at, "number_input", keys.READ_TIMEOUT, lang).set_value(1).run()
    at.chat_input[0].set_value("hi").run()
    no_exception(at)
    assert t("error.timeout", lang) in [e.value for e in at.error]


def test_session_state_holds_no_key_uploads_or_base64_anywhere(upstream):
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("What is it?").run()
    assert upstream.requests[-1].headers["Authorization"] == f"Bearer {OPERATOR_KEY}"
    at.text_input(key=keys.API_KEY).set_value(VISITOR_KEY).run()
    at.chat_input[0].set_value("And now?").run()
    no_exception(at)
    assert upstream.requests[-1].headers["Authorization"] == f"Bearer {VISITOR_KEY}"
    conv = session.state_in(at.session_state, chat_state.ChatState).conversation
    assert len(conv.images) == 1  # the picture is stored once, as prepared bytes
    found: list[str] = []
    for key in at.session_state:
        value = at.session_state[key]
        where = f"session_state[{key!r}]"
        for path, item in walk(value, where):
            assert type(item).__name__ != "UploadedFile", path
            if isinstance(item, str):
                assert "base64," not in item, path
        found += find_text(value, OPERATOR_KEY, where)
        visitor = find_text(value, VISITOR_KEY, where)
        if key == keys.API_KEY:  # the visitor's own key lives in its password field, only there
            assert visitor == [where], "the walk does not reach widget values"
        else:
            found += visitor
    assert found == []


def test_animated_gif_says_only_its_first_frame_is_sent(upstream):
    frames = [Image.new("RGB", (80, 60), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("anim.gif", buf.getvalue(), "image/gif").set_value("What?").run()
    no_exception(at)
    user = [m for m in at.chat_message if m.name == "user"][-1]
    caption = user.get("image")[0].captions[0]
    assert t("source.frames", "en", frames=3) in caption
    assert "first of 3 frames" in caption  # the real words, not a missing key shown as-is


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_message_that_arrives_while_an_answer_streams_waits_and_never_ends_it(upstream, lang):
    # The page holds Enter while an answer streams; one sent in the moment before is kept as a
    # held message to send once the answer ends, and the answer goes on to its end.
    at = configured_app(upstream, lang)
    gate = threading.Event()  # the answer's end waits until the page has taken the message
    upstream.enqueue(gated(sse(["第一段 ", "第二段 ", "说完了。"]), gate))
    conv = Conversation()
    conv.add_user("慢慢说")
    settings = resolve_settings(base_url=upstream.base_url, api_key=OPERATOR_KEY)
    exchange = Exchange(conv.request_turns()).start(settings)
    upstream.wait_for_requests(1)
    state = session.state_in(at.session_state, chat_state.ChatState)
    state.conversation, state.exchange = conv, exchange

    def release_once_held() -> None:
        while state.pending is None and not gate.wait(0.05):
            pass
        gate.set()

    threading.Thread(target=release_once_held, daemon=True).start()
    at.chat_input[0].set_value("下一个问题").run()
    no_exception(at)
    assert [(e.role, e.status, e.text) for e in conv.entries] == [
        ("user", "ok", "慢慢说"),
        ("assistant", "ok", "第一段 第二段 说完了。"),
    ]
    assert len(upstream.requests) == 1
    assert t("chat.queued_title", lang) in page_texts(at)
    upstream.enqueue(sse(["第二个回答。"]))
    at.button(key="kantu_send_as_is").click().run()
    no_exception(at)
    assert "第二个回答。" in assistant_text(at)
    assert upstream.requests[-1].json["messages"][-1]["content"] == "下一个问题"


def _stopped_after_recording(at: AppTest, question: str) -> chat_state.ChatState:
    """Leave the session as a run that a newer trigger stopped between recording ``question``
    and starting its answer (the gate reads the session: Streamlit stops a run there)."""
    state = session.state_in(at.session_state, chat_state.ChatState)
    state.conversation.add_user(question)
    state.to_answer = state.conversation.entries[-1]
    return state


def test_a_question_whose_run_stopped_before_its_answer_started_is_answered_on_the_next_run(
    upstream,
):
    upstream.enqueue(sse(["Still answered."]))
    at = configured_app(upstream, "en")
    state = _stopped_after_recording(at, "What is this?")
    at.run()  # the newer trigger's run
    no_exception(at)
    assert assistant_text(at) == "Still answered."
    assert len(upstream.requests) == 1  # asked once
    assert upstream.requests[-1].json["messages"][-1]["content"] == "What is this?"
    assert state.to_answer is None
    at.run()
    assert len(upstream.requests) == 1  # and never again


def test_a_waiting_question_of_a_chat_no_longer_open_is_not_sent(upstream):
    at = configured_app(upstream, "en")
    state = _stopped_after_recording(at, "What is this?")
    state.conversation = Conversation()  # another chat opened meanwhile
    at.run()
    no_exception(at)
    assert upstream.requests == []
    assert state.to_answer is None


def test_a_waiting_question_whose_start_fails_is_not_tried_again_on_every_run(
    upstream, monkeypatch
):
    """Only a stopped run leaves a question waiting: a start that fails (an error, not Streamlit
    stopping the run) is shown once and not tried again on every later run."""
    at = configured_app(upstream, "en")
    state = _stopped_after_recording(at, "What is this?")
    tries = []

    def broken(*args, **kwargs):
        tries.append(1)
        raise RuntimeError("the gate broke")

    monkeypatch.setattr("components.ui.chat.send_exchange", broken)
    at.run()
    at.run()
    assert len(tries) == 1
    assert state.to_answer is None
    assert upstream.requests == []


def test_a_file_chosen_whose_callback_a_newer_trigger_stopped_is_still_imported(upstream):
    """Streamlit runs a widget's callback where a session-state read can stop it and does not run
    it again: the chosen file arrives without its callback. It is still read: the chat it holds
    is put in place, and said once."""
    at = open_section(configured_app(upstream, "en"), keys.TOOLS_OPEN)
    imported = Conversation()
    imported.add_user("An imported question", [])
    imported.add_answer("An imported answer.")
    data = export_json(imported)
    field = keys.import_key(session.state_in(at.session_state, chat_state.ChatState).import_round)
    record = UploadedFileRec("import-1", "chat.json", "application/json", data)
    at.session_state[field] = UploadedFile(record, FileURLsProto())  # its callback stopped
    at.run()
    no_exception(at)
    said = t("transfer.imported", "en", entries=2, pictures=0)
    assert "An imported answer." in assistant_text(at)
    assert [s.value for s in at.success] == [said]
    at.run()
    no_exception(at)
    assert "An imported answer." in assistant_text(at)
    assert [s.value for s in at.success] == []  # said once


def test_an_import_whose_run_is_stopped_before_it_is_in_place_lands_on_the_next_run(
    upstream, monkeypatch
):
    """A newer trigger stops a run at its next session read: here while the chat an import
    replaces is saved. The import is put in place on the next run, as a chat of its own."""
    upstream.enqueue(sse(["An answer."]))
    at = configured_app(upstream, "en")
    at.chat_input[0].set_value("The chat before").run()
    imported = Conversation()
    imported.add_user("An imported question", [])
    imported.add_answer("An imported answer.")
    state = session.state_in(at.session_state, chat_state.ChatState)
    history = session.state_in(at.session_state, chat_state.HistoryState)
    before = history.chat_id
    state.imported = imported
    real_save = sidebar_tools.save_open

    def stopped(*args, **kwargs):
        raise StopException()  # what Streamlit raises at the read of a run asked to stop

    monkeypatch.setattr(sidebar_tools, "save_open", stopped)
    at.run()
    monkeypatch.setattr(sidebar_tools, "save_open", real_save)
    at.run()  # the newer trigger's run
    no_exception(at)
    assert state.conversation is imported
    assert "An imported answer." in assistant_text(at)
    assert history.chat_id not in (None, before)  # saved as a chat of its own
    assert len(history.saved.entries) == 2
