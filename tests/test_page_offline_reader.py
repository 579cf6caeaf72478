"""The chat page with no key configured: the local text reader answers, in both languages."""

from __future__ import annotations

import pytest

from components.devtools import text_pictures as tp
from components.i18n import t
from components.ocr import engine
from components.ui import session
from components.ui import state_keys as keys
from tests.helpers import answer_footer, assistant_text, no_exception, page_texts, started_app

pytestmark = [
    pytest.mark.usefixtures("isolated_secrets"),
    pytest.mark.skipif(
        not engine.reader_status().available, reason="the OCR packages are not installed"
    ),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_without_a_key_a_dropped_screenshot_is_answered_with_its_text(lang):
    at = started_app(lang)
    no_exception(at)
    assert at.session_state[keys.PROVIDER] == "local_ocr"
    assert t("welcome.local_reader", lang) in page_texts(at)
    screenshot = tp.text_picture(tp.SCREENSHOT, width=1170)
    question = "这张截图说了什么？" if lang == "zh" else "What does this screenshot say?"
    at.chat_input[0].upload("error.png", screenshot, "image/png").set_value(question).run()
    no_exception(at)
    answer = assistant_text(at)
    assert t("ocr.answer_intro", lang) in answer
    for line in tp.SCREENSHOT:
        assert line in answer.replace("\\", "")
    assert "rapidocr-pp-ocrv6" in answer_footer(at)  # the quiet meta line


def test_typing_a_key_switches_from_the_local_reader_to_bingcheng():
    at = started_app("en")
    assert at.session_state[keys.PROVIDER] == "local_ocr"
    at.text_input(key=keys.API_KEY).input("visitor-typed-key-987654").run()
    no_exception(at)
    assert at.session_state[keys.PROVIDER] == "bingcheng"
    assert at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).value == "bingcheng"
    assert at.selectbox(key=keys.MODEL).value == "gpt-4o-mini"


def test_a_key_typed_whose_callback_a_newer_trigger_stopped_still_switches():
    """Streamlit runs a widget's callback where a session-state read can stop it (a newer trigger
    reaching the server then) and does not run it again: the key arrives without its callback.
    It is still a key typed: the provider switches, once; the local reader chosen again after it
    stays chosen."""
    at = started_app("en")
    assert at.session_state[keys.PROVIDER] == "local_ocr"
    at.session_state[keys.API_KEY] = "visitor-typed-key-987654"  # its callback stopped
    at.run()
    no_exception(at)
    assert at.session_state[keys.PROVIDER] == "bingcheng"
    assert at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).value == "bingcheng"
    assert at.selectbox(key=keys.MODEL).value == "gpt-4o-mini"
    at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).set_value("local_ocr").run()
    at.run()
    no_exception(at)
    assert at.session_state[keys.PROVIDER] == "local_ocr"  # the key kept, not typed again
    # what the field held is remembered as a digest, never as the key
    assert "visitor-typed-key" not in repr(session.state_in(at.session_state, session.LayoutState))


def test_an_operator_key_keeps_bingcheng_the_default():
    at = started_app("en", {"KANTU_API_KEY": "operator-secret-key-123456"})
    no_exception(at)
    assert at.session_state[keys.PROVIDER] == "bingcheng"
    assert t("welcome.local_reader", "en") not in page_texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_past_the_hourly_budget_the_reader_says_so_in_the_visitors_language(monkeypatch, lang):
    monkeypatch.setenv("KANTU_READER_SLICES_PER_HOUR", "1")
    at = started_app(lang)
    screenshot = tp.text_picture(tp.SCREENSHOT, width=1170)
    at.chat_input[0].upload("one.png", screenshot, "image/png").set_value("1").run()
    no_exception(at)
    assert t("ocr.answer_intro", lang) in assistant_text(at)
    at.chat_input[0].upload("two.png", screenshot, "image/png").set_value("2").run()
    no_exception(at)
    refusal = t("error.ocr_refused.hourly", lang, limit=1, minutes=60)
    assert refusal in page_texts(at)
    assert page_texts(at).count(t("ocr.answer_intro", lang)) == 1  # the second was not read
