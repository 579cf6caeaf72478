"""The operator's settings on the pages: ``st.secrets`` as a plain mapping, then the environment.

Every page reads settings through ``operator_settings()`` (a ``SettingsSource``), so a page
sees what the hosting rules, the connection and the command line see. The plain mapping is made
once per process and again only when Streamlit reloads a changed secrets file (or a test gives
other secrets), not on every rerun.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import streamlit as st
from streamlit.runtime.secrets import secrets_singleton

from components.costs.hold import DEFAULT_HOLD_ABOVE, SETTING, hold_limits
from components.costs.prices import Currency, PriceBook
from components.errors import ConfigError
from components.settings_source import SecretsCache, SettingsSource, plain

log = logging.getLogger("kantu")

_plain_secrets = SecretsCache()
# Streamlit polls its secrets files itself and sends this once it has re-read a changed one.
secrets_singleton.file_change_listener.connect(_plain_secrets.invalidate, weak=False)


def secrets_mapping() -> dict[str, Any]:
    """Return ``st.secrets`` as nested plain dicts; empty when there is no secrets file (or one
    that does not parse). Every page reads the secrets through it."""
    secrets = st.secrets  # a test (AppTest) gives each run its own
    return _plain_secrets.get(secrets, lambda: plain(secrets))


def operator_settings() -> SettingsSource:
    """Return this run's settings: ``st.secrets``, then the environment."""
    return SettingsSource(secrets_mapping(), os.environ)


def operator_prices() -> PriceBook:
    """Return the operator's ``KANTU_PRICES`` over the table. A malformed setting is logged and
    ignored here (the table applies); the chat page and ``python -m components ask`` say why."""
    try:
        return PriceBook.from_settings(operator_settings())
    except ConfigError:
        log.warning("KANTU_PRICES is malformed; using the built-in price table")
        return PriceBook()


def operator_hold_limits() -> dict[Currency, float]:
    """Return the operator's ``KANTU_HOLD_ABOVE`` over the defaults, per currency. A malformed
    setting is logged (never its value) and the defaults apply."""
    try:
        return hold_limits(operator_settings())
    except ConfigError:
        log.warning("%s is malformed; holding messages above the defaults", SETTING)
        return dict(DEFAULT_HOLD_ABOVE)
