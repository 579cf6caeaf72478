"""The quiet line under an answer reads naturally in both languages."""

from __future__ import annotations

import pytest

from components.conversation.exchange import AnswerMeta
from components.conversation.meta_text import meta_text, short_model_name
from components.ui.chat import meta_line
from components.usage import Usage

USAGE = Usage(prompt_tokens=8511, completion_tokens=34, total_tokens=8545)


def _meta(**fields: object) -> AnswerMeta:
    defaults: dict[str, object] = {
        "outcome": "ok",
        "requested_model": "gpt-4o-mini",
        "model": "gpt-4o-mini-2024-07-18",
        "usage": USAGE,
        "ttft_s": 0.23,
        "total_s": 1.24,
    }
    return AnswerMeta(**{**defaults, **fields})


def test_chinese_line_names_the_model_tokens_and_time():
    assert meta_line(_meta(), "zh") == (
        "gpt-4o-mini · 输入 8,511 · 输出 34 tokens · 用时 1.2 秒（首字 0.2 秒）"
    )


def test_english_line_names_the_model_tokens_and_time():
    assert meta_line(_meta(), "en") == (
        "gpt-4o-mini · 8,511 tokens in · 34 out · 1.2 s (first word 0.2 s)"
    )


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("claude-3-5-sonnet-20240620", "claude-3-5-sonnet"),
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet"),
        ("qwen-vl-max-2025-01-25", "qwen-vl-max"),
        ("qwen-vl-max-latest", "qwen-vl-max-latest"),
        ("gpt-4-0613", "gpt-4-0613"),
        ("glm-4v-plus-0111", "glm-4v-plus-0111"),
        ("Qwen/Qwen2.5-VL-72B-Instruct", "Qwen/Qwen2.5-VL-72B-Instruct"),
        ("2024-07-18", "2024-07-18"),
    ],
)
def test_model_loses_only_a_trailing_build_date(name, short):
    assert short_model_name(name) == short


def test_requested_model_is_shown_when_the_provider_names_none():
    assert meta_line(_meta(model=None, requested_model="gpt-4o-2024-08-06"), "en").startswith(
        "gpt-4o · "
    )


def test_cost_is_appended_last():
    line = meta_line(_meta(), "en", cost="$0.0013")
    assert line.endswith("1.2 s (first word 0.2 s) · $0.0013")
    assert meta_line(_meta(), "en", cost=None) == meta_line(_meta(), "en")


def test_without_provider_counts_the_picture_estimate_is_shown():
    line = meta_text(_meta(usage=None, image_tokens=1105), "en")
    assert "pictures ~1,105 tokens" in line and "rough" not in line


@pytest.mark.parametrize(
    ("lang", "mark"),
    [("zh", "图片约 1,105 tokens（未知模型，粗略估计）"), ("en", "(rough: unknown model)")],
)
def test_estimate_for_an_unknown_model_says_it_is_rough(lang, mark):
    meta = _meta(usage=None, image_tokens=1105, image_tokens_approximate=True)
    assert mark in meta_text(meta, lang)


def test_answer_without_a_first_word_shows_only_the_total():
    assert meta_text(_meta(ttft_s=None), "zh").endswith("用时 1.2 秒")
    assert meta_text(_meta(ttft_s=None), "en").endswith("· 1.2 s")


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (0.04, "用时 0.1 秒", "0.1 s"),
        (9.94, "用时 9.9 秒", "9.9 s"),
        (12.4, "用时 12 秒", "12 s"),
        (65.2, "用时 1 分 5 秒", "1 min 5 s"),
    ],
)
def test_seconds_read_as_people_say_them(seconds, zh, en):
    assert meta_text(_meta(total_s=seconds, ttft_s=None), "zh").endswith(zh)
    assert meta_text(_meta(total_s=seconds, ttft_s=None), "en").endswith(en)


def test_pictures_read_as_text_are_said():
    assert "🔤" in meta_text(_meta(pictures_as_text=True), "en")


def test_nothing_known_gives_an_empty_line():
    meta = AnswerMeta(outcome="ok", requested_model="")
    assert meta_text(meta, "en") == ""
