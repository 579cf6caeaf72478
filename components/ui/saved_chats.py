"""Keeping chats as they happen: the open chat's changes go to the browser store (and to the
server store when there is one) as small ops, and the chat open last comes back after a reload.

``keep()`` runs once per chat-page run, after the run's changes (question, answer, edit,
regenerate, delete) and before the history is drawn: it diffs the open chat against what the
stores hold (``history.ops.diff``: only what changed moves), queues the ops for the browser store
(``mount_browser_store()`` sends them once the history is drawn), applies the same ops to the
server store, and puts a chat asked for (the last one, after a reload; one
opened from the list) in place when it arrives. The chat list's actions (open, rename, delete,
delete all, New chat, Undo) are here too; delete waits for its undo notice to end before the
stores forget the chat, so Undo gives it back exactly.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import streamlit as st

from components.conversation.exchange import Exchange
from components.conversation.history import Conversation, Entry
from components.errors import HistoryError
from components.history.ops import (
    ChatMeta,
    ChatOp,
    DeleteOp,
    EntryOp,
    Op,
    SavedState,
    diff,
    meta_from_json,
    new_chat_id,
    op_to_json,
)
from components.history.records import conversation_of, describe, loaded_from_json
from components.history.server_store import ChatStore
from components.ui import chat_state, session
from components.ui.browser_store import BrowserStore, LoadedChat
from components.ui.chat import drop_exchange
from components.ui.chat_store import Ownership, ownership, server_store, store_owner

log = logging.getLogger("kantu")

UNDO_S = 8.0  # how long New chat and delete can be taken back


@dataclass(frozen=True)
class OpenChat:
    """The open chat as a whole: what Undo puts back."""

    conversation: Conversation
    chat_id: str | None
    created: float
    title: str | None
    saved: SavedState


@dataclass(frozen=True)
class UndoNotice:
    """What Undo would take back until ``deadline``: the chat that was open (New chat, the open
    chat deleted, a message deleted) and the chat deleted, kept in the stores until the notice
    ends. A message's notice ends early when the chat changes otherwise (``after``: its entries
    once the message was deleted), so Undo never takes back a later question or answer."""

    kind: Literal["new", "delete", "delete_message"]
    deadline: float
    previous: OpenChat | None
    hidden: str | None = None
    after: tuple[Entry, ...] | None = None


# -- saving ---------------------------------------------------------------------------------------


def _send(ops: list[Op]) -> None:
    """Queue ``ops`` for the browser store and the server store."""
    if not ops:
        return
    hist = chat_state.history()
    BrowserStore(hist.book).queue(op_to_json(op) for op in ops)
    hist.server_pending.extend(ops)


def _open_meta(conv: Conversation, now: float) -> ChatMeta:
    hist = chat_state.history()
    if hist.chat_id is None:
        hist.chat_id, hist.created = new_chat_id(), now
    return _meta_of(hist, hist.chat_id, conv, now)


def _meta_of(
    hist: chat_state.HistoryState, chat_id: str, conv: Conversation, now: float
) -> ChatMeta:
    """The list's meta of ``conv`` saved as the open chat ``chat_id``."""
    return describe(conv, chat_id, created=hist.created, updated=now, title=hist.title)


def save_open() -> None:
    """Queue what changed in the open chat since it was last saved (nothing for an empty,
    never saved chat)."""
    hist, conv = chat_state.history(), chat_state.chat().conversation
    with hist.lock:
        if not conv.entries and hist.chat_id is None:
            return
        meta = _open_meta(conv, time.time())
        ops = diff(hist.saved, conv, meta)
        if ops:
            _send(ops)
            hist.saved = hist.saved.after(ops, conv)


def _flush_server() -> None:
    """Apply the ops the server has yet to take; a refusal is kept to show, never a lost chat
    (the browser store holds it, and ops refused because the database is down are retried)."""
    hist = chat_state.history()
    if not hist.server_pending:
        return
    store = server_store()
    owner = store_owner() if store is not None else None
    if store is None or owner is None:
        return  # kept until the browser store names the visitor
    with hist.lock:
        _apply_pending(hist, store, owner, chat_state.chat().conversation)


def _apply_pending(
    hist: chat_state.HistoryState, store: ChatStore, owner: str, conv: Conversation
) -> None:
    """Hand ``hist.server_pending`` to ``store`` (the caller holds ``hist.lock``)."""
    try:
        store.apply(owner, hist.server_pending)
    except HistoryError as err:
        if err.reason != "unavailable":  # unavailable: retried with the next save
            hist.server_pending = []
            if err.reason == "damaged" and _resend_whole(hist, store, owner, conv):
                return
        hist.problem = err
        return
    hist.server_pending = []
    hist.problem = None


def saved_on_server(store: ChatStore, owner: str) -> str:
    """Bring the server's copy of the open chat up to date now and return its id (for a share
    link). Raises HistoryError: full_bytes, full_count, damaged, unavailable."""
    save_open()
    hist, conv = chat_state.history(), chat_state.chat().conversation
    with hist.lock:
        if hist.chat_id is None:
            raise HistoryError("unavailable", "no chat to save")
        if hist.server_pending:
            try:
                store.apply(owner, hist.server_pending)
            except HistoryError as err:
                if err.reason != "damaged" or not _resend_whole(hist, store, owner, conv):
                    raise
            hist.server_pending = []
            hist.problem = None
        return hist.chat_id


def _resend_whole(
    hist: chat_state.HistoryState, store: ChatStore, owner: str, conv: Conversation
) -> bool:
    """Save the open chat whole (the server lacked its start: a store that was reset)."""
    if hist.chat_id is None:
        return False
    meta = _meta_of(hist, hist.chat_id, conv, time.time())
    try:
        store.apply(owner, diff(SavedState(), conv, meta))
    except HistoryError:
        return False
    hist.problem = None
    return True


# -- an answer that ends after its tab has gone ---------------------------------------------------

# How long after an answer ends its page may take to record and save it. A page that is still
# there records it within a poll (``chat.POLL_S``) and saves it on the run that follows; after
# this, the tab is taken to be gone (closed, reloaded, its connection lost: Streamlit stops a
# disconnected session's run) and the answer is saved here.
LEFT_AFTER_S = 3.0
SAVED_POLL_S = 0.2


@dataclass(frozen=True)
class AnswerWatch:
    """What saving an answer needs once its page has gone: objects, never session state."""

    exchange: Exchange
    chat: chat_state.ChatState
    hist: chat_state.HistoryState
    chat_id: str
    store: ChatStore | None
    # the owner is named when saving: the browser store may answer (with the visitor's secret)
    # after the question was sent
    ownership: Ownership | None


def watch_exchange() -> None:
    """See that the running answer is saved even if its tab goes before it ends (once per
    exchange): a thread waits for its end, and if the page has not recorded and saved it soon
    after, records it in the open chat and saves it to both stores (the browser's copy goes if
    the visitor comes back to this session; the server's is there for a new one)."""
    hist, chat = chat_state.history(), chat_state.chat()
    exchange = chat.exchange
    if exchange is None or hist.chat_id is None or hist.watched is exchange:
        return
    hist.watched = exchange
    watch = AnswerWatch(exchange, chat, hist, hist.chat_id, server_store(), ownership())
    threading.Thread(
        target=save_when_left, args=(watch,), name=f"{exchange.thread_name}-keep", daemon=True
    ).start()


def save_when_left(watch: AnswerWatch, left_after_s: float = LEFT_AFTER_S) -> bool:
    """Wait for the answer's end; unless its page records and saves it within ``left_after_s``,
    record it (if no one has) and save it here, as long as its chat is still the one open.
    Return whether it was saved here.

    A page can record the answer and be stopped before the run that saves it (the tab closed
    at that moment): recorded is not enough, the answer must be saved."""
    exchange, hist, chat = watch.exchange, watch.hist, watch.chat
    exchange.wait_finished()
    deadline = time.monotonic() + left_after_s
    if exchange.wait_recorded(left_after_s) and _saved_by(deadline, watch):
        return False  # the page recorded and saved it: this thread lets go of the session
    with hist.lock:
        if hist.chat_id != watch.chat_id:
            return False  # another chat opened meanwhile
        conv = chat.conversation
        if not exchange.wait_recorded(0):
            if chat.exchange is not exchange:
                return False  # dropped unrecorded: New chat
            exchange.record_once(conv.record)
        ops = _unsaved(hist, watch.chat_id, conv)
        if not _moves_entries(ops):
            return False  # saved after all
        BrowserStore(hist.book).queue(op_to_json(op) for op in ops)
        hist.server_pending.extend(ops)
        hist.saved = hist.saved.after(ops, conv)
        owner = watch.ownership.owner(hist.visitor) if watch.ownership is not None else None
        if watch.store is not None and owner is not None:
            _apply_pending(hist, watch.store, owner, conv)
        if hist.server_pending:  # kept for the session's next save, if it comes back
            log.warning(
                "saved chats: an answer that ended after its tab had gone waits to be saved"
            )
        return True


def _unsaved(hist: chat_state.HistoryState, chat_id: str, conv: Conversation) -> list[Op]:
    """The ops that would save what changed in ``conv``, the open chat ``chat_id``."""
    return diff(hist.saved, conv, _meta_of(hist, chat_id, conv, time.time()))


def _moves_entries(ops: list[Op]) -> bool:
    return any(isinstance(op, EntryOp) for op in ops)


def _saved_by(deadline: float, watch: AnswerWatch) -> bool:
    """Wait until the open chat has nothing left to save, or ``deadline`` (monotonic) passes;
    return whether it was saved."""
    hist, chat = watch.hist, watch.chat
    while True:
        with hist.lock:
            if hist.chat_id != watch.chat_id:
                return True  # another chat: what was open is the page's to save
            if not _moves_entries(_unsaved(hist, watch.chat_id, chat.conversation)):
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(SAVED_POLL_S)


# -- what the stores hold -------------------------------------------------------------------------


def listed(words: str = "") -> list[dict[str, Any]]:
    """Return the saved chats (browser and server lists merged, newest first) matching every
    one of ``words``: in titles, and in questions and answers where the server store searches.
    A chat whose delete can still be undone is left out."""
    hist = chat_state.history()
    chats: dict[str, dict[str, Any]] = {}
    shown = hist.browser
    for meta in getattr(shown, "chats", ()):
        chats[str(meta.get("id"))] = meta
    store, owner = server_store(), store_owner()
    found: set[str] = set()
    terms = [w.casefold() for w in words.split()]
    if store is not None and owner is not None:
        try:
            for server_meta in store.list_chats(owner):
                known = chats.get(server_meta.id)
                if known is None or float(known.get("updated", 0)) < server_meta.updated:
                    chats[server_meta.id] = asdict(server_meta)
            if terms:
                found = {meta.id for meta in store.search(owner, words)}
        except HistoryError as err:
            hist.problem = err
    hidden = hist.undo.hidden if hist.undo is not None else None
    kept = [meta for chat_id, meta in chats.items() if chat_id != hidden]
    if terms:
        kept = [
            meta
            for meta in kept
            if meta.get("id") in found
            or all(term in str(meta.get("title", "")).casefold() for term in terms)
        ]
    return sorted(kept, key=lambda meta: -float(meta.get("updated", 0) or 0))


def _put_open(chat: OpenChat) -> None:
    hist, state = chat_state.history(), chat_state.chat()
    drop_exchange()
    state.conversation = chat.conversation
    state.display_copies = {}
    state.pending = None
    state.editing = None
    hist.chat_id, hist.created, hist.title, hist.saved = (
        chat.chat_id,
        chat.created,
        chat.title,
        chat.saved,
    )


def _current() -> OpenChat:
    hist = chat_state.history()
    return OpenChat(
        chat_state.chat().conversation, hist.chat_id, hist.created, hist.title, hist.saved
    )


def _empty() -> OpenChat:
    return OpenChat(Conversation(), None, 0.0, None, SavedState())


def detach(hist: chat_state.HistoryState) -> None:
    """Make the open conversation a new chat (an import): it is saved under a new id. (It takes
    the session's ``HistoryState``: no session read, so a caller can do it in one step with
    putting that conversation in place.)"""
    hist.chat_id, hist.created, hist.title, hist.saved = None, 0.0, None, SavedState()


def _arrived(loaded: LoadedChat) -> None:
    """Put a chat the browser store sent in place, if it is the one asked for."""
    hist = chat_state.history()
    if hist.opening != loaded.chat.get("id"):
        return
    hist.opening = None
    raw = {"chat": loaded.chat, "entries": loaded.entries, "pictures": loaded.pictures}
    _open_loaded(raw)


def _open_loaded(raw: Any) -> list[Op]:
    """Put a loaded chat in place; return the ops that save it whole (none when refused)."""
    hist = chat_state.history()
    try:
        chat = loaded_from_json(raw)
        conv = conversation_of(chat)
    except HistoryError as err:  # edited or damaged: refused as an imported file would be
        hist.problem = err
        return []
    meta = chat.meta
    whole = diff(SavedState(), conv, meta)
    title = meta.title if meta.title_edited else None
    _put_open(OpenChat(conv, meta.id, meta.created, title, SavedState().after(whole, conv)))
    hist.scroll = True
    return whole


def open_chat(chat_id: str, sent: LoadedChat | None = None) -> None:
    """Open a saved chat: asked of the browser store (it arrives on a later run; ``sent``: it
    came already, unasked), or read from the server store when only it holds the chat or its
    copy is newer (an answer that ended after the tab had gone, a chat continued on another
    device); the browser store then gets it whole."""
    hist = chat_state.history()
    if chat_id == hist.chat_id:
        return
    save_open()
    in_browser = [m for m in getattr(hist.browser, "chats", ()) if m.get("id") == chat_id]
    store, owner = server_store(), store_owner()
    on_server: list[ChatMeta] = []
    if store is not None and owner is not None:
        try:
            on_server = [m for m in store.list_chats(owner) if m.id == chat_id]
        except HistoryError as err:  # the browser's copy still opens
            hist.problem = err
    newer_on_server = bool(on_server) and (
        not in_browser or on_server[0].updated > float(in_browser[0].get("updated", 0) or 0)
    )
    if in_browser and not newer_on_server:
        hist.opening = chat_id
        if sent is not None and sent.chat.get("id") == chat_id:
            _arrived(sent)
        else:
            BrowserStore(hist.book).request_load(chat_id)
        return
    if store is None or owner is None or not newer_on_server:
        return
    try:
        whole = _open_loaded(store.load(owner, chat_id).to_json())
    except HistoryError as err:
        hist.problem = err
        return
    BrowserStore(hist.book).queue(op_to_json(op) for op in whole)


def rename_chat(chat_id: str, title: str) -> None:
    """Give a chat the visitor's own title (an empty one is ignored)."""
    title = " ".join(title.split())
    hist = chat_state.history()
    if not title:
        return
    if chat_id == hist.chat_id:
        hist.title = title
        save_open()
        return
    for meta in listed():
        if meta.get("id") == chat_id:
            try:
                renamed = replace(meta_from_json(meta), title=title[:200], title_edited=True)
            except (KeyError, TypeError, ValueError):
                return
            _send([ChatOp(renamed)])


def finish_undo(now: float, *, force: bool = False) -> None:
    """End the undo notice once its time is up (or ``force``, or a message's notice once the
    chat has changed since): a deleted chat leaves the stores."""
    hist = chat_state.history()
    notice: UndoNotice | None = hist.undo
    moved_on = (
        notice is not None
        and notice.after is not None
        and tuple(chat_state.chat().conversation.entries) != notice.after
    )
    if notice is None or (now < notice.deadline and not force and not moved_on):
        return
    hist.undo = None
    if notice.hidden is not None:
        _send([DeleteOp(notice.hidden)])


def new_chat() -> None:
    """Start an empty chat; the one open stays saved and Undo brings it back."""
    finish_undo(time.time(), force=True)
    save_open()
    before = _current()
    _put_open(_empty())
    if before.conversation.entries:
        chat_state.history().undo = UndoNotice("new", time.time() + UNDO_S, before)


def delete_chat(chat_id: str) -> None:
    """Delete a chat once its undo notice ends; the open chat, deleted, leaves an empty one."""
    finish_undo(time.time(), force=True)
    hist = chat_state.history()
    before = None
    if chat_id == hist.chat_id:
        save_open()
        before = _current()
        _put_open(_empty())
    hist.undo = UndoNotice("delete", time.time() + UNDO_S, before, chat_id)


def delete_message(index: int) -> None:
    """Delete the open chat's entry at ``index`` (a question with its answer, or an answer);
    Undo puts it back while its notice shows."""
    finish_undo(time.time(), force=True)
    conv = chat_state.chat().conversation
    copy = Conversation(list(conv.entries), dict(conv.images), dict(conv.low_copies))
    before = replace(_current(), conversation=copy)
    conv.delete(index)
    chat_state.history().undo = UndoNotice(
        "delete_message", time.time() + UNDO_S, before, after=tuple(conv.entries)
    )


def undo() -> None:
    """Take back the New chat or delete whose notice shows: the chat comes back as it was."""
    hist = chat_state.history()
    notice: UndoNotice | None = hist.undo
    finish_undo(time.time())  # a message's notice that the chat has moved past ends here
    if hist.undo is not notice or notice is None or notice.previous is None:
        hist.undo = None
        return
    hist.undo = None
    save_open()
    previous = notice.previous
    if notice.kind == "delete_message":
        # the stores hold the chat without the message: the next save gives it back to them
        previous = replace(previous, saved=hist.saved)
    _put_open(previous)


def delete_all() -> None:
    """Delete every saved chat of this visitor, in both stores, and start an empty chat."""
    hist = chat_state.history()
    hist.undo = None
    ids = [str(meta.get("id")) for meta in listed()]
    _put_open(_empty())
    hist.server_pending = []
    BrowserStore(hist.book).queue(op_to_json(DeleteOp(chat_id)) for chat_id in ids)
    store, owner = server_store(), store_owner()
    if store is not None and owner is not None:
        try:
            store.delete_all(owner)
        except HistoryError as err:
            hist.problem = err


# What the list's buttons cannot do while an answer streams (its page's style makes them inert
# then, chat_list.py): the answer belongs to the chat open.
_NOT_WHILE_ANSWERING = (session.OpenChat, session.DeleteChat, session.DeleteAllChats)


def handle(
    action: session.ChatAction | None, asks: session.AskState, *, answering: bool = False
) -> None:
    """Do the chat list's action asked on the last click, if it is one, letting it go first;
    while an answer is ``answering``, an open or a delete is let go undone."""
    if not isinstance(action, session.LIST_ACTIONS):
        return
    session.let_go(asks)
    if answering and isinstance(action, _NOT_WHILE_ANSWERING):
        return
    match action:
        case session.OpenChat(chat=chat_id):
            open_chat(chat_id)
        case session.RenameChat(chat=chat_id, title=title):
            rename_chat(chat_id, title)
        case session.DeleteChat(chat=chat_id):
            delete_chat(chat_id)
        case session.DeleteAllChats():
            delete_all()
        case session.Undo():
            undo()


# -- once per run ---------------------------------------------------------------------------------


def keep() -> Conversation:
    """Save what changed and return the conversation to draw (a chat that arrived from a store
    is put in place first). ``mount_browser_store()`` must follow on the same run."""
    hist, state = chat_state.history(), chat_state.chat()
    finish_undo(time.time())
    # Until the store has answered, the chat changed last is what an empty page will open.
    restore = not hist.restored and not state.conversation.entries and hist.chat_id is None
    with hist.lock:
        save_open()
        shown = BrowserStore(hist.book).sync(restore=restore)
        hist.browser = shown
        _flush_server()
    watch_exchange()
    if shown.loaded is not None:
        _arrived(shown.loaded)
    elif hist.opening is not None and any(p.chat == hist.opening for p in shown.problems):
        hist.opening = None  # the browser said why (missing, damaged): shown in the list
    if shown.ready and not hist.restored:
        hist.restored = True
        if not state.conversation.entries and hist.chat_id is None and state.exchange is None:
            newest = listed()
            if newest:  # the chat open last is the one changed last
                open_chat(str(newest[0].get("id")), sent=shown.newest)
                if hist.opening is not None:
                    st.rerun()  # the browser store hears the request on the next mount
    return state.conversation


def keep_answer() -> None:
    """Save the answer this run recorded after ``keep()`` and ``mount_browser_store()`` (an
    answer finished in place): to the server store, and to the browser's in an element of its
    own (``BrowserStore.mount_after``)."""
    hist = chat_state.history()
    with hist.lock:
        save_open()
        _flush_server()
        BrowserStore(hist.book).mount_after()


def mount_browser_store() -> None:
    """Send the browser store what ``keep()`` queued: after the history is drawn, so that the
    browser store's report (a rerun) never stops a run before it has drawn the pictures."""
    BrowserStore(chat_state.history().book).mount()
