"""Saved chats kept in the visitor's own browser: an invisible ``st.components.v2`` component
over IndexedDB (``frontend/browser_store.js``, a plain ES module passed inline: no build step,
nothing loaded from anywhere; sent to the page once, its data on each run: ``page_script``).

Python hands the component small **ops** (the saved-chats contract, version 1: ``chat``,
``entry``, ``truncate``, ``picture``, ``delete``), never the whole chat. Ops are queued in
numbered batches in the caller's session state; the mount data carries every batch not yet
acknowledged (``{"session", "seq", "ops", "load", "heard"}``) and the browser applies them in one
transaction and acknowledges the highest number (with the next run the person asks for: the
acknowledgement asks for none of its own). A rerun or a reconnect therefore loses nothing
(the ops are sent again until acknowledged, and they are idempotent puts), and once
acknowledged a batch is never sent again: each run moves only what changed. An answer finished
after the page was drawn (no run of its own follows it) goes in a second data element
(``mount_after``), which the store the page has applies and acknowledges as its own.

What comes back: the visitor secret and the chat list once per page load, a loaded chat as
plain dicts (``{"chat", "entries", "pictures"}``, untrusted: the history records module checks
it as it checks an imported file), and typed problems (quota, unavailable, version, damaged,
missing) with a message in both languages. A failed batch is rolled back whole and kept.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args

from components.i18n import Lang, t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.component_data import UNPACK_JS, packed
from components.ui.page_script import PageScript
from components.ui.run_watch import WHEN_NOT_TAKEN_JS

SCHEMA_VERSION = 1
COMPONENT_KEY = keys.BROWSER_STORE  # the component's widget key
STATE_KEY = "kantu_browser_store_book"  # the caller's session state: this store's ledger

Op = dict[str, Any]
_HEARD_KEPT = 8  # report numbers named back to the browser: more than it has on the way
ProblemKind = Literal["quota", "unavailable", "version", "damaged", "missing"]
PROBLEM_KINDS: tuple[ProblemKind, ...] = get_args(ProblemKind)
_MESSAGES: dict[ProblemKind, str] = {
    "quota": "history_browser.quota",
    "unavailable": "history_browser.unavailable",
    "version": "history_browser.version",
    "damaged": "history_browser.damaged",
    "missing": "history_browser.missing",
}

_FRONTEND = Path(__file__).with_name("frontend")
# ``savedText(chat, index)``: the texts this store was handed, for Copy (see ``holds``).
SAVED_TEXTS_JS = _FRONTEND.joinpath("saved_texts.js").read_text("utf-8")

# The script goes to the page once; each run's data beside it (page_script.py).
_store = PageScript(
    "kantu_browser_store",
    WHEN_NOT_TAKEN_JS
    + UNPACK_JS
    + SAVED_TEXTS_JS
    + _FRONTEND.joinpath("browser_store.js").read_text("utf-8"),
)


@dataclass(frozen=True)
class StoreProblem:
    """Something the browser store could not do; ``chat`` names the chat it concerns, if one."""

    kind: ProblemKind
    chat: str | None = None

    def message(self, lang: Lang) -> str:
        """Return what happened and what to do, in ``lang``."""
        return t(_MESSAGES[self.kind], lang, chat=(self.chat or "")[:12])


@dataclass(frozen=True)
class LoadedChat:
    """One chat as the browser returned it: untrusted JSON, checked later by its importer."""

    chat: dict[str, Any]
    entries: list[dict[str, Any]] = field(repr=False)
    pictures: dict[str, dict[str, Any]] = field(repr=False)

    def __repr__(self) -> str:
        return f"LoadedChat({self.chat.get('id')!r}, {len(self.entries)} entries, {len(self.pictures)} pictures)"


@dataclass(frozen=True)
class BrowserState:
    """What the browser store has told this session so far, as of this run.

    ``ready`` once the store answered this page load and can be used; ``chats`` newest first
    (as loaded, then kept in step with the ops queued since); ``damaged`` the chats whose saved
    records are unreadable (left as they are); ``pending`` ops not yet acknowledged;
    ``problems`` what went wrong, each with its message; ``loaded`` the chat that arrived on
    this run, if any; ``newest`` the chat changed last, sent unasked with the store's first
    answer when ``sync(restore=True)`` said it would be wanted (None if not, or unreadable).
    """

    ready: bool
    visitor: str | None = field(repr=False)
    chats: tuple[dict[str, Any], ...]
    damaged: tuple[str, ...]
    pending: int
    problems: tuple[StoreProblem, ...]
    loaded: LoadedChat | None
    sent_bytes: int  # the size of this run's new mount data (0: unchanged, nothing moved)
    newest: LoadedChat | None = None


@dataclass
class _Book:
    """This session's ledger of the store, kept in the caller's session state."""

    # Numbers the batches of this session: the browser restarts its count for another session.
    session: str = field(default_factory=lambda: secrets.token_urlsafe(8))
    seq: int = 0
    batches: list[tuple[int, list[Op]]] = field(default_factory=list)
    ready: bool = False
    visitor: str | None = field(default=None, repr=False)
    chats: dict[str, dict[str, Any]] = field(default_factory=dict)
    damaged: tuple[str, ...] = ()
    load: str | None = None
    write_problem: StoreProblem | None = None  # the last batch's (or the store's) problem
    read_problem: StoreProblem | None = None  # the last load's problem
    sent: dict[str, Any] | None = field(default=None, repr=False)  # the last mount data
    sent_packed: bytes = field(default=b"", repr=False)  # as it is mounted
    heard: tuple[int, ...] = ()  # the numbers of the last reports taken (the browser resends)
    # chat -> (index -> digest of the text the last op queued for that place) (``holds``)
    texts: dict[str, dict[int, bytes]] = field(default_factory=dict, repr=False)


class BrowserStore:
    """The browser store as one session sees it; its ledger lives in ``state`` (session state)."""

    def __init__(self, state: MutableMapping[str, Any]) -> None:
        book = state.get(STATE_KEY)
        if not isinstance(book, _Book):
            book = _Book()
            state[STATE_KEY] = book
        self._book = book

    def queue(self, ops: Iterable[Op]) -> None:
        """Add ``ops`` (contract version 1) as the next batch; sent on the next ``sync``."""
        batch = list(ops)
        if batch:
            self._book.seq += 1
            self._book.batches.append((self._book.seq, batch))
            _apply_to_list(self._book, batch)
            _note_texts(self._book.texts, batch)

    def holds(self, chat: str, index: int, text: str) -> bool:
        """Whether this page already has ``text`` as entry ``index`` of ``chat``: the last op
        queued for that place put exactly this text. The store's script notes every op's text as
        its mount brings it (``frontend/saved_texts.js``, the same rule), before applying it and
        whether or not the browser can keep it; queued ops are mounted on every run until
        acknowledged, so the page has the text by the end of this run at the latest. Copy then
        names the entry instead of carrying the answer a second time."""
        return self._book.texts.get(chat, {}).get(index) == _digest(text)

    def request_load(self, chat_id: str) -> None:
        """Ask for one chat; it arrives as ``BrowserState.loaded`` on a later run."""
        self._book.load = chat_id
        self._book.read_problem = None

    def pending_ops(self) -> list[Op]:
        """Return the ops not yet acknowledged, oldest first."""
        return [op for _, batch in self._book.batches for op in batch]

    def sync(self, ops: Iterable[Op] = (), *, restore: bool = False) -> BrowserState:
        """Queue ``ops``, take what the store said since the last run, and return it.

        ``restore``: the page will open the chat changed last once the store answers; the store
        then sends that chat with its first answer (``BrowserState.newest``), which spares the
        round trip of asking for it. Nothing is mounted yet: call ``mount`` once per page run,
        after the conversation is drawn (see there). Problems come back in
        ``BrowserState.problems``; nothing raises.
        """
        book = self._book
        self.queue(ops)
        # What the browser sent for this run (its acknowledgement and any report), read from the
        # widget's value before mounting: acknowledged batches then leave this run's data
        # instead of travelling once more.
        self._take_status(session.component_value(COMPONENT_KEY, "status"))
        report = session.component_value(COMPONENT_KEY, "report")
        loaded = self._take_report(report)
        newest = _chat_in(report.get("newest")) if isinstance(report, dict) else None
        for chat in (loaded, newest):
            if chat is not None:
                _note_loaded_texts(book.texts, chat)
        pending = self.pending_ops()
        data = {"session": book.session, "seq": book.seq, "ops": pending, "load": book.load}
        data["restore"] = restore
        data["heard"] = list(book.heard)
        if book.sent is not None and (
            book.sent == data
            or (
                not pending
                and not book.sent["ops"]
                and (book.sent["load"], book.sent["heard"]) == (book.load, data["heard"])
            )
        ):
            # Nothing new: the same data again, so the element (and its script) is not re-sent
            # and the browser is not called; it already holds, or is applying, what it names.
            # Acknowledged ops leave it once (a small change the browser finds nothing in):
            # Streamlit serialises the data twice on every run, and a batch may hold photos.
            data = book.sent
        moved = 0
        if data is not book.sent:
            book.sent, book.sent_packed = data, packed(data)
            moved = len(book.sent_packed)
        problems = (book.write_problem, book.read_problem)
        damaged = tuple(StoreProblem("damaged", chat) for chat in book.damaged)
        return BrowserState(
            ready=book.ready,
            visitor=book.visitor,
            chats=tuple(sorted(book.chats.values(), key=_newest_first)),
            damaged=book.damaged,
            pending=len(pending),
            problems=tuple(p for p in problems if p is not None) + damaged,
            loaded=loaded,
            sent_bytes=moved,
            newest=newest,
        )

    def mount(self) -> None:
        """Mount the (invisible) component with the data the last ``sync`` prepared.

        Call it after the page has drawn its pictures. The browser's acknowledgement goes with
        the person's next question or click (``browser_store.js``) and a problem waits for the
        page's run to end, but a report is sent at once, and a rerun stops the run in progress:
        Streamlit then forgets every media file the stopped run had not drawn yet, and a picture
        the browser had not fetched yet would show broken.
        """
        _store.mount(
            COMPONENT_KEY,
            keys.BROWSER_STORE_SCRIPT,
            self._book.sent_packed,
            on_status_change=lambda: None,
            on_report_change=lambda: None,  # a trigger: each report arrives on one run
        )

    def mount_after(self) -> None:
        """Send the batches queued since this run's ``mount`` (an answer recorded after the page
        was drawn) in a second data element: the store's own is mounted once a run.

        It carries those batches alone, and ``after``, the last number the first element's data
        named: the browser applies them only once it has applied that batch (a failed one is
        sent again whole, with these, on the next run), through the store the page already has,
        which acknowledges them as its own."""
        book = self._book
        after = book.sent["seq"] if book.sent is not None else 0
        ops = [op for seq, batch in book.batches if seq > after for op in batch]
        if not ops:
            return
        data = {"session": book.session, "seq": book.seq, "ops": ops, "load": book.load}
        data["after"] = after
        _store.mount_data(keys.BROWSER_STORE_AFTER, packed(data))

    def _take_status(self, status: Any) -> None:
        book = self._book
        if not isinstance(status, dict) or status.get("session") != book.session:
            return  # nothing yet, or the answer to another session's batches
        acked = status.get("acked")
        if isinstance(acked, int):
            book.batches = [(seq, batch) for seq, batch in book.batches if seq > acked]
        kind = status.get("error")
        book.write_problem = _problem(kind) if kind is not None else None

    def _take_report(self, report: Any) -> LoadedChat | None:
        book = self._book
        if not isinstance(report, dict):
            return None
        number = report.get("id")
        if isinstance(number, int) and number not in book.heard:
            book.heard = (*book.heard, number)[-_HEARD_KEPT:]
        ready = report.get("ready")
        if isinstance(ready, dict):
            self._take_ready(ready)
        loaded = report.get("loaded")
        if not isinstance(loaded, dict):
            return None
        book.load = None
        chat = _chat_in(loaded)
        book.read_problem = (
            None if chat is not None else _problem(loaded.get("error"), loaded.get("id"))
        )
        return chat

    def _take_ready(self, ready: dict[str, Any]) -> None:
        book = self._book
        if "error" in ready:
            book.write_problem = _problem(ready["error"])
            return
        visitor, chats, damaged = ready.get("visitor"), ready.get("chats"), ready.get("damaged")
        book.ready = isinstance(visitor, str)
        book.visitor = visitor if isinstance(visitor, str) else None
        if isinstance(chats, list):
            listed = {
                c["id"]: c for c in chats if isinstance(c, dict) and isinstance(c.get("id"), str)
            }
            book.chats = listed
            _apply_to_list(book, self.pending_ops())  # what is queued is newer than the list
        if isinstance(damaged, list):
            book.damaged = tuple(str(chat)[:64] for chat in damaged)


def _chat_in(raw: Any) -> LoadedChat | None:
    """Return the chat a report carries (its shape only: the records are checked on opening),
    or None for none, an error or a wrong shape."""
    if not isinstance(raw, dict) or "error" in raw:
        return None
    chat, entries, pictures = raw.get("chat"), raw.get("entries"), raw.get("pictures")
    if isinstance(chat, dict) and isinstance(entries, list) and isinstance(pictures, dict):
        return LoadedChat(chat, entries, pictures)
    return None


def _problem(kind: Any, chat: Any = None) -> StoreProblem:
    """Return the problem the browser named; anything unexpected counts as damaged."""
    known = cast(ProblemKind, kind) if kind in PROBLEM_KINDS else "damaged"
    return StoreProblem(known, str(chat)[:64] if chat is not None else None)


def _newest_first(meta: dict[str, Any]) -> float:
    updated = meta.get("updated")
    return -float(updated) if isinstance(updated, int | float) else 0.0


def _digest(text: str) -> bytes:
    return hashlib.blake2s(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _note_texts(texts: dict[str, dict[int, bytes]], ops: Iterable[Op]) -> None:
    """Keep ``texts`` as ``savedTexts()`` will be once the page has ``ops``
    (``frontend/saved_texts.js``): an entry's text put, a truncated or deleted chat's dropped."""
    for op in ops:
        chat, kind = op.get("chat"), op.get("op")
        if not isinstance(chat, str):
            continue
        if kind == "entry" and isinstance(op.get("index"), int):
            text = op["entry"].get("text") if isinstance(op.get("entry"), dict) else None
            if isinstance(text, str):
                texts.setdefault(chat, {})[op["index"]] = _digest(text)
            else:
                texts.get(chat, {}).pop(op["index"], None)
        elif kind == "truncate" and isinstance(op.get("length"), int):
            places = texts.get(chat, {})
            for index in [i for i in places if i >= op["length"]]:
                del places[index]
        elif kind == "delete":
            texts.pop(chat, None)


def _note_loaded_texts(texts: dict[str, dict[int, bytes]], loaded: LoadedChat) -> None:
    """Keep ``texts`` as ``savedTexts()`` is once the page has read ``loaded`` (``noteLoadedTexts``
    in ``frontend/saved_texts.js``): its texts fill only the places no op has named."""
    places = texts.setdefault(str(loaded.chat.get("id")), {})
    for index, entry in enumerate(loaded.entries):
        text = entry.get("text") if isinstance(entry, dict) else None
        if isinstance(text, str):
            places.setdefault(index, _digest(text))


def _apply_to_list(book: _Book, ops: Iterable[Op]) -> None:
    """Keep the chat list in step with ops the browser has or will have applied."""
    for op in ops:
        if op.get("op") == "chat" and isinstance(op.get("chat"), dict):
            book.chats[op["chat"]["id"]] = op["chat"]
        elif op.get("op") == "delete":
            book.chats.pop(op.get("chat"), None)  # type: ignore[arg-type]
