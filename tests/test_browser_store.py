"""The browser store's Python side without a browser (AppTest: the component never answers):
ops wait until acknowledged and travel in every new mount data until then, a rerun with
nothing new moves nothing, and every problem has its message in both languages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components.i18n import LANGS
from components.ui.browser_store import (
    COMPONENT_KEY,
    PROBLEM_KINDS,
    STATE_KEY,
    BrowserStore,
    StoreProblem,
)
from tests.conftest import ROOT

APP = str(ROOT / "tests" / "apps" / "browser_store_app.py")


def _report(at: AppTest) -> dict[str, Any]:
    assert not at.exception
    return json.loads(at.code[-1].value)


def test_unacknowledged_ops_are_kept_and_sent_again_with_the_new_ones():
    at = AppTest.from_file(APP, default_timeout=60).run()
    first = _report(at)
    assert first["ready"] is False and first["pending"] == 0

    at.button(key="add").click().run()
    one = _report(at)
    assert one["pending"] == 3  # two entries and the chat's meta, until the browser says so
    assert one["chats"] == [one["chat"]]

    at.button(key="add").click().run()
    two = _report(at)
    assert two["pending"] == 6  # the first turn's ops are still there, with the second's
    assert two["sent_bytes"] > one["sent_bytes"]

    at.run()  # a rerun with nothing new: the same data, nothing moved again
    assert _report(at)["sent_bytes"] == 0
    assert _report(at)["pending"] == 6


@pytest.mark.parametrize("kind", PROBLEM_KINDS)
def test_every_problem_says_what_happened_in_each_language(kind):
    messages = {lang: StoreProblem(kind, "chat-id-1234567890").message(lang) for lang in LANGS}
    assert messages["zh"] != messages["en"]
    for message in messages.values():
        assert "{" not in message
        if kind in ("damaged", "missing"):
            assert "chat-id-1234" in message  # which chat, shortened


def test_acknowledged_ops_leave_the_mount_data_once_and_nothing_moves_after():
    """A batch the browser has stored (it may hold photos) is not carried on every later run:
    the next run moves a small change once, then nothing."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state["text"] = "x" * 50_000
    at.button(key="add").click().run()
    batch = _report(at)
    assert batch["pending"] == 3 and batch["sent_bytes"] > 50_000

    book = at.session_state[STATE_KEY]
    at.session_state[COMPONENT_KEY] = {"status": {"session": book.session, "acked": book.seq}}
    at.run()  # the browser said it stored the batch
    acked = _report(at)
    assert acked["pending"] == 0
    assert 0 < acked["sent_bytes"] < 500  # the ops leave the data: a small change, once
    at.run()
    assert _report(at)["sent_bytes"] == 0


def test_the_page_holds_an_answer_exactly_as_the_last_op_for_its_place_put_it():
    """Copy names an answer instead of carrying it only while the store's ops put exactly that
    text at that place: a changed text, a truncated or deleted chat, another chat, an entry
    without text are carried again."""
    store = BrowserStore({})
    chat, other = "a" * 22, "b" * 22
    entry = {"op": "entry", "chat": chat, "entry": {"role": "assistant"}}
    store.queue([{**entry, "index": 1, "entry": {"text": "答案 **一**"}}])
    store.queue([{**entry, "index": 3, "entry": {"text": "second"}}])
    assert store.holds(chat, 1, "答案 **一**") and store.holds(chat, 3, "second")
    assert not store.holds(chat, 1, "答案 **一** ")  # one character more is another answer
    assert not store.holds(other, 1, "答案 **一**") and not store.holds(chat, 2, "答案 **一**")

    store.queue([{**entry, "index": 1, "entry": {"text": "regenerated"}}])
    assert store.holds(chat, 1, "regenerated") and not store.holds(chat, 1, "答案 **一**")
    store.queue([{**entry, "index": 1, "entry": {}}])  # no text: nothing to name
    assert not store.holds(chat, 1, "regenerated")

    store.queue([{**entry, "index": 1, "entry": {"text": "x"}}])
    store.queue([{"op": "truncate", "chat": chat, "length": 2}])
    assert store.holds(chat, 1, "x") and not store.holds(chat, 3, "second")
    store.queue([{**entry, "chat": other, "index": 0, "entry": {"text": "y"}}])
    store.queue([{"op": "delete", "chat": chat}])
    assert not store.holds(chat, 1, "x") and store.holds(other, 0, "y")


def test_a_chat_read_from_the_browser_is_held_where_no_op_named_the_place():
    """A chat restored after a reload or opened from the list is in the page already: Copy names
    its answers too. Where an op of this session named a place, the op's text stands (an op is
    as new as the browser's database or newer; the page keeps the same rule)."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="add").click().run()  # this session's ops: places 0 and 1 of its chat
    chat = _report(at)["chat"]
    texts = ["an older question", "an older answer", "问题二", "答案 **二**"]
    entries = [
        {"role": "user" if i % 2 == 0 else "assistant", "text": s} for i, s in enumerate(texts)
    ]
    other = {"chat": {"id": "o" * 22}, "entries": entries[:2], "pictures": {}}
    at.session_state[COMPONENT_KEY] = {
        "report": {
            "id": 1,
            "loaded": {"chat": {"id": chat}, "entries": entries, "pictures": {}},
            "newest": other,
        }
    }
    at.run()
    store = BrowserStore({STATE_KEY: at.session_state[STATE_KEY]})
    assert store.holds(chat, 2, "问题二") and store.holds(chat, 3, "答案 **二**")
    assert store.holds(chat, 1, "answer 0 " + "x" * 2000)  # the op's, not the database's
    assert not store.holds(chat, 1, "an older answer")
    assert store.holds("o" * 22, 1, "an older answer")  # the chat restored after a reload
    assert not store.holds(chat, 4, "答案 **二**")
