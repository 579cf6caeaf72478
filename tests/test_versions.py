"""Versions of a conversation (issue 21): any question can be edited and any answer asked for
again; what they replace is kept as an earlier version to go back to, with its pictures, and it
survives an export, an import and the stores' JSON; a hostile file's versions are refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.conversation.history import Conversation
from components.conversation.transfer import (
    MAX_ENTRIES,
    MAX_VERSION_DEPTH,
    entry_to_json,
    export_json,
    import_json,
    pictures_named,
)
from components.devtools.image_factory import photo_jpeg
from components.errors import AuthError, TransferError
from components.images.prepare import prepare_image

PHOTOS = tuple(prepare_image(photo_jpeg(200 + 40 * i, 150), name=f"{i}.jpg") for i in range(3))


def _texts(conv: Conversation) -> list[str]:
    return [entry.text for entry in conv.entries]


def _three_turns() -> Conversation:
    conv = Conversation()
    for n in range(3):
        conv.add_user(f"q{n}", [PHOTOS[n]])
        conv.add_answer(f"a{n}")
    return conv


def test_editing_an_earlier_question_goes_on_from_it_and_keeps_what_followed():
    conv = _three_turns()
    before = list(conv.entries)
    edited = conv.edit_question(2, "q1, said better")
    assert _texts(conv) == ["q0", "a0", "q1, said better"]
    assert (edited.version, edited.version_count) == (1, 2)
    # the request asks the edited question after the turns before it, nothing after
    turns = conv.request_turns()
    assert [t.role for t in turns] == ["user", "assistant", "user"]
    assert turns[1].text == "a0" and turns[-1].text == "q1, said better"
    assert turns[-1].images == (PHOTOS[1],)  # its picture goes again
    assert set(conv.images) == {p.sha256 for p in PHOTOS}  # q2's picture kept with version 1
    conv.add_answer("a1, better")
    conv.switch_version(2, 0)
    assert conv.entries[:2] == before[:2] and _texts(conv) == _texts_of(before)
    assert conv.entries[3:] == before[3:]
    assert (conv.entries[2].version, conv.entries[2].version_count) == (0, 2)
    conv.switch_version(2, 1)
    assert _texts(conv) == ["q0", "a0", "q1, said better", "a1, better"]


def _texts_of(entries) -> list[str]:
    return [entry.text for entry in entries]


def test_regenerating_an_earlier_answer_keeps_it_as_a_version():
    conv = _three_turns()
    assert conv.regenerate_at(3) is True
    assert _texts(conv) == ["q0", "a0", "q1"]
    conv.add_answer("a1 again")
    assert conv.entries[2].version_count == 2
    conv.switch_version(2, 0)
    assert _texts(conv) == ["q0", "a0", "q1", "a1", "q2", "a2"]
    assert conv.regenerate_at(2) is False  # a question is not an answer: nothing changes
    assert len(conv.entries) == 6


def test_a_failed_last_answer_asked_again_leaves_no_version():
    conv = Conversation()
    conv.add_user("q")
    conv.add_answer("", status="error", error=AuthError("bad key"))
    assert conv.regenerate() is True
    assert _texts(conv) == ["q"] and conv.entries[0].version_count == 1


def test_versions_within_versions_come_back_as_they_were():
    conv = _three_turns()
    conv.edit_question(4, "q2 b")  # a second version from q2
    conv.add_answer("a2 b")
    conv.edit_question(2, "q1 b")  # then a second version from q1, holding both q2 versions
    conv.add_answer("a1 b")
    conv.switch_version(2, 0)
    assert _texts(conv) == ["q0", "a0", "q1", "a1", "q2 b", "a2 b"]
    assert conv.entries[4].version_count == 2
    conv.switch_version(4, 0)
    assert _texts(conv) == ["q0", "a0", "q1", "a1", "q2", "a2"]
    assert import_json(export_json(conv)) == conv


def test_a_versions_pictures_stay_until_no_version_names_them():
    conv = Conversation()
    conv.add_user("q0", [PHOTOS[0]])
    conv.add_answer("a0")
    conv.add_user("q1", [PHOTOS[1]])
    conv.add_answer("a1")
    conv.edit_question(0, "q0 b")  # q1's picture is only in the earlier version now
    assert PHOTOS[1].sha256 in conv.images
    assert set(pictures_named(entry_to_json(conv.entries[0]))) == {
        PHOTOS[0].sha256,
        PHOTOS[1].sha256,
    }
    conv.delete(0)  # the question goes with its versions
    assert conv.images == {}


def test_switching_to_a_version_that_is_not_there_says_so():
    conv = _three_turns()
    with pytest.raises(ValueError):
        conv.switch_version(0, 1)  # one version only
    with pytest.raises(ValueError):
        conv.switch_version(9, 0)  # no entry there


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("ask"), st.integers(0, 2)),
        st.tuples(st.just("answer"), st.integers(0, 2)),
        st.tuples(st.just("edit"), st.integers(0, 9)),
        st.tuples(st.just("regenerate"), st.integers(0, 9)),
        st.tuples(st.just("switch"), st.integers(0, 9)),
        st.tuples(st.just("delete"), st.integers(0, 9)),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(steps=OPS)
def test_any_edits_switches_and_deletes_export_and_import_unchanged(steps):
    conv = Conversation()
    for n, (kind, i) in enumerate(steps):
        size = len(conv.entries)
        if kind == "ask":
            conv.add_user(f"ask {n}", [PHOTOS[i]])
        elif kind == "answer":
            conv.add_answer(f"answer {n}")
        elif kind == "edit" and i < size and conv.entries[i].role == "user":
            conv.edit_question(i, f"edit {n}")
        elif kind == "regenerate" and i < size:
            conv.regenerate_at(i)
        elif kind == "switch" and i < size:
            entry = conv.entries[i]
            conv.switch_version(i, (entry.version + 1) % entry.version_count)
        elif kind == "delete" and i < size:
            conv.delete(i)
        # every picture kept is named somewhere, and every one named is kept
        assert set(conv.images) == set(conv.image_ids())
    assert import_json(export_json(conv)) == conv


def _file(entries: list, pictures: dict | None = None) -> bytes:
    doc = {"kantu": "conversation", "version": 1, "entries": entries, "pictures": pictures or {}}
    return json.dumps(doc).encode()


def _entry(role: str = "user", text: str = "q", **extra) -> dict:
    return {"role": role, "text": text, "status": "ok", "image_ids": [], **extra}


@pytest.mark.parametrize(
    "entry",
    [
        _entry(versions=[[_entry()]], version=5),  # a place among versions that is not there
        _entry(versions=[[_entry()]]),  # no place
        _entry("assistant", versions=[[_entry()]], version=0),  # versions on an answer
        _entry(versions=[[_entry("assistant", "a")]], version=1),  # a version without question
        _entry(versions=[[]], version=1),  # an empty version
        _entry(versions=[], version=0),
        _entry(versions="q", version=1),
        _entry(versions=[[_entry(image_ids=["f" * 64])]], version=1),  # a picture not in the file
    ],
)
def test_a_file_with_impossible_versions_is_refused(entry):
    with pytest.raises(TransferError) as caught:
        import_json(_file([entry]))
    assert caught.value.reason == "malformed"


def test_versions_nested_too_deep_or_too_many_are_refused_in_bounded_time():
    deep = _entry()
    for _ in range(MAX_VERSION_DEPTH + 1):  # a version holding a question with versions…
        deep = _entry(versions=[[_entry(), _entry("assistant", "a"), deep]], version=1)
    with pytest.raises(TransferError):
        import_json(_file([deep]))
    many = _entry(versions=[[_entry()] for _ in range(MAX_ENTRIES)], version=0)
    with pytest.raises(TransferError):
        import_json(_file([many]))
