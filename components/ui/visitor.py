"""Who this visitor is to the operator: signed in or not, the codes entered in this session, the
hosting settings that say what that allows, and whether the operator page is theirs.

Light on purpose: ``app.py`` lists the operator page (for the operator only) before a session's
first screen is drawn, and the ledger, the gate and the code box (``access``) are not needed then.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import streamlit as st

from components.hosting.access import MIN_CODE_LENGTH, Visitor, admin_allowed, short_code_settings
from components.hosting.config import HostingConfig, hosting_config
from components.ui import session
from components.ui.operator_settings import secrets_mapping

if TYPE_CHECKING:  # the code box's scopes: the throttle's ledger is not imported here
    from components.hosting.throttle import Scope

log = logging.getLogger("kantu")


def hosting_settings() -> HostingConfig:
    """Return the operator's hosting settings for this run (secrets, then the environment)."""
    secrets = secrets_mapping()
    config = hosting_config(secrets, os.environ, login_configured="auth" in secrets)
    short = short_code_settings(config)
    if short:
        warn_short_codes(short)
    return config


@st.cache_resource(show_spinner=False)
def warn_short_codes(settings: tuple[str, ...]) -> None:
    """Log which settings hold a short code, once per process (never the codes themselves)."""
    log.warning(
        "%s: a code shorter than %d characters is easy to guess; set a longer one",
        ", ".join(settings),
        MIN_CODE_LENGTH,
    )


def signed_in() -> tuple[bool, str | None]:
    """Return whether this visitor is signed in (``st.login``), and their e-mail if known."""
    try:
        info = st.user.to_dict()
    except Exception:  # no script context (never on a page)
        return False, None
    email = info.get("email")
    return bool(info.get("is_logged_in")), str(email) if email else None


def current_visitor() -> Visitor:
    """Return who is asking: signed in or not, and whether this session entered the code."""
    logged_in, email = signed_in()
    return Visitor(logged_in, email, session.hosting().access_unlocked)


def unlocked(scope: Scope) -> bool:
    """Return whether this session entered a right code for ``scope`` (the site, the operator)."""
    state = session.hosting()
    return state.access_unlocked if scope == "access" else state.admin_unlocked


def unlock(scope: Scope) -> None:
    """Note that this session entered a right code for ``scope``."""
    state = session.hosting()
    if scope == "access":
        state.access_unlocked = True
    else:
        state.admin_unlocked = True


def is_operator() -> bool:
    """Return whether this visitor may open the operator page (its code entered in this
    session, or signed in on ``KANTU_ADMIN_USERS``): only then is it in the navigation."""
    return admin_allowed(hosting_settings(), current_visitor(), unlocked("operator"))
