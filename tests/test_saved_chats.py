"""Saved chats on the chat page (AppTest; no browser, so the browser store's queue is read as
the browser would receive it): each change queues only what changed, New chat can be undone,
and a renamed chat keeps the visitor's title."""

from __future__ import annotations

from typing import Any

import pytest

from components.i18n import t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.browser_store import BrowserStore
from tests.helpers import configured_app, no_exception

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _history(at) -> session.HistoryState:
    return session.state_in(at.session_state, session.HistoryState)


def _queued(at) -> list[dict[str, Any]]:
    return BrowserStore(_history(at).book).pending_ops()


def _entries(at) -> list[tuple[str, str, tuple[str, ...]]]:
    conv = session.state_in(at.session_state, session.ChatState).conversation
    return [(e.role, e.text, e.image_ids) for e in conv.entries]


def test_each_turn_queues_only_what_changed(upstream):
    at = configured_app(upstream, "en")
    at.chat_input[0].set_value("first question").run()
    no_exception(at)
    first = _queued(at)
    assert [op["index"] for op in first if op["op"] == "entry"][-2:] == [0, 1]
    assert first[0]["op"] == "chat"
    at.chat_input[0].set_value("second question").run()
    no_exception(at)
    moved = _queued(at)[len(first) :]
    assert sorted(op["index"] for op in moved if op["op"] == "entry") == [2, 3]
    assert {op["op"] for op in moved} == {"chat", "entry"}
    at.run()  # a rerun with no change moves nothing
    assert len(_queued(at)) == len(first) + len(moved)


def test_new_chat_can_be_undone_exactly(upstream):
    at = configured_app(upstream, "en")
    at.chat_input[0].set_value("keep this chat").run()
    chat_id = _history(at).chat_id
    before = _entries(at)
    assert len(at.chat_message) == 2
    at.button(key=keys.NEW_CHAT).click().run()
    no_exception(at)
    assert len(at.chat_message) == 0
    assert t("chats.new_started", "en") in [m.value for m in at.markdown]
    at.button(key=keys.UNDO).click().run()
    no_exception(at)
    assert _entries(at) == before
    assert len(at.chat_message) == 2
    assert _history(at).chat_id == chat_id
    assert _history(at).undo is None


def test_a_renamed_chat_keeps_its_title(upstream):
    at = configured_app(upstream, "en")
    at.chat_input[0].set_value("what is this").run()
    chat_id = _history(at).chat_id
    # the list shows only what the browser reported (none here): ask as its Save title does
    session.state_in(at.session_state, session.ChatState).action = session.RenameChat(
        chat_id, "  My   photo  "
    )
    at.run()
    no_exception(at)
    metas = [op["chat"] for op in _queued(at) if op["op"] == "chat"]
    assert metas[-1]["title"] == "My photo"
    assert metas[-1]["title_edited"] is True
    at.chat_input[0].set_value("and now?").run()
    metas = [op["chat"] for op in _queued(at) if op["op"] == "chat"]
    assert metas[-1]["title"] == "My photo"  # a new turn keeps the visitor's title
