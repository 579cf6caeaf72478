"""The first visit with no key, under AppTest: the offline reader's welcome offers what a text
reader can do, its sample picture is answered in one click, and the key guide speaks the
visitor's language (the sign-up page for English visitors)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.devtools import text_pictures as tp
from components.i18n import t
from components.ocr import engine
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS
from components.ui import state_keys as keys
from components.ui.welcome import EXAMPLES, READER_EXAMPLES, SAMPLE_QUESTION, example_key
from tests.helpers import assistant_text, no_exception, page_texts, started_app

pytestmark = [
    pytest.mark.usefixtures("isolated_secrets"),
    pytest.mark.skipif(
        not engine.reader_status().available, reason="the OCR packages are not installed"
    ),
]


def main_buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.main.button]


def link_buttons(at: AppTest) -> dict[str, str]:
    """Return the page's link buttons, label to address."""
    return {e.proto.label: e.proto.url for e in at.get("link_button")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_readers_welcome_offers_only_what_a_text_reader_can_do(lang):
    at = started_app(lang)
    no_exception(at)
    assert at.session_state[keys.PROVIDER] == "local_ocr"
    labels = main_buttons(at)
    for key in READER_EXAMPLES:
        assert t(key, lang) in labels
    for key in EXAMPLES:  # describing, reasoning, translating, comparing: not a text reader's
        assert t(key, lang) not in labels
    at.button(key=example_key(0)).click().run()
    no_exception(at)
    assert at.chat_input[0].value == t(READER_EXAMPLES[0], lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sample_picture_is_answered_with_its_text_in_one_click(lang):
    at = started_app(lang)
    at.button(key=keys.SAMPLE).click().run()
    no_exception(at)
    [question] = [m for m in at.chat_message if m.name == "user"]
    assert question.text[0].value == t(SAMPLE_QUESTION, lang)
    assert question.image  # the sample went with it
    answer = assistant_text(at).replace("\\", "")
    assert t("ocr.answer_intro", lang) in answer
    for line in tp.RECEIPT:
        assert line in answer
    assert keys.SAMPLE not in _keys(at)  # the welcome is gone with the first message


def _keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


def test_english_visitors_get_the_sign_up_page_first_and_chinese_visitors_both_routes():
    preset = PRESETS[DEFAULT_PRESET_ID]
    en = started_app("en")
    no_exception(en)
    text = page_texts(en)
    assert "Sign up at [https://yewu.bcwhkj.cn]" in text  # a safe link (markdown_view)
    assert text.index("Sign up at") < text.index("WeChat")  # the website first, WeChat optional
    assert "公众号" not in text
    assert link_buttons(en) == {
        t("chat.open_signup", "en", provider=preset.name("en")): preset.key_url
    }
    assert t("welcome.other_providers", "en") in text
    zh = started_app("zh")
    assert "公众号《冰橙云》" in page_texts(zh) and "yewu.bcwhkj.cn" in page_texts(zh)
    assert link_buttons(zh) == {
        t("chat.open_signup", "zh", provider=preset.name("zh")): preset.key_url
    }
