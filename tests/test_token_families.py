"""Token rules for the non-OpenAI families behind the presets, pinned to published examples."""

from __future__ import annotations

import pytest

from components.images.policy import policy_for, target_size
from components.images.tokens import RULES, estimate_image_tokens, grid_size, rule_for


def tokens(width: int, height: int, model: str, detail: str = "auto") -> int:
    return estimate_image_tokens(width, height, model=model, detail=detail).tokens


@pytest.mark.parametrize(
    ("width", "height", "detail", "expected"),
    [
        (224, 448, "high", 128),  # already on the 28-px grid: 8 × 16
        (1024, 1024, "high", 1369),  # rounded to 1036²: 37 × 37
        (3172, 4096, "high", 16240),  # 3192×4116 is over 3584², shrunk to 3136×4060
        (3172, 4096, "low", 256),  # low detail is 448×448 whatever the size
        (1024, 1024, "low", 256),
    ],
)
def test_open_qwen_matches_siliconflows_worked_examples(width, height, detail, expected):
    assert tokens(width, height, "Qwen/Qwen2.5-VL-72B-Instruct", detail) == expected


def test_siliconflows_large_example_is_shrunk_to_the_published_size():
    assert grid_size(3172, 4096, RULES["qwen2.5-vl"]) == (3136, 4060)


def test_dashscope_qwen3_counts_32px_cells_plus_two_markers():
    # 1024² is already 32 × 32 cells of 32 px, under the default max_pixels
    assert tokens(1024, 1024, "qwen3-vl-plus") == 32 * 32 + 2
    assert tokens(1024, 1024, "qwen-vl-max-2025-08-13") == 32 * 32 + 2


def test_dashscope_qvq_and_older_snapshots_count_28px_cells():
    assert tokens(280, 560, "qvq-max") == 10 * 20 + 2
    assert tokens(280, 560, "qwen-vl-max-2025-04-08") == 10 * 20 + 2


def test_qwen_has_at_least_four_tokens_and_at_most_max_pixels():
    assert tokens(10, 10, "qwen3-vl-plus") == 4 + 2
    huge = tokens(8000, 6000, "qwen3-vl-plus")
    assert 0.95 * 2560 <= huge - 2 <= 2560


def test_glm_counts_28px_cells_from_112_px_up_to_its_cap():
    assert tokens(112, 112, "zai-org/GLM-4.5V") == 16
    assert tokens(50, 50, "glm-4.1v-thinking-flash") == 16  # scaled up to 112²
    assert 14000 <= tokens(6000, 6000, "glm-4.5v") <= 15000
    assert 12000 <= tokens(6000, 6000, "glm-4.6v") <= 12288


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(200, 200, 54), (1000, 1000, 1334), (1092, 1092, 1590)],
)
def test_claude_matches_anthropics_table(width, height, expected):
    assert tokens(width, height, "anthropic/claude-sonnet-4") == expected


def test_claude_fits_the_long_side_to_1568_and_the_area_to_about_1600_tokens():
    assert 1550 <= tokens(4000, 3000, "claude-3-5-sonnet") <= 1600
    assert tokens(1568, 100, "claude-opus-4") == 210  # ⌈156,800 px / 750⌉, no shrink
    size = target_size(6000, 500, policy_for("anthropic/claude-sonnet-4", "auto"))
    assert size[0] == 1568


def test_claude_opus_4_7_keeps_more_pixels_and_says_it_is_a_guess():
    estimate = estimate_image_tokens(4000, 3000, model="anthropic/claude-opus-4.7", detail="auto")
    assert estimate.approximate and 4500 <= estimate.tokens <= 4784
    assert max(target_size(6000, 500, policy_for("claude-opus-4-7", "auto"))) == 2576


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (384, 384, 258),  # both sides ≤ 384: one tile
        (300, 200, 258),
        (1152, 768, 258 * 6),  # crop unit 768 / 1.5 = 512: 3 × 2 tiles
        (1024, 1024, 258 * 4),  # unit 682: 2 × 2
        (3000, 3000, 258 * 16),  # unit clamped to 768: 4 × 4
    ],
)
def test_gemini_counts_258_per_crop_tile(width, height, expected):
    assert tokens(width, height, "google/gemini-2.5-flash") == expected


def test_fixed_square_models_cost_the_same_whatever_the_size():
    assert tokens(10, 10, "gemma3:4b") == tokens(4000, 3000, "gemma3") == 256


@pytest.mark.parametrize(
    ("model", "rule_name", "approximate"),
    [
        ("qwen-vl-max", "Qwen 32px+2", True),  # alias target and default max_pixels unconfirmed
        ("qwen3-vl-plus", "Qwen 32px+2", True),
        ("Qwen/Qwen2.5-VL-32B-Instruct", "Qwen 28px", False),
        ("qwen/qwen2.5-vl-72b-instruct", "Qwen 28px", False),
        ("qwen2.5vl", "Qwen 28px", False),
        ("THUDM/GLM-4.1V-9B-Thinking", "GLM 28px", True),
        ("glm-4v-flash", "tile 85+170", True),  # nothing published: a marked guess
        ("anthropic/claude-sonnet-4", "Claude w·h/750", False),
        ("google/gemini-2.5-flash", "Gemini 258/tile", True),
        ("openai/gpt-4o-mini", "tile 2833+5667", False),
        ("gemma3", "Gemma 3 256", False),
        ("llava", "LLaVA 2880", True),
        ("llama3.2-vision", "tile 85+170", True),  # unknown: gpt-4o's rule, approximate
    ],
)
def test_every_preset_model_names_its_rule_and_says_when_it_is_a_guess(
    model, rule_name, approximate
):
    estimate = estimate_image_tokens(800, 600, model=model, detail="auto")
    assert (estimate.rule, estimate.approximate) == (rule_name, approximate)


def test_the_vendor_prefix_and_case_are_ignored():
    assert rule_for("ANTHROPIC/Claude-Sonnet-4")[0] is rule_for("claude-sonnet-4")[0]


@pytest.mark.parametrize(
    ("model", "detail", "size"),
    [
        ("qwen3-vl-plus", "auto", (1856, 1376)),  # 58 × 43 = 2494 cells of 32 px (≤ 2560)
        ("Qwen/Qwen2.5-VL-72B-Instruct", "max", (4000, 2996)),  # 3584² allows it all, on the grid
        ("anthropic/claude-sonnet-4", "auto", (1264, 948)),  # area ≤ ~1600 tokens
        ("gemma3", "auto", (896, 672)),
    ],
)
def test_preparation_sends_no_pixels_the_provider_would_throw_away(model, detail, size):
    sent = target_size(4000, 3000, policy_for(model, detail))
    assert sent == size
    full = estimate_image_tokens(4000, 3000, model=model, detail=detail).tokens
    assert estimate_image_tokens(*sent, model=model, detail=detail).tokens == full


def test_open_qwen_auto_stays_in_kantus_2048_box_on_the_28px_grid():
    sent = target_size(4000, 3000, policy_for("Qwen/Qwen2.5-VL-72B-Instruct", "auto"))
    assert max(sent) <= 2048 and sent[0] % 28 == 0


def test_gemini_is_capped_where_every_768_px_tile_is_still_sent_at_full_size():
    sent = target_size(4000, 3000, policy_for("google/gemini-2.5-flash", "auto"))
    assert sent == (1536, 1152)  # crop unit 768: 2 × 2 tiles, none shrunk
    assert tokens(*sent, "google/gemini-2.5-flash") == 4 * 258
    low = target_size(4000, 3000, policy_for("google/gemini-2.5-flash", "low"))
    assert low == (384, 288) and tokens(*low, "google/gemini-2.5-flash", "low") == 258


def test_every_new_row_is_dated():
    assert all(rule.checked for rule in RULES.values())
