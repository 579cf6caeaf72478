"""Saved chats on the chat page (AppTest; no browser, so the browser store's queue is read as
the browser would receive it): each change queues only what changed, New chat can be undone,
and a renamed chat keeps the visitor's title."""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components.conversation.exchange import Exchange
from components.devtools.upstream import FakeUpstream, sse
from components.history.ops import ChatMeta, EntryOp, diff, new_chat_id
from components.history.records import describe
from components.history.server_store import SQLiteChatStore
from components.i18n import t
from components.providers.settings import resolve_settings
from components.turns import ChatTurn
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.access import SQL_CONNECTION
from components.ui.browser_store import BrowserStore
from components.ui.chat_store import Ownership
from components.ui.saved_chats import AnswerWatch, save_when_left
from tests.conftest import entry_app_test
from tests.helpers import OPERATOR_KEY, configured_app, no_exception, page_texts

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _history(at) -> chat_state.HistoryState:
    return session.state_in(at.session_state, chat_state.HistoryState)


def _queued(at) -> list[dict[str, Any]]:
    return BrowserStore(_history(at).book).pending_ops()


def _entries(at) -> list[tuple[str, str, tuple[str, ...]]]:
    conv = session.state_in(at.session_state, chat_state.ChatState).conversation
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
    session.state_in(at.session_state, session.AskState).action = session.RenameChat(
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


# -- a signed-in visitor on another device -------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def server_chats(request, tmp_path, monkeypatch) -> dict[str, Any]:
    """The site's server store of chats: its own SQLite file, or a real PostgreSQL named in the
    secrets as an operator configures it; returns the secrets to add."""
    if request.param == "sqlite":
        monkeypatch.setenv("KANTU_CHATS_PATH", str(tmp_path / "chats.sqlite3"))
        return {}
    url = request.getfixturevalue("postgres_url")
    return {"connections": {SQL_CONNECTION: {"url": url}}}


def _device(upstream: FakeUpstream, secrets: dict[str, Any], user: dict[str, object]) -> Any:
    """A new browser session (a device whose own browser store is empty) of a site with a
    server store, signed in as ``user``."""
    at = entry_app_test()
    at.secrets.update(
        {"KANTU_BASE_URL": upstream.base_url, "KANTU_API_KEY": OPERATOR_KEY, **secrets}
    )
    at.session_state[keys.LANG] = "en"
    at.user = user
    return at.run()


def _listed(at: Any) -> list[Any]:
    return [b for b in at.button if str(b.key).startswith(keys.chat_open_key(""))]


def test_a_signed_in_visitor_finds_their_chat_on_another_device_and_no_one_else_does(
    upstream, server_chats
):
    upstream.default = sse(["A ripe ", "orange."])
    alice = {"is_logged_in": True, "sub": f"alice-{uuid.uuid4()}", "email": "alice@example.com"}
    laptop = _device(upstream, server_chats, alice)
    laptop.chat_input[0].set_value("What fruit is this?").run()
    no_exception(laptop)
    phone = _device(upstream, server_chats, alice)  # her other device: nothing in its browser
    (chat,) = _listed(phone)
    chat.click().run()
    no_exception(phone)
    assert [text for _, text, _ in _entries(phone)] == ["What fruit is this?", "A ripe orange."]
    assert len(upstream.requests) == 1  # nothing asked again
    bob = _device(upstream, server_chats, {"is_logged_in": True, "sub": f"bob-{uuid.uuid4()}"})
    assert not _listed(bob)
    assert "What fruit is this?" not in page_texts(bob)


def _fields(at: Any) -> list[str]:
    return [str(f.key) for f in at.text_input if str(f.key).startswith(keys.chat_title_key(""))]


def test_a_chat_menu_is_drawn_only_while_open_and_renames(upstream, tmp_path, monkeypatch):
    """Each saved chat's ⋯ menu (rename, delete) and "Delete all" draw nothing while closed, so
    a long list costs every rerun a button per chat; opened, the menu works as before."""
    monkeypatch.setenv("KANTU_CHATS_PATH", str(tmp_path / "chats.sqlite3"))
    upstream.default = sse(["A ripe ", "orange."])
    alice = {"is_logged_in": True, "sub": f"alice-{uuid.uuid4()}"}
    at = _device(upstream, {}, alice)
    at.chat_input[0].set_value("first fruit?").run()
    at.button(key=keys.NEW_CHAT).click().run()
    at.chat_input[0].set_value("second fruit?").run()
    no_exception(at)
    at = _device(upstream, {}, alice)
    assert len(_listed(at)) == 2
    assert _fields(at) == []  # two closed menus: no rename field, no delete button
    assert not [b for b in at.button if str(b.key).startswith(keys.chat_delete_key(""))]
    assert not [b for b in at.button if b.key == keys.DELETE_ALL]
    chat_id = str(_listed(at)[0].key).removeprefix(keys.chat_open_key(""))
    at.session_state[keys.chat_menu_key(chat_id)] = True  # the row's ⋯ clicked open
    at.run()
    assert _fields(at) == [keys.chat_title_key(chat_id)]
    at.text_input(key=keys.chat_title_key(chat_id)).set_value("My orange")
    at.button(key=keys.chat_rename_key(chat_id)).click().run()
    no_exception(at)
    assert "My orange" in [b.label.split("\n")[0].strip() for b in _listed(at)]


def _menus(at: Any) -> list[str]:
    """The labels of the page's popover menus (closed ones too)."""

    def walk(node: Any) -> list[Any]:
        children = list(getattr(node, "children", {}).values())
        return children + [n for child in children for n in walk(child)]

    return [n.proto.popover.label for n in walk(at._tree) if getattr(n, "type", "") == "popover"]


def test_search_and_delete_all_come_with_the_second_chat(upstream, tmp_path, monkeypatch):
    """One saved chat lists without a search field or "Delete all" (nothing to search among; its
    own ⋯ deletes it); the second chat brings both."""
    monkeypatch.setenv("KANTU_CHATS_PATH", str(tmp_path / "chats.sqlite3"))
    upstream.default = sse(["A ripe ", "orange."])
    at = _device(upstream, {}, {"is_logged_in": True, "sub": f"alice-{uuid.uuid4()}"})
    at.chat_input[0].set_value("first fruit?").run()
    no_exception(at)
    assert len(_listed(at)) == 1
    assert not [f for f in at.text_input if f.key == keys.CHAT_SEARCH]
    assert t("chats.delete_all", "en") not in _menus(at)
    at.button(key=keys.NEW_CHAT).click().run()
    at.chat_input[0].set_value("second fruit?").run()
    no_exception(at)
    assert len(_listed(at)) == 2
    assert [f.key for f in at.text_input if f.key == keys.CHAT_SEARCH] == [keys.CHAT_SEARCH]
    assert t("chats.delete_all", "en") in _menus(at)
    # a search that leaves one chat keeps its field (to clear it), not "Delete all"
    at.text_input(key=keys.CHAT_SEARCH).set_value("second").run()
    no_exception(at)
    assert len(_listed(at)) == 1
    assert [f.key for f in at.text_input if f.key == keys.CHAT_SEARCH] == [keys.CHAT_SEARCH]
    assert t("chats.delete_all", "en") not in _menus(at)


# -- an answer that ends after its tab has gone (saved_chats.save_when_left) ---------------------


# A visitor known by the secret their browser store keeps (it answers with it)
VISITOR = SimpleNamespace(visitor="visitor-secret-0123456789")
OWNERSHIP = Ownership("salt", subject=None)
OWNER = str(OWNERSHIP.owner(VISITOR.visitor))


def _left_open(up: FakeUpstream, tmp_path: Path) -> tuple[AnswerWatch, SQLiteChatStore]:
    """A chat whose first question was saved, its answer on the way, and its page gone."""
    store = SQLiteChatStore(tmp_path / "chats.sqlite3")
    hist, chat = chat_state.HistoryState(chat_id=new_chat_id(), created=1.0), chat_state.ChatState()
    hist.browser = VISITOR
    chat.conversation.add_user("这是什么？", (), ())
    first = diff(hist.saved, chat.conversation, _describe(hist, chat))
    store.apply(OWNER, first)
    hist.saved = hist.saved.after(first, chat.conversation)
    settings = resolve_settings(
        base_url=up.base_url, api_key="sk-left-0123456789", model="gpt-4o-mini", max_retries=0
    )
    chat.exchange = Exchange([ChatTurn("user", "这是什么？")]).start(settings)
    assert hist.chat_id is not None
    return AnswerWatch(chat.exchange, chat, hist, hist.chat_id, store, OWNERSHIP), store


def _describe(hist: chat_state.HistoryState, chat: chat_state.ChatState) -> ChatMeta:
    assert hist.chat_id is not None
    return describe(chat.conversation, hist.chat_id, created=hist.created, updated=2.0)


def test_an_answer_left_by_its_page_is_recorded_and_saved_to_both_stores(upstream, tmp_path):
    upstream.default = sse(["一只", "橙子。"])
    watch, store = _left_open(upstream, tmp_path)
    assert save_when_left(watch, left_after_s=0)
    texts = [e.text for e in watch.chat.conversation.entries]
    assert texts == ["这是什么？", "一只橙子。"]
    saved = store.load(OWNER, watch.chat_id)
    assert [e["text"] for e in saved.entries] == texts
    queued = BrowserStore(watch.hist.book).pending_ops()  # sent if the visitor comes back
    assert [op["index"] for op in queued if op["op"] == "entry"] == [1]
    assert watch.hist.server_pending == []
    # the page, back on this session, records nothing twice and saves no entry again
    assert not watch.exchange.record_once(watch.chat.conversation.record)
    again = diff(watch.hist.saved, watch.chat.conversation, _describe(watch.hist, watch.chat))
    assert not [op for op in again if isinstance(op, EntryOp)]


def test_an_answer_its_page_recorded_and_saved_or_dropped_is_not_saved_again(upstream, tmp_path):
    upstream.default = sse(["一只橙子。"])
    saved, store = _left_open(upstream, tmp_path / "a")
    saved.exchange.wait_finished(10)
    conv = saved.chat.conversation
    assert saved.exchange.record_once(conv.record)  # the page recorded it, and saved it
    ops = diff(saved.hist.saved, conv, _describe(saved.hist, saved.chat))
    store.apply(OWNER, ops)
    saved.hist.saved = saved.hist.saved.after(ops, conv)
    assert not save_when_left(saved, left_after_s=0)
    assert BrowserStore(saved.hist.book).pending_ops() == []
    dropped, store = _left_open(upstream, tmp_path / "b")
    dropped.exchange.wait_finished(10)
    dropped.chat.exchange = None  # New chat (drop_exchange) while it was coming
    assert not save_when_left(dropped, left_after_s=0)
    assert len(dropped.chat.conversation.entries) == 1
    assert len(store.load(OWNER, dropped.chat_id).entries) == 1


def test_an_answer_recorded_by_a_page_stopped_before_it_saved_is_saved(upstream, tmp_path):
    upstream.default = sse(["一只橙子。"])
    watch, store = _left_open(upstream, tmp_path)
    watch.exchange.wait_finished(10)
    # the page recorded it, then its tab closed before the run that saves (the race at close)
    assert watch.exchange.record_once(watch.chat.conversation.record)
    watch.chat.exchange = None
    assert save_when_left(watch, left_after_s=0.3)
    assert [e["text"] for e in store.load(OWNER, watch.chat_id).entries] == [
        "这是什么？",
        "一只橙子。",
    ]


def test_an_answer_is_saved_for_a_visitor_the_browser_store_named_after_it_was_asked(
    upstream, tmp_path
):
    upstream.default = sse(["一只橙子。"])
    watch, store = _left_open(upstream, tmp_path)
    watch.hist.browser = None  # the question went before the browser store had answered…
    watch.exchange.wait_finished(10)
    watch.hist.browser = VISITOR  # …and it answered, with the visitor's secret, before the end
    assert save_when_left(watch, left_after_s=0)
    assert [e["text"] for e in store.load(OWNER, watch.chat_id).entries] == [
        "这是什么？",
        "一只橙子。",
    ]


def _list_click(answering: bool) -> None:
    """A page's run that hears "Delete all my chats" with a question in the open chat."""
    import streamlit as st

    from components.ui import chat_state, session
    from components.ui.saved_chats import handle

    conv = chat_state.chat().conversation
    if not conv.entries:
        conv.add_user("keep me")
    asks = session.asks()
    asks.action = session.DeleteAllChats()
    handle(session.asked_action(), asks, answering=answering)
    kept = len(chat_state.chat().conversation.entries)
    st.write(f"entries {kept}, click kept {session.asks().action is not None}")


@pytest.mark.parametrize(("answering", "shown"), [(True, "entries 1"), (False, "entries 0")])
def test_a_list_click_that_reaches_the_page_while_an_answer_streams_is_let_go(answering, shown):
    """The chat list rests while an answer streams (its buttons inert on the page): a delete that
    still arrives (a keyboard's Enter on the faded row) is let go undone, and does not wait to
    act after the answer; with no answer coming, it deletes."""
    at = AppTest.from_function(_list_click, args=(answering,), default_timeout=30).run()
    no_exception(at)
    assert [m.value for m in at.markdown] == [f"{shown}, click kept False"]
