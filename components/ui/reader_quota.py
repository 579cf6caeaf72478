"""The local reader's quota on the server: who a visitor is, and cancelling a closed tab's work.

``reader_identity`` names the visitor for ``components.ocr.quota``: the signed-in e-mail, else
the client's address (``visitor_address``: a new tab is the same visitor), else a random id kept
in the session (Streamlit gives no address on loopback). ``install_reader_quota`` sets the hourly budget
(``KANTU_READER_SLICES_PER_HOUR``, secrets then the environment), counted in the shared ledger
when ``[connections.kantu_ledger]`` is set (else in memory), and starts one watcher per process that cancels the reading of any session disconnected for ``GRACE_S``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from secrets import token_hex

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.hosting.ledger import LedgerSliceCharges, visitor_hash
from components.ocr.quota import DEFAULT_SLICES_PER_HOUR, MemoryCharges, ReaderQuota, shared_quota
from components.ui import session
from components.ui.client_address import visitor_address
from components.ui.operator_settings import secrets_mapping
from components.ui.session_watch import GoneSessions, run_every

log = logging.getLogger(__name__)

GRACE_S = 5.0  # a reload or a network blip reconnects within this; a closed tab does not
WATCH_EVERY_S = 1.0
SETTING = "KANTU_READER_SLICES_PER_HOUR"

_install_lock = threading.Lock()
_installed: list[GoneSessions] = []  # the process's one watcher (session ids only)


def reader_identity() -> tuple[str, str]:
    """Return (visitor id, Streamlit session id) of this run; ids are one-way hashes."""
    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else ""
    try:
        user = st.user.to_dict()
    except Exception:  # no script context
        user = {}
    email = user.get("email") if user.get("is_logged_in") else None
    ip = visitor_address()
    if email:
        who = f"user:{str(email).lower()}"
    elif ip:
        who = f"ip:{ip}"
    else:  # no address (tests, some proxies): this browser session's own random id
        hosting = session.hosting()
        if hosting.reader_visitor is None:
            hosting.reader_visitor = token_hex(16)
        who = "session:" + hosting.reader_visitor
    return visitor_hash("kantu-reader", who), session_id


def hourly_budget(secrets: Mapping[str, object], environ: Mapping[str, str]) -> int:
    """Return the slices a visitor may have read an hour; a missing or bad value is the default."""
    text = secrets.get(SETTING, environ.get(SETTING))
    try:
        value = int(str(text).strip()) if text is not None else DEFAULT_SLICES_PER_HOUR
    except ValueError:
        value = -1
    if value < 1:
        log.warning(
            "%s=%r is not a positive number: %d used", SETTING, text, DEFAULT_SLICES_PER_HOUR
        )
        return DEFAULT_SLICES_PER_HOUR
    return value


def cancel_gone(quota: ReaderQuota, gone: GoneSessions, now: float) -> list[str]:
    """Cancel the reading of every session found gone by ``now``; return their ids."""
    ended = gone.poll(quota.sessions(), now)
    for session_id in ended:
        quota.end_session(session_id)
    return ended


def install_reader_quota(
    secrets: Mapping[str, object],
    environ: Mapping[str, str],
    charges: LedgerSliceCharges | None = None,
) -> None:
    """Set the hourly budget and where it is counted (every run: a changed secret applies at
    once) and start the session watcher, once per process. ``charges``: the shared ledger's
    (``access.shared_reader_charges``); None counts in this process's memory."""
    quota = shared_quota()
    quota.slices_per_hour = hourly_budget(secrets, environ)
    use_charges(quota, charges)
    with _install_lock:
        if _installed or not Runtime.exists():  # started, or no server (bare mode)
            return
        gone = GoneSessions(Runtime.instance().is_active_session, GRACE_S)
        _installed.append(gone)
        run_every(
            WATCH_EVERY_S, lambda: cancel_gone(quota, gone, time.monotonic()), "kantu-reader-watch"
        )


def use_charges(quota: ReaderQuota, charges: LedgerSliceCharges | None) -> None:
    """Count ``quota``'s hour in ``charges`` (None: memory), keeping what is already counted
    when nothing changed (a run makes a new ``charges`` on the same ledger)."""
    current = quota.charges
    if charges is None:
        if not isinstance(current, MemoryCharges):
            quota.charges = MemoryCharges()
    elif not (isinstance(current, LedgerSliceCharges) and current.ledger is charges.ledger):
        quota.charges = charges


def read_reader_secrets() -> dict[str, object]:
    """Return the reader's budget set in ``st.secrets``; empty when there is no secrets file."""
    secrets = secrets_mapping()
    return {SETTING: secrets[SETTING]} if SETTING in secrets else {}
