"""Acting on a conversation: regenerate the last answer, edit the last question, delete (any
question's versions: tests/test_versions.py)."""

from __future__ import annotations

import hashlib

import pytest

from components.conversation.history import Conversation
from components.errors import AuthError, ImageError
from components.images.prepared import PreparedImage, SourceFacts


def _image(payload: bytes) -> PreparedImage:
    return PreparedImage(
        data=payload,
        mime="image/jpeg",
        width=10,
        height=10,
        detail="auto",
        tokens=85,
        tokens_approximate=False,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=SourceFacts(format="JPEG", width=10, height=10, bytes=len(payload)),
        name="a.jpg",
    )


def _two_exchanges() -> tuple[Conversation, PreparedImage, PreparedImage]:
    first, second = _image(b"first"), _image(b"second")
    conv = Conversation()
    conv.add_user("q1", [first])
    conv.add_answer("a1")
    conv.add_user("q2", [second])
    conv.add_answer("a2")
    return conv, first, second


def _roles(conv: Conversation) -> list[str]:
    return [turn.role for turn in conv.request_turns()]


def test_regenerate_drops_a_good_last_answer_and_asks_the_same_turns():
    conv, _, _ = _two_exchanges()
    before = conv.request_turns()[:-1]
    assert conv.can_regenerate()
    assert conv.regenerate() is True
    assert [e.text for e in conv.entries] == ["q1", "a1", "q2"]
    assert conv.request_turns() == before


def test_regenerate_after_a_failed_answer_asks_again_too():
    conv = Conversation()
    conv.add_user("q")
    conv.add_answer("", status="error", error=AuthError("bad key"))
    assert conv.regenerate() is True
    assert [e.role for e in conv.entries] == ["user"]


def test_regenerate_does_nothing_without_an_answer_last():
    conv = Conversation()
    assert conv.regenerate() is False
    conv.add_user("q")
    assert not conv.can_regenerate()
    assert conv.regenerate() is False
    assert [e.text for e in conv.entries] == ["q"]


def test_editing_the_last_question_keeps_its_pictures_and_asks_without_its_answer():
    conv, first, second = _two_exchanges()
    extra = _image(b"extra")
    entry = conv.edit_question(2, "q2, said better", [extra])
    assert [e.text for e in conv.entries] == ["q1", "a1", "q2, said better"]
    assert entry.image_ids == (second.sha256, extra.sha256)
    turns = conv.request_turns()
    assert [t.role for t in turns] == ["user", "assistant", "user"]
    assert turns[-1].text == "q2, said better" and turns[-1].images == (second, extra)
    assert set(conv.images) == {first.sha256, second.sha256, extra.sha256}


def test_editing_the_last_question_when_it_has_no_answer_yet():
    conv = Conversation()
    conv.add_user("q", [_image(b"p")])
    conv.edit_question(0, "q again")
    assert [(e.role, e.text) for e in conv.entries] == [("user", "q again")]
    assert len(conv.images_of(conv.entries[0])) == 1


def test_editing_where_there_is_no_question_says_so():
    with pytest.raises(ValueError):
        Conversation().edit_question(0, "q")
    conv, _, _ = _two_exchanges()
    with pytest.raises(ValueError):
        conv.edit_question(1, "an answer is not a question")


def test_deleting_a_question_removes_its_answer_and_its_pictures():
    conv, _, second = _two_exchanges()
    conv.delete(0)
    assert [e.text for e in conv.entries] == ["q2", "a2"]
    assert set(conv.images) == {second.sha256}
    assert _roles(conv) == ["user", "assistant"]


def test_deleting_an_answer_keeps_the_roles_alternating():
    conv, first, second = _two_exchanges()
    conv.delete(1)
    assert [e.text for e in conv.entries] == ["q1", "q2", "a2"]
    turns = conv.request_turns()
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[0].text == "q1\n\nq2" and turns[0].images == (first, second)
    assert set(conv.images) == {first.sha256, second.sha256}  # both still asked about


def test_a_picture_still_used_by_another_question_is_kept():
    shared = _image(b"shared")
    conv = Conversation()
    conv.add_user("q1", [shared])
    conv.add_answer("a1")
    conv.add_user("q2", [shared])
    conv.add_answer("a2")
    conv.delete(2)
    assert set(conv.images) == {shared.sha256}
    conv.delete(0)
    assert conv.entries == [] and conv.images == {}


def test_deleting_the_last_question_without_answer_removes_only_it():
    conv, _, second = _two_exchanges()
    conv.add_user("q3")
    conv.delete(4)
    assert [e.text for e in conv.entries] == ["q1", "a1", "q2", "a2"]
    assert second.sha256 in conv.images


def test_deleting_outside_the_history_raises_index_error():
    with pytest.raises(IndexError):
        Conversation().delete(0)


def test_replacing_with_only_refused_pictures_is_not_sent_unless_old_ones_remain():
    refused = [ImageError("not_image", "notes.txt")]
    conv = Conversation()
    conv.add_user("q")
    assert conv.edit_question(0, "q2", refusals=refused).status == "not_sent"
    conv = Conversation()
    conv.add_user("q", [_image(b"p")])
    assert conv.edit_question(0, "q2", refusals=refused).status == "ok"
