"""The hosting rules on the page: the access code (or sign-in) box above the page, and
``request_gate``, which resolves this visitor's ``Gate`` (``components.hosting.gate``) for the
one way to send (``components.ui.sending``); ``render_key_closed`` says when a money limit that
cannot bind keeps the site's key closed.
"""

from __future__ import annotations

import logging
import os
import secrets as token_source
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from components.errors import ConfigError
from components.hosting.access import refusal
from components.hosting.config import HostingConfig
from components.hosting.gate import Asker, Gate, allowed_models, unbound_money
from components.hosting.ledger import (
    Ledger,
    LedgerSliceCharges,
    SQLAlchemyLedger,
    SQLiteLedger,
    default_ledger_path,
    ledger_salt,
    visitor_hash,
)
from components.hosting.throttle import CodeCheck, Scope, check_code, client_key, pending
from components.i18n import Lang, t
from components.providers.presets import (
    DEFAULT_PRESET_ID,
    PRESETS,
    ProviderPreset,
    preset_for_base_url,
)
from components.providers.settings import operator_config
from components.ui import session
from components.ui import state_keys as keys
from components.ui.client_address import visitor_address
from components.ui.markdown_view import literal
from components.ui.navigation import ADMIN_URL_PATH, on_page
from components.ui.operator_settings import operator_prices, secrets_mapping
from components.ui.sidebar import SidebarChoice, read_secrets, request_settings
from components.ui.visitor import current_visitor, hosting_settings, signed_in, unlock, unlocked

log = logging.getLogger("kantu")

_clock = time.time  # the code box's clock (tests move it on instead of sleeping)
SQL_CONNECTION = "kantu_ledger"  # [connections.kantu_ledger] url = "postgresql://…" in secrets


@dataclass(frozen=True)
class LedgerHandle:
    """The server's ledger and the salt of its visitor ids (shared by all: no visitor data)."""

    ledger: Ledger
    salt: str


@st.cache_resource(show_spinner=False)
def _sqlite_ledger(path: str, configured_salt: str | None) -> LedgerHandle:
    return LedgerHandle(SQLiteLedger(path), ledger_salt(configured_salt, Path(path)))


@st.cache_resource(show_spinner=False)
def _sql_ledger(configured_salt: str | None, section: dict[str, Any]) -> LedgerHandle:
    # The section is passed on as it is (url, or dialect/host/…): the same thing st.connection
    # would read itself, but read here so that it is the secrets this run sees.
    conn = st.connection(SQL_CONNECTION, type="sql", **section)
    salt = ledger_salt(configured_salt, default_ledger_path())
    return LedgerHandle(SQLAlchemyLedger(lambda: conn.session), salt)


def ledger_section() -> dict[str, Any] | None:
    """Return ``[connections.kantu_ledger]``, the database given to ``st.connection``, or None
    when the secrets name none: the one reading of it, for the ledger, the reader's budget and
    the saved chats. Raises ConfigError("bad_setting") when it is named but is not a table."""
    connections = secrets_mapping().get("connections")
    if not isinstance(connections, dict) or SQL_CONNECTION not in connections:
        return None
    section = connections[SQL_CONNECTION]
    if not isinstance(section, dict):
        name = f"connections.{SQL_CONNECTION}"
        raise ConfigError("bad_setting", f"{name} is not a table", name=name)
    return section


def ledger_handle(config: HostingConfig) -> LedgerHandle:
    """Return the ledger: ``ledger_section()`` when configured, else SQLite at
    ``KANTU_LEDGER_PATH`` (default ``~/.kantu/ledger.sqlite3``). Raises ConfigError for a
    malformed section, else what the backend raises when it cannot be opened."""
    section = ledger_section()
    if section is not None:
        return _sql_ledger(config.ledger_salt, section)
    return _sqlite_ledger(config.ledger_path or str(default_ledger_path()), config.ledger_salt)


def shared_reader_charges() -> LedgerSliceCharges | None:
    """Return the offline reader's charges in the shared ledger's database, or None (each
    process counts in memory) when none is configured or it cannot be opened (logged)."""
    try:
        if ledger_section() is None:
            return None
        handle = ledger_handle(hosting_settings())
    except Exception:
        log.exception("ledger unavailable: the reader's budget is counted in memory")
        return None
    return LedgerSliceCharges(handle.ledger, handle.salt)


def session_identity() -> tuple[str, float]:
    """Return this browser session's random id and when it began (kept in the session)."""
    state = session.hosting()
    if state.identity is None:
        state.identity = (token_source.token_hex(16), time.time())
    return state.identity


# -- the code box --------------------------------------------------------------------------------


def _code_ledger() -> LedgerHandle | None:
    """Return the ledger that counts wrong codes, or None (logged) when it cannot be opened."""
    try:
        return ledger_handle(hosting_settings())
    except Exception:
        log.exception("ledger unavailable: codes cannot be checked")
        return None


def _client(handle: LedgerHandle) -> str:
    """Return this visitor's throttle bucket: its network address, hashed with the ledger's salt
    (no address, as from localhost or under AppTest's stand-in runtime: the shared bucket)."""
    return client_key(handle.salt, visitor_address())


def try_code(handle: LedgerHandle, scope: Scope, codes: tuple[str, ...], typed: str) -> CodeCheck:
    """Check a typed code (a form's work, done in the body) under the server-side throttle:
    unlock this session when right. Raises what the ledger raises when it cannot be written."""
    check = check_code(handle.ledger, scope, _client(handle), typed, codes, now=_clock())
    if check.outcome == "right":
        unlock(scope)
    return check


def _show_wait(container: Any, handle: LedgerHandle, scope: Scope, lang: Lang) -> None:
    """Say how long this client waits before its next try is compared, if it must."""
    now = _clock()
    try:
        held = pending(handle.ledger, scope, _client(handle), now=now)
    except Exception:
        log.exception("ledger unavailable: the code box's wait is unknown")
        return
    if held is not None:
        seconds = int(held.wait_left(now) + 0.999)
        key = "hosting.too_many_tries" if held.outcome == "busy" else "hosting.try_again_in"
        container.warning(t(key, lang, seconds=seconds), icon="⏳")


@dataclass(frozen=True)
class CodeBox:
    """One scope's code field: its form, its password field, and the i18n keys of its label and
    of its "wrong code" message (the operator code is never called the access code)."""

    form_key: str
    field_key: str
    label_key: str
    wrong_key: str


CODE_BOXES: dict[Scope, CodeBox] = {
    "access": CodeBox(
        keys.ACCESS_FORM, keys.ACCESS_CODE, "hosting.access_code", "hosting.wrong_code"
    ),
    "operator": CodeBox(keys.ADMIN_FORM, keys.ADMIN_CODE, "admin.code_label", "admin.wrong_code"),
}


def unlock_with_code(container: Any, codes: tuple[str, ...], lang: Lang, scope: Scope) -> None:
    """Show ``scope``'s code box in ``container``; once a right code is entered, run the page
    again, unlocked."""
    if render_code_box(container, codes, lang, scope=scope):
        st.rerun()


def render_code_box(container: Any, codes: tuple[str, ...], lang: Lang, *, scope: Scope) -> bool:
    """Show ``scope``'s password field and button for ``codes``; return whether this session has
    entered a right one. Wrong tries from this address, or too many from everyone, make the next
    ones wait (``components.hosting.throttle``), with "try again in N s"."""
    if unlocked(scope):
        return True
    box = CODE_BOXES[scope]
    with container.form(box.form_key, clear_on_submit=True, border=False):
        typed = st.text_input(
            t(box.label_key, lang), type="password", key=box.field_key, autocomplete="off"
        )
        sent = st.form_submit_button(t("hosting.unlock", lang), icon="🔓")
    handle = _code_ledger()
    if handle is None:
        container.error(t("hosting.code_unavailable", lang), icon="⚠️")
        return False
    if sent:
        try:
            check = try_code(handle, scope, codes, typed or "")
        except Exception:
            log.exception("ledger unavailable: a code could not be checked")
            container.error(t("hosting.code_unavailable", lang), icon="⚠️")
            return False
        if check.outcome == "right":
            return True
        if check.failed:
            container.error(t(box.wrong_key, lang), icon="🚫")
    _show_wait(container, handle, scope, lang)
    return False


def _uses_operator_key(choice: SidebarChoice) -> bool:
    try:
        return request_settings(choice).key_source == "operator"
    except ConfigError:
        return False


def render_access(choice: SidebarChoice) -> None:
    """Show what the operator's key needs here, above the page: the access code box, or the
    sign-in (their state then stays in the sidebar); nothing when the key is open, when the
    visitor brings their own, or on the operator page (which has its own code)."""
    config = hosting_settings()
    lang = choice.lang
    if not config.gated or on_page(ADMIN_URL_PATH) or not _uses_operator_key(choice):
        return
    side = st.sidebar
    if config.login_configured:
        visitor = current_visitor()
        if not visitor.logged_in:
            with st.container(border=True):
                st.info(t("hosting.sign_in_hint", lang), icon="🔐")
                st.button(
                    t("hosting.sign_in", lang), icon="🔐", key=keys.SIGN_IN, on_click=st.login
                )
        elif refusal(config, "operator", visitor) == "user_not_allowed":
            st.warning(t("config.user_not_allowed", lang), icon="🚫")
        else:
            side.caption(
                "🔐 " + t("hosting.signed_in_as", lang, email=literal(visitor.email or "?"))
            )
        return
    if unlocked("access"):
        side.caption("🔓 " + t("hosting.unlocked", lang))
        return
    box = st.container(border=True)
    box.markdown("🔒 " + t("hosting.code_hint", lang))
    unlock_with_code(box, config.access_codes, lang, "access")


# -- the gate ------------------------------------------------------------------------------------


def _operator_preset(base_url: str | None) -> ProviderPreset:
    return preset_for_base_url(base_url) if base_url else PRESETS[DEFAULT_PRESET_ID]


def request_gate(lang: Lang) -> Gate:
    """Return the hosting rules for this visitor's requests, resolved now, in the page's thread
    (who asks, the ledger, the operator's prices and models): ``Gate.admit`` then runs in any."""
    config = hosting_settings()
    operator = operator_config(read_secrets(), os.environ)
    preset = _operator_preset(operator.base_url)
    prices = operator_prices()
    session_id, began = session_identity()
    logged_in, email = signed_in()
    ip = visitor_address()
    try:
        handle: LedgerHandle | None = ledger_handle(config)
    except Exception:
        log.exception("ledger unavailable")
        handle = None
    salt = handle.salt if handle is not None else ""
    person = f"user:{email.lower()}" if logged_in and email else "session:" + session_id
    return Gate(
        config=config,
        visitor=current_visitor(),
        ledger=handle.ledger if handle is not None else None,
        prices=prices,
        allowed=allowed_models(config, preset, operator.model),
        unpriced=unbound_money(config, preset, operator.model, prices),
        asker=Asker(
            session_id=visitor_hash(salt, "session:" + session_id),
            visitor_id=visitor_hash(salt, person),
            ip_id=visitor_hash(salt, "ip:" + ip) if ip else None,
            began=began,
        ),
        lang=lang,
    )


def render_key_closed(choice: SidebarChoice) -> None:
    """Say above the page that the site's key is closed because a money limit cannot count
    some allowed model (no price, or one in another currency); nothing otherwise."""
    config = hosting_settings()
    if not config.limits.money or not _uses_operator_key(choice):
        return
    operator = operator_config(read_secrets(), os.environ)
    preset = _operator_preset(operator.base_url)
    gaps = unbound_money(config, preset, operator.model, operator_prices())
    if gaps:
        message = ConfigError(
            "money_limits_unbound", models=", ".join(gaps), currency=config.limits.currency
        )
        st.warning(message.message(choice.lang), icon="🔒")
