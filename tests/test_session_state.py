"""The session's state has one owner: ``components.ui.session`` holds it in a few typed objects
with defaults; every other module reaches ``st.session_state`` only through it, and widget keys
(named in ``state_keys``) are the only loose keys left."""

from __future__ import annotations

import ast
import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from components.text.markdown_safety import MadeSafe
from components.ui import chat_state, session
from components.ui import state_keys as keys
from tests.conftest import ROOT
from tests.helpers import started_app

STATE_MODULE = ROOT / "components" / "ui" / "session.py"
# every kind of state object: the session's own and the chat's (chat_state)
STATE_KINDS = [
    kind
    for module in (session, chat_state)
    for kind in vars(module).values()
    if dataclasses.is_dataclass(kind)
    and isinstance(kind, type)
    and kind.__module__ == module.__name__
    and kind.__name__.endswith("State")
]
WIDGET_CALLS = frozenset({"widget", "has_widget", "set_widget", "forget_widget"})


def _streamlit_modules() -> list[Path]:
    files = [
        ROOT / "app.py",
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "components/ui").glob("*.py"),
    ]
    return [f for f in files if f != STATE_MODULE]


def _raw_state_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "session_state"
    ]


def _widget_calls_on_state_names(path: Path) -> list[str]:
    """Return ``session.widget(keys.X)``-like calls whose ``keys.X`` is not a widget key."""
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WIDGET_CALLS
            and node.args
        ):
            continue
        arg = node.args[0]
        if not (isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name)):
            continue  # a key made by a function: checked when used (``session.widget``)
        if arg.value.id == "keys" and not keys.is_widget_key(getattr(keys, arg.attr)):
            wrong.append(f"{path.name}:{node.lineno} {arg.attr}")
    return wrong


def test_only_the_state_module_touches_session_state():
    found = [use for path in _streamlit_modules() for use in _raw_state_uses(path)]
    assert found == []


def test_widget_access_names_only_widget_keys():
    found = [bad for path in _streamlit_modules() for bad in _widget_calls_on_state_names(path)]
    assert found == []


def test_a_state_key_is_refused_as_a_widget_key():
    assert len(STATE_KINDS) == 10
    for kind in STATE_KINDS:
        assert not keys.is_widget_key(session.state_key(kind))
    with pytest.raises(KeyError):
        session.widget("kantu_state.chat")


LOCK = type(threading.RLock())


def _has_defaults(value: Any, ran: tuple[str, ...] = ()) -> None:
    fresh = type(value)()
    for field in dataclasses.fields(value):
        if field.name in ran:
            continue
        got, default = getattr(value, field.name), getattr(fresh, field.name)
        if isinstance(default, (requests.Session, LOCK)):  # equal only to themselves
            assert isinstance(got, type(default)), field.name
        elif isinstance(default, MadeSafe):  # a memo, equal only to itself: empty at first
            assert isinstance(got, MadeSafe) and len(got) == 0, field.name
        else:
            assert got == default, field.name


@pytest.mark.usefixtures("isolated_secrets")
def test_a_fresh_session_has_every_default():
    at = started_app("en")
    assert not at.exception
    for key, value in keys.DEFAULTS.items():
        assert at.session_state[key] == value, key
    for kind in STATE_KINDS:
        # the browser store's ledger and answer are this run's, as the sidebar's slots are
        ran = ("book", "browser") if kind is chat_state.HistoryState else ()
        if kind is not session.LayoutState:  # this run's sidebar, not a default
            _has_defaults(session.state_in(at.session_state, kind), ran)


def test_state_objects_are_made_with_defaults_on_first_use():
    store: dict[str, object] = {}
    chat = session.state_in(store, chat_state.ChatState)
    assert session.state_in(store, chat_state.ChatState) is chat  # one per session
    assert chat.conversation.entries == [] and chat.exchange is None
    assert session.state_in(store, session.AskState).action is None
    tools = session.state_in(store, chat_state.ToolsState)
    # the visitor's own hold limits: none until they set one (the operator's and the defaults
    # are in components.costs.hold), and never shared with another session
    assert tools.confirm_above == {} and tools.confirm_tokens is None
    other = session.state_in({}, chat_state.ToolsState)
    assert other.confirm_above is not tools.confirm_above


@pytest.mark.usefixtures("isolated_secrets")
def test_after_a_run_every_loose_key_names_a_widget():
    at = started_app("en")
    assert not at.exception
    loose = [
        key
        for key in at.session_state
        if not key.startswith(session.STATE_PREFIX) and not keys.is_widget_key(key)
    ]
    assert loose == []
