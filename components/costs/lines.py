"""The cost lines a page shows, in either language: before sending, as billed, and in total.

Streamlit-free, so the page only places the text: unknown prices say so (never ¥0), local models
say they are free, and unconfirmed prices are marked.
"""

from __future__ import annotations

from collections.abc import Iterable

from components.costs.calibration import Calibration
from components.costs.estimate import RequestEstimate, cost_of
from components.costs.prices import Money, Price
from components.i18n import Lang, t
from components.usage import Usage


def before_sending(estimate: RequestEstimate, price: Price | None, lang: Lang) -> str:
    """Return the line for the next request: ``≈ ¥0.0021 before sending``, or its tokens and
    "price unknown" when the price is not known, or "free" for a model run on this machine."""
    if price is not None and price.free:
        return t("money.free", lang)
    if price is None:
        tokens = t(
            "money.estimate_tokens",
            lang,
            tokens=f"{estimate.prompt_tokens:,}",
            image_tokens=f"{estimate.image_tokens:,}",
        )
        return f"{tokens} · {t('money.price_unknown', lang)}"
    line = t("money.before_sending", lang, cost=cost_of(estimate, price).format(lang))
    return _marked(line, price, lang)


def billed(usage: Usage | None, price: Price | None, lang: Lang) -> str | None:
    """Return the line for an answer's bill (``billed ¥0.0023``), "price unknown", or None when
    the provider reported no usage."""
    if usage is None:
        return None
    if price is None:
        return t("money.price_unknown", lang)
    if price.free:
        return t("money.free", lang)
    return _marked(t("money.billed", lang, cost=cost_of(usage, price).format(lang)), price, lang)


def calibration_note(calibration: Calibration, model: str, lang: Lang) -> str | None:
    """Return "calibrated from N answers (pictures ×F)", or None before any answer counted."""
    count = calibration.count(model)
    if not count:
        return None
    key = "money.calibrated_one" if count == 1 else "money.calibrated"
    return t(key, lang, n=count, factor=f"{calibration.factor(model):.2f}")


def totals(bills: Iterable[tuple[Usage | None, Price | None]]) -> tuple[list[Money], int]:
    """Return a conversation's billed total per currency, and how many answers could not be
    priced (no usage, or no price): those are left out, not counted as 0."""
    sums: dict[str, Money] = {}
    unpriced = 0
    for usage, price in bills:
        if usage is None or price is None:
            unpriced += 1
            continue
        cost = cost_of(usage, price)
        sums[cost.currency] = sums[cost.currency] + cost if cost.currency in sums else cost
    return list(sums.values()), unpriced


def _marked(line: str, price: Price, lang: Lang) -> str:
    if price.confirmed:
        return line
    return f"{line} ({t('money.price_unconfirmed', lang)})"
