"""When a message waits for a confirm before it is sent: the default limits, the operator's.

A message is held only when it is unusual: the defaults (¥1 / $0.15 a message) sit well above an
ordinary question with a few photos (two 1024×768 photos on gpt-4o-mini ≈ ¥0.054), so the check
stops a 40-photo message or a runaway history, not everyday use. When no price is known the
limit is in prompt tokens.

The operator sets other limits with ``KANTU_HOLD_ABOVE``, currency-aware, in either form::

    KANTU_HOLD_ABOVE = "¥2, $0.30"          # text: each amount with its sign or code (2 CNY)
    KANTU_HOLD_ABOVE = { CNY = 2, USD = 0.3 }   # a table (TOML text in the environment)

A currency not named keeps its default. A visitor can still set their own in the sidebar.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from components.costs.prices import CURRENCIES, SYMBOLS, Currency
from components.errors import ConfigError
from components.settings_source import SettingsSource, parse_table, split_list

SETTING = "KANTU_HOLD_ABOVE"
DEFAULT_HOLD_ABOVE: dict[Currency, float] = {"CNY": 1.0, "USD": 0.15}
DEFAULT_HOLD_TOKENS = 200_000  # the same in prompt tokens, when no price is known
_BY_SIGN: dict[str, Currency] = {sign: code for code, sign in SYMBOLS.items() if code in CURRENCIES}
_BY_SIGN |= {"￥": "CNY", "RMB": "CNY", "元": "CNY"}
_AMOUNT = re.compile(
    r"^\s*(?P<pre>[^\d.\s]*)\s*(?P<n>\d+(?:\.\d*)?|\.\d+)\s*(?P<post>[^\d.\s]*)\s*$"
)


def hold_limits(source: SettingsSource) -> dict[Currency, float]:
    """Return the money each message may cost before it is held, per currency: the operator's
    ``KANTU_HOLD_ABOVE`` over the defaults.

    Raises ConfigError("bad_setting", name="KANTU_HOLD_ABOVE") when the setting cannot be read.
    """
    limits = dict(DEFAULT_HOLD_ABOVE)
    value = source.value(SETTING)
    if value is None:
        return limits
    if isinstance(value, Mapping) or (isinstance(value, str) and "=" in value):
        limits |= _from_table(parse_table(value, SETTING) or {})
    else:
        for item in split_list(value):
            currency, amount = _amount(item)
            limits[currency] = amount
    return limits


def _from_table(table: Mapping[str, Any]) -> dict[Currency, float]:
    out: dict[Currency, float] = {}
    for name, amount in table.items():
        currency = _currency(str(name))
        if currency is None or not _is_amount(amount):
            raise _bad(f"{SETTING}: {name!s} is not CNY or USD with an amount")
        out[currency] = float(amount)
    return out


def _amount(text: str) -> tuple[Currency, float]:
    """Return the currency and amount of ``¥2``, ``2 CNY``, ``$0.30`` or ``USD 0.3``."""
    found = _AMOUNT.match(text)
    if found is None or bool(found["pre"]) == bool(found["post"]):
        raise _bad(f"{SETTING}: an amount needs its currency (¥2, $0.30, 2 CNY)")
    currency = _currency(found["pre"] or found["post"])
    if currency is None:
        raise _bad(f"{SETTING}: only CNY (¥) and USD ($) are known")
    return currency, float(found["n"])


def _currency(text: str) -> Currency | None:
    word = text.strip()
    for code in CURRENCIES:
        if word.upper() == code:
            return code
    return _BY_SIGN.get(word.upper()) or _BY_SIGN.get(word)


def _is_amount(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _bad(detail: str) -> ConfigError:
    return ConfigError("bad_setting", detail, name=SETTING)
