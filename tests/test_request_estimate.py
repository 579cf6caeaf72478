"""The next request's estimate: system prompt, history text and every picture still sent."""

from __future__ import annotations

import hashlib

import pytest

from components.conversation.exchange import Exchange
from components.costs.estimate import (
    PER_MESSAGE,
    REPLY_PRIMING,
    cost_of,
    estimate_turns,
    most_cost_of,
    text_tokens,
)
from components.costs.prices import Price
from components.devtools.upstream import sse
from components.images.prepared import ImagePart, PreparedImage, SourceFacts
from components.providers.client import ChatOptions
from components.providers.settings import resolve_settings
from components.turns import ChatTurn, part_note
from components.usage import Usage

OVERHEAD_ONE = PER_MESSAGE + REPLY_PRIMING  # one message and the reply's priming


def picture(width: int = 1024, height: int = 1024, *, tokens: int = 0, detail="high", parts=()):
    payload = f"{width}x{height}:{tokens}:{len(parts)}".encode()
    return PreparedImage(
        data=payload,
        mime="image/jpeg",
        width=width,
        height=height,
        detail=detail,
        tokens=tokens,
        tokens_approximate=False,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=SourceFacts("JPEG", width, height, len(payload)),
        name="p.jpg",
        parts=parts,
    )


def test_text_counts_a_cjk_character_as_a_token_and_other_text_by_fours():
    assert text_tokens("这是什么？") == 5
    assert text_tokens("hello world!") == 3
    assert text_tokens("看 this") == 1 + 2  # 看 + " this" (5 characters → 2)
    assert text_tokens("") == 0


def test_system_prompt_and_history_text_are_counted_each_with_its_overhead():
    turns = [
        ChatTurn("user", "这是什么？"),
        ChatTurn("assistant", "一个橙子。"),
        ChatTurn("user", "what colour"),
    ]
    estimate = estimate_turns(turns, model="gpt-4o", system="只用中文", max_tokens=None)
    assert estimate.text_tokens == 4 * PER_MESSAGE + REPLY_PRIMING + 4 + 5 + 5 + 3
    assert (estimate.image_tokens, estimate.per_image) == (0, ())
    assert "text ≈" in estimate.rule


def test_every_picture_still_in_the_turns_is_counted_by_the_published_rule():
    turns = [
        ChatTurn("user", "a", (picture(1024, 1024),)),
        ChatTurn("assistant", "b"),
        ChatTurn("user", "c", (picture(512, 512), picture(1024, 1024, detail="low"))),
    ]
    estimate = estimate_turns(turns, model="gpt-4o", system=None, max_tokens=300)
    assert estimate.per_image == (765, 255, 85)  # OpenAI's worked examples: 85 + 170 × tiles
    assert estimate.image_tokens == 1105
    assert estimate.prompt_tokens == estimate.text_tokens + 1105
    assert not estimate.approximate and estimate.rule.startswith("tile 85+170")
    assert estimate.max_tokens == 300 and estimate.model == "gpt-4o"


def test_a_picture_prepared_for_another_model_is_estimated_again_for_this_one():
    photo = picture(1024, 1024, tokens=765)  # prepared for gpt-4o
    turns = [ChatTurn("user", "?", (photo,))]
    again = estimate_turns(turns, model="gpt-4o-mini", system=None, max_tokens=None)
    assert again.per_image == (25_501,)  # 2833 + 5667 × 4 tiles
    same = estimate_turns(
        turns, model="gpt-4o", system=None, max_tokens=None, prepared_for="gpt-4o"
    )
    assert same.per_image == (765,)


def test_the_pictures_own_figure_is_used_when_prepared_for_this_model():
    turns = [ChatTurn("user", "?", (picture(1024, 1024, tokens=999),))]
    estimate = estimate_turns(
        turns, model="GPT-4o", system=None, max_tokens=None, prepared_for="gpt-4o"
    )
    assert estimate.per_image == (999,)


def test_a_sliced_picture_counts_each_part_and_its_note_as_text():
    parts = tuple(
        ImagePart(b"s%d" % i, "image/png", 1024, 1024, 765, (0, i * 900, 1024, i * 900 + 1024))
        for i in range(3)
    )
    sliced = picture(256, 700, detail="slices", parts=parts)
    turns = [ChatTurn("user", "read it", (sliced,))]
    estimate = estimate_turns(turns, model="gpt-4o", system=None, max_tokens=None)
    assert estimate.per_image == (3 * 765,)
    note = part_note(sliced)
    assert note and estimate.text_tokens == OVERHEAD_ONE + text_tokens("read it") + text_tokens(
        note
    )


def test_an_unknown_model_is_marked_approximate():
    turns = [ChatTurn("user", "?", (picture(),))]
    estimate = estimate_turns(turns, model="mystery-vision-9", system=None, max_tokens=None)
    assert estimate.approximate and estimate.image_tokens > 0


def test_cost_of_an_estimate_is_its_prompt_and_of_a_bill_both_sides():
    price = Price(1.0, 4.0, "CNY")
    turns = [ChatTurn("user", "?", (picture(),))]
    estimate = estimate_turns(turns, model="gpt-4o", system=None, max_tokens=1000)
    assert cost_of(estimate, price).amount == pytest.approx(estimate.prompt_tokens / 1e6)
    assert most_cost_of(estimate, price).amount == pytest.approx(
        (estimate.prompt_tokens + 4 * 1000) / 1e6
    )
    assert cost_of(Usage(1000, 500, 1500), price).amount == pytest.approx(0.003)
    no_cap = estimate_turns(turns, model="gpt-4o", system=None, max_tokens=None)
    assert most_cost_of(no_cap, price) is None


def test_the_answer_carries_the_estimate_of_what_was_sent(upstream):
    upstream.enqueue(sse(["好"], usage={"prompt_tokens": 800, "completion_tokens": 1}))
    settings = resolve_settings(
        base_url=upstream.base_url, api_key="sk-x-0123456789", model="gpt-4o"
    )
    turns = [ChatTurn("user", "这是什么？", (picture(1024, 1024, tokens=25_501),))]
    exchange = Exchange(turns, ChatOptions(system="简短", max_tokens=64)).start(settings)
    assert exchange.wait(10**9, timeout=30) and exchange.answer is not None
    estimate = exchange.answer.meta.prompt_estimate
    assert estimate is not None and estimate.model == "gpt-4o"
    assert estimate.per_image == (765,)  # for the model it was sent to, not the one prepared for
    assert estimate.text_tokens == 2 * PER_MESSAGE + REPLY_PRIMING + 2 + 5
    assert estimate.max_tokens == 64
    assert exchange.answer.meta.usage.prompt_tokens == 800
