"""Prices per million tokens: one dated table for the presets' models, and two override layers.

A row says what one preset charges for one model, in the provider's own currency: ¥ for the
Chinese providers and resellers, $ for OpenAI and OpenRouter. ``checked`` is the month the price
was last compared with a public source, named in the comment above the rows; a row whose figure
could not be confirmed says so (``confirmed=False``) and is shown as such.

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
from typing import Any, Literal

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

    def cost(self, prompt_tokens: int, completion_tokens: int = 0) -> Money:
        """Return what these token counts cost."""
        amount = (prompt_tokens * self.input + completion_tokens * self.output) / PER
        return Money(amount, self.currency)

    @property
    def free(self) -> bool:
        """Whether both prices are zero (a model answered on this machine, or a free tier)."""
        return self.input == 0 and self.output == 0


def _cny(inp: float, out: float, checked: str, *, confirmed: bool = True) -> Price:
    return Price(inp, out, "CNY", checked, confirmed)


def _usd(inp: float, out: float, checked: str, *, confirmed: bool = True) -> Price:
    return Price(inp, out, "USD", checked, confirmed)


_FREE = Price(0.0, 0.0, "CNY", "2026-12")  # runs on this machine: nothing is billed

# Keyed by (preset id, model name in lower case). Sources, checked 2026-12-02:
PRICES: dict[tuple[str, str], Price] = {
    # 冰橙 (bingcheng): its API page (shared/reference/000_ca361fae4e18b6b3.txt) names no price,
    # and no public price list was found. NOT CONFIRMED: OpenAI's list price at ¥7.2 per $, a
    # placeholder until the operator sets KANTU_PRICES with the reseller's real rate.
    ("bingcheng", "gpt-4o-mini"): _cny(1.08, 4.32, "2026-12", confirmed=False),
    ("bingcheng", "gpt-4o"): _cny(18.0, 72.0, "2026-12", confirmed=False),
    # OpenAI list prices (standard tier), per 1M tokens: platform pricing page as republished
    # 2026-11 (api-evangelist "OpenAI API pricing", 2026-11-06) and cross-checked with
    # aipricing.guru / pricepertoken.com tables (2026-05).
    ("openai", "gpt-4o-mini"): _usd(0.15, 0.60, "2026-12"),
    ("openai", "gpt-4o"): _usd(2.50, 10.00, "2026-12"),
    ("openai", "gpt-4.1"): _usd(2.00, 8.00, "2026-12"),
    ("openai", "gpt-4.1-mini"): _usd(0.40, 1.60, "2026-12"),
    ("openai", "gpt-4.1-nano"): _usd(0.10, 0.40, "2026-12"),
    # OpenRouter passes the upstream's price through; openrouter.ai model pages.
    ("openrouter", "openai/gpt-4o-mini"): _usd(0.15, 0.60, "2026-12"),
    ("openrouter", "anthropic/claude-sonnet-4"): _usd(3.00, 15.00, "2026-12"),
    # NOT CONFIRMED: Google's GA price for gemini-2.5-flash as remembered ($0.30 / $2.50); one
    # gateway page still lists the preview price ($0.15 / $0.60).
    ("openrouter", "google/gemini-2.5-flash"): _usd(0.30, 2.50, "2026-12", confirmed=False),
    # NOT CONFIRMED: the cheapest OpenRouter route varies by host; no page with a figure found.
    ("openrouter", "qwen/qwen2.5-vl-72b-instruct"): _usd(0.25, 0.75, "2026-12", confirmed=False),
    # DashScope (阿里云百炼), 元/千tokens × 1000, mainland region, from the model pages' pricing
    # blocks (qwen-vl-max 0.0016 / 0.004; qwen-vl-plus 0.0008 / 0.002; qwen3-vl-plus tier
    # "输入<=32K" 0.001 / 0.01, dearer above 32K input, which Kantu does not model).
    ("dashscope", "qwen-vl-max"): _cny(1.6, 4.0, "2026-12"),
    ("dashscope", "qwen-vl-plus"): _cny(0.8, 2.0, "2026-12"),
    # NOT CONFIRMED: -latest assumed to cost what qwen-vl-max costs.
    ("dashscope", "qwen-vl-max-latest"): _cny(1.6, 4.0, "2026-12", confirmed=False),
    ("dashscope", "qwen3-vl-plus"): _cny(1.0, 10.0, "2026-12"),
    # NOT CONFIRMED: SiliconFlow's model square could not be read; figures as last seen there
    # (same price in and out).
    ("siliconflow", "qwen/qwen2.5-vl-72b-instruct"): _cny(4.13, 4.13, "2026-12", confirmed=False),
    ("siliconflow", "qwen/qwen2.5-vl-32b-instruct"): _cny(1.89, 1.89, "2026-12", confirmed=False),
    ("siliconflow", "deepseek-ai/deepseek-vl2"): _cny(0.99, 0.99, "2026-12", confirmed=False),
    # Zhipu: glm-4v-flash is free (bigmodel.cn, republished by freemodels.net). NOT CONFIRMED:
    # glm-4v-plus(-0111) at 0.004 元/千tokens as last seen on bigmodel.cn/pricing.
    ("zhipu", "glm-4v-flash"): _cny(0.0, 0.0, "2026-12"),
    ("zhipu", "glm-4v-plus"): _cny(4.0, 4.0, "2026-12", confirmed=False),
    ("zhipu", "glm-4v-plus-0111"): _cny(4.0, 4.0, "2026-12", confirmed=False),
    # Answered on this machine: nothing is billed, whatever the model.
    ("ollama", "*"): _FREE,
    ("local_ocr", "*"): _FREE,
}

# A dated snapshot of a listed model costs what the model costs: gpt-4o-mini-2024-07-18.
_SNAPSHOT = re.compile(r"-\d")


def price_for(
    preset_id: str, model: str, overrides: Mapping[str, Price] | None = None
) -> Price | None:
    """Return the price of ``model`` on ``preset_id``, or None when it is unknown.

    ``overrides`` (model name → price) win over the table. A dated snapshot of a listed model
    (``gpt-4o-mini-2024-07-18``) gets the model's price. The custom preset has no table rows.
    """
    name = model.strip().lower()
    if overrides:
        found = _lookup({k.strip().lower(): v for k, v in overrides.items()}, name)
        if found is not None:
            return found
    if (preset_id, "*") in PRICES:
        return PRICES[(preset_id, "*")]
    rows = {m: p for (pid, m), p in PRICES.items() if pid == preset_id}
    return _lookup(rows, name)


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
        values = [entry.get("input"), entry.get("output")]
        named = str(entry.get("currency", "")).upper()
        currency = next((c for c in CURRENCIES if c == named), None)
        if currency is None or not all(_amount(v) for v in values):
            raise ConfigError("bad_prices", entry=model[:80])
        prices[model.strip()] = Price(float(values[0]), float(values[1]), currency, origin=origin)
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


def _amount(value: object) -> bool:
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
