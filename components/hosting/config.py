"""The operator's hosting settings, read once per run from secrets, then the environment.

::

    KANTU_ACCESS_CODE        "one-code" or ["code-a", "code-b"]: needed before the operator's key
    KANTU_ALLOW_VISITOR_KEYS true/false: visitors may use the app with their own key (default true)
    KANTU_ALLOWED_USERS      e-mails or "@domain" allowed to sign in ([auth] configured); empty: all
    KANTU_ALLOWED_MODELS     models the operator's key may ask (default: the preset's vision and
                             default models, and KANTU_MODEL)
    KANTU_LIMITS             a table: session_requests, session_cost, visitor_hour_requests,
                             visitor_hour_cost, daily_requests, daily_cost, currency ("CNY"/"USD")
    KANTU_ADMIN_CODE         opens the operator page; KANTU_ADMIN_USERS: signed-in people it opens for
    KANTU_LEDGER_PATH        the SQLite ledger (default ~/.kantu/ledger.sqlite3)
    KANTU_LEDGER_SALT        the salt of the visitor ids in the ledger (default: made once, kept
                             beside the ledger)
    KANTU_REQUEST_LOG        where the request log goes: "stderr" (default), a file path, or "off"

They are read by ``components.settings_source`` like every other setting: in the environment a
list is comma-separated and ``KANTU_LIMITS`` is TOML text (``daily_requests = 500``). Nothing
here raises: a malformed value is logged and ignored, except a malformed limit, which closes the
operator's key (``Limits.broken``) rather than lifting it. Likewise a money limit with an
allowed model it cannot count (``money_gaps``: no price, or one in another currency) closes the
key, checked where the settings are read (``hosting.gate``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.errors import ConfigError
from components.observability.request_log import DEFAULT_DESTINATION, request_log_destination
from components.settings_source import FLAGS, SettingsSource, parse_table

log = logging.getLogger(__name__)

HOSTING_SETTINGS = (
    "KANTU_ACCESS_CODE",
    "KANTU_ALLOW_VISITOR_KEYS",
    "KANTU_ALLOWED_USERS",
    "KANTU_ALLOWED_MODELS",
    "KANTU_LIMITS",
    "KANTU_ADMIN_CODE",
    "KANTU_ADMIN_USERS",
    "KANTU_LEDGER_PATH",
    "KANTU_LEDGER_SALT",
    "KANTU_REQUEST_LOG",
)
LIMIT_FIELDS = (
    "session_requests",
    "session_cost",
    "visitor_hour_requests",
    "visitor_hour_cost",
    "daily_requests",
    "daily_cost",
)


@dataclass(frozen=True)
class Limits:
    """Limits on the operator's key; ``None`` means no limit. Costs are in ``currency``, at the
    operator's prices. ``broken``: the operator's table could not be read (the key stays shut)."""

    session_requests: int | None = None
    session_cost: float | None = None
    visitor_hour_requests: int | None = None
    visitor_hour_cost: float | None = None
    daily_requests: int | None = None
    daily_cost: float | None = None
    currency: str = "CNY"
    broken: bool = False

    @property
    def any(self) -> bool:
        """Whether any limit is set."""
        return any(getattr(self, name) is not None for name in LIMIT_FIELDS)

    @property
    def money(self) -> bool:
        """Whether any limit is in money (it binds only on models priced in ``currency``)."""
        return any(getattr(self, name) is not None for name in LIMIT_FIELDS if "cost" in name)


@dataclass(frozen=True)
class HostingConfig:
    """What the operator configured for hosting. Codes never show in a repr."""

    access_codes: tuple[str, ...] = field(default=(), repr=False)
    allow_visitor_keys: bool = True
    login_configured: bool = False  # an [auth] section exists: st.login decides, not the code
    allowed_users: tuple[str, ...] = ()
    allowed_models: tuple[str, ...] = ()  # empty: the preset's vision models
    limits: Limits = Limits()
    admin_codes: tuple[str, ...] = field(default=(), repr=False)
    admin_users: tuple[str, ...] = ()
    ledger_path: str | None = None
    ledger_salt: str | None = field(default=None, repr=False)
    request_log: str = DEFAULT_DESTINATION  # "stderr", "off" or a file path

    @property
    def gated(self) -> bool:
        """Whether the operator's key needs a code or a sign-in first."""
        return bool(self.access_codes) or self.login_configured


def _number(value: Any, whole: bool) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(value)
    if value < 0:
        raise ValueError(value)
    return int(value) if whole else float(value)


def parse_limits(raw: Any) -> Limits:
    """Return the limits in a ``KANTU_LIMITS`` table (or its TOML text); a malformed one is
    logged and returned ``broken`` so the operator's key stays shut rather than unlimited."""
    if raw is None:
        return Limits()
    try:
        table = parse_table(raw, "KANTU_LIMITS") or {}
        values: dict[str, Any] = {}
        for name in LIMIT_FIELDS:
            if table.get(name) is not None:
                values[name] = _number(table[name], whole=name.endswith("requests"))
        currency = str(table.get("currency", "CNY")).upper()
        if currency not in ("CNY", "USD"):
            raise ValueError(currency)
        unknown = set(table) - set(LIMIT_FIELDS) - {"currency"}
        if unknown:
            raise ValueError(sorted(unknown))
        return Limits(currency=currency, **values)
    except (ValueError, TypeError, ConfigError) as exc:
        log.error("KANTU_LIMITS cannot be read (%s): the operator's key is closed", exc)
        return Limits(broken=True)


def money_gaps(
    limits: Limits, models: Sequence[str], currency_of: Callable[[str], str | None]
) -> tuple[str, ...]:
    """Return the ``models`` a money limit cannot count: no price (``currency_of`` gives None),
    or a price in another currency than the limits'. Empty when no money limit is set.

    Checked where the settings are read: such a model would be admitted as costing nothing, so
    the operator's key stays closed until ``KANTU_PRICES`` (or ``KANTU_ALLOWED_MODELS``) fixes it.
    """
    if not limits.money:
        return ()
    return tuple(m for m in models if currency_of(m) != limits.currency)


def hosting_config(
    secrets: Mapping[str, Any], environ: Mapping[str, str], *, login_configured: bool = False
) -> HostingConfig:
    """Read the hosting settings (secrets first, then ``environ``, by ``SettingsSource``);
    never raises."""
    source = SettingsSource(secrets, environ)
    visitor_keys = source.text("KANTU_ALLOW_VISITOR_KEYS")
    path = source.text("KANTU_LEDGER_PATH")
    salt = source.value("KANTU_LEDGER_SALT")
    return HostingConfig(
        access_codes=source.strings("KANTU_ACCESS_CODE"),
        allow_visitor_keys=FLAGS.get((visitor_keys or "true").lower(), True),
        login_configured=login_configured,
        allowed_users=tuple(u.lower() for u in source.strings("KANTU_ALLOWED_USERS")),
        allowed_models=source.strings("KANTU_ALLOWED_MODELS"),
        limits=parse_limits(source.value("KANTU_LIMITS")),
        admin_codes=source.strings("KANTU_ADMIN_CODE"),
        admin_users=tuple(u.lower() for u in source.strings("KANTU_ADMIN_USERS")),
        ledger_path=path,
        ledger_salt=str(salt) if salt else None,
        request_log=request_log_destination(source),
    )
