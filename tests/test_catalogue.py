"""The catalogue of models: every row dated with its source, and the answers the five tables it
replaced gave (preset lists, prices, context windows, image rules, billing-only factors) kept."""

from __future__ import annotations

import ast
import json
import re

import pytest

from components.catalogue.families import FAMILIES
from components.catalogue.lookup import billing_factor, family_for, listed_models, sees_pictures
from components.catalogue.offers import OFFERS
from components.providers.presets import PRESETS
from tests.catalogue_answers import answers
from tests.conftest import ROOT

RECORDED = json.loads((ROOT / "tests" / "data" / "catalogue_answers.json").read_text("utf-8"))
DATE = re.compile(r"^20\d\d-(0[1-9]|1[0-2])(-\d\d)?$")


def test_every_row_and_every_fact_has_a_date_and_a_source():
    for offer in OFFERS:
        facts = [f for f in (offer.price, offer.window) if f is not None]
        assert facts, offer
        for fact in facts:
            assert DATE.match(fact.checked) and fact.source.strip(), (offer.preset, offer.model)
        assert DATE.match(offer.checked) and offer.source.strip()
    for family in FAMILIES:
        assert DATE.match(family.checked) and family.source.strip(), family.prefix
        if family.rule is not None:
            assert DATE.match(family.rule.checked), family.prefix


def test_one_row_per_provider_and_model_and_per_prefix():
    keys = [(o.preset, o.model.lower()) for o in OFFERS]
    assert len(keys) == len(set(keys))
    prefixes = [f.prefix for f in FAMILIES]
    assert len(prefixes) == len(set(prefixes))
    assert all(o.preset in PRESETS for o in OFFERS)


@pytest.mark.parametrize("model", sorted(RECORDED))
def test_the_old_tables_answers_are_unchanged(model):
    assert answers(model) == RECORDED[model]


def test_the_recording_covers_every_preset_model_and_every_rule():
    for preset in PRESETS.values():
        assert {preset.default_model, *preset.vision_models} <= set(RECORDED), preset.id
    assert {f.prefix for f in FAMILIES if f.rule is not None} <= set(RECORDED)


def test_presets_offer_the_catalogues_listed_models_in_its_order():
    assert PRESETS["openai"].vision_models == listed_models("openai")
    assert listed_models("openai")[:2] == ("gpt-4o-mini", "gpt-4.1-mini")
    assert listed_models("custom") == ()
    assert "*" not in listed_models("ollama")


def test_a_model_belongs_to_its_longest_prefix_whatever_the_vendor_or_case():
    assert family_for("OpenAI/GPT-4o-mini-2024-07-18").prefix == "gpt-4o-mini"
    assert family_for("gpt-4o-2024-08-06").prefix == "gpt-4o"
    assert family_for("anthropic/claude-opus-4.7").prefix == "claude-opus-4.7"
    assert family_for("acme-vision-7b") is None
    assert billing_factor("openai/gpt-4o-mini") == pytest.approx(2833 / 85)
    assert billing_factor("gpt-4o") == billing_factor("acme-vision-7b") == 1.0


def test_can_see_is_known_for_known_families_only():
    assert sees_pictures("qwen-vl-max") is True
    assert sees_pictures("acme-vision-7b") is None


def test_the_catalogue_imports_nothing_else_from_components():
    for path in (ROOT / "components" / "catalogue").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("components"):
                assert node.module.startswith("components.catalogue"), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("components") for a in node.names), path.name
