"""Usage is asked of every server that takes it; a server that refuses ``stream_options`` gets the
question once more without it, and its next question goes without it at once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components.conversation.exchange import Exchange
from components.costs.prices import Price, PriceBook
from components.devtools.upstream import FakeUpstream, openai_error, sse
from components.errors import InvalidInputError
from components.hosting.access import Visitor
from components.hosting.config import HostingConfig, Limits
from components.hosting.gate import Asker, Gate
from components.hosting.ledger import SQLiteLedger
from components.providers.client import ChatClient
from components.providers.presets import get_preset
from components.providers.settings import ClientSettings, resolve_settings
from components.turns import ChatTurn

USAGE = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
QUESTION = [ChatTurn("user", "这是什么图片?")]
VLLM_REFUSAL = "[{'type': 'extra_forbidden', 'loc': ('body', 'stream_options'), 'msg': 'Extra inputs are not permitted'}]"


def _settings(up: FakeUpstream, preset: str = "custom") -> ClientSettings:
    settings = resolve_settings(
        base_url=up.base_url, api_key="sk-usage-0123456789", model="m", environ={}
    )
    return replace(settings, preset=get_preset(preset), max_retries=0)


def test_a_custom_server_is_asked_for_usage_and_the_answer_carries_it(upstream):
    upstream.enqueue(sse(["猫"], usage=USAGE))
    stream = ChatClient(_settings(upstream)).stream_chat(QUESTION)
    assert "".join(stream) == "猫"
    assert upstream.requests[0].json["stream_options"] == {"include_usage": True}
    assert stream.result is not None and stream.result.usage is not None
    assert stream.result.usage.prompt_tokens == 12


@pytest.mark.parametrize(
    "words",
    [
        "Unrecognized request argument supplied: stream_options",
        VLLM_REFUSAL,
        "unknown parameter: include_usage",
    ],
)
def test_a_refused_stream_options_is_sent_once_more_without_it(upstream, words):
    upstream.enqueue(openai_error(400, words, "invalid_request_error"), sse(["a cat"]))
    stream = ChatClient(_settings(upstream)).stream_chat(QUESTION)
    assert "".join(stream) == "a cat"
    first, second = upstream.requests
    assert "stream_options" in first.json and "stream_options" not in second.json
    assert second.json["messages"] == first.json["messages"]
    assert stream.attempts == 2 and stream.result is not None and stream.result.attempts == 2


def test_the_endpoint_is_remembered_so_the_next_question_pays_no_refusal(upstream):
    upstream.enqueue(
        openai_error(400, "Unrecognized request argument supplied: stream_options"),
        sse(["one"]),
        sse(["two"]),
    )
    client = ChatClient(_settings(upstream))
    assert "".join(client.stream_chat(QUESTION)) == "one"
    later = ChatClient(_settings(upstream)).stream_chat(QUESTION)  # another visitor, same server
    assert "".join(later) == "two"
    assert len(upstream.requests) == 3
    assert "stream_options" not in upstream.requests[2].json
    assert later.attempts == 1


def test_another_400_is_not_sent_again(upstream):
    upstream.enqueue(openai_error(400, "messages: too many images"), sse(["never"]))
    stream = ChatClient(_settings(upstream)).stream_chat(QUESTION)
    with pytest.raises(InvalidInputError):
        list(stream)
    assert len(upstream.requests) == 1 and stream.attempts == 1


def test_a_second_refusal_ends_it(upstream):
    refusal = openai_error(400, "Unrecognized request argument supplied: stream_options")
    upstream.enqueue(refusal, refusal, sse(["never"]))
    stream = ChatClient(_settings(upstream)).stream_chat(QUESTION)
    with pytest.raises(InvalidInputError):
        list(stream)
    assert len(upstream.requests) == 2 and stream.attempts == 2


def test_a_preset_known_to_refuse_is_never_asked(upstream):
    upstream.enqueue(sse(["ok"]))
    list(ChatClient(_settings(upstream, "zhipu")).stream_chat(QUESTION))
    assert "stream_options" not in upstream.requests[0].json


def test_a_refused_then_resent_question_is_one_admitted_request_with_two_attempts(
    upstream, tmp_path
):
    settings = resolve_settings(
        model="gpt-4o-mini",
        secrets={"KANTU_BASE_URL": upstream.base_url, "KANTU_API_KEY": "operator-key-123456"},
        hosted=False,
        backoff_factor=0,
        max_retries=0,
    )
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    gate = Gate(
        config=HostingConfig(access_codes=(), limits=Limits()),
        visitor=Visitor(),
        ledger=ledger,
        prices=PriceBook(operator={"gpt-4o-mini": Price(1.0, 4.0, "CNY")}),
        allowed=("gpt-4o-mini",),
        unpriced=(),
        asker=Asker("session-a", "visitor-a", None, began=0.0),
    )
    upstream.enqueue(
        openai_error(400, "Unrecognized request argument supplied: stream_options"),
        sse(["好"], usage=USAGE),
    )
    ticket = gate.admit(settings, 1000)
    exchange = Exchange([ChatTurn("user", "hi")]).start(settings)
    while not exchange.finished:
        exchange.wait(len(exchange.text), 0.5)
    assert exchange.answer is not None and exchange.answer.error is None
    ticket.close(exchange.answer)
    (row,) = ledger.rows()
    assert row.attempts == 2 and row.outcome == "ok"
    assert (row.prompt_tokens, row.completion_tokens) == (12, 3)
