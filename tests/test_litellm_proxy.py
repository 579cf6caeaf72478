"""Kantu in front of a real LiteLLM proxy (mock models, loopback only, no database): a streamed
answer reports its usage and so a billed cost; a wrong key and an unknown model each get their own
message, never "this model seems to refuse pictures"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from components.costs.lines import billed
from components.costs.prices import parse_prices, price_for
from components.devtools import text_pictures as tp
from components.errors import AuthError, ModelNotFoundError
from components.i18n import t
from components.images.prepare import prepare_image
from components.providers.client import ChatClient
from components.providers.presets import get_preset
from components.providers.settings import ClientSettings, resolve_settings
from components.turns import ChatTurn
from tests.helpers import no_exception, page_texts, started_app
from tests.litellm_proxy import (
    MOCK_ANSWER,
    MOCK_MODEL,
    START_TIMEOUT_S,
    Proxy,
    running_proxy,
)

pytestmark = [
    pytest.mark.usefixtures("isolated_secrets"),
    # the first test also waits for the proxy to start (a minute or more on two busy cores)
    pytest.mark.timeout(START_TIMEOUT_S + 120),
]
PRICES = {MOCK_MODEL: {"input": 0.15, "output": 0.6, "currency": "USD"}}


@pytest.fixture(scope="module")
def proxy() -> Iterator[Proxy]:
    with running_proxy() as running:
        yield running


def _settings(proxy: Proxy, *, key: str | None = None, model: str = MOCK_MODEL) -> ClientSettings:
    settings = resolve_settings(
        base_url=proxy.base_url, api_key=key or proxy.master_key, model=model, environ={}
    )
    return replace(settings, preset=get_preset("custom"), max_retries=0)


def _picture_question() -> list[ChatTurn]:
    image = prepare_image(tp.text_picture(tp.RECEIPT), name="r.png", detail="low")
    return [ChatTurn("user", "合计多少?", (image,))]


def test_a_streamed_answer_reports_usage_and_so_a_billed_cost(proxy):
    stream = ChatClient(_settings(proxy)).stream_chat(_picture_question())
    assert "".join(stream) == MOCK_ANSWER
    assert stream.result is not None and stream.attempts == 1
    usage = stream.result.usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    price = price_for("custom", MOCK_MODEL, parse_prices(PRICES))
    line = billed(usage, price, "en")
    assert line is not None and line.startswith("billed $")


def test_the_chat_page_shows_the_billed_cost(proxy):
    at = started_app(
        "en",
        {
            "KANTU_BASE_URL": proxy.base_url,
            "KANTU_API_KEY": proxy.master_key,
            "KANTU_MODEL": MOCK_MODEL,
            "KANTU_PRICES": PRICES,
        },
    )
    at.chat_input[0].set_value("这是什么?").run()
    no_exception(at)
    texts = page_texts(at)
    assert MOCK_ANSWER in texts
    assert "billed $" in texts and t("money.price_unknown", "en") not in texts


def test_a_wrong_key_gets_the_key_message(proxy):
    stream = ChatClient(_settings(proxy, key="sk-wrong-0123456789abcdef")).stream_chat(
        _picture_question()
    )
    with pytest.raises(AuthError) as info:
        list(stream)
    assert info.value.message("en") == t("error.auth", "en", model=MOCK_MODEL)
    assert "sk-wrong" not in info.value.detail


def test_an_unknown_model_gets_the_model_message_not_the_pictures_hint(proxy):
    at = started_app(
        "en",
        {
            "KANTU_BASE_URL": proxy.base_url,
            "KANTU_API_KEY": proxy.master_key,
            "KANTU_MODEL": "no-such-vision-model",
        },
    )
    picture = tp.text_picture(tp.RECEIPT)
    at.chat_input[0].upload("r.png", picture, "image/png").set_value("Total?").run()
    no_exception(at)
    texts = page_texts(at)
    assert t("error.model_not_found", "en", model="no-such-vision-model") in texts
    assert t("sidebar.text_only_suggested", "en") not in texts


def test_an_unknown_model_is_a_model_not_found_error(proxy):
    stream = ChatClient(_settings(proxy, model="no-such-model")).stream_chat(_picture_question())
    with pytest.raises(ModelNotFoundError):
        list(stream)
