"""The conversation and model tools under AppTest, against the loopback upstream: which earlier
pictures travel with a follow-up, "can this model see?", test connection, prompt presets.

Import and export use a file uploader and download buttons, which AppTest cannot drive: they
are covered in Chromium (tests/e2e/test_costs.py).
"""

from __future__ import annotations

import json

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import FakeUpstream, model_list
from components.i18n import t
from components.observability.request_log import configure_request_log
from components.ui import conversation_tools
from components.ui import state_keys as keys
from tests.conftest import entry_app_test
from tests.helpers import OPERATOR_KEY, jpeg_bytes, no_exception, page_texts

RED, BLUE = (220, 30, 30), (30, 60, 220)


pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _app(up: FakeUpstream, lang: str = "en") -> AppTest:
    at = entry_app_test()
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.session_state[keys.LANG] = lang
    at.session_state[keys.TOOLS_OPEN] = True  # the sidebar's 💬 section, as a visitor opens it
    return at.run()


def _pictures_sent(up: FakeUpstream) -> int:
    messages = up.requests[-1].json["messages"]
    return sum(
        1
        for m in messages
        if isinstance(m["content"], list)
        for part in m["content"]
        if part["type"] == "image_url"
    )


def _captions(at: AppTest) -> list[str]:
    """Return each sent picture's caption, oldest first."""
    found = []
    for message in at.chat_message:
        if message.name == "user":
            for image in message.get("image"):
                found += [img.caption for img in image.proto.imgs]
    return found


def _two_photos(at: AppTest) -> AppTest:
    at.chat_input[0].upload("red.jpg", jpeg_bytes(RED), "image/jpeg").set_value("This one?").run()
    at.chat_input[0].upload("blue.jpg", jpeg_bytes(BLUE), "image/jpeg").set_value("And this?").run()
    return at


@pytest.mark.parametrize(
    ("policy", "sent", "first_note"),
    [
        ("newest", 1, "context.travel.dropped"),
        ("all", 2, "context.travel.full"),
        ("older_low", 2, "context.travel.low"),
        # the last 3 questions: the two with photos and the follow-up being asked
        ("last_turns", 2, "context.travel.full"),
    ],
)
def test_context_policy_decides_what_the_follow_up_carries_and_the_page_says_so(
    upstream, policy, sent, first_note
):
    at = _two_photos(_app(upstream))
    no_exception(at)
    at.sidebar.selectbox(key=keys.choice_key(keys.CONTEXT_POLICY, "en")).select(policy).run()
    if policy == "last_turns":
        at.sidebar.number_input(key=keys.choice_key(keys.CONTEXT_TURNS, "en")).set_value(3).run()
    first, second = _captions(at)
    assert t(first_note, "en") in first, first
    assert t("context.travel.full", "en") in second, second
    at.chat_input[0].set_value("Which is brighter?").run()
    assert _pictures_sent(upstream) == sent
    if policy == "newest":
        text = str(upstream.requests[-1].json["messages"])
        assert t("context.note.dropped", "en", n=1) in text


def test_default_policy_keeps_follow_ups_about_the_same_picture(upstream):
    at = _app(upstream, "zh")
    at.chat_input[0].upload("red.jpg", jpeg_bytes(RED), "image/jpeg").set_value("这是什么？").run()
    assert t("context.travel.full", "zh") in _captions(at)[0]
    at.chat_input[0].set_value("什么颜色？").run()
    assert _pictures_sent(upstream) == 1


def test_blind_model_is_reported_and_pictures_wait_with_a_warning(upstream):
    upstream.sight = "blind"
    at = _app(upstream)
    at.sidebar.button(key="kantu_probe").click().run()
    no_exception(at)
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert "⚠️ gpt-4o-mini did not read the digits" in sidebar, sidebar
    probes = len(upstream.requests)
    at.chat_input[0].upload("red.jpg", jpeg_bytes(RED), "image/jpeg").set_value("What?").run()
    assert len(upstream.requests) == probes  # held, not sent
    assert t("tools.blind_warning", "en", model="gpt-4o-mini") in page_texts(at)
    at.button(key="kantu_send_as_is").click().run()  # the person sends it anyway
    assert len(upstream.wait_for_requests(probes + 1)) == probes + 1
    at.chat_input[0].set_value("Just text then").run()  # no picture: no warning, sent at once
    assert len(upstream.wait_for_requests(probes + 2)) == probes + 2


def test_a_probe_whose_run_is_stopped_after_its_request_keeps_its_result(upstream, monkeypatch):
    """A newer trigger (a click, the browser store's report) stops a run at its next Streamlit
    call: here the first one after the probe's request. Its (billed) result is kept and shown
    on the next run, and the probe is not asked again."""
    upstream.sight = "blind"
    at = _app(upstream)
    real_send = conversation_tools.send

    def stopped_after(*args, **kwargs):
        real_send(*args, **kwargs)
        raise StopException()  # what Streamlit raises at the next call of a run asked to stop

    monkeypatch.setattr(conversation_tools, "send", stopped_after)
    at.sidebar.button(key="kantu_probe").click().run()
    monkeypatch.setattr(conversation_tools, "send", real_send)
    assert len(upstream.requests) == 1
    at.run()  # the newer trigger's run
    no_exception(at)
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert "⚠️ gpt-4o-mini did not read the digits" in sidebar, sidebar
    at.run()
    assert len(upstream.requests) == 1  # asked once


def test_a_probe_that_fails_with_an_error_is_tried_once(upstream, monkeypatch):
    """Only Streamlit stopping the run keeps the click: a check that fails with an error (not a
    stop) is shown once and not tried again on every later run."""
    at = _app(upstream)
    tries = []

    def broken(*args, **kwargs):
        tries.append(1)
        raise RuntimeError("the gate broke")

    monkeypatch.setattr(conversation_tools, "send", broken)
    at.sidebar.button(key="kantu_probe").click().run()
    at.run()
    at.run()
    assert len(tries) == 1


def test_seeing_model_is_reported_and_pictures_go_at_once(upstream):
    upstream.sight = "vision"  # reads the digits with the local OCR
    at = _app(upstream, "zh")
    at.sidebar.button(key="kantu_probe").click().run()
    no_exception(at)
    sidebar = "\n".join(c.value for c in at.sidebar.caption)
    assert "✅" in sidebar or "能看" in sidebar, sidebar
    probes = len(upstream.requests)
    at.chat_input[0].upload("red.jpg", jpeg_bytes(RED), "image/jpeg").set_value("这是什么？").run()
    assert len(upstream.requests) == probes + 1


def test_test_connection_counts_the_models_and_offers_them(upstream):
    upstream.models = model_list(["qwen-vl-max", "glm-4v-plus", "kantu-vision-x"])
    at = _app(upstream)
    at.sidebar.button(key="kantu_test").click().run()
    no_exception(at)
    assert t("probe.connected", "en", count=3, seconds="0.0")[:14] in "\n".join(
        c.value for c in at.sidebar.caption
    )
    options = at.sidebar.selectbox(key=keys.MODEL).options
    assert {"qwen-vl-max", "glm-4v-plus", "kantu-vision-x"} <= set(options)
    at.sidebar.selectbox(key=keys.MODEL).select("kantu-vision-x").run()
    # the site's key may ask only its allowed models (issue 11); a visitor's own key may ask any
    at.sidebar.text_input(key=keys.API_KEY).input("sk-visitor-own-key").run()
    at.chat_input[0].set_value("hi").run()
    assert upstream.requests[-1].json["model"] == "kantu-vision-x"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_prompt_preset_fills_the_question(upstream, lang):
    at = _app(upstream, lang)
    at.button_group(key=f"kantu_presets_tray.{lang}").set_value("read_text").run()
    no_exception(at)
    assert at.chat_input[0].proto.value == t("preset.read_text.question", lang)
    assert upstream.requests == []  # filled, not sent


def test_a_preset_whose_callback_a_newer_trigger_stopped_still_fills_the_question(upstream):
    """Streamlit runs a widget's callback where a session-state read can stop it and does not run
    it again: the chip's value arrives without its callback. Its question still fills the input,
    and the chip can be clicked again."""
    at = _app(upstream, "en")
    chips = "kantu_presets_tray.en"
    at.session_state[chips] = "count"  # the click's value, its callback stopped
    at.run()
    no_exception(at)
    assert at.chat_input[0].proto.value == t("preset.count.question", "en")
    assert at.button_group(key=chips).value is None  # a chip, not a state
    assert upstream.requests == []  # filled, not sent


def test_the_vision_check_and_test_connection_each_leave_one_request_log_line(upstream, tmp_path):
    log = tmp_path / "requests.jsonl"
    upstream.sight = "vision"
    upstream.models = model_list(["gpt-4o-mini"])
    at = entry_app_test()
    at.secrets.update(
        {
            "KANTU_BASE_URL": upstream.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_REQUEST_LOG": str(log),
        }
    )
    at.session_state[keys.LANG] = "en"
    at.run()
    try:
        at.sidebar.button(key="kantu_probe").click().run()
        at.sidebar.button(key="kantu_test").click().run()
        no_exception(at)
        lines = [json.loads(x) for x in log.read_text().splitlines()]
    finally:
        configure_request_log("off")
    assert [(x["feature"], x["outcome"]) for x in lines] == [
        ("vision_check", "ok"),
        ("test_connection", "ok"),
    ]
    assert lines[0]["prompt_tokens"] and lines[1]["prompt_tokens"] is None  # the list is free
    assert OPERATOR_KEY not in log.read_text()
