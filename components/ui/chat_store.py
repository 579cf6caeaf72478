"""The server's store of saved chats for this process, and who the visitor is to it.

``server_store()`` opens the store once per process, as the ledger is opened:
``[connections.kantu_ledger]`` when configured (Postgres for replicas), else a local SQLite file
beside the ledger (``KANTU_CHATS_PATH`` moves it). ``KANTU_CHATS_DURABLE=false`` says the disk
is wiped on restart (Community Cloud), so nothing that must last (a share link) is kept there.
``store_owner()`` is the signed-in subject, else a random id of this browser session.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import streamlit as st

from components.history.server_store import (
    ChatStore,
    SQLAlchemyChatStore,
    SQLiteChatStore,
    owner_key,
)
from components.history.settings import HistorySettings
from components.hosting.ledger import default_ledger_path
from components.ui.access import SQL_CONNECTION, hosting_settings, ledger_handle, session_identity
from components.ui.operator_settings import operator_settings, secrets_mapping

log = logging.getLogger("kantu")
CHATS_FILE = "chats.sqlite3"


@st.cache_resource(show_spinner=False)
def _sqlite_store(path: str, settings: HistorySettings, durable: bool) -> ChatStore:
    return SQLiteChatStore(path, settings, durable=durable)


@st.cache_resource(show_spinner=False)
def _sql_store(settings: HistorySettings, section: dict[str, Any]) -> ChatStore:
    conn = st.connection(SQL_CONNECTION, type="sql", **section)
    return SQLAlchemyChatStore(lambda: conn.session, settings)


def server_store() -> ChatStore | None:
    """Return this process's chat store, or None (logged) when it cannot be opened."""
    source = operator_settings()
    try:
        settings = HistorySettings.from_source(source)
        secrets = secrets_mapping()
        connections = secrets.get("connections")
        if isinstance(connections, dict) and SQL_CONNECTION in connections:
            return _sql_store(settings, dict(connections[SQL_CONNECTION]))
        ledger = hosting_settings().ledger_path or str(default_ledger_path())
        path = source.text("KANTU_CHATS_PATH") or str(Path(ledger).with_name(CHATS_FILE))
        return _sqlite_store(path, settings, source.flag("KANTU_CHATS_DURABLE") is not False)
    except Exception:  # a bad setting or a database that refuses: no store, the log says why
        log.exception("chat store unavailable")
        return None


def store_owner() -> str | None:
    """Return the owner id of this visitor's chats: the signed-in subject, else this browser
    session's random id; None when the ledger's salt cannot be read."""
    try:
        salt = ledger_handle(hosting_settings()).salt
    except Exception:
        log.exception("ledger salt unavailable: chats cannot be kept")
        return None
    subject = _subject()
    if subject:
        return owner_key(salt, subject=subject)
    return owner_key(salt, visitor_secret=session_identity()[0])


def durable() -> bool:
    """Return whether chats kept on the server outlive a restart (a share link needs that)."""
    store = server_store()
    return store is not None and store.durable


def _subject() -> str | None:
    try:
        info = st.user.to_dict()
    except Exception:  # no script context
        return None
    sub = info.get("sub") if info.get("is_logged_in") else None
    return str(sub) if sub else None
