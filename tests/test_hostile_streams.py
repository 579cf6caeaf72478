"""Hostile and broken upstream answers: every one ends in text or a typed ProviderError, within caps.

Property-based (hypothesis; ``KANTU_HYPOTHESIS=long`` for a deep run). Whole answers are served
over the real loopback ``FakeUpstream`` in every framing and encoding, because framing, reads and
decompression are where bytes get split; pure framing properties use the decoder alone.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from components.conversation.exchange import Exchange
from components.devtools.upstream import FakeUpstream, Part, Reply, events, json_reply, sse
from components.errors import (
    OversizedAnswerError,
    ProtocolError,
    ProviderError,
    QuotaError,
    RateLimitError,
    ServerError,
    StreamInterruptedError,
)
from components.i18n import t
from components.providers.client import ChatClient, StreamLimits
from components.providers.presets import get_preset
from components.providers.redaction import KeyScrubber, TextGuard
from components.providers.settings import resolve_settings
from components.providers.sse import SSEDecoder
from components.turns import ChatTurn
from components.usage import Usage

KEY = "sk-hyp-Zq9XvW2kLmN8pR4t"
LIMITS = StreamLimits(
    max_line_bytes=4096, max_event_bytes=8192, max_body_bytes=64 * 1024, max_text_chars=2000
)
SSE_HEADERS = (("Content-Type", "text/event-stream"),)


@pytest.fixture(scope="module")
def loopback() -> Iterator[FakeUpstream]:
    """One upstream for a whole module: hypothesis runs many examples in one test call."""
    with FakeUpstream() as up:
        yield up


def client_for(up: FakeUpstream, limits: StreamLimits = LIMITS) -> ChatClient:
    settings = resolve_settings(
        base_url=up.base_url, api_key=KEY, environ={}, max_retries=0, read_timeout=5
    )
    return ChatClient(replace(settings, preset=get_preset("openai")), limits=limits)


def outcome(up: FakeUpstream, reply: Reply, limits: StreamLimits = LIMITS) -> str | ProviderError:
    """Serve ``reply``; return the answer's text, or the typed error it ended in."""
    up.reset()
    up.enqueue(reply)
    with client_for(up, limits) as client:
        stream = client.stream_chat([ChatTurn("user", "?")])
        try:
            for _ in stream:
                pass
        except ProviderError as err:
            assert len(err.partial_text) <= limits.max_text_chars + 3
            return err
        assert stream.result is not None
        assert len(stream.text) <= limits.max_text_chars + 3  # a masked tail may read "***"
        return stream.text


def chunk(content: object = None, finish: object = None, **extra: object) -> bytes:
    obj = {"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]}
    obj.update(extra)
    return b"data: " + json.dumps(obj, ensure_ascii=False).encode() + b"\n\n"


FINISH = chunk("", "stop")
DONE = b"data: [DONE]\n\n"

# --- the red team's answers, one by one ---------------------------------------------------


def test_content_part_with_a_number_for_text_is_skipped(loopback):
    body = b'data: {"choices":[{"index":0,"delta":{"content":[{"type":"text","text":5}]}}]}\n\n'
    assert outcome(loopback, events([chunk("前"), body, chunk("后"), FINISH, DONE])) == "前后"


def test_infinite_token_counts_leave_usage_unknown(loopback):
    loopback.reset()
    loopback.enqueue(
        events([chunk("答"), b'data: {"choices":[],"usage":{"prompt_tokens":1e999}}\n\n', FINISH])
    )
    with client_for(loopback) as client:
        stream = client.stream_chat([ChatTurn("user", "?")])
        assert list(stream) == ["答"]
        assert stream.result is not None and stream.result.usage is None


def test_infinite_vendor_code_in_an_event_is_a_typed_error(loopback):
    err = outcome(loopback, events([b'data: {"codes": 1e999, "mess": "?"}\n\n']))
    assert isinstance(err, ProtocolError)


def test_vendor_code_after_text_keeps_the_partial_answer(loopback):
    body = [chunk("半"), b'data: {"codes": 300, "mess": "no quota"}\n\n']
    err = outcome(loopback, events(body))
    assert isinstance(err, QuotaError) and err.partial_text == "半"


def usage_of(up: FakeUpstream, usage: object) -> Usage | None:
    """Serve an answer whose last chunk reports ``usage``; return the usage Kantu read."""
    up.reset()
    up.enqueue(
        events(
            [
                chunk("答"),
                FINISH,
                b"data: " + json.dumps({"choices": [], "usage": usage}).encode() + b"\n\n",
                DONE,
            ]
        )
    )
    with client_for(up) as client:
        stream = client.stream_chat([ChatTurn("user", "?")])
        assert list(stream) == ["答"] and stream.result is not None
        return stream.result.usage


@pytest.mark.parametrize(
    ("usage", "read"),
    [
        ({"input_tokens": 1200, "output_tokens": 30}, Usage(1200, 30, 1230)),
        ({"input_tokens": 1200, "output_tokens": 30, "total_tokens": 1230}, Usage(1200, 30, 1230)),
        (
            {
                "input_tokens": 100,
                "output_tokens": 5,
                "input_tokens_details": {"cached_tokens": 80},
            },
            Usage(100, 5, 105),
        ),
        (  # Anthropic counts cache reads and writes apart from input_tokens: all are the prompt
            {
                "input_tokens": 10,
                "cache_creation_input_tokens": 200,
                "cache_read_input_tokens": 1000,
                "output_tokens": 5,
            },
            Usage(1210, 5, 1215),
        ),
        (
            {
                "prompt_tokens": 100,
                "completion_tokens": 5,
                "prompt_tokens_details": {"cached_tokens": 80, "image_tokens": 60},
            },
            Usage(100, 5, 105),
        ),
        (
            {"prompt_tokens": 0, "completion_tokens": 0, "input_tokens": 900, "output_tokens": 9},
            Usage(900, 9, 909),
        ),
    ],
    ids=[
        "responses",
        "responses-total",
        "responses-cached",
        "anthropic-cache",
        "chat-nested",
        "both",
    ],
)
def test_usage_is_read_in_either_naming(loopback, usage, read):
    assert usage_of(loopback, usage) == read


counts = st.integers(0, 10**9)


@given(counts, counts, st.sampled_from(["chat", "responses"]), st.booleans())
def test_any_usage_in_either_naming_reads_the_same(loopback, prompt, completion, naming, total):
    names = (
        ("prompt_tokens", "completion_tokens")
        if naming == "chat"
        else ("input_tokens", "output_tokens")
    )
    usage = dict(zip(names, (prompt, completion), strict=True))
    if total:
        usage["total_tokens"] = prompt + completion
    assert usage_of(loopback, usage) == Usage(prompt, completion, prompt + completion)


# OpenRouter's mid-answer failure: ``error`` beside ``choices``, ``finish_reason: "error"``.
def openrouter_error(code: object, message: str = "Provider disconnected", text: str = "") -> bytes:
    return chunk(text, "error", error={"code": code, "message": message}, provider="openai")


@pytest.mark.parametrize(
    ("code", "kind"),
    [(502, ServerError), ("server_error", ServerError), (429, RateLimitError), (402, QuotaError)],
)
def test_an_error_chunk_beside_choices_is_a_typed_error_keeping_the_text(loopback, code, kind):
    err = outcome(loopback, events([chunk("前"), chunk("半"), openrouter_error(code), DONE]))
    assert isinstance(err, kind) and err.partial_text == "前半"
    assert err.message("zh") == t(err.message_key, "zh", **err.facts)  # the tree's message


def test_text_in_the_error_chunk_itself_is_kept(loopback):
    err = outcome(loopback, events([chunk("前"), openrouter_error(502, text="后"), DONE]))
    assert isinstance(err, ServerError) and err.partial_text == "前后"


def test_finish_reason_error_alone_is_a_server_error(loopback):
    err = outcome(loopback, events([chunk("前"), chunk("", "error"), DONE]))
    assert isinstance(err, ServerError) and err.partial_text == "前"


def test_a_non_streamed_answer_with_an_error_beside_its_choices_is_a_typed_error(loopback):
    body = {
        "choices": [{"index": 0, "message": {"content": "半"}, "finish_reason": "error"}],
        "error": {"code": 502, "message": "Provider disconnected"},
    }
    err = outcome(loopback, json_reply(body))
    assert isinstance(err, ServerError) and err.partial_text == "半"


def test_an_error_chunk_is_recorded_as_an_error_not_an_answer(loopback):
    loopback.reset()
    loopback.enqueue(events([chunk("前"), openrouter_error(502), DONE]))
    settings = resolve_settings(
        base_url=loopback.base_url, api_key=KEY, environ={}, max_retries=0, read_timeout=5
    )
    exchange = Exchange([ChatTurn("user", "?")]).start(settings)
    assert "".join(exchange.follow(poll_s=0.05)) == "前"  # returns once the answer is final
    answer = exchange.answer
    assert answer is not None and answer.meta.outcome == "interrupted"
    assert answer.text == "前" and isinstance(answer.error, ServerError)


@pytest.mark.parametrize("framing", ["chunked", "close", "length"])
def test_five_thousand_brackets_as_sse_data_are_a_typed_error(loopback, framing):
    err = outcome(loopback, events([b"data: " + b"[" * 5000 + b"\n\n"], framing=framing))
    assert isinstance(err, ProtocolError)


@pytest.mark.parametrize(
    "blobs",
    [
        [b"\xef\xbb\xbf" + chunk("甲"), chunk("乙"), FINISH],
        [b"\xef", b"\xbb", b"\xbf" + chunk("甲"), chunk("乙"), FINISH],
        [b"\xef\xbb\xbf\r\n" + chunk("甲") + chunk("乙") + FINISH],
    ],
    ids=["bom", "bom-split", "bom-crlf"],
)
def test_a_bom_before_the_first_event_loses_nothing(loopback, blobs):
    assert outcome(loopback, events(blobs)) == "甲乙"


# --- caps ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blobs", "limit"),
    [
        ([chunk("先"), b"data: " + b"x" * 10_000], "line"),
        ([chunk("先"), b"data: x\n" * 5000 + b"\n"], "event"),
        ([chunk("先"), b": ping\n\n" * 20_000], "body"),
        ([chunk("先"), *[chunk("字" * 500)] * 10], "text"),
    ],
    ids=["line", "event", "body", "text"],
)
def test_each_cap_stops_the_read_with_a_typed_error_and_keeps_the_text(loopback, blobs, limit):
    err = outcome(loopback, events(blobs))
    assert isinstance(err, OversizedAnswerError) and err.facts["limit"] == limit
    assert err.partial_text.startswith("先")
    assert err.kind == "oversized" and err.message("zh") != err.message_key


def test_a_non_streamed_answer_over_the_event_cap_is_refused(loopback):
    body = json.dumps({"choices": [{"message": {"content": "x" * 20_000}}]}).encode()
    err = outcome(loopback, Reply(200, (("Content-Type", "application/json"),), (Part(body),)))
    assert isinstance(err, OversizedAnswerError) and err.facts["limit"] == "event"


def test_a_compression_bomb_is_stopped_at_the_body_cap(loopback):
    bomb = zlib.compress(b"\n" * (50 * 1024 * 1024), 9)  # 50 MB of blank lines in ~50 KB
    reply = Reply(200, (*SSE_HEADERS, ("Content-Encoding", "deflate")), (Part(bomb),), "length")
    err = outcome(loopback, reply)
    assert isinstance(err, OversizedAnswerError) and err.facts["limit"] == "body"


# --- properties ----------------------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
newlines = st.sampled_from([b"\n", b"\r\n", b"\r"])


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True) if b > a]


def valid_stream(deltas: list[str], nl: bytes) -> bytes:
    lines = [chunk(d).replace(b"\n\n", nl + nl) for d in deltas]
    return b"".join(lines) + FINISH.replace(b"\n\n", nl + nl) + DONE.replace(b"\n\n", nl + nl)


@given(st.lists(texts, max_size=8), newlines, st.lists(st.integers(0, 2000), max_size=40))
def test_any_chunking_of_a_stream_gives_the_same_events(deltas, nl, cuts):
    body = valid_stream(deltas, nl)
    whole = [e.data for e in SSEDecoder().iter_events([body])]
    assert [e.data for e in SSEDecoder().iter_events(split_at(body, cuts))] == whole
    assert len(whole) == len(deltas) + 2


@given(
    st.lists(texts, min_size=1, max_size=6),
    newlines,
    st.lists(st.integers(0, 800), max_size=8),
    st.sampled_from(["chunked", "close", "length"]),
    st.sampled_from(["identity", "gzip", "deflate"]),
)
def test_any_chunking_and_framing_over_loopback_gives_the_same_text(
    loopback, deltas, nl, cuts, framing, encoding
):
    assume(KeyScrubber(KEY).dangling("".join(deltas)) == 0)
    body = valid_stream(deltas, nl)
    parts = tuple(Part(p) for p in split_at(body, cuts))
    reply = Reply(200, SSE_HEADERS, parts, framing, encoding=encoding)
    assert outcome(loopback, reply) == "".join(deltas)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=12,
)
chunk_shapes = st.fixed_dictionaries(
    {},
    optional={
        "choices": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "index": json_values,
                    "delta": st.fixed_dictionaries({}, optional={"content": json_values})
                    | json_values,
                    "message": json_values,
                    "finish_reason": json_values,
                },
            )
            | json_values,
            max_size=2,
        )
        | json_values,
        "usage": st.dictionaries(
            st.sampled_from(
                [
                    "prompt_tokens",
                    "completion_tokens",
                    "total_tokens",
                    "input_tokens",
                    "output_tokens",
                    "cache_read_input_tokens",
                    "cache_creation_input_tokens",
                    "prompt_tokens_details",
                ]
            ),
            json_values,
        )
        | json_values,
        "model": json_values,
        "codes": json_values,
        "mess": json_values,
        "error": json_values,
        "message": json_values,
    },
)
hostile_data = st.one_of(
    chunk_shapes.map(lambda obj: json.dumps(obj, ensure_ascii=False).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 6000).map(lambda n: b"[" * n),
    st.integers(1, 3000).map(lambda n: b'{"a":' * n),
    st.sampled_from([b"1e999", b"-1e999", b"NaN", b"9" * 5000, b"[DONE]", b"", b"{"]),
    st.binary(max_size=40),
)
hostile_lines = st.one_of(
    hostile_data.map(lambda d: b"data: " + d),
    hostile_data.map(lambda d: b"data:" + d),
    st.sampled_from([b"", b": ping", b"event: error", b"event: message", b"id: 1", b"retry: x"]),
    st.integers(1000, 9000).map(lambda n: b"data: " + b"a" * n),
    st.binary(max_size=30),
)


@given(
    st.booleans(),
    st.lists(st.tuples(hostile_lines, newlines), max_size=12),
    st.lists(st.integers(0, 5000), max_size=10),
    st.sampled_from(["chunked", "close", "length"]),
    st.sampled_from(["identity", "gzip", "deflate"]),
    st.sampled_from(["ok", "cut"]),
)
def test_hostile_streams_end_in_text_or_a_typed_error(
    loopback, bom, lines, cuts, framing, encoding, end
):
    body = (b"\xef\xbb\xbf" if bom else b"") + b"".join(line + nl for line, nl in lines)
    parts = tuple(Part(p) for p in split_at(body, cuts)) or (Part(b""),)
    reply = Reply(200, SSE_HEADERS, parts, framing, end=end, encoding=encoding)
    result = outcome(loopback, reply)
    assert isinstance(result, (str, ProviderError))


@given(hostile_data, st.sampled_from([200, 400, 401, 500]))
def test_hostile_json_bodies_end_in_text_or_a_typed_error(loopback, data, status):
    reply = Reply(status, (("Content-Type", "application/json"),), (Part(data),), "length")
    result = outcome(loopback, reply)
    if status >= 400:
        assert isinstance(result, ProviderError) and result.status == status


@given(st.binary(max_size=3000), st.lists(st.integers(0, 3000), max_size=20))
def test_the_decoder_alone_raises_nothing_but_the_caps(data, cuts):
    decoder = SSEDecoder(max_line_bytes=256, max_event_bytes=512)
    try:
        for event in decoder.iter_events(split_at(data, cuts)):
            assert len(event.data.encode("utf-8", "surrogatepass")) <= 512 * 3
    except OversizedAnswerError as err:
        assert err.facts["limit"] in {"line", "event"}


@given(texts, texts, st.lists(st.integers(0, 60), max_size=6))
def test_a_key_in_streamed_text_is_masked_wherever_the_deltas_split_it(before, after, cuts):
    scrubber = KeyScrubber(KEY)
    text = before + KEY + after
    guard = TextGuard(scrubber)
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    shown = "".join(guard.push(p) for p in pieces) + guard.flush()
    assert KEY not in shown and "***" in shown
    assert shown.startswith(before[: max(0, len(before) - len(KEY))])


@given(st.lists(texts, max_size=6))
def test_text_without_a_key_streams_through_unchanged(pieces):
    scrubber = KeyScrubber(KEY)
    assume(scrubber.dangling("".join(pieces)) < 4)
    guard = TextGuard(scrubber)
    shown = "".join(guard.push(p) for p in pieces) + guard.flush()
    assert shown == "".join(pieces)


error_codes = st.one_of(
    st.sampled_from([400, 401, 402, 403, 404, 408, 413, 429, 500, 502, 503, 504, 520]),
    st.sampled_from(["server_error", "rate_limit_exceeded", "insufficient_quota", "boom"]),
    st.integers(-(10**6), 10**6),
    texts,
)


@given(st.lists(texts, max_size=5), error_codes, texts, texts, st.booleans())
def test_an_error_chunk_after_any_text_ends_typed_with_that_text(
    loopback, deltas, code, message, tail, finish
):
    assume(KeyScrubber(KEY).dangling("".join(deltas) + tail) == 0)
    error = chunk(tail, "error" if finish else None, error={"code": code, "message": message})
    err = outcome(loopback, events([*(chunk(d) for d in deltas), error, FINISH, DONE]))
    assert isinstance(err, ProviderError) and err.partial_text == "".join(deltas) + tail


def test_sse_builder_still_streams_with_the_default_limits(loopback):
    assert outcome(loopback, sse(["正", "常"]), StreamLimits()) == "正常"
    assert isinstance(outcome(loopback, sse(["断"], cut_after=1)), StreamInterruptedError)
