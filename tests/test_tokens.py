"""Token estimates pinned to OpenAI's published worked examples and Kantu's own bills."""

from __future__ import annotations

import math

import pytest

from components.images.tokens import (
    RULES,
    estimate_image_tokens,
    patch_size,
    rule_for,
)


@pytest.mark.parametrize(
    ("width", "height", "detail", "tokens"),
    [
        (1024, 1024, "high", 765),  # scaled to 768×768: 4 tiles × 170 + 85
        (2048, 4096, "high", 1105),  # 1024×2048, then 768×1536: 6 tiles
        (4096, 8192, "low", 85),  # low detail is the base, whatever the size
    ],
)
def test_tile_rule_matches_openai_worked_examples(width, height, detail, tokens):
    assert estimate_image_tokens(width, height, model="gpt-4o", detail=detail).tokens == tokens


def test_patch_rule_matches_openai_1024_square_example():
    # 32 × 32 = 1024 patches, under the 1536 cap; gpt-4.1-mini multiplies by 1.62
    estimate = estimate_image_tokens(1024, 1024, model="gpt-4.1-mini", detail="high")
    assert estimate.tokens == math.ceil(1024 * 1.62)


def test_patch_rule_shrinks_1800_by_2400_to_1452_patches():
    # OpenAI's example: shrink 0.603 → 1086×1448, then 33/33.94 → 1056×1408: 33 × 44 patches
    width, height = patch_size(1800, 2400)
    assert math.ceil(width / 32) * math.ceil(height / 32) == 1452
    nano = estimate_image_tokens(1800, 2400, model="gpt-4.1-nano", detail="auto")
    assert nano.tokens == math.ceil(1452 * 2.46)


def test_bingcheng_bill_of_8511_is_reproduced_for_gpt_4o_mini_auto():
    # The seed's 冰橙 call: one small image, a short question, no detail set, 8511 prompt tokens.
    image = estimate_image_tokens(320, 240, model="gpt-4o-mini", detail="auto")
    assert image.tokens == 2833 + 5667
    assert 0 < 8511 - image.tokens <= 15  # the rest: a nine-character question and its framing


@pytest.mark.parametrize(
    ("model", "low", "high_1024"),
    [
        ("gpt-4o", 85, 765),
        ("gpt-4o-2024-08-06", 85, 765),
        ("gpt-4.1", 85, 765),
        ("gpt-4o-mini", 2833, 2833 + 4 * 5667),
        ("o1", 75, 75 + 4 * 150),
        ("o3", 75, 75 + 4 * 150),
        ("gpt-5", 70, 70 + 4 * 140),
        ("openai/gpt-4o", 85, 765),
    ],
)
def test_each_tile_priced_model_uses_its_own_base_and_tile(model, low, high_1024):
    assert estimate_image_tokens(1024, 1024, model=model, detail="low").tokens == low
    assert estimate_image_tokens(1024, 1024, model=model, detail="high").tokens == high_1024


def test_o4_mini_is_patch_priced_at_1_72():
    assert estimate_image_tokens(64, 64, model="o4-mini", detail="high").tokens == math.ceil(
        4 * 1.72
    )


def test_auto_is_estimated_as_high_and_max_as_high():
    high = estimate_image_tokens(1024, 1024, model="gpt-4o", detail="high").tokens
    assert estimate_image_tokens(1024, 1024, model="gpt-4o", detail="auto").tokens == high
    assert estimate_image_tokens(1024, 1024, model="gpt-4o", detail="max").tokens == high


def test_unknown_model_estimate_is_marked_approximate():
    estimate = estimate_image_tokens(1024, 1024, model="acme-vision-9", detail="auto")
    assert estimate.approximate
    assert (estimate.tokens, estimate.rule) == (765, "tile 85+170")  # gpt-4o's rule, named


def test_known_confirmed_model_estimate_is_not_approximate():
    assert not estimate_image_tokens(10, 10, model="gpt-4o-mini", detail="auto").approximate


def test_longest_model_prefix_wins():
    assert rule_for("gpt-4o-mini-2024-07-18")[0] == RULES["gpt-4o-mini"]
    assert rule_for("gpt-4.1-mini")[0].kind == "patch"
    assert rule_for("gpt-4.1")[0].kind == "tile"


def test_every_rule_row_is_dated():
    assert all(rule.checked for rule in RULES.values())


def test_non_positive_size_is_rejected():
    with pytest.raises(ValueError):
        estimate_image_tokens(0, 10, model="gpt-4o", detail="auto")


def test_openai_rules_keep_their_counting_and_geometry():
    for prefix in ("gpt-4o", "gpt-4o-mini", "o3", "gpt-5", "gpt-4.1"):
        assert RULES[prefix].count == RULES[prefix].kind == "tile"
    for prefix in ("gpt-4.1-mini", "gpt-4.1-nano", "o4-mini", "gpt-5-mini"):
        assert RULES[prefix].count == RULES[prefix].kind == "patch"
