"""Who may spend the operator's key: an access code, or a sign-in on an allow-list.

Codes are compared in constant time against every configured code (``code_matches``). Wrong
tries slow further tries: after the ``FREE_TRIES``-th wrong code each next one waits twice as
long (1 s, 2 s, 4 s … up to ``MAX_WAIT_S``), as ``Backoff`` counts. The wrong tries are kept in
the ledger's database, per network address and for everyone (``components.hosting.throttle``),
never in the browser session, which a guesser replaces at will. A code shorter than
``MIN_CODE_LENGTH`` is reported to the operator (``short_code_settings``).
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from components.hosting.config import HostingConfig

FREE_TRIES = 2
MAX_WAIT_S = 300.0
MIN_CODE_LENGTH = 8

Refusal = Literal[
    "access_code_required", "sign_in_required", "user_not_allowed", "visitor_keys_off"
]


def code_matches(typed: str, codes: Sequence[str]) -> bool:
    """Return whether ``typed`` is one of ``codes``, comparing with every code in constant time
    (no early exit: how long it takes says nothing about which code was close)."""
    given = typed.strip().encode()
    found = False
    for code in codes:
        found |= hmac.compare_digest(given, code.encode())
    return found and bool(given)


def short_code_settings(config: HostingConfig) -> tuple[str, ...]:
    """Return the settings (``KANTU_ACCESS_CODE``, ``KANTU_ADMIN_CODE``) holding a code shorter
    than ``MIN_CODE_LENGTH`` characters: easy to guess even at the throttle's pace."""
    held = (("KANTU_ACCESS_CODE", config.access_codes), ("KANTU_ADMIN_CODE", config.admin_codes))
    return tuple(name for name, codes in held if any(len(c) < MIN_CODE_LENGTH for c in codes))


@dataclass(frozen=True)
class Backoff:
    """Wrong tries so far by one client and when its next try is allowed (epoch seconds)."""

    failures: int = 0
    retry_at: float = 0.0

    def wait_left(self, now: float) -> float:
        """Return the seconds before another try is allowed (0: now)."""
        return max(0.0, self.retry_at - now)

    def after_failure(self, now: float) -> Backoff:
        """Return the backoff after one more wrong try at ``now``."""
        failures = self.failures + 1
        wait = 0.0 if failures < FREE_TRIES else min(2.0 ** (failures - FREE_TRIES), MAX_WAIT_S)
        return replace(self, failures=failures, retry_at=now + wait)


def user_allowed(email: str | None, allowed: Sequence[str]) -> bool:
    """Return whether a signed-in ``email`` is on the list (an address, or ``@domain``); an
    empty list lets every signed-in person in."""
    if not allowed:
        return True
    address = (email or "").strip().lower()
    if "@" not in address:
        return False
    domain = "@" + address.rsplit("@", 1)[1]
    return any(entry.lower() in (address, domain) for entry in allowed)


@dataclass(frozen=True)
class Visitor:
    """Who is asking, as far as the page knows: signed in (with an e-mail) or not, and whether
    this session entered a right access code."""

    logged_in: bool = False
    email: str | None = None
    unlocked: bool = False


def refusal(config: HostingConfig, key_source: str, visitor: Visitor) -> Refusal | None:
    """Return why this request may not go, or None when it may.

    Only the operator's key is guarded: a visitor's own key goes unless
    ``KANTU_ALLOW_VISITOR_KEYS`` is false; with login configured ([auth]) a sign-in on the
    allow-list replaces the access code.
    """
    if key_source == "argument":
        return None if config.allow_visitor_keys else "visitor_keys_off"
    if key_source != "operator":
        return None
    if config.login_configured:
        if not visitor.logged_in:
            return "sign_in_required"
        return None if user_allowed(visitor.email, config.allowed_users) else "user_not_allowed"
    if config.access_codes and not visitor.unlocked:
        return "access_code_required"
    return None


def admin_allowed(config: HostingConfig, visitor: Visitor, unlocked: bool) -> bool:
    """Return whether the operator page opens: the admin code entered, or a signed-in person on
    ``KANTU_ADMIN_USERS``. With neither configured it stays shut."""
    if config.admin_codes and unlocked:
        return True
    return bool(
        config.admin_users and visitor.logged_in and user_allowed(visitor.email, config.admin_users)
    )
