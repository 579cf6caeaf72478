"""What the per-model lookups answer for every model named in the tests, as plain data.

``python -m tests.catalogue_answers > tests/data/catalogue_answers.json`` recorded the answers of
the five tables the catalogue replaced (presets' model lists, prices, context windows, image
token rules, billing-only factors); ``test_catalogue`` checks the catalogue still gives them.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path
from typing import Any

from components.costs.prices import Price, price_for
from components.images.tokens import FALLBACK_RULE, RULES, rule_for
from components.providers.context_windows import context_window
from components.providers.presets import PRESETS
from components.providers.send_limits import billing_only_factor

TESTS = Path(__file__).resolve().parent
# a quoted word with a digit, a dash or a slash, like a model name: "gpt-4o-mini", "llava"
_QUOTED = re.compile(r"""["']([A-Za-z][\w.\-/:]{1,60})["']""")
_MODEL_LIKE = re.compile(r"^(?=.*[\d\-/])[A-Za-z][\w.\-/:]*$")


UNKNOWN = ("acme-vision-7b", "blind-model")  # two names no table knows: the defaults


def model_names() -> list[str]:
    """Return the model-like names quoted in the tests that some table knows, two it does not,
    every image rule's prefix and every preset's models."""
    found = {m for p in TESTS.rglob("test_*.py") for m in _QUOTED.findall(p.read_text("utf-8"))}
    named = {n for n in found if _MODEL_LIKE.match(n) and _known(n)} | set(UNKNOWN) | set(RULES)
    for preset in PRESETS.values():
        named |= {preset.default_model, *preset.vision_models}
    return sorted(named)


def _known(model: str) -> bool:
    known = answers(model)
    free_everywhere = ("ollama", "local_ocr")  # every model is free there: not a sign
    fallback = known["rule_guessed"] and known["rule"] == dataclasses.asdict(FALLBACK_RULE)
    return not fallback or any(
        (a["price"] is not None and preset not in free_everywhere)
        or a["listed"]
        or a["window"][2] != "default for unknown models"
        for preset, a in known["at"].items()
    )


def answers(model: str) -> dict[str, Any]:
    """Return what every lookup says about ``model``, at every preset."""
    rule, guessed = rule_for(model)
    at: dict[str, Any] = {}
    for preset in PRESETS.values():
        price = price_for(preset.id, model)
        window = context_window(preset.id, model)
        at[preset.id] = {
            "listed": model in preset.vision_models,
            "default": model == preset.default_model,
            "price": None if price is None else _flat(price),
            "window": [window.tokens, window.approximate, window.source],
        }
    return {
        "rule": dataclasses.asdict(rule),
        "rule_guessed": guessed,
        "billing_factor": billing_only_factor(model),
        "at": at,
    }


def _flat(price: Price) -> dict[str, Any]:
    """The price's one-tier facts, as the old tables had them (tiers for longer prompts came
    later: tests/test_price_dataset.py checks them)."""
    facts = dataclasses.asdict(price)
    facts.pop("tiers")
    return facts


if __name__ == "__main__":
    sys.stdout.write("{\n")
    lines = [
        f"{json.dumps(m)}: {json.dumps(answers(m), ensure_ascii=False)}" for m in model_names()
    ]
    sys.stdout.write(",\n".join(lines) + "\n}\n")
