"""The SSE decoder frames events from bytes, whatever the newlines and read boundaries."""

from __future__ import annotations

import pytest

from components.errors import OversizedAnswerError
from components.providers.sse import ServerSentEvent, SSEDecoder


def decode_all(chunks: list[bytes]) -> list[ServerSentEvent]:
    return list(SSEDecoder().iter_events(chunks))


def one_byte_at_a_time(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def test_multibyte_character_split_across_reads_is_decoded_whole():
    data = 'data: {"content": "你好，世界"}\n\n'.encode()
    cut = data.index("好".encode()) + 1  # inside the three bytes of 好
    events = decode_all([data[:cut], data[cut:]])
    assert [e.data for e in events] == ['{"content": "你好，世界"}']


def test_every_byte_in_its_own_read_still_decodes():
    data = "data: 看图🖼️\n\ndata: 二\n\n".encode()
    assert [e.data for e in decode_all(one_byte_at_a_time(data))] == ["看图🖼️", "二"]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_any_newline_style_ends_lines_and_events(newline):
    data = b"data: a" + newline + b"data: b" + newline + newline + b"data: c" + newline + newline
    assert [e.data for e in decode_all([data])] == ["a\nb", "c"]
    assert [e.data for e in decode_all(one_byte_at_a_time(data))] == ["a\nb", "c"]


def test_crlf_split_between_reads_is_one_newline():
    events = decode_all([b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"])
    assert [e.data for e in events] == ["a", "b"]


def test_data_without_space_after_colon():
    assert [e.data for e in decode_all([b"data:x\n\ndata:  two spaces\n\n"])] == [
        "x",
        " two spaces",
    ]


def test_comment_and_keepalive_lines_are_ignored():
    decoder = SSEDecoder()
    events = decoder.feed(b": PING\n\n: OPENROUTER PROCESSING\n\ndata: 1\n\n")
    assert [e.data for e in events] == ["1"]


def test_event_name_id_and_retry_are_kept():
    (event,) = decode_all([b"event: error\nid: 7\nretry: 1500\ndata: {}\n\n"])
    assert (event.event, event.id, event.retry, event.data) == ("error", "7", 1500, "{}")


def test_last_event_without_blank_line_is_flushed_at_end():
    assert [e.data for e in decode_all([b"data: a\n\ndata: last"])] == ["a", "last"]


def test_utf8_is_decoded_even_when_latin1_would_be_assumed():
    # requests falls back to ISO-8859-1 for text/* without charset; bytes must not go that way
    data = "data: 中文\n\n".encode()
    assert [e.data for e in decode_all([data])] == ["中文"]


@pytest.mark.parametrize(
    "chunks",
    [[b"\xef\xbb\xbfdata: a\n\n"], [b"\xef", b"\xbb\xbf", b"data: a\n\n"], [b"\xef\xbb", b"\xbf"]],
    ids=["whole", "split", "bom-only-then-end"],
)
def test_a_leading_byte_order_mark_is_dropped(chunks):
    expected = ["a"] if b"data" in b"".join(chunks) else []
    assert [e.data for e in decode_all(chunks)] == expected


def test_a_bom_later_in_the_stream_is_data():
    assert [e.data for e in decode_all([b"data: a\n\n", b"\xef\xbb\xbfdata: b\n\n"])] == ["a"]


def test_a_line_over_the_cap_is_refused_before_it_is_whole():
    decoder = SSEDecoder(max_line_bytes=100)
    decoder.feed(b"data: " + b"x" * 90)
    with pytest.raises(OversizedAnswerError) as info:
        decoder.feed(b"x" * 20)  # still no newline: refused on the bytes so far
    assert info.value.facts["limit"] == "line"


def test_an_event_over_the_cap_is_refused():
    decoder = SSEDecoder(max_line_bytes=100, max_event_bytes=250)
    line = b"data: " + b"x" * 90 + b"\n"
    decoder.feed(line * 2)  # 182 bytes of data so far: within the cap
    with pytest.raises(OversizedAnswerError) as info:
        decoder.feed(line)
    assert info.value.facts["limit"] == "event"
