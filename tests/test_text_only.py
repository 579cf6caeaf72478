"""Pictures for text-only models: read here, sent as marked text (never as image parts), with
the suggestion shown when a provider refuses a request with pictures."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.conversation.exchange import Exchange
from components.devtools import text_pictures as tp
from components.devtools.upstream import FakeUpstream, openai_error, sse
from components.i18n import t
from components.images.prepare import prepare_image
from components.ocr import engine
from components.providers.settings import resolve_settings
from components.turns import ChatTurn
from components.ui import chat_state, session
from components.ui import state_keys as keys
from tests.conftest import ROOT, opened_as_a_browser_does
from tests.helpers import assistant_text, configured_app, no_exception, page_texts

pytestmark = [
    pytest.mark.usefixtures("isolated_secrets"),
    pytest.mark.skipif(
        not engine.reader_status().available, reason="the OCR packages are not installed"
    ),
]


def _parts(body: dict) -> list[dict]:
    return [
        part
        for message in body["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
    ]


def test_the_exchange_sends_the_read_text_instead_of_the_picture(upstream):
    upstream.enqueue(sse(["The total is 16.30."]))
    settings = resolve_settings(base_url=upstream.base_url, api_key="k" * 20, model="deepseek")
    receipt = prepare_image(tp.text_picture(tp.RECEIPT), name="r.png", model="gpt-4o-mini")
    exchange = Exchange(
        [ChatTurn("user", "What is the total?", (receipt,))], pictures_as_text=True
    ).start(settings)
    exchange.wait(10**9, timeout=60)
    answer = exchange.answer
    assert answer.meta.outcome == "ok" and answer.meta.pictures_as_text
    assert answer.meta.image_tokens == 0  # the estimate follows: no picture was sent
    body = upstream.requests[-1].json
    assert not any(part.get("type") == "image_url" for part in _parts(body))
    assert "data:image" not in upstream.requests[-1].body.decode()
    sent = body["messages"][-1]["content"]
    sent = sent if isinstance(sent, str) else " ".join(p.get("text", "") for p in sent)
    assert sent.startswith("What is the total?")
    assert t("ocr.text_of_picture", "en", number=1) in sent
    assert "合计 Total 16.30" in sent


def test_on_the_page_a_model_marked_text_only_gets_text_and_says_so(upstream):
    upstream.enqueue(sse(["网络连接失败。"]))
    at = configured_app(upstream, "zh")
    model = at.session_state[keys.MODEL]
    at.checkbox(key=keys.text_only_key("custom", model)).check().run()
    screenshot = tp.text_picture(tp.SCREENSHOT)
    at.chat_input[0].upload("s.png", screenshot, "image/png").set_value("说了什么？").run()
    no_exception(at)
    assert "网络连接失败。" in assistant_text(at)
    body = upstream.requests[-1].json
    assert not any(part.get("type") == "image_url" for part in _parts(body))
    assert "网络连接失败" in upstream.requests[-1].body.decode("utf-8")
    assert t("chat.sent_as_text", "zh") in page_texts(at)


def test_a_tick_whose_callback_a_newer_trigger_stopped_still_marks_the_model(upstream):
    """Streamlit runs a widget's callback where a session-state read can stop it and does not run
    it again: the tick arrives without its callback. It is the person's choice: the model is
    marked, and its pictures go as their text."""
    upstream.enqueue(sse(["网络连接失败。"]))
    at = configured_app(upstream, "en")
    widget = keys.text_only_key("custom", at.session_state[keys.MODEL])
    assert at.checkbox(key=widget).value is False
    at.session_state[widget] = True  # the tick's value, its callback stopped
    at.run()
    no_exception(at)
    assert at.checkbox(key=widget).value is True
    screenshot = tp.text_picture(tp.SCREENSHOT)
    at.chat_input[0].upload("s.png", screenshot, "image/png").set_value("What does it say?").run()
    no_exception(at)
    assert not any(part.get("type") == "image_url" for part in _parts(upstream.requests[-1].json))
    assert "网络连接失败" in upstream.requests[-1].body.decode("utf-8")


def test_a_refused_request_with_a_picture_suggests_sending_its_text(upstream):
    upstream.enqueue(openai_error(400, "image_url is not supported by this model"))
    at = configured_app(upstream, "en")
    picture = tp.text_picture(tp.RECEIPT)
    at.chat_input[0].upload("r.png", picture, "image/png").set_value("Total?").run()
    no_exception(at)
    assert t("sidebar.text_only_suggested", "en") in page_texts(at)


def test_an_unknown_model_with_a_picture_does_not_blame_the_pictures(upstream):
    upstream.enqueue(
        openai_error(400, "Invalid model name passed in model=gpt-4o-mini-vision", code="400")
    )
    at = configured_app(upstream, "en")
    picture = tp.text_picture(tp.RECEIPT)
    at.chat_input[0].upload("r.png", picture, "image/png").set_value("Total?").run()
    no_exception(at)
    texts = page_texts(at)
    assert t("sidebar.text_only_suggested", "en") not in texts
    assert t("error.model_not_found", "en", model="gpt-4o-mini") in texts


def _page_with_model(up: FakeUpstream, model: str) -> AppTest:
    """The chat page with the operator's key on ``up`` and ``model`` as the operator's model."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update(_operator(up, model))
    at.session_state[keys.LANG] = "en"
    return opened_as_a_browser_does(at)


def _operator(up: FakeUpstream, model: str) -> dict[str, str]:
    """The operator's key on ``up`` with ``model`` as the operator's model."""
    return {
        "KANTU_BASE_URL": up.base_url,
        "KANTU_API_KEY": "sk-textonly-0123456789",
        "KANTU_MODEL": model,
    }


def test_a_model_the_catalogue_says_cannot_see_starts_ticked_and_gets_text(upstream):
    upstream.enqueue(sse(["The total is 16.30."]))
    at = _page_with_model(upstream, "gpt-3.5-turbo")
    assert at.checkbox(key=keys.text_only_key("custom", "gpt-3.5-turbo")).value is True
    receipt = tp.text_picture(tp.RECEIPT)
    at.chat_input[0].upload("r.png", receipt, "image/png").set_value("Total?").run()
    assert not at.exception
    assert not any(p.get("type") == "image_url" for p in _parts(upstream.requests[-1].json))
    assert "16.30" in upstream.requests[-1].body.decode("utf-8")


def test_the_persons_choice_wins_over_the_catalogue(upstream):
    upstream.enqueue(sse(["A receipt."]))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update(_operator(upstream, "gpt-3.5-turbo"))
    at.session_state[keys.LANG] = "en"
    # what unticking the box leaves in the session (AppTest reruns only the page after its first
    # run, so the sidebar's own rerun is not reachable here)
    session.state_in(at.session_state, chat_state.ToolsState).text_only_unmarked = frozenset(
        {"custom/gpt-3.5-turbo"}
    )
    opened_as_a_browser_does(at)
    assert at.checkbox(key=keys.text_only_key("custom", "gpt-3.5-turbo")).value is False
    receipt = tp.text_picture(tp.RECEIPT)
    at.chat_input[0].upload("r.png", receipt, "image/png").set_value("What is it?").run()
    assert not at.exception
    assert any(p.get("type") == "image_url" for p in _parts(upstream.requests[-1].json))


def test_a_model_the_catalogue_says_can_see_starts_unticked(upstream):
    at = _page_with_model(upstream, "gpt-4o-mini")
    assert at.checkbox(key=keys.text_only_key("custom", "gpt-4o-mini")).value is False
