"""A conversation keeps every question, answer and picture, each image stored once."""

from __future__ import annotations

import hashlib

from components.conversation.history import Conversation, partial_status
from components.errors import AuthError, ImageError, StreamInterruptedError
from components.images.prepared import PreparedImage, SourceFacts


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
    conv.add_answer("half an ans", status=partial_status(err), error=err)
    assert conv.entries[-1].status == "interrupted"
    assert conv.entries[-1].text == "half an ans"


def test_refused_image_is_named_in_both_languages():
    conv = Conversation()
    refusal = ImageError("not_image", "notes.txt")
    entry = conv.add_user("q", [], [refusal], sent=False)
    assert "notes.txt" in entry.refusals[0].message("en")
    assert "notes.txt" in entry.refusals[0].message("zh")
    assert conv.request_turns() == []


def test_history_holds_no_base64_or_upload_objects():
    conv = Conversation()
    conv.add_user("q", [_image()])
    conv.add_answer("a")
    dump = repr(conv.entries)
    assert "base64" not in dump and "data:image" not in dump
