"""Context windows: how many tokens (prompt plus answer) each preset's models accept.

The figures are the catalogue's (``components.catalogue.offers``). A row is keyed by preset and
model, because one model can have different windows at different providers (Qwen2.5-VL-72B:
32,768 at OpenRouter, 131,072 at SiliconFlow). ``checked`` is the month the row was compared with
its ``source``; ``confirmed=False`` marks a figure that a provider's own page did not state
(taken from a model card or a third party), which is shown as approximate.

Lookup: the window the provider publishes itself (OpenRouter's ``GET /models``,
``components.catalogue.published``); the exact preset and model; else the same model name under
any preset (a reseller or a
custom URL serving a known model), marked approximate and taking the smallest such window; else
``DEFAULT_CONTEXT_TOKENS``, marked approximate.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.catalogue.offers import OFFERS
from components.catalogue.published import published_offer

# Unknown models: 32k is the smallest window among current general vision models (Qwen2-VL,
# Qwen2.5-VL at OpenRouter, LLaVA 1.6); older ones with less (deepseek-vl2, GLM-4V) are listed.
DEFAULT_CONTEXT_TOKENS = 32_768


@dataclass(frozen=True)
class ContextRow:
    """One model's context window at one provider, with where the figure comes from."""

    preset: str
    model: str
    tokens: int
    checked: str
    source: str
    confirmed: bool = True


@dataclass(frozen=True)
class ContextWindow:
    """The window used for a request; ``approximate`` when the model or figure is a guess."""

    model: str
    tokens: int
    approximate: bool
    source: str


# The catalogue's offers that have a window (``components.catalogue.offers``), in its order.
_ROWS: tuple[ContextRow, ...] = tuple(
    ContextRow(offer.preset, offer.model.lower(), w.tokens, w.checked, w.source, w.confirmed)
    for offer in OFFERS
    if (w := offer.window) is not None
)
CONTEXT_WINDOWS: dict[tuple[str, str], ContextRow] = {(r.preset, r.model): r for r in _ROWS}


def _bare(model: str) -> str:
    """Return the model name without a provider prefix (``openai/``) or an Ollama tag (``:7b``)."""
    return model.strip().lower().rsplit("/", 1)[-1].split(":", 1)[0]


def context_window(preset_id: str, model: str) -> ContextWindow:
    """Return the context window for ``model`` at the preset ``preset_id``; never raises."""
    name = model.strip().lower()
    published = published_offer(preset_id, name)
    if published is not None and published.window is not None:
        return ContextWindow(model, published.window.tokens, False, published.window.source)
    row = CONTEXT_WINDOWS.get((preset_id, name)) or CONTEXT_WINDOWS.get((preset_id, _bare(model)))
    if row is not None:
        return ContextWindow(model, row.tokens, not row.confirmed, row.source)
    same_model = [r for r in _ROWS if _bare(r.model) == _bare(model)]
    if same_model:
        row = min(same_model, key=lambda r: r.tokens)
        return ContextWindow(model, row.tokens, True, f"{row.source}, at {row.preset}")
    return ContextWindow(model, DEFAULT_CONTEXT_TOKENS, True, "default for unknown models")
