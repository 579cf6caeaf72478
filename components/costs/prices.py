"""Prices per million tokens: the catalogue's list prices, and two override layers.

The list prices are the catalogue's offers (``components.catalogue.offers``): what one preset
charges for one model, in the provider's own currency: ¥ for the Chinese providers and
resellers, $ for OpenAI and OpenRouter. ``checked`` is the month the price was last compared with
its source; a figure that could not be confirmed says so (``confirmed=False``) and is shown as
such.

Lookup order (``PriceBook``): what this visitor typed (shown to that visitor only), then the
operator's ``KANTU_PRICES`` secret, then the table. The hosting limits never see the visitor's
layer (``PriceBook.for_limits``). A model with no price anywhere is *unknown* (``None``), never 0.

``KANTU_PRICES`` is a TOML table keyed by model name::

    [KANTU_PRICES]
    "gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeGuard

from components.catalogue.offers import OFFERS
from components.catalogue.published import published_offer
from components.catalogue.rows import ListPrice, PriceTier
from components.errors import ConfigError
from components.i18n import Lang
from components.settings_source import SettingsSource, parse_table

Currency = Literal["CNY", "USD"]
CURRENCIES: tuple[Currency, ...] = ("CNY", "USD")
SYMBOLS: dict[str, str] = {"CNY": "¥", "USD": "$"}
PER = 1_000_000  # prices are per million tokens
Origin = Literal["table", "operator", "visitor"]


@dataclass(frozen=True)
class Money:
    """An amount in one currency."""

    amount: float
    currency: Currency

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def format(self, lang: Lang = "en") -> str:
        """Return the amount for people: ``¥0.0021``, ``$0.00035``."""
        return format_money(self.amount, self.currency, lang)


@dataclass(frozen=True)
class Price:
    """What a model costs per million prompt (``input``) and answer (``output``) tokens."""

    input: float
    output: float
    currency: Currency
    checked: str = ""  # the month the figure was last compared with its source
    confirmed: bool = True  # False: no public source confirmed it; shown as unconfirmed
    origin: Origin = "table"
    tiers: tuple[PriceTier, ...] = ()  # dearer rates for longer prompts (ascending ``above``)

    def rates(self, prompt_tokens: int) -> tuple[float, float]:
        """Return the input and output price per million tokens for a prompt this long: the
        highest tier whose ``above`` it passes, else the base prices."""
        rates = (self.input, self.output)
        for tier in self.tiers:
            if prompt_tokens > tier.above:
                rates = (tier.input, tier.output)
        return rates

    def cost(self, prompt_tokens: int, completion_tokens: int = 0) -> Money:
        """Return what these token counts cost (the whole request at its prompt's tier)."""
        given, taken = self.rates(prompt_tokens)
        amount = (prompt_tokens * given + completion_tokens * taken) / PER
        return Money(amount, self.currency)

    @property
    def free(self) -> bool:
        """Whether both prices are zero (a model answered on this machine, or a free tier)."""
        return self.input == 0 and self.output == 0


def _price(listed: ListPrice) -> Price:
    return Price(
        listed.input,
        listed.output,
        listed.currency,
        listed.checked,
        listed.confirmed,
        tiers=listed.tiers,
    )


# Keyed by (preset id, model name in lower case): the catalogue's offers that have a price
# (``components.catalogue.offers``, where each figure's source is named).
PRICES: dict[tuple[str, str], Price] = {
    (offer.preset, offer.model.lower()): _price(listed)
    for offer in OFFERS
    if (listed := offer.price) is not None
}

# PRICES by preset: a conversation's total looks up each of its answers' prices on every run.
_BY_PRESET: dict[str, dict[str, Price]] = {
    preset: {model: price for (owner, model), price in PRICES.items() if owner == preset}
    for preset in {preset for preset, _ in PRICES}
}

# A dated snapshot of a listed model costs what the model costs: gpt-4o-mini-2024-07-18.
_SNAPSHOT = re.compile(r"-\d")


def price_for(
    preset_id: str, model: str, overrides: Mapping[str, Price] | None = None
) -> Price | None:
    """Return the price of ``model`` on ``preset_id``, or None when it is unknown.

    ``overrides`` (model name → price) win over the provider's own published price (its
    ``GET /models``, ``components.catalogue.published``), which wins over the table. A dated
    snapshot of a listed model (``gpt-4o-mini-2024-07-18``) gets the model's price. The custom
    preset has no table rows.
    """
    name = model.strip().lower()
    if overrides:
        found = _lookup({k.strip().lower(): v for k, v in overrides.items()}, name)
        if found is not None:
            return found
    published = published_offer(preset_id, name)
    if published is not None and published.price is not None:
        return _price(published.price)
    if (preset_id, "*") in PRICES:
        return PRICES[(preset_id, "*")]
    return _lookup(_BY_PRESET.get(preset_id, {}), name)


def _lookup(rows: Mapping[str, Price], name: str) -> Price | None:
    if name in rows:
        return rows[name]
    snapshots = [m for m in rows if name.startswith(m) and _SNAPSHOT.match(name, len(m))]
    return rows[max(snapshots, key=len)] if snapshots else None


def parse_prices(raw: Mapping[str, Any] | None, *, origin: Origin = "operator") -> dict[str, Price]:
    """Parse a ``KANTU_PRICES`` table (model → {input, output, currency}) into prices.

    Raises ConfigError (reason ``bad_prices``) naming the first entry that is not a table of two
    non-negative numbers and a currency ("CNY" or "USD").
    """
    prices: dict[str, Price] = {}
    for model, entry in (raw or {}).items():
        if not isinstance(model, str) or not model.strip() or not isinstance(entry, Mapping):
            raise ConfigError("bad_prices", entry=str(model)[:80])
        given, taken = entry.get("input"), entry.get("output")
        named = str(entry.get("currency", "")).upper()
        currency = next((c for c in CURRENCIES if c == named), None)
        if currency is None or not (_amount(given) and _amount(taken)):
            raise ConfigError("bad_prices", entry=model[:80])
        prices[model.strip()] = Price(float(given), float(taken), currency, origin=origin)
    return prices


def prices_from_text(text: str | None) -> dict[str, Price]:
    """Parse ``KANTU_PRICES`` given as TOML text (an environment variable, for the command line):
    ``"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }``, one model a line.

    Raises ConfigError: ``bad_prices_text`` when it is not TOML, else as ``parse_prices``.
    """
    if not text or not text.strip():
        return {}
    try:
        raw = parse_table(text, "KANTU_PRICES")
    except ConfigError as exc:
        raise ConfigError("bad_prices_text", exc.detail) from exc
    return parse_prices(raw)


def _amount(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value < 1e6
    )


@dataclass(frozen=True)
class PriceBook:
    """The prices one visitor sees: their own edits over the operator's over the table.

    Keep one per session. The visitor's layer changes only what that visitor is shown; the
    hosting limits read ``for_limits``, which ignores it.
    """

    operator: Mapping[str, Price] = field(default_factory=dict)
    visitor: Mapping[str, Price] = field(default_factory=dict)

    @classmethod
    def from_secrets(cls, raw: Mapping[str, Any] | str | None) -> PriceBook:
        """Return a book with the operator's ``KANTU_PRICES``: a table from the secrets file, or
        the same as TOML text. Raises ConfigError if malformed."""
        if isinstance(raw, str):
            return cls(operator=prices_from_text(raw))
        return cls(operator=parse_prices(raw, origin="operator"))

    @classmethod
    def from_settings(cls, source: SettingsSource) -> PriceBook:
        """Return a book with the operator's ``KANTU_PRICES`` as ``source`` reads it (secrets,
        then the environment). Raises ConfigError if malformed."""
        return cls.from_secrets(source.value("KANTU_PRICES"))

    def for_display(self, preset_id: str, model: str) -> Price | None:
        """Return the price to show this visitor (their edits first)."""
        return price_for(preset_id, model, {**self.operator, **self.visitor})

    def for_limits(self, preset_id: str, model: str) -> Price | None:
        """Return the price the hosting limits use: the operator's and the table's only."""
        return price_for(preset_id, model, self.operator)

    def with_visitor_price(self, model: str, price: Price | None) -> PriceBook:
        """Return a book with this visitor's price for ``model`` set (or removed with None)."""
        visitor = {k: v for k, v in self.visitor.items() if k.lower() != model.strip().lower()}
        if price is not None:
            visitor[model.strip()] = replace(price, origin="visitor", confirmed=True)
        return replace(self, visitor=visitor)


def format_money(amount: float, currency: str, lang: Lang = "en") -> str:
    """Return ``amount`` with its currency sign and two significant digits below one unit.

    ``¥0.0021``, ``$0.00035``, ``¥0.25``, ``$1.50``, ``¥1,234.50``; zero is ``¥0``; amounts
    below a millionth show as ``<¥0.000001``. The sign comes first in both languages.
    Raises ValueError for a negative or non-finite amount.
    """
    if not math.isfinite(amount) or amount < 0:
        raise ValueError(f"not an amount: {amount!r}")
    sign = SYMBOLS.get(currency, currency + " ")
    if amount == 0:
        return f"{sign}0"
    if amount < 1e-6:
        return f"<{sign}0.000001"
    if amount >= 1:
        return f"{sign}{amount:,.2f}"
    decimals = 1 - math.floor(math.log10(amount))  # two significant digits
    if round(amount, decimals) >= 10 ** (2 - decimals):  # 0.0999 rounds up to 0.10, not 0.100
        decimals -= 1
    if round(amount, decimals) >= 1:  # 0.996 rounds up to one unit
        return f"{sign}1.00"
    return f"{sign}{amount:.{decimals}f}"
