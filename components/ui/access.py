"""The hosting gate on the page: the access code (or sign-in) box above the page, and
``hosting_gate``, called once per request in ``start_exchange`` before the operator's key is used.

The gate refuses with a ``ConfigError`` (recorded as the answer: nothing is sent), or returns a
``Ticket`` whose ``watch(exchange)`` records the request in the ledger: opened as it leaves,
closed when the answer ends (in a thread of its own, so a closed tab still closes its row).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets as token_source
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import streamlit as st

from components.conversation.clients import AnySettings
from components.conversation.exchange import Answer, Exchange
from components.conversation.history import Conversation
from components.conversation.turns import ChatTurn
from components.costs.estimate import cost_of, estimate_request
from components.costs.prices import Price, PriceBook, format_money
from components.errors import ConfigError
from components.hosting.access import Backoff, Visitor, code_matches, refusal
from components.hosting.config import HOSTING_SETTINGS, HostingConfig, hosting_config
from components.hosting.ledger import (
    Ledger,
    LedgerRow,
    SQLAlchemyLedger,
    SQLiteLedger,
    default_ledger_path,
    ledger_salt,
    new_row_id,
    visitor_hash,
)
from components.hosting.limits import LimitHit, check_limits, model_allowed, window_start
from components.i18n import Lang, t
from components.providers.reader import Usage
from components.providers.settings import operator_config
from components.ui import state_keys as keys
from components.ui.markdown_view import literal
from components.ui.sidebar import SidebarChoice, read_secrets, request_settings

log = logging.getLogger("kantu")

_clock = time.time  # the code box's clock (tests move it on instead of sleeping)
ADMIN_URL_PATH = "admin"  # the operator page's address, as app.py names it
SQL_CONNECTION = "kantu_ledger"  # [connections.kantu_ledger] url = "postgresql://…" in secrets


def _secrets() -> dict[str, Any]:
    try:
        return {name: st.secrets[name] for name in HOSTING_SETTINGS if name in st.secrets}
    except FileNotFoundError:
        return {}


def _has_section(name: str) -> bool:
    try:
        return name in st.secrets
    except FileNotFoundError:
        return False


def hosting_settings() -> HostingConfig:
    """Return the operator's hosting settings for this run (secrets, then the environment)."""
    return hosting_config(_secrets(), os.environ, login_configured=_has_section("auth"))


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


def ledger_handle(config: HostingConfig) -> LedgerHandle:
    """Return the ledger: ``[connections.kantu_ledger]`` when configured, else SQLite at
    ``KANTU_LEDGER_PATH`` (default ``~/.kantu/ledger.sqlite3``). Raises what the backend raises
    when it cannot be opened."""
    if _has_section("connections") and SQL_CONNECTION in st.secrets["connections"]:
        section = st.secrets["connections"][SQL_CONNECTION]
        return _sql_ledger(config.ledger_salt, _plain(section))
    return _sqlite_ledger(config.ledger_path or str(default_ledger_path()), config.ledger_salt)


def _plain(section: Any) -> dict[str, Any]:
    """Return a secrets section as plain dicts (st.connection's keyword arguments)."""
    return {k: _plain(v) if hasattr(v, "items") else v for k, v in section.items()}


def session_identity() -> tuple[str, float]:
    """Return this browser session's random id and when it began (kept in the session)."""
    if keys.HOSTING_SESSION not in st.session_state:
        st.session_state[keys.HOSTING_SESSION] = (token_source.token_hex(16), time.time())
    return st.session_state[keys.HOSTING_SESSION]


def _user() -> tuple[bool, str | None]:
    try:
        info = st.user.to_dict()
    except Exception:  # no script context (never on a page)
        return False, None
    email = info.get("email")
    return bool(info.get("is_logged_in")), str(email) if email else None


def current_visitor() -> Visitor:
    """Return who is asking: signed in or not, and whether this session entered the code."""
    logged_in, email = _user()
    return Visitor(logged_in, email, bool(st.session_state.get(keys.ACCESS_UNLOCKED)))


# -- the code box --------------------------------------------------------------------------------


def try_code(codes: tuple[str, ...], typed: str, unlocked_key: str, backoff_key: str) -> None:
    """Check a typed code (a callback's work, done in the body): unlock, or count a wrong try."""
    now = _clock()
    backoff: Backoff = st.session_state.get(backoff_key, Backoff())
    if backoff.wait_left(now) > 0:
        return  # still waiting: the try is not even compared
    if code_matches(typed, codes):
        st.session_state[unlocked_key] = True
        st.session_state[backoff_key] = Backoff()
    else:
        st.session_state[backoff_key] = backoff.after_failure(now)


def render_code_box(
    container: Any,
    codes: tuple[str, ...],
    lang: Lang,
    *,
    form_key: str,
    field_key: str,
    unlocked_key: str,
    backoff_key: str,
    label: str,
) -> bool:
    """Show a password field and button for ``codes``; return whether this session has entered a
    right one. Wrong tries wait longer each time (``Backoff``), with "try again in N s"."""
    if st.session_state.get(unlocked_key):
        return True
    with container.form(form_key, clear_on_submit=True, border=False):
        typed = st.text_input(label, type="password", key=field_key, autocomplete="off")
        sent = st.form_submit_button(t("hosting.unlock", lang), icon="🔓")
    if sent:
        before: Backoff = st.session_state.get(backoff_key, Backoff())
        try_code(codes, typed or "", unlocked_key, backoff_key)
        if st.session_state.get(unlocked_key):
            return True
        after: Backoff = st.session_state[backoff_key]
        if after.failures > before.failures:
            container.error(t("hosting.wrong_code", lang), icon="🚫")
    backoff = st.session_state.get(backoff_key, Backoff())
    wait = backoff.wait_left(_clock())
    if wait > 0:
        container.warning(t("hosting.try_again_in", lang, seconds=int(wait + 0.999)), icon="⏳")
    return False


def _uses_operator_key(choice: SidebarChoice) -> bool:
    try:
        return request_settings(choice).key_source == "operator"
    except ConfigError:
        return False


def _on_operator_page() -> bool:
    # st.context.url carries the page being run (the operator page's is ".../admin")
    return urlparse(st.context.url or "").path.rstrip("/").endswith("/" + ADMIN_URL_PATH)


def render_access(choice: SidebarChoice) -> None:
    """Show what the operator's key needs here, above the page: the access code box, or the
    sign-in (their state then stays in the sidebar); nothing when the key is open, when the
    visitor brings their own, or on the operator page (which has its own code)."""
    config = hosting_settings()
    lang = choice.lang
    if not config.gated or _on_operator_page() or not _uses_operator_key(choice):
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
    if st.session_state.get(keys.ACCESS_UNLOCKED):
        side.caption("🔓 " + t("hosting.unlocked", lang))
        return
    box = st.container(border=True)
    box.markdown("🔒 " + t("hosting.code_hint", lang))
    render_code_box(
        box,
        config.access_codes,
        lang,
        form_key=keys.ACCESS_FORM,
        field_key=keys.ACCESS_CODE,
        unlocked_key=keys.ACCESS_UNLOCKED,
        backoff_key=keys.ACCESS_BACKOFF,
        label=t("hosting.access_code", lang),
    )
    if st.session_state.get(keys.ACCESS_UNLOCKED):
        st.rerun()  # draw the page unlocked


# -- the gate ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    """One request's ledger row, opened by ``hosting_gate``; ``watch`` closes it at the end.
    An empty ticket (no row) is for requests not made with the operator's key."""

    handle: LedgerHandle | None = None
    row: LedgerRow | None = None
    price: Price | None = None

    def watch(self, exchange: Exchange) -> None:
        """Close the ledger row when ``exchange`` ends, from a thread of its own."""
        if self.handle is None or self.row is None:
            return
        threading.Thread(
            target=self._close_when_done,
            args=(exchange,),
            name=f"kantu-ledger-{self.row.id[:8]}",
            daemon=True,
        ).start()

    def _close_when_done(self, exchange: Exchange) -> None:
        while not exchange.finished:
            exchange.wait(len(exchange.text), 5.0)
        if exchange.answer is not None:
            self.close(exchange.answer)

    def close(self, answer: Answer) -> None:
        """Record how the answer ended: billed tokens, and the cost at the operator's prices."""
        self.settle(answer.meta.outcome, answer.meta.usage)

    def settle(self, outcome: str, usage: Usage | None) -> None:
        """Close the row with ``outcome`` and what the provider billed (any thread)."""
        if self.handle is None or self.row is None:
            return
        cost = self.row.cost
        if self.price is not None and usage is not None:
            cost = cost_of(usage, self.price).amount
        elif outcome in ("error", "failed"):
            cost = 0.0  # refused before an answer: nothing billed
        try:
            self.handle.ledger.close(
                self.row.id,
                outcome=outcome,
                prompt_tokens=usage.prompt_tokens if usage else None,
                completion_tokens=usage.completion_tokens if usage else None,
                cost=cost,
            )
        except Exception:  # the answer is shown whatever the ledger does; the operator is told
            log.exception("ledger: could not close a row")


def _format_reset(hit: LimitHit) -> dict[str, object]:
    if hit.resets_at is None:
        return {}
    when = dt.datetime.fromtimestamp(hit.resets_at, dt.UTC).strftime("%H:%M UTC")
    minutes = max(1, int((hit.resets_at - time.time() + 59) // 60))
    return {"resets": when, "minutes": minutes}


def limit_error(hit: LimitHit, currency: str, lang: Lang) -> ConfigError:
    """Return the error that says which limit was reached and when it resets."""
    limit = (
        str(int(hit.limit)) if hit.unit == "requests" else format_money(hit.limit, currency, lang)
    )
    if hit.scope == "closed":
        return ConfigError("limits_broken")
    return ConfigError(f"limit_{hit.scope}_{hit.unit}", limit=limit, **_format_reset(hit))


def _allowed_models(config: HostingConfig, settings: AnySettings) -> tuple[str, ...]:
    if config.allowed_models:
        return config.allowed_models
    operator_model = operator_config(read_secrets(), os.environ).model
    preset = settings.preset
    return tuple(
        dict.fromkeys(m for m in (*preset.vision_models, preset.default_model, operator_model) if m)
    )


@dataclass(frozen=True)
class Gate:
    """The hosting rules for one visitor's requests with the operator's key, resolved in the
    script's thread (visitor, ledger, prices) so ``admit`` can run in any thread."""

    config: HostingConfig
    handle: LedgerHandle | None
    price: Price | None
    model: str
    preset: str
    session_id: str  # hashed
    visitor_id: str  # hashed
    ip_id: str | None  # hashed
    began: float
    lang: Lang

    def admit(self, estimate: int) -> Ticket:
        """Check the limits for one request of ``estimate`` prompt tokens and open its ledger
        row. Raises ConfigError (``limit_*``, ``limits_broken``, ``ledger_unavailable``)."""
        config, price = self.config, self.price
        cost = price.cost(estimate).amount if price is not None else None
        now = time.time()
        if self.handle is None:
            if config.limits.any:
                raise ConfigError("ledger_unavailable")
            return Ticket()
        row = LedgerRow(
            id=new_row_id(),
            started=now,
            model=self.model,
            preset=self.preset,
            estimated_tokens=estimate,
            prompt_tokens=None,
            completion_tokens=None,
            cost=cost,
            currency=price.currency if price is not None else None,
            outcome="pending",
            session_id=self.session_id,
            visitor_id=self.visitor_id,
            ip_id=self.ip_id,
        )
        try:
            if config.limits.any or config.limits.broken:
                rows = self.handle.ledger.rows(since=min(window_start(now), self.began))
                counted = (
                    cost if price is not None and price.currency == config.limits.currency else 0
                )
                hit = check_limits(
                    rows,
                    config.limits,
                    session_id=row.session_id,
                    visitor_id=row.visitor_id,
                    ip_id=row.ip_id,
                    estimate=counted or 0.0,
                    now=now,
                )
                if hit is not None:
                    raise limit_error(hit, config.limits.currency, self.lang)
            self.handle.ledger.open(row)
        except ConfigError:
            raise
        except Exception as exc:  # the ledger cannot be read or written: limits cannot be kept
            log.exception("ledger unavailable")
            if config.limits.any:
                raise ConfigError("ledger_unavailable") from exc
            return Ticket()
        return Ticket(self.handle, row, price)


def operator_gate(settings: AnySettings, choice: SidebarChoice) -> Gate | None:
    """Resolve the hosting rules for requests made with ``settings``: None when they are not
    made with the operator's key (a visitor's own key is never limited nor recorded).

    Raises ConfigError (nothing is sent): ``access_code_required``, ``sign_in_required``,
    ``user_not_allowed``, ``visitor_keys_off``, ``model_not_allowed``.
    """
    config = hosting_settings()
    source = getattr(settings, "key_source", "none")
    why = refusal(config, source, current_visitor())
    if why is not None:
        raise ConfigError(why)
    if source != "operator":
        return None
    allowed = _allowed_models(config, settings)
    if not model_allowed(settings.model, allowed):
        raise ConfigError("model_not_allowed", models=", ".join(allowed))
    try:
        prices = PriceBook.from_secrets(config.prices)
    except ConfigError:
        prices = PriceBook()
    price = prices.for_limits(settings.preset.id, settings.model)
    session_id, began = session_identity()
    logged_in, email = _user()
    ip = st.context.ip_address
    try:
        handle = ledger_handle(config)
    except Exception:
        log.exception("ledger unavailable")
        handle = None
    salt = handle.salt if handle is not None else ""
    return Gate(
        config=config,
        handle=handle,
        price=price,
        model=settings.model,
        preset=settings.preset.id,
        session_id=visitor_hash(salt, "session:" + session_id),
        visitor_id=visitor_hash(
            salt, f"user:{email.lower()}" if logged_in and email else "session:" + session_id
        ),
        ip_id=visitor_hash(salt, "ip:" + ip) if ip else None,
        began=began,
        lang=choice.lang,
    )


def hosting_gate(
    settings: AnySettings,
    conv: Conversation | None,
    choice: SidebarChoice,
    *,
    turns: Sequence[ChatTurn] | None = None,
) -> Ticket:
    """Decide whether this request may go, and open its ledger row when it uses the operator's
    key. Visitors' own keys are never limited nor recorded. The request is ``turns`` when given
    (the Compare page), else the conversation's next one under the session's context policy.

    Raises ConfigError (nothing is sent): ``access_code_required``, ``sign_in_required``,
    ``user_not_allowed``, ``visitor_keys_off``, ``model_not_allowed``, ``limit_<scope>_<unit>``,
    ``limits_broken``, ``ledger_unavailable``.
    """
    gate = operator_gate(settings, choice)
    if gate is None:
        return Ticket()
    if turns is None:
        assert conv is not None
        from components.ui.conversation_tools import context_policy  # (it imports the sidebar)

        turns = conv.request_turns(context_policy(), choice.lang, model=settings.model)
    estimate = estimate_request(
        turns,
        model=settings.model,
        system=choice.options.system,
        max_tokens=choice.options.max_tokens,
    ).prompt_tokens
    return gate.admit(estimate)
