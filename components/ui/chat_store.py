"""The server's store of saved chats, opened once per process as the ledger is, and who owns
the chats of this session.

``server_store()`` is ``[connections.kantu_ledger]`` (``access.ledger_section``) when
configured (the ledger's own database, Postgres for replicas), else a SQLite file beside the ledger (``KANTU_CHATS_PATH``, default
``~/.kantu/chats.sqlite3``). ``store_owner()`` is the signed-in subject (``st.user``) or the
browser store's visitor secret, through ``owner_key`` with the ledger's salt. ``durable()`` says
whether that store outlives a restart: a configured database does; the local file does unless
the app runs on Streamlit Community Cloud (its disk is wiped on reboot; detected by the app
living under ``/mount/src``), and the operator's ``KANTU_CHATS_DURABLE`` (true/false) wins.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from components.errors import ConfigError, KantuError
from components.history.server_store import (
    ChatStore,
    SQLAlchemyChatStore,
    SQLiteChatStore,
    owner_key,
)
from components.history.settings import HistorySettings
from components.hosting.ledger import default_ledger_path
from components.ui import chat_state
from components.ui.access import SQL_CONNECTION, ledger_handle, ledger_section, session_identity
from components.ui.operator_settings import operator_settings
from components.ui.visitor import hosting_settings

log = logging.getLogger("kantu")

CLOUD_ROOT = Path("/mount/src")  # where Community Cloud checks out an app
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _local_path() -> str:
    configured = os.environ.get("KANTU_CHATS_PATH", "").strip()
    if configured:
        return configured
    ledger = hosting_settings().ledger_path
    beside = Path(ledger) if ledger else default_ledger_path()
    return str(beside.with_stem("chats"))  # chats.sqlite3 beside the ledger


def durable() -> bool:
    """Whether the server store outlives a restart (see the module doc)."""
    try:
        return _lasts(ledger_section())
    except ConfigError:  # a malformed database setting: no server store (see server_store)
        return _operator_says() is True


def _operator_says() -> bool | None:
    """``KANTU_CHATS_DURABLE`` as true or false; None when it is not set to either."""
    said = os.environ.get("KANTU_CHATS_DURABLE", "").strip().casefold()
    return said in _TRUE if said in _TRUE | _FALSE else None


def _lasts(section: dict[str, Any] | None) -> bool:
    """Whether a store with this database ``section`` (None: the local file) outlives a restart."""
    said = _operator_says()
    if said is not None:
        return said
    return section is not None or not Path.cwd().resolve().is_relative_to(CLOUD_ROOT)


# Streamlit's own hashing of a dataclass argument took 0.1 ms a call (three calls a run): its
# fields, as its repr gives them, say the same.
_BY_REPR: dict[str | type[Any], Callable[[Any], Any]] = {HistorySettings: repr}


@st.cache_resource(show_spinner=False, hash_funcs=_BY_REPR)
def _sqlite_store(path: str, settings: HistorySettings, lasts: bool) -> ChatStore | None:
    try:
        return SQLiteChatStore(path, settings, durable=lasts)
    except KantuError:
        log.exception("saved chats: the local store cannot be opened")
        return None


@st.cache_resource(show_spinner=False, hash_funcs=_BY_REPR)
def _sql_store(section: dict[str, Any], settings: HistorySettings, lasts: bool) -> ChatStore | None:
    try:
        conn = st.connection(SQL_CONNECTION, type="sql", **section)
        return SQLAlchemyChatStore(lambda: conn.session, settings, durable=lasts)
    except Exception:  # a database that is down: the browser store still keeps the chats
        log.exception("saved chats: the configured database cannot be opened")
        return None


def server_store() -> ChatStore | None:
    """Return the server's chat store, or None when it cannot be opened (logged)."""
    try:
        settings = HistorySettings.from_source(operator_settings())
        section = ledger_section()
    except KantuError:
        log.exception("saved chats: bad settings")
        return None
    if section is not None:
        return _sql_store(section, settings, _lasts(section))
    return _sqlite_store(_local_path(), settings, _lasts(None))


def _subject() -> str | None:
    try:
        info = st.user.to_dict()
    except Exception:  # no script context
        return None
    subject = info.get("sub") or info.get("email")
    return str(subject) if info.get("is_logged_in") and subject else None


@dataclass(frozen=True)
class Ownership:
    """What names this session's owner in the server store, but the browser's visitor secret
    (which comes with the browser store's answer): taken in a run, usable from any thread."""

    salt: str  # the ledger's own visitor-id salt
    subject: str | None  # the signed-in subject, if any

    def owner(self, visitor: str | None) -> str | None:
        """The owner id: the signed-in subject's, else the visitor secret's; None without."""
        if not self.subject and not visitor:
            return None
        return owner_key(self.salt, subject=self.subject, visitor_secret=visitor)


def ownership() -> Ownership | None:
    """Return this session's ``Ownership`` (call it in a run); None when the ledger, which
    holds the salt, cannot be opened (the page says so where the ledger is needed)."""
    try:
        salt = ledger_handle(hosting_settings()).salt
    except Exception:  # whatever its backend raises: no owner, so the browser store keeps all
        return None
    return Ownership(salt, _subject())


def store_owner() -> str | None:
    """Return this session's owner id in the server store: the signed-in subject's, else the
    browser's visitor secret's (None until the browser store has answered)."""
    visitor = chat_state.history().visitor
    if not visitor and not _subject():
        return None  # nobody to name: the ledger is not even opened
    found = ownership()
    return found.owner(visitor) if found is not None else None


def share_owner() -> str:
    """Return the owner of this session's share links: ``store_owner()``, else (no sign-in and
    no browser store: private mode, or not answered yet) this session's own id, so a link can
    still be made; it is then listed for this session only."""
    owner = store_owner()
    if owner is not None:
        return owner
    salt = ledger_handle(hosting_settings()).salt
    return owner_key(salt, visitor_secret="session:" + session_identity()[0])
