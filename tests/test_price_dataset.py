"""Kantu's price table against a pinned copy of a maintained dataset: LiteLLM's model price table
(tests/data/litellm_prices.json, from the litellm wheel named there; MIT, tests/data/litellm_LICENSE).

Every catalogue offer the dataset has a row for is compared: prices per million tokens, the
tiers for longer prompts, and the context window. The test lists every difference and fails on any
that is not in ``ALLOWED`` below, each with the reason it is not a mistake."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from components.catalogue.offers import OFFERS
from components.catalogue.rows import ListPrice, Offer, PriceTier
from components.costs.prices import price_for

DATASET = json.loads(
    (Path(__file__).parent / "data" / "litellm_prices.json").read_text(encoding="utf-8")
)
ROWS: dict[str, dict] = DATASET["rows"]
PER = 1_000_000

# Kantu's offer (preset, model) -> the dataset's row for the same model at the same price.
DATASET_ROW = {
    ("openai", "gpt-4o-mini"): "gpt-4o-mini",
    ("openai", "gpt-4.1-mini"): "gpt-4.1-mini",
    ("openai", "gpt-4o"): "gpt-4o",
    ("openai", "gpt-4.1"): "gpt-4.1",
    ("openai", "gpt-4.1-nano"): "gpt-4.1-nano",
    # OpenRouter passes the upstream's price through: compare with the maker's own row.
    ("openrouter", "openai/gpt-4o-mini"): "gpt-4o-mini",
    ("openrouter", "google/gemini-2.5-flash"): "gemini/gemini-2.5-flash",
    # Anthropic's list price; this litellm has Sonnet 4 at that price only as Bedrock's row.
    ("openrouter", "anthropic/claude-sonnet-4"): "anthropic.claude-sonnet-4-20250514-v1:0",
    ("dashscope", "qwen3-vl-plus"): "dashscope/qwen3-vl-plus",
}

ALLOWED = {
    # DashScope's mainland price in ¥ (output 10× input) against the dataset's international
    # price in $ (output 8× input): two regions, two price lists; the tier steps agree.
    "dashscope/qwen3-vl-plus: output/input 10 in CNY, dataset 8 in USD",
    # Kantu's window counts prompt plus answer (256k); the dataset's max_input_tokens is the
    # prompt alone, what is left after the answer's reserve.
    "dashscope/qwen3-vl-plus: window 262144, dataset max_input_tokens 260096",
}


def _tiers(row: dict) -> tuple[float, float, tuple[PriceTier, ...]]:
    """Return a dataset row's base prices and tiers, per million tokens."""
    if "tiered_pricing" in row:
        steps = sorted(row["tiered_pricing"], key=lambda step: step["range"][0])
        base, *rest = steps
        tiers = tuple(
            PriceTier(
                int(s["range"][0]),
                s["input_cost_per_token"] * PER,
                s["output_cost_per_token"] * PER,
            )
            for s in rest
        )
        return base["input_cost_per_token"] * PER, base["output_cost_per_token"] * PER, tiers
    tiers = ()
    if "input_cost_per_token_above_200k_tokens" in row:
        tiers = (
            PriceTier(
                200_000,
                row["input_cost_per_token_above_200k_tokens"] * PER,
                row["output_cost_per_token_above_200k_tokens"] * PER,
            ),
        )
    return row["input_cost_per_token"] * PER, row["output_cost_per_token"] * PER, tiers


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _differences(offer: Offer, row: dict) -> list[str]:
    name = f"{offer.preset}/{offer.model}"
    price = offer.price
    assert isinstance(price, ListPrice)
    given, taken, tiers = _tiers(row)
    found: list[str] = []
    if price.currency == "USD":
        if not (_same(price.input, given) and _same(price.output, taken)):
            found.append(f"{name}: {price.input}/{price.output}, dataset {given:g}/{taken:g}")
        mine = [(t.above, round(t.input, 6), round(t.output, 6)) for t in price.tiers]
        theirs = [(t.above, round(t.input, 6), round(t.output, 6)) for t in tiers]
        if mine != theirs:
            found.append(f"{name}: tiers {mine}, dataset {theirs}")
    else:  # another currency: compare the shape (output ratio, tier boundaries and steps)
        ratio, their_ratio = price.output / price.input, taken / given
        if not _same(ratio, their_ratio):
            found.append(f"{name}: output/input {ratio:g} in CNY, dataset {their_ratio:g} in USD")
        mine = [(t.above, round(t.input / price.input, 3)) for t in price.tiers]
        theirs = [(t.above, round(t.input / given, 3)) for t in tiers]
        if mine != theirs:
            found.append(f"{name}: tier steps {mine}, dataset {theirs}")
    window = offer.window.tokens if offer.window else None
    if window is not None and window != row.get("max_input_tokens"):
        found.append(
            f"{name}: window {window}, dataset max_input_tokens {row.get('max_input_tokens')}"
        )
    return found


def test_the_catalogue_agrees_with_the_pinned_dataset_but_for_the_reasoned_differences():
    offers = {(o.preset, o.model): o for o in OFFERS}
    found = [
        line for key, row in DATASET_ROW.items() for line in _differences(offers[key], ROWS[row])
    ]
    print("\n".join(found))  # the list, for whoever updates the table
    assert sorted(set(found) - ALLOWED) == []
    assert sorted(ALLOWED - set(found)) == []  # an allowance no longer needed is removed


def test_the_pinned_copy_says_where_it_came_from():
    assert DATASET["litellm_version"] == "1.108.7"
    assert set(DATASET_ROW.values()) == set(ROWS)


@pytest.mark.parametrize(
    ("model", "prompt", "answer", "expected"),
    [
        ("qwen3-vl-plus", 10_000, 1_000, (10_000 * 1.0 + 1_000 * 10.0) / PER),
        ("qwen3-vl-plus", 50_000, 1_000, (50_000 * 1.5 + 1_000 * 15.0) / PER),
        ("qwen3-vl-plus", 200_000, 1_000, (200_000 * 3.0 + 1_000 * 30.0) / PER),
    ],
)
def test_a_long_prompt_is_billed_at_its_tier(model, prompt, answer, expected):
    price = price_for("dashscope", model)
    assert price is not None
    assert math.isclose(price.cost(prompt, answer).amount, expected)


def test_claude_over_200k_costs_the_long_context_price():
    price = price_for("openrouter", "anthropic/claude-sonnet-4")
    assert price is not None
    assert math.isclose(price.cost(200_000, 0).amount, 0.6)  # at the tier's edge: base price
    assert math.isclose(price.cost(200_001, 1_000).amount, (200_001 * 6 + 1_000 * 22.5) / PER)
