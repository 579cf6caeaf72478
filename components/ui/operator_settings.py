"""The operator's settings on the pages: ``st.secrets`` as a plain mapping, then the environment.

Every page reads settings through ``operator_settings()`` (a ``SettingsSource``), so a page
sees what the hosting rules, the connection and the command line see.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import streamlit as st

from components.costs.hold import DEFAULT_HOLD_ABOVE, SETTING, hold_limits
from components.costs.prices import Currency, PriceBook
from components.errors import ConfigError
from components.settings_source import SettingsSource, plain

log = logging.getLogger("kantu")


def secrets_mapping() -> dict[str, Any]:
    """Return ``st.secrets`` as nested plain dicts; empty when there is no secrets file."""
    try:
        return plain(st.secrets)
    except FileNotFoundError:  # no secrets.toml, or one that does not parse
        return {}


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
