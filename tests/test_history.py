"""A conversation keeps every question, answer and picture, each image stored once."""

from __future__ import annotations

import hashlib
import itertools

from components.conversation.exchange import Answer, AnswerMeta
from components.conversation.history import Conversation
from components.errors import AuthError, ContentFilterError, ImageError, StreamInterruptedError
from components.images.prepared import PreparedImage, SourceFacts
from components.providers.send_limits import TooManyImagesError
from tests.state_walk import walk


def _image(payload: bytes = b"jpeg-bytes") -> PreparedImage:
    return PreparedImage(
        data=payload,
        mime="image/jpeg",
        width=10,
        height=10,
        detail="auto",
        tokens=8500,
        tokens_approximate=False,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=SourceFacts(format="JPEG", width=10, height=10, bytes=len(payload)),
        name="a.jpg",
    )


def test_same_image_twice_is_stored_once():
    conv = Conversation()
    img = _image()
    conv.add_user("q1", [img])
    conv.add_user("q2", [img])
    assert len(conv.images) == 1
    assert conv.entries[1].image_ids == (img.sha256,)


def test_follow_up_carries_earlier_turns_and_their_images():
    conv = Conversation()
    img = _image()
    conv.add_user("这是什么图片?", [img])
    conv.add_answer("一个橙子。")
    conv.add_user("什么颜色?")
    turns = conv.request_turns()
    assert [turn.role for turn in turns] == ["user", "assistant", "user"]
    assert turns[0].images == (img,)
    assert turns[1].text == "一个橙子。"


def test_failed_answer_is_recorded_and_not_sent_again():
    conv = Conversation()
    conv.add_user("q")
    conv.add_answer("", status="error", error=AuthError("bad key"))
    assert conv.entries[-1].error.kind == "auth"
    assert [turn.role for turn in conv.request_turns()] == ["user"]
    assert conv.can_retry()
    conv.drop_failed_answer()
    assert [e.role for e in conv.entries] == ["user"]


def test_cut_answer_keeps_its_partial_text_marked():
    conv = Conversation()
    conv.add_user("q")
    err = StreamInterruptedError("cut", partial_text="half an ans")
    meta = AnswerMeta(outcome="interrupted", requested_model="gpt-4o-mini", total_s=1.5)
    entry = conv.record(Answer("half an ans", meta, err))
    assert (entry.status, entry.text, entry.meta) == ("interrupted", "half an ans", meta)
    assert entry.error.kind == "interrupted"
    assert [turn.text for turn in conv.request_turns()] == ["q", "half an ans"]
    assert conv.can_retry()


def test_question_after_an_unanswered_one_is_folded_into_one_user_turn():
    conv = Conversation()
    first, second = _image(b"first"), _image(b"second")
    conv.add_user("这是什么？", [first])
    conv.record(Answer("", AnswerMeta(outcome="stopped", requested_model="m")))
    conv.add_user("什么颜色？", [second, first])
    turns = conv.request_turns()
    assert [turn.role for turn in turns] == ["user"]
    assert turns[0].text == "这是什么？\n\n什么颜色？"
    assert turns[0].images == (first, second)  # each picture once
    conv.add_answer("红色。")
    conv.add_user("还有呢？")
    assert [turn.role for turn in conv.request_turns()] == ["user", "assistant", "user"]


def test_a_question_refused_for_its_content_is_not_sent_again_with_the_next():
    conv = Conversation()
    conv.add_user("违规的问题")
    conv.add_answer("", status="error", error=ContentFilterError("内容安全", vendor_code=402))
    pile = [_image(bytes([i])) for i in range(12)]
    conv.add_user("这些是什么？", pile)
    conv.add_answer("", status="error", error=TooManyImagesError(count=12, cap=10))
    conv.add_user("这张呢？", [_image(b"one")])
    turns = conv.request_turns()
    assert [(turn.role, turn.text, len(turn.images)) for turn in turns] == [("user", "这张呢？", 1)]
    # a failure that says nothing about the question (the key) still folds it in
    conv.add_answer("", status="error", error=AuthError("bad key"))
    conv.add_user("再试一次")
    assert [turn.text for turn in conv.request_turns()] == ["这张呢？\n\n再试一次"]


def test_roles_always_alternate_whatever_ended_each_answer():
    conv = Conversation()
    for i, (text, status) in enumerate(
        [("", "error"), ("部分", "interrupted"), ("", "stopped"), ("好", "ok"), (" ", "stopped")]
    ):
        conv.add_user(f"q{i}")
        conv.add_answer(text, status=status)
        roles = [turn.role for turn in conv.request_turns()]
        assert all(a != b for a, b in itertools.pairwise(roles)), roles
        assert roles[0] == "user"


def test_refused_image_is_named_in_both_languages():
    conv = Conversation()
    refusal = ImageError("not_image", "notes.txt")
    entry = conv.add_user("q", [], [refusal], sent=False)
    assert "notes.txt" in entry.refusals[0].message("en")
    assert "notes.txt" in entry.refusals[0].message("zh")
    assert conv.request_turns() == []


def test_history_holds_each_picture_once_and_no_base64():
    conv = Conversation()
    photo, other = _image(b"photo-bytes"), _image(b"other-bytes")
    conv.add_user("q", [photo, other])
    conv.add_answer("a")
    conv.add_user("again", [photo])
    conv.request_turns()  # building a request must not leave data URLs behind
    values = [value for _, value in walk(conv)]
    blobs = [v for v in values if isinstance(v, bytes | bytearray)]
    assert sorted(blobs) == sorted([photo.data, other.data])  # each picture's bytes, once
    texts = [v for v in values if isinstance(v, str)]
    assert not [t for t in texts if "base64" in t or t.startswith("data:")]
