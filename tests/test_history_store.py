"""Saved chats on the server: what is saved comes back whole, only what changed moves, owners
never meet, caps refuse rather than lose, share links open, expire and revoke, and a database
that goes away ends in a clear error with what was saved still there. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.devtools.image_factory import photo_jpeg, screenshot_png
from components.errors import HistoryError
from components.history.ops import (
    EntryOp,
    PictureOp,
    SavedState,
    diff,
    new_chat_id,
    op_from_json,
    op_to_json,
)
from components.history.records import conversation_of, describe
from components.history.server_store import (
    CHATS,
    ENTRIES,
    PICTURES,
    REFS,
    SHARES,
    ChatStore,
    SQLAlchemyChatStore,
    SQLiteChatStore,
    owner_key,
)
from components.history.settings import HistorySettings
from components.images.prepare import prepare_image
from components.usage import Usage

PICTURES_POOL = (
    prepare_image(photo_jpeg(640, 480), name="猫.jpg"),
    prepare_image(screenshot_png(800, 600), name="screen.png"),
    prepare_image(photo_jpeg(300, 500), name="tall.jpg"),
)
NOW = 1_800_000_000.0


def _engine_store(url: str, **kwargs) -> Iterator[SQLAlchemyChatStore]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    engine = create_engine(url, pool_pre_ping=True)
    with engine.begin() as db:  # each test starts from empty tables
        for table in (CHATS, ENTRIES, PICTURES, REFS, SHARES):
            db.execute(text(f"DROP TABLE IF EXISTS {table}"))
    yield SQLAlchemyChatStore(lambda: Session(engine), **kwargs)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path) -> Iterator[ChatStore]:
    """An empty store on each backend: the SQLite file and SQLAlchemy on a real PostgreSQL."""
    if request.param == "sqlite":
        yield SQLiteChatStore(tmp_path / "chats.sqlite3")
    else:
        yield from _engine_store(request.getfixturevalue("postgres_url"))


class Saver:
    """What the UI does on each rerun: diff against the last save, apply, remember."""

    def __init__(self, store: ChatStore, owner: str, chat: str | None = None) -> None:
        self.store, self.owner = store, owner
        self.chat = chat or new_chat_id()
        self.state = SavedState()
        self.moved: list = []

    def save(self, conv: Conversation, now: float = NOW, title: str | None = None) -> list:
        meta = describe(conv, self.chat, created=NOW, updated=now, title=title)
        ops = diff(self.state, conv, meta)
        self.store.apply(self.owner, ops)
        self.state = self.state.after(ops, conv)
        self.moved = ops
        return ops


def _answer(conv: Conversation, text: str) -> None:
    meta = AnswerMeta("ok", "gpt-4o-mini", "gpt-4o-mini", "stop", Usage(900, 20, 920), 850)
    conv.add_answer(text, meta=meta)


def _chat_with(turns: int, pictures: bool = True) -> Conversation:
    conv = Conversation()
    for n in range(turns):
        images = [PICTURES_POOL[n % len(PICTURES_POOL)]] if pictures else []
        conv.add_user(f"问题 {n}: 这是什么？", images)
        _answer(conv, f"Answer {n}: a cat on a mat.")
    return conv


def _same(a: Conversation, b: Conversation) -> None:
    assert a.entries == b.entries
    assert {s: a.images[s] for s in a.image_ids()} == b.images


def test_a_saved_chat_comes_back_whole(any_store):
    conv = _chat_with(3)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    loaded = any_store.load("owner-a", saver.chat)
    _same(conv, conversation_of(loaded))
    assert loaded.meta.title == "问题 0: 这是什么？"
    assert (loaded.meta.turns, loaded.meta.pictures) == (3, 3)


def test_only_the_new_turn_moves(any_store):
    conv = _chat_with(5)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    assert saver.save(conv, now=NOW + 1) == []  # a rerun with nothing new moves nothing
    photo = PICTURES_POOL[0]  # already saved: not sent again
    conv.add_user("And this one?", [photo])
    _answer(conv, "The same cat.")
    ops = saver.save(conv, now=NOW + 2)
    assert [type(op).__name__ for op in ops] == ["ChatOp", "EntryOp", "EntryOp"]
    assert [op.index for op in ops if isinstance(op, EntryOp)] == [10, 11]
    _same(conv, conversation_of(any_store.load("owner-a", saver.chat)))


def test_a_new_picture_moves_once_before_its_entry(any_store):
    conv = _chat_with(1, pictures=False)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    conv.add_user("Two new pictures", [PICTURES_POOL[1], PICTURES_POOL[2]])
    ops = saver.save(conv)
    assert [type(op).__name__ for op in ops] == ["ChatOp", "PictureOp", "PictureOp", "EntryOp"]


def test_regenerated_answer_and_deleted_question_are_saved(any_store):
    conv = _chat_with(3)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    assert conv.regenerate()
    _answer(conv, "A better answer.")
    ops = saver.save(conv)
    # the question, now holding the first answer as an earlier version, and the new answer
    assert [op.index for op in ops if isinstance(op, EntryOp)] == [4, 5]
    assert not [op for op in ops if isinstance(op, PictureOp)]  # its picture was sent already
    conv.delete(2)  # the second question and its answer
    ops = saver.save(conv)
    assert type(ops[1]).__name__ == "TruncateOp"
    loaded = conversation_of(any_store.load("owner-a", saver.chat))
    _same(conv, loaded)
    assert len(loaded.images) == 2  # the deleted question's picture is dropped


def test_ops_survive_their_json(any_store):
    conv = _chat_with(2)
    ops = diff(SavedState(), conv, describe(conv, new_chat_id(), created=NOW, updated=NOW))
    wire = json.loads(json.dumps([op_to_json(op) for op in ops]))
    any_store.apply("owner-a", [op_from_json(raw) for raw in wire])
    assert len(any_store.list_chats("owner-a")) == 1


def test_damaged_ops_change_nothing(any_store):
    conv = _chat_with(2)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    entry = EntryOp(saver.chat, 7, {"role": "user", "text": "gap", "image_ids": []})
    with pytest.raises(HistoryError) as caught:
        any_store.apply("owner-a", [entry])
    assert caught.value.reason == "damaged"
    dangling = EntryOp(saver.chat, 4, {"role": "user", "text": "x", "image_ids": ["a" * 64]})
    with pytest.raises(HistoryError):
        any_store.apply("owner-a", [dangling])
    with pytest.raises(HistoryError):
        op_from_json({"op": "entry", "chat": "short", "index": 0, "entry": {}})
    _same(conv, conversation_of(any_store.load("owner-a", saver.chat)))


def test_text_that_is_not_unicode_is_refused_and_changes_nothing(any_store):
    conv = _chat_with(1)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    conv.add_user("half a pair: \ud800")  # json.loads lets a hand-made file carry one
    with pytest.raises(HistoryError) as caught:
        saver.save(conv)
    assert caught.value.reason == "damaged"
    assert len(any_store.load("owner-a", saver.chat).entries) == 2


def test_list_is_newest_first_and_rename_keeps_the_title(any_store):
    chats = []
    for n in range(3):
        conv = _chat_with(1, pictures=False)
        saver = Saver(any_store, "owner-a")
        saver.save(conv, now=NOW + n)
        chats.append((saver, conv))
    assert [m.id for m in any_store.list_chats("owner-a")] == [s.chat for s, _ in chats][::-1]
    saver, conv = chats[0]
    any_store.rename("owner-a", saver.chat, "我的猫")
    meta = any_store.load("owner-a", saver.chat).meta
    assert (meta.title, meta.title_edited) == ("我的猫", True)
    with pytest.raises(HistoryError) as caught:
        any_store.rename("owner-a", "x" * 22, "nope")
    assert caught.value.reason == "not_found"


def test_search_finds_words_in_questions_and_answers(any_store):
    texts = [("这只猫是什么品种？", "It is a Maine Coon."), ("Read the receipt", "Total ¥42_00%")]
    ids = []
    for question, answer in texts:
        conv = Conversation()
        conv.add_user(question)
        _answer(conv, answer)
        saver = Saver(any_store, "owner-a")
        saver.save(conv)
        ids.append(saver.chat)
    assert [m.id for m in any_store.search("owner-a", "猫")] == [ids[0]]
    assert [m.id for m in any_store.search("owner-a", "maine COON")] == [ids[0]]
    assert [m.id for m in any_store.search("owner-a", "42_00%")] == [ids[1]]
    assert any_store.search("owner-a", "4%0") == []  # LIKE's wildcards are only characters
    assert any_store.search("owner-a", "猫 receipt") == []
    assert any_store.search("owner-b", "猫") == []


def test_two_owners_never_see_each_others_chats_or_shares(any_store):
    conv = _chat_with(2)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    token = any_store.share("owner-a", saver.chat, NOW)
    assert any_store.list_chats("owner-b") == []
    assert any_store.list_shares("owner-b") == []
    with pytest.raises(HistoryError):
        any_store.load("owner-b", saver.chat)
    with pytest.raises(HistoryError):
        any_store.revoke("owner-b", any_store.list_shares("owner-a")[0].id, NOW)
    thief = Saver(any_store, "owner-b", chat=saver.chat)  # same id, another owner
    thief.save(_chat_with(1, pictures=False))
    _same(conv, conversation_of(any_store.load("owner-a", saver.chat)))
    any_store.delete_all("owner-b")
    _same(conv, conversation_of(any_store.open_share(token, NOW)))
    assert owner_key("salt", visitor_secret="s1") != owner_key("salt", visitor_secret="s2")
    assert owner_key("salt", subject="s1") != owner_key("salt", visitor_secret="s1")


def test_delete_and_delete_all(any_store):
    first, second = Saver(any_store, "owner-a"), Saver(any_store, "owner-a")
    first.save(_chat_with(2))
    second.save(_chat_with(1))
    any_store.delete("owner-a", first.chat)
    assert [m.id for m in any_store.list_chats("owner-a")] == [second.chat]
    conversation_of(any_store.load("owner-a", second.chat))  # its shared picture stays
    any_store.share("owner-a", second.chat, NOW)
    any_store.delete_all("owner-a")
    assert any_store.list_chats("owner-a") == [] and any_store.list_shares("owner-a") == []
    assert any_store.usage("owner-a").bytes == 0


def test_caps_refuse_and_keep_what_was_saved(request, tmp_path):
    limits = HistorySettings(max_bytes=20_000, max_chats=2)
    store = SQLiteChatStore(tmp_path / "c.sqlite3", limits)
    savers = [Saver(store, "owner-a") for _ in range(3)]
    savers[0].save(_chat_with(1, pictures=False))
    savers[1].save(_chat_with(1, pictures=False))
    with pytest.raises(HistoryError) as caught:
        savers[2].save(_chat_with(1, pictures=False))
    assert caught.value.reason == "full_count" and "2" in caught.value.message("zh")
    assert len(store.list_chats("owner-a")) == 2
    conv = _chat_with(1, pictures=False)
    savers[0].save(conv)
    big = prepare_image(photo_jpeg(2000, 2000), name="big.jpg", detail="high")
    conv.add_user("big", [big, *PICTURES_POOL])
    with pytest.raises(HistoryError) as caught:
        savers[0].save(conv)
    assert caught.value.reason == "full_bytes" and "MB" in caught.value.message("en")
    back = conversation_of(store.load("owner-a", savers[0].chat))
    assert len(back.entries) == 2 and back.images == {}


def test_share_opens_a_frozen_copy_until_revoked(any_store):
    conv = _chat_with(2)
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    token = any_store.share("owner-a", saver.chat, NOW)
    assert len(token) >= 32  # 24 random bytes: 192 bits
    conv.add_user("later, not shared")
    saver.save(conv)
    shared = any_store.open_share(token, NOW + 60)
    assert len(shared.entries) == 4
    _same(_chat_with(2), conversation_of(shared))
    stored = json.dumps(shared.to_json())
    assert "owner-a" not in stored and token not in stored and saver.chat not in stored
    (info,) = any_store.list_shares("owner-a")
    assert info.live(NOW) and info.chat == saver.chat
    any_store.revoke("owner-a", info.id, NOW + 120)
    with pytest.raises(HistoryError) as revoked:
        any_store.open_share(token, NOW + 180)
    with pytest.raises(HistoryError) as unknown:
        any_store.open_share("x" * 32, NOW)
    assert revoked.value.message("en") == unknown.value.message("en")
    assert not any_store.list_shares("owner-a")[0].live(NOW + 180)


def test_a_share_holds_the_version_shown_not_the_earlier_ones(any_store):
    conv = Conversation()
    conv.add_user("what is this", [PICTURES_POOL[0]])
    _answer(conv, "A cat.")
    conv.add_user("a private follow-up", [PICTURES_POOL[1]])
    _answer(conv, "An answer to the follow-up.")
    conv.edit_question(0, "what is this, in one word")  # the follow-up is an earlier version now
    _answer(conv, "Cat.")
    saver = Saver(any_store, "owner-a")
    saver.save(conv)
    assert conversation_of(any_store.load("owner-a", saver.chat)) == conv  # the owner keeps all
    shared = any_store.open_share(any_store.share("owner-a", saver.chat, NOW), NOW + 1)
    stored = json.dumps(shared.to_json(), ensure_ascii=False)
    assert "in one word" in stored and "Cat." in stored
    assert "private follow-up" not in stored and "A cat." not in stored
    assert set(shared.pictures) == {PICTURES_POOL[0].sha256}
    assert conversation_of(shared).entries[0].version_count == 1


def test_share_expires_and_is_rate_limited(tmp_path):
    limits = HistorySettings(share_days=1, shares_per_day=2)
    store = SQLiteChatStore(tmp_path / "c.sqlite3", limits)
    saver = Saver(store, "owner-a")
    saver.save(_chat_with(1))
    token = store.share("owner-a", saver.chat, NOW)
    store.open_share(token, NOW + 86_000)
    with pytest.raises(HistoryError) as caught:
        store.open_share(token, NOW + 86_401)
    assert caught.value.reason == "share_expired"
    store.share("owner-a", saver.chat, NOW + 1)
    with pytest.raises(HistoryError) as caught:
        store.share("owner-a", saver.chat, NOW + 2)
    assert caught.value.reason == "share_rate"
    store.share("owner-a", saver.chat, NOW + 86_402)  # a day later
    small = SQLiteChatStore(tmp_path / "s.sqlite3", HistorySettings(share_max_bytes=1000))
    Saver(small, "owner-a", saver.chat).save(_chat_with(1))
    with pytest.raises(HistoryError) as caught:
        small.share("owner-a", saver.chat, NOW)
    assert caught.value.reason == "share_too_big"


def test_sharing_needs_a_durable_store(tmp_path):
    store = SQLiteChatStore(tmp_path / "c.sqlite3", durable=False)
    saver = Saver(store, "owner-a")
    saver.save(_chat_with(1))
    with pytest.raises(HistoryError) as caught:
        store.share("owner-a", saver.chat, NOW)
    assert caught.value.reason == "not_durable"
    assert "数据库" in caught.value.message("zh")


def test_a_locked_sqlite_file_ends_in_a_clear_error_and_loses_nothing(tmp_path):
    store = SQLiteChatStore(tmp_path / "c.sqlite3")
    conv = _chat_with(2)
    saver = Saver(store, "owner-a")
    saver.save(conv)
    before = saver.state
    blocker = sqlite3.connect(tmp_path / "c.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the file: writes cannot go
    try:
        conv.add_user("while the file is locked")
        with pytest.raises(HistoryError) as caught:
            saver.save(conv)
        assert caught.value.reason == "unavailable"
        assert "稍后" in caught.value.message("zh")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert saver.state == before  # not remembered as saved: the next rerun sends it again
    assert len(conversation_of(store.load("owner-a", saver.chat)).entries) == 4
    saver.save(conv)
    _same(conv, conversation_of(store.load("owner-a", saver.chat)))


class Proxy:
    """A TCP relay on 127.0.0.1 in front of PostgreSQL that can go down: connections cut and
    new ones refused, as when the database server or the network to it dies."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def down(self) -> None:
        self.up = False
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.sockets.clear()

    def close(self) -> None:
        self.down()
        self.listener.close()


def test_postgres_going_down_mid_session_ends_in_a_clear_error_and_loses_nothing(postgres_url):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, make_url

    url = make_url(postgres_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        stores = _engine_store(f"{through}?connect_timeout=5")
        store = next(stores)
        conv = _chat_with(2)
        saver = Saver(store, "owner-a")
        saver.save(conv)
        before = saver.state
        proxy.down()
        conv.add_user("while the database is down", [PICTURES_POOL[2]])
        with pytest.raises(HistoryError) as caught:
            saver.save(conv)
        assert caught.value.reason == "unavailable"
        with pytest.raises(HistoryError):
            store.list_chats("owner-a")
        assert saver.state == before
        proxy.up = True
        assert len(conversation_of(store.load("owner-a", saver.chat)).entries) == 4

        def cut(conn, cursor, statement, *args) -> None:  # mid-save: the picture went, then…
            if statement.startswith(f"INSERT INTO {ENTRIES}"):
                proxy.down()

        event.listen(Engine, "before_cursor_execute", cut)
        try:
            with pytest.raises(HistoryError) as caught:
                saver.save(conv)
            assert caught.value.reason == "unavailable"
        finally:
            event.remove(Engine, "before_cursor_execute", cut)
        proxy.up = True
        back = conversation_of(store.load("owner-a", saver.chat))
        assert len(back.entries) == 4 and PICTURES_POOL[2].sha256 not in back.images
        saver.save(conv)
        _same(conv, conversation_of(store.load("owner-a", saver.chat)))
        stores.close()
    finally:
        proxy.close()


STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("ask"),
            st.text(max_size=30),
            st.lists(st.sampled_from(range(len(PICTURES_POOL))), max_size=3),
        ),
        st.tuples(st.just("answer"), st.text(max_size=30), st.sampled_from(["ok", "stopped"])),
        st.tuples(st.just("regenerate"), st.none(), st.none()),
        st.tuples(
            st.just("edit"),
            st.integers(0, 12),
            st.lists(st.sampled_from(range(len(PICTURES_POOL))), max_size=2),
        ),
        st.tuples(st.just("switch"), st.integers(0, 12), st.integers(0, 3)),
        st.tuples(st.just("delete"), st.integers(0, 12), st.none()),
        st.tuples(st.just("rename"), st.text(max_size=20), st.none()),
    ),
    max_size=12,
)


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory) -> ChatStore:
    return SQLiteChatStore(tmp_path_factory.mktemp("prop") / "c.sqlite3")


@pytest.fixture(scope="module")
def pg_store(postgres_url) -> Iterator[ChatStore]:
    yield from _engine_store(postgres_url)


@pytest.mark.parametrize("backend", ["sqlite_store", "pg_store"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS, owner=st.uuids())
def test_random_conversations_round_trip_through_saves(request, backend, steps, owner):
    store = request.getfixturevalue(backend)
    conv, title = Conversation(), None
    saver = Saver(store, str(owner))
    saver.save(conv)
    for kind, a, b in steps:
        if kind == "ask":
            conv.add_user(a, [PICTURES_POOL[i] for i in b])
        elif kind == "answer":
            conv.add_answer(a, status=b)
        elif kind == "regenerate":
            conv.regenerate()
        elif kind == "edit" and a < len(conv.entries) and conv.entries[a].role == "user":
            conv.edit_question(a, f"edited {a}", [PICTURES_POOL[i] for i in b])
        elif kind == "switch" and a < len(conv.entries) and b < conv.entries[a].version_count:
            conv.switch_version(a, b)
        elif kind == "delete" and a < len(conv.entries):
            conv.delete(a)
        elif kind == "rename":
            title = a
        sent = saver.state.pictures
        ops = saver.save(conv, title=title)
        assert not {op.sha for op in ops if isinstance(op, PictureOp)} & sent  # never twice
    loaded = store.load(str(owner), saver.chat)
    _same(conv, conversation_of(loaded))
    assert saver.save(conv, title=title) == []
