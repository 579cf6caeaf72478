"""Offers a provider publishes itself, learned from its ``GET /models`` answer and kept a while.

OpenRouter lists each model's price (``pricing.prompt`` / ``pricing.completion``, $ per token)
and context length on ``GET /models``, which Kantu already calls to fill the model box. Those
rows are fresher than the dated table, so the price and window lookups
(``components.costs.prices``, ``components.providers.context_windows``) read them first, for as
long as ``TTL_S`` after they were fetched; then the table answers again.

Kept per preset and base URL, bounded (``MAX_ENDPOINTS``, oldest first out). Only a preset's own
public listing is kept (the caller does not remember a custom URL's): it is the same for every
visitor, so one process-wide table is right, and it holds nothing about anyone.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from components.catalogue.rows import Offer

TTL_S = 6 * 3600.0
MAX_ENDPOINTS = 16


@dataclass(frozen=True)
class Published:
    """One listing: its offers by model name in lower case, and when it was fetched."""

    offers: dict[str, Offer]
    fetched: float  # time.monotonic()


_listings: OrderedDict[tuple[str, str], Published] = OrderedDict()
_lock = threading.Lock()


def remember_published(
    preset: str, base_url: str, offers: Iterable[Offer], *, now: float | None = None
) -> None:
    """Keep the offers ``preset``'s listing at ``base_url`` published (replacing an older one)."""
    listing = Published(
        {o.model.lower(): o for o in offers}, time.monotonic() if now is None else now
    )
    key = (preset, base_url)
    with _lock:
        _listings[key] = listing
        _listings.move_to_end(key)
        while len(_listings) > MAX_ENDPOINTS:
            _listings.popitem(last=False)


def published_offer(preset: str, model: str, *, now: float | None = None) -> Offer | None:
    """Return ``model``'s offer from ``preset``'s freshest listing younger than ``TTL_S``, or
    None (never listed, or the listing is too old)."""
    moment = time.monotonic() if now is None else now
    name = model.strip().lower()
    with _lock:
        fresh = [
            listing
            for (pid, _), listing in _listings.items()
            if pid == preset and moment - listing.fetched < TTL_S
        ]
    for listing in sorted(fresh, key=lambda item: item.fetched, reverse=True):
        if name in listing.offers:
            return listing.offers[name]
    return None


def forget_published() -> None:
    """Forget every listing (tests; an operator's reload)."""
    with _lock:
        _listings.clear()
