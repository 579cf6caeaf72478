"""This browser session's state: a few typed objects, each made with its defaults on first use.

The only module that touches ``st.session_state``. Each concern keeps one object under one key
(``state_key``): here ``asks()``, ``camera()``, ``compare()``, ``batch()``, ``hosting()``,
``layout()`` and ``share()``; the chat's own (the conversation, the tools, the saved chats) in
``chat_state``, through ``state_of``. Widgets keep their string keys (Streamlit needs them; named
in ``state_keys``) and are read and set through ``widget``, ``set_widget`` and ``forget_widget``,
which refuse any other key. What a callback asks of the chat page is one ``ChatAction``: the
callback sets it (``request``); the page reads it (``asked_action``) and lets it go just before it
acts on it (``let_go``).

Light on purpose: a session's first screen (``first_screen``) is drawn with this module and a few
others, before the conversation's machinery (Pillow, requests, the Markdown parser) is imported.

Objects whose classes belong to other UI modules (a held message, a comparison, a prepared
batch) are typed ``Any`` here, with their class named beside them: those modules use this one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.images.upload import Upload
from components.ui import state_keys as keys

if TYPE_CHECKING:  # an entry's button names its entry; the conversation is not imported here
    from components.conversation.history import Entry

# -- what a callback asks of the chat page, taken once --------------------------------------------


@dataclass(frozen=True)
class Retry:
    """Ask the failed (or cut) last answer again."""


@dataclass(frozen=True)
class NewChat:
    """Start over: the answer coming is dropped, the conversation emptied."""


@dataclass(frozen=True)
class SendPhoto:
    """Send the camera's waiting photo now."""


@dataclass(frozen=True)
class TrySample:
    """Send the welcome's sample picture with ``question`` (no picture of one's own needed)."""

    question: str


@dataclass(frozen=True)
class HeldMessageAction:
    """A held message's button: ``("send",)``, ``("cancel",)``, ``("slices",)``, ``("zoom", …)``."""

    action: tuple[Any, ...]


@dataclass(frozen=True)
class EntryAction:
    """An entry's button: ``verb`` ("regenerate", "delete", "older", "newer": a question's
    versions) on that very ``entry``."""

    verb: str
    entry: Entry


@dataclass(frozen=True)
class OpenChat:
    """Open the saved chat ``chat`` from the chat list."""

    chat: str


@dataclass(frozen=True)
class RenameChat:
    """Give the saved chat ``chat`` the visitor's own ``title``."""

    chat: str
    title: str


@dataclass(frozen=True)
class DeleteChat:
    """Delete the saved chat ``chat`` (with an undo notice)."""

    chat: str


@dataclass(frozen=True)
class DeleteAllChats:
    """Delete every saved chat of this visitor (confirmed first)."""


@dataclass(frozen=True)
class Undo:
    """Take back the last New chat or delete while its notice shows."""


ChatAction = (
    Retry
    | NewChat
    | SendPhoto
    | TrySample
    | HeldMessageAction
    | EntryAction
    | OpenChat
    | RenameChat
    | DeleteChat
    | DeleteAllChats
    | Undo
)
LIST_ACTIONS = (OpenChat, RenameChat, DeleteChat, DeleteAllChats, Undo)  # the chat list's own


# -- the state objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Heard:
    """What the chat input brought: the text and the attached files, as sent."""

    text: str
    uploads: tuple[Upload, ...]


@dataclass
class AskState:
    """What the person asked of the chat page, each kept until the page acts on it: the last
    question the chat input brought, and a button's action."""

    questions_heard: int = 0  # questions the chat input brought (reading.mount_reading)
    heard: Heard | None = None  # the last of them, until the page has acted on it (hear_question)
    action: ChatAction | None = None  # set by a callback, kept until the page acts on it
    click_taken: str | None = None  # the last entry button click turned into ``action``


@dataclass
class CameraState:
    """The camera above the chat input and the photo waiting by it."""

    open: bool = False
    round: int = 0  # bumps to give the camera a fresh key (an empty camera)
    shot: Any = None  # camera.CameraShot: the photo waiting by the input
    photo: Any = None  # (signature, PreparedUploads): that photo, prepared once


@dataclass
class CompareState:
    """The Compare page: the comparison shown, the blind votes, and its buttons' requests."""

    run: Any = None  # compare.CompareRun: the comparison shown (its exchanges run)
    tally: Any = None  # compare.CompareTally: this session's blind votes (made on first use)
    targets: list[tuple[str, str]] = field(default_factory=list)  # the form's columns
    start: bool = False  # set by the Run button, taken by the page
    vote: str | None = None  # a column's label, set by its "best" button
    reveal: bool = False  # set by "reveal without voting"
    growing: dict[str, Any] = field(default_factory=dict)  # each live column's drawn blocks


@dataclass
class BatchState:
    """The Batch page: the pictures prepared once and the job."""

    prepared: Any = None  # ui.batch.Prepared: items prepared once per upload set
    job: Any = None  # batch.job.BatchJob: the running or finished job (holds no key)
    seen_running: bool = False  # the page was drawn while the job ran
    start: bool = False  # set by the Run button, taken by the page
    # set by a finished or running job's button ("cancel", "retry", "new"), taken where it is done
    asked: str | None = None
    poll_s: float = 10.0  # seconds between polls of a provider batch (tests: less)


@dataclass
class HostingState:
    """Who this session is to the operator's ledger, and which codes it entered."""

    identity: tuple[str, float] | None = None  # (random session id, start time)
    access_unlocked: bool = False
    admin_unlocked: bool = False
    reader_visitor: str | None = None  # random id: the local reader's visitor, no address known


@dataclass
class ShareState:
    """The link this session made last (shown until replaced)."""

    link: tuple[str, float] | None = None  # (the link's address, when it expires)
    showing: bool = False  # the dialog with that link is open, until the visitor closes it
    read: int = 0  # on a shared chat's page: how many more messages the reader asked to see
    asked: bool = False  # set by the Share button, taken where the link is made
    revoke: str | None = None  # the share id whose Revoke was clicked, taken where it is done


@dataclass
class LayoutState:
    """This run's sidebar: the choices made and the slots the page fills or redraws."""

    choice: Any = None  # sidebar.SidebarChoice: this run's choices
    slots: tuple[Any, Any] | None = None  # (model tools, sections) containers
    key_status: tuple[Any, Any] | None = None  # (st.empty, sidebar.KeyStatus)
    total_slot: Any = None  # the st.empty for the conversation's total (sidebar_tools)
    calibration_slot: Any = None  # the st.empty for the calibration note (costs)
    new_chat_slot: Any = None  # the st.empty at the sidebar's top, for New chat
    chat_list_slot: Any = None  # the sidebar container under it, for the saved chats
    first_screen_shown: bool = False  # the session's first run is over (first_screen.py)
    settings_drawn: bool = False  # the sidebar's settings were drawn in this session
    # each language-following choice's widget: the value it was last drawn with or clicked to
    # (sidebar.remembered_choice tells a stale value from a click whose callback was stopped)
    choices_seen: dict[str, Any] = field(default_factory=dict)
    # each language-following choice's callback and its arguments, for taking a stopped click
    # before the settings are drawn (sidebar.catch_up_settings)
    choice_callbacks: dict[str, tuple[Any, tuple[Any, ...]]] = field(default_factory=dict)
    # the settings panel, when the page draws it itself once its request has left (settings_panel)
    panel_later: Any = None
    # the settings panel's widgets as its last run left them, by key, as fingerprints of their
    # values (settings_panel: a panel rerun for a click the page shows nothing of, or not); None
    # where that cannot be told
    panel_settled: dict[str, object] | None = None


STATE_PREFIX = "kantu_state."  # a state object's key: its kind's name, e.g. "kantu_state.chat"


def state_key(kind: type) -> str:
    """Return the session-state key of ``kind``'s object (``ChatState``: ``kantu_state.chat``)."""
    return STATE_PREFIX + kind.__name__.removesuffix("State").lower()


T = TypeVar("T")


def state_in(store: MutableMapping[str, Any], kind: type[T]) -> T:
    """Return ``kind``'s object in a session-state mapping (AppTest's too), made with its
    defaults on first use."""
    key = state_key(kind)
    found = store.get(key)  # one look-up: each goes through Streamlit's lock (~80 a run)
    if found is None:
        found = store[key] = kind()
    return found


def state_of(kind: type[T]) -> T:
    """Return this session's ``kind`` object, made with its defaults on first use."""
    return state_in(cast(MutableMapping[str, Any], st.session_state), kind)


# This session's object of each kind, e.g. ``session.layout().choice``
asks = partial(state_of, AskState)
camera = partial(state_of, CameraState)
compare = partial(state_of, CompareState)
batch = partial(state_of, BatchState)
hosting = partial(state_of, HostingState)
layout = partial(state_of, LayoutState)
share = partial(state_of, ShareState)


# -- the chat page's one-shot action --------------------------------------------------------------


def request(action: ChatAction) -> None:
    """Ask the chat page for ``action`` on its next run (a callback's only job)."""
    asks().action = action


def requester(action: ChatAction) -> Callable[[], None]:
    """Return a callback that asks for ``action`` (for ``on_click``)."""
    return lambda: request(action)


def hear_question() -> None:
    """Keep what the chat input sent in the session (its ``on_submit``: before the run starts).

    Another trigger (a component's report, a click) that comes while the run for a question is
    under way stops that run, and Streamlit does not bring the question again; kept here, the
    next run acts on it. The page empties ``heard`` where it acts on it. A trigger that comes in
    the moment between Streamlit taking the question's run and handing it its widgets still
    loses the question, inside Streamlit; the page then puts it back in the input (reading.py)."""
    value = widget(keys.CHAT_INPUT)
    if value is None:
        return
    state = asks()
    files = getattr(value, "files", None) or ()
    state.heard = Heard(
        text=str(getattr(value, "text", value) or ""),
        uploads=tuple(Upload(f.name, f.getvalue(), f.file_id) for f in files),
    )
    state.questions_heard += 1


def asked_action() -> ChatAction | None:
    """Return the action a callback asked for and the page has not acted on yet, or None.

    It stays in the session until the page lets it go (``let_go``) just before acting on it. A
    newer trigger (a click, the browser store's report) stops the run in progress at its next
    Streamlit call or session read: stopped before that point, the next run acts on it; stopped
    after, the action is not done twice (regenerate and the welcome's sample are not idempotent).
    """
    return asks().action


def let_go(state: AskState) -> None:
    """Mark the asked action as acted on: call right before acting, with no Streamlit call or
    session read in between (one is a point where the run can be stopped)."""
    state.action = None


# -- widgets ---------------------------------------------------------------------------------------


def _widget_key(key: str) -> str:
    if not keys.is_widget_key(key):
        raise KeyError(f"{key!r} is not a widget key: keep it in a state object")
    return key


def widget(key: str, default: Any = None) -> Any:
    """Return the value of the widget (or language-following choice) ``key``, or ``default``."""
    return st.session_state.get(_widget_key(key), default)


def widget_value(key: str) -> Any:
    """Return the widget ``key``'s value, else its default: to hand the widget as its ``value``.

    Streamlit's browser side starts a widget it mounts again (a container around it drawn anew,
    as when the first run's language gives way to the browser's) from the default it was created
    with, and sends that back on the next run. Without ``value``, that default is the widget's
    own (a number field's minimum: a 1 s answer timeout, 16 answer tokens), not Kantu's.
    """
    return widget(key, keys.DEFAULTS.get(key))


def component_value(key: str, name: str) -> Any:
    """Return the value ``name`` (a state or a trigger) that the ``st.components.v2`` component
    keyed ``key`` holds on this run, or None (its result is mapping-like; AppTest sets a dict)."""
    result = widget(key)
    if result is None:
        return None
    try:
        return result[name]
    except (KeyError, TypeError, AttributeError):
        return getattr(result, name, None)


def has_widget(key: str) -> bool:
    """Return whether the widget ``key`` has a value in this session."""
    return _widget_key(key) in st.session_state


def set_widget(key: str, value: Any) -> None:
    """Set the widget ``key``'s value (it shows on this run if the widget is drawn after)."""
    st.session_state[_widget_key(key)] = value


def forget_widget(key: str) -> None:
    """Forget the widget ``key``'s value (it comes back with its default)."""
    st.session_state.pop(_widget_key(key), None)


def claim_widgets(plain: Iterable[str], choices: Iterable[str], lang: str) -> None:
    """Draw these widgets, made for the first time in this session, with the session's values.

    A browser that reconnects to another server (a replica) sends the fields its old page had,
    and Streamlit applies them to the new session's widgets of the same keys when they are made;
    a value set before the widget is made wins instead. ``choices`` are language-following
    choices (``sidebar.remembered_choice``): their widgets for ``lang`` get the value too.
    """
    for key in plain:
        if has_widget(key):
            set_widget(key, widget(key))
    for key in choices:
        if has_widget(key):
            set_widget(keys.choice_key(key, lang), widget(key))


def widget_values(names: Iterable[str]) -> dict[str, Any]:
    """Return the values of the widgets ``names`` as Streamlit keeps them (any key a widget was
    drawn with: a button's, a file uploader's), None for one without."""
    return {name: st.session_state.get(name) for name in names}


def init_widgets(**first_values: Any) -> None:
    """Give every widget its default (and ``first_values``) unless this session has a value."""
    for key, value in {**keys.DEFAULTS, **first_values}.items():
        if not has_widget(key):
            set_widget(key, value)


def rerun_alone() -> bool:
    """Whether this run reruns fragments alone (a widget drawn in one was used, or a fragment's
    timer), not the page."""
    ctx = get_script_run_ctx()
    return ctx is not None and bool(ctx.fragment_ids_this_run)
