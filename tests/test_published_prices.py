"""OpenRouter's own prices and context lengths, read from its ``GET /models`` answer (the one
Test connection already fetches), win over the dated table for a while, then the table answers."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from components.catalogue.published import TTL_S, forget_published, published_offer
from components.costs.prices import price_for
from components.devtools.upstream import FakeUpstream, json_reply
from components.providers.context_windows import context_window
from components.providers.presets import get_preset
from components.providers.probe import list_models
from components.providers.settings import ClientSettings, resolve_settings

# The shape of openrouter.ai/api/v1/models (fields Kantu does not read trimmed).
LISTING = {
    "data": [
        {
            "id": "openai/gpt-4o-mini",
            "name": "OpenAI: GPT-4o-mini",
            "context_length": 128000,
            "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]},
            "pricing": {
                "prompt": "0.00000015",
                "completion": "0.0000006",
                "image": "0.000217",
                "request": "0",
            },
            "top_provider": {"context_length": 128000, "max_completion_tokens": 16384},
        },
        {
            "id": "qwen/qwen2.5-vl-72b-instruct",
            "name": "Qwen: Qwen2.5 VL 72B Instruct",
            "context_length": 96000,
            "pricing": {"prompt": "0.0000007", "completion": "0.0000007", "request": "0"},
        },
        {
            "id": "openrouter/auto",
            "name": "Auto Router",
            "context_length": 2000000,
            "pricing": {"prompt": "-1", "completion": "-1"},
        },
    ]
}


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forget_published()
    yield
    forget_published()  # other modules on this worker read the table


def _settings(up: FakeUpstream, preset: str = "openrouter") -> ClientSettings:
    settings = resolve_settings(
        base_url=up.base_url, api_key="sk-or-0123456789abcdef", model="m", environ={}
    )
    return replace(settings, preset=get_preset(preset), max_retries=0)


def test_a_listed_price_and_window_replace_the_tables(upstream):
    assert price_for("openrouter", "qwen/qwen2.5-vl-72b-instruct").input == 0.25  # the table
    upstream.enqueue(json_reply(LISTING))
    ids = list_models(_settings(upstream))
    assert "qwen/qwen2.5-vl-72b-instruct" in ids
    price = price_for("openrouter", "qwen/qwen2.5-vl-72b-instruct")
    assert price is not None and price.currency == "USD"
    assert math.isclose(price.input, 0.7) and math.isclose(price.output, 0.7)
    window = context_window("openrouter", "qwen/qwen2.5-vl-72b-instruct")
    assert window.tokens == 96_000 and not window.approximate
    assert "GET /models" in window.source


def test_a_router_with_no_price_is_not_priced_at_minus_one(upstream):
    upstream.enqueue(json_reply(LISTING))
    list_models(_settings(upstream))
    assert published_offer("openrouter", "openrouter/auto") is None
    assert price_for("openrouter", "openrouter/auto") is None


def test_the_listing_is_forgotten_after_its_time(upstream):
    upstream.enqueue(json_reply(LISTING))
    list_models(_settings(upstream))
    later = time.monotonic() + TTL_S + 1
    assert published_offer("openrouter", "openai/gpt-4o-mini") is not None
    assert published_offer("openrouter", "openai/gpt-4o-mini", now=later) is None


def test_a_custom_urls_listing_is_not_kept_for_everyone(upstream):
    upstream.enqueue(json_reply(LISTING))
    list_models(_settings(upstream, "custom"))
    assert published_offer("custom", "openai/gpt-4o-mini") is None
    assert price_for("custom", "openai/gpt-4o-mini") is None
