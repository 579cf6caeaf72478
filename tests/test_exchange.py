"""One exchange against the real loopback fake upstream: ok, cut, error, and Stop at any moment."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time

import pytest

from components.conversation.exchange import Exchange
from components.conversation.history import Conversation
from components.devtools.upstream import (
    FakeUpstream,
    bingcheng_error,
    hang,
    html,
    openai_error,
    sse,
)
from components.images.prepared import PreparedImage, SourceFacts
from components.providers.client import ChatOptions
from components.providers.settings import ClientSettings, resolve_settings
from components.turns import ChatTurn
from tests.state_walk import find_text

KEY = "sk-exchange-0123456789abcdef"
USAGE = {"prompt_tokens": 120, "completion_tokens": 3, "total_tokens": 123}
HANG_S = 10.0  # a generous bound that only catches a hang, never a slow machine
SILENT_S = 10.0  # how long a scripted upstream stays silent: far longer than any test waits


def _settings(up: FakeUpstream, read_timeout: float = 30.0) -> ClientSettings:
    return resolve_settings(
        base_url=up.base_url,
        api_key=KEY,
        model="gpt-4o-mini",
        read_timeout=read_timeout,
        max_retries=0,
        backoff_factor=0,
    )


def _image(payload: bytes = b"jpeg-bytes", tokens: int = 255) -> PreparedImage:
    return PreparedImage(
        data=payload,
        mime="image/jpeg",
        width=10,
        height=10,
        detail="low",
        tokens=tokens,
        tokens_approximate=False,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=SourceFacts(format="JPEG", width=10, height=10, bytes=len(payload)),
        name="a.jpg",
    )


def _ask(up: FakeUpstream, question: str = "这是什么？", **kwargs) -> Exchange:
    turns = [ChatTurn("user", question, (_image(),))]
    return Exchange(turns, ChatOptions(max_tokens=50)).start(_settings(up, **kwargs))


def _wait_until_reading_ends(exchange: Exchange, timeout: float = 3.0) -> None:
    def readers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith(exchange.thread_name)]

    deadline = time.monotonic() + timeout
    while readers() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not readers(), "the exchange still reads a stream nobody wants"


def test_the_meta_record_says_how_many_times_the_question_went_out(upstream):
    settings = dataclasses.replace(_settings(upstream), max_retries=2)
    upstream.enqueue(openai_error(429, "slow down", headers={"Retry-After": "0"}))
    answered = Exchange([ChatTurn("user", "?")]).start(settings)
    assert "".join(answered.follow(poll_s=0.05)) == "你好"
    assert answered.answer.meta.attempts == 2  # asked again: the 429 said to come back
    upstream.enqueue(html(502, delay=0.05))
    failed = Exchange([ChatTurn("user", "?")]).start(settings)
    list(failed.follow(poll_s=0.05))
    assert failed.answer.meta.outcome == "error" and failed.answer.meta.attempts == 1
    assert len(upstream.requests) == 3


def test_complete_answer_is_ok_with_one_meta_record(upstream):
    upstream.enqueue(sse(["这是", "一个橙子。"], usage=USAGE, model="gpt-4o-mini-2024-07-18"))
    exchange = _ask(upstream)
    assert "".join(exchange.follow()) == "这是一个橙子。"
    answer = exchange.answer
    assert answer.text == "这是一个橙子。" and answer.error is None
    meta = answer.meta
    assert meta.outcome == "ok" and meta.finish_reason == "stop"
    assert meta.model == "gpt-4o-mini-2024-07-18" and meta.requested_model == "gpt-4o-mini"
    assert (meta.usage.prompt_tokens, meta.usage.completion_tokens) == (120, 3)
    # gpt-4o-mini's figure for a low-detail picture, the same as the estimate recorded with it
    # (not the 255 the fixture claims: one picture-token path)
    assert meta.image_tokens == meta.prompt_estimate.image_tokens == 2_833
    assert 0 < meta.ttft_s <= meta.total_s
    sent = upstream.requests[0]
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert sent.json["max_tokens"] == 50
    assert sent.json["messages"][0]["content"][0] == {"type": "text", "text": "这是什么？"}


def test_text_is_handed_on_before_the_answer_ends(upstream):
    upstream.enqueue(sse(["先到", "后到"], stall_after=1, stall=SILENT_S))
    exchange = _ask(upstream)
    pieces = exchange.follow()
    assert next(pieces) == "先到"
    assert not exchange.finished  # the upstream is still silent: nothing waited for the end
    exchange.stop()
    assert list(pieces) == []
    assert exchange.answer.text == "先到"


def test_cut_stream_keeps_partial_text_as_interrupted(upstream):
    upstream.enqueue(sse(["前半句，", "后半句"], cut_after=1))
    exchange = _ask(upstream)
    assert "".join(exchange.follow()) == "前半句，"
    answer = exchange.answer
    assert answer.meta.outcome == "interrupted" and answer.text == "前半句，"
    assert answer.error.kind == "interrupted"
    assert answer.meta.usage is None and answer.meta.finish_reason is None


def test_provider_refusal_is_an_error_with_its_kind(upstream):
    upstream.enqueue(bingcheng_error(900))
    exchange = _ask(upstream)
    assert list(exchange.follow()) == []
    answer = exchange.answer
    assert answer.meta.outcome == "error" and answer.text == ""
    assert answer.error.kind == "auth" and answer.error.vendor_code == 900
    assert answer.meta.ttft_s is None and answer.meta.total_s is not None


def test_stop_before_the_first_byte_is_final_at_once(upstream):
    upstream.enqueue(hang())  # the provider never says a word while the test runs
    exchange = _ask(upstream)
    upstream.wait_for_requests(1)
    assert exchange.wait(0, timeout=0.2) is False  # nothing has come, nothing is final
    stopper = threading.Thread(target=exchange.stop)
    stopper.start()
    stopper.join(HANG_S)  # only a hang fails this: the provider would answer in an hour
    assert not stopper.is_alive(), "stop() waits for the provider's first byte"
    assert exchange.finished  # final when stop() returns, with nothing waited for
    answer = exchange.answer
    assert answer.meta.outcome == "stopped" and answer.text == "" and answer.error is None


def test_stop_before_the_first_byte_closes_the_silent_socket(upstream):
    upstream.enqueue(dataclasses.replace(sse(["太晚了"]), first_byte_delay=SILENT_S))
    exchange = _ask(upstream)
    upstream.wait_for_requests(1)
    exchange.stop()
    _wait_until_reading_ends(exchange)  # not left blocked until the read timeout


def test_stop_mid_answer_keeps_what_arrived_and_nothing_after(upstream):
    upstream.enqueue(sse(["第一段，", "第二段，", "第三段。"], stall_after=2, stall=SILENT_S))
    exchange = _ask(upstream)
    while exchange.text != "第一段，第二段，":
        assert exchange.wait(len(exchange.text), timeout=5), "the first deltas never came"
    exchange.stop()
    exchange.stop()  # a second Stop changes nothing
    answer = exchange.answer
    assert answer.meta.outcome == "stopped" and answer.text == "第一段，第二段，"
    assert answer.meta.ttft_s is not None
    _wait_until_reading_ends(exchange)  # the rest of the answer is not read
    assert exchange.text == "第一段，第二段，"


def test_silent_provider_times_out_as_an_error(upstream):
    upstream.enqueue(dataclasses.replace(sse(["太晚了"]), first_byte_delay=SILENT_S))
    exchange = _ask(upstream, read_timeout=0.3)
    assert list(exchange.follow()) == []
    assert exchange.answer.meta.outcome == "error"
    assert exchange.answer.error.kind == "timeout"


def test_exchange_never_holds_the_key():
    with FakeUpstream() as gone:
        settings = _settings(gone)
    # Connection refused: the error's cause is requests' exception, which carries the request
    # with its Authorization header.
    exchange = Exchange([ChatTurn("user", "hi")]).start(settings)
    assert list(exchange.follow()) == []
    assert exchange.answer.error.kind == "network"
    assert find_text(exchange, KEY, "exchange") == []


def test_exchange_holds_no_key_while_it_waits(upstream):
    upstream.enqueue(dataclasses.replace(sse(["太晚了"]), first_byte_delay=SILENT_S))
    exchange = _ask(upstream)
    upstream.wait_for_requests(1)
    assert find_text(exchange, KEY, "exchange") == []
    exchange.stop()


def test_started_twice_is_refused(upstream):
    exchange = _ask(upstream)
    with pytest.raises(RuntimeError):
        exchange.start(_settings(upstream))
    list(exchange.follow())


def test_answer_is_recorded_once_whoever_records_it(upstream):
    upstream.enqueue(sse(["好"]))
    conv = Conversation()
    conv.add_user("q")
    exchange = Exchange(conv.request_turns()).start(_settings(upstream))
    assert exchange.record_once(conv.record) is False  # not final yet, or not yet: never twice
    list(exchange.follow())
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(exchange.record_once(conv.record)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert [(e.role, e.text, e.status) for e in conv.entries] == [
        ("user", "q", "ok"),
        ("assistant", "好", "ok"),
    ]
    assert conv.entries[-1].meta is exchange.answer.meta


def test_question_after_a_stopped_answer_is_sent_as_one_user_turn(upstream):
    upstream.enqueue(
        dataclasses.replace(sse(["太晚了"]), first_byte_delay=SILENT_S), sse(["红色。"])
    )
    conv = Conversation()
    photo = _image(b"photo")
    conv.add_user("这是什么？", [photo])
    first = Exchange(conv.request_turns()).start(_settings(upstream))
    upstream.wait_for_requests(1)
    first.stop()
    first.record_once(conv.record)
    conv.add_user("什么颜色？")
    second = Exchange(conv.request_turns()).start(_settings(upstream))
    assert "".join(second.follow()) == "红色。"
    messages = upstream.requests[-1].json["messages"]
    assert [m["role"] for m in messages] == ["user"]
    texts = [p["text"] for p in messages[0]["content"] if p["type"] == "text"]
    assert texts == ["这是什么？\n\n什么颜色？"]  # the unanswered question, and its picture, kept
    assert sum(p["type"] == "image_url" for p in messages[0]["content"]) == 1
