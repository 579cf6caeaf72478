"""Calibration against real bills: a loopback provider that counts pictures its own way."""

from __future__ import annotations

import hashlib

import pytest

from components.conversation.exchange import Answer, Exchange
from components.conversation.history import Conversation
from components.costs.calibration import WINDOW, Calibration, bill_difference
from components.costs.estimate import RequestEstimate, estimate_turns
from components.devtools.upstream import FakeUpstream, bill_per_picture
from components.images.prepared import PreparedImage, SourceFacts
from components.providers.client import ChatOptions
from components.providers.settings import resolve_settings
from components.turns import ChatTurn
from components.usage import Usage

PER_PICTURE = 1000  # what the fake provider bills a picture; Kantu's rule says 765 on gpt-4o


def picture(seed: int = 0) -> PreparedImage:
    payload = b"photo-%d" % seed
    return PreparedImage(
        data=payload,
        mime="image/jpeg",
        width=1024,
        height=1024,
        detail="high",
        tokens=765,
        tokens_approximate=False,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=SourceFacts("JPEG", 1024, 1024, len(payload)),
        name=f"p{seed}.jpg",
    )


def ask(up: FakeUpstream, turns: list[ChatTurn], model: str = "gpt-4o") -> Answer:
    settings = resolve_settings(base_url=up.base_url, api_key="sk-cal-0123456789", model=model)
    exchange = Exchange(turns, ChatOptions()).start(settings)
    assert exchange.wait(10**9, timeout=30) and exchange.answer is not None
    return exchange.answer


def estimate(image_tokens: int, text_tokens: int = 10, *, approximate: bool = False):
    return RequestEstimate(
        model="m", text_tokens=text_tokens, image_tokens=image_tokens,
        per_image=(image_tokens,), approximate=approximate, rule="tile 85+170",
    )  # fmt: skip


def test_a_provider_that_bills_pictures_differently_is_flagged_and_learned(upstream):
    upstream.bill = bill_per_picture(PER_PICTURE, text=20)
    calibration = Calibration()
    answers = [ask(upstream, [ChatTurn("user", "这是什么？", (picture(i),))]) for i in range(3)]
    for answer in answers:
        meta = answer.meta
        assert meta.usage.prompt_tokens == 20 + PER_PICTURE  # what the upstream billed
        flag = calibration.flag(meta.prompt_estimate, meta.usage)
        assert flag is not None and flag.kind == "bills_differently"
        assert flag.estimate == meta.prompt_estimate.prompt_tokens and flag.billed == 1020
        assert calibration.learn(meta.prompt_estimate, meta.usage)
    assert calibration.count("gpt-4o") == 3
    text = answers[0].meta.prompt_estimate.text_tokens
    assert calibration.factor("GPT-4o") == pytest.approx((1020 - text) / 765)

    # The next question's estimate, corrected, is what the provider will bill: no more flag.
    turns = [ChatTurn("user", "这是什么？", (picture(9),))]
    raw = estimate_turns(turns, model="gpt-4o", system=None, max_tokens=None)
    corrected = calibration.corrected(raw)
    assert corrected.per_image[0] == pytest.approx(1020 - text, abs=1)
    assert corrected.factor == pytest.approx(calibration.factor("gpt-4o"))
    billed = ask(upstream, turns).meta.usage
    assert calibration.flag(corrected, billed) is None
    assert calibration.flag(raw, billed) is not None


def test_a_bill_in_input_and_output_tokens_is_learned_as_the_same_bill(upstream):
    def bill(recorded):  # Responses-API / Anthropic naming of the same bill
        chat = bill_per_picture(PER_PICTURE, text=20)(recorded)
        return {"input_tokens": chat["prompt_tokens"], "output_tokens": chat["completion_tokens"]}

    upstream.bill = bill
    calibration = Calibration()
    meta = ask(upstream, [ChatTurn("user", "这是什么？", (picture(),))]).meta
    assert meta.usage.prompt_tokens == 20 + PER_PICTURE
    assert calibration.learn(meta.prompt_estimate, meta.usage)
    text = meta.prompt_estimate.text_tokens
    assert calibration.factor("gpt-4o") == pytest.approx((1020 - text) / 765)  # was -100 %


def test_a_provider_that_bills_by_the_rule_raises_no_flag(upstream):
    upstream.bill = bill_per_picture(765, text=12)
    answer = ask(upstream, [ChatTurn("user", "这是什么？", (picture(),))])
    assert Calibration().flag(answer.meta.prompt_estimate, answer.meta.usage) is None


def test_an_unknown_models_difference_blames_kantus_rule(upstream):
    upstream.bill = bill_per_picture(PER_PICTURE)
    answer = ask(upstream, [ChatTurn("user", "?", (picture(),))], model="mystery-vision-9")
    flag = Calibration().flag(answer.meta.prompt_estimate, answer.meta.usage)
    assert flag is not None and flag.kind == "rule_may_be_wrong"


def test_only_answers_with_pictures_and_a_bill_count(upstream):
    upstream.bill = bill_per_picture(PER_PICTURE, text=500)
    calibration = Calibration()
    words_only = ask(upstream, [ChatTurn("user", "hello")])
    assert calibration.flag(words_only.meta.prompt_estimate, words_only.meta.usage) is None
    assert not calibration.learn(words_only.meta.prompt_estimate, words_only.meta.usage)
    assert not calibration.learn(estimate(765), None)
    assert not calibration.learn(None, Usage(100, 1, 101))
    assert calibration.count("gpt-4o") == 0 and calibration.factor("gpt-4o") == 1.0
    unchanged = estimate(765)
    assert calibration.corrected(unchanged) is unchanged


def test_a_bill_of_no_prompt_tokens_is_never_a_sample_nor_a_difference():
    calibration = Calibration()
    for billed in (Usage(0, 0, 0), Usage(0, 30, 30)):
        assert not calibration.learn(estimate(1000), billed)
        assert calibration.flag(estimate(1000), billed) is None
        assert bill_difference(estimate(1000), billed) is None
    assert calibration.count("m") == 0 and calibration.factor("m") == 1.0
    assert bill_difference(estimate(1000), Usage(1100, 1, 1101)) == pytest.approx(
        (1100 - estimate(1000).prompt_tokens) / estimate(1000).prompt_tokens
    )


def test_the_factor_is_a_median_over_a_bounded_window():
    calibration = Calibration()
    for billed in (1010, 1010, 1010, 50_000):  # one odd bill does not move the factor
        calibration.learn(estimate(1000), Usage(billed, 1, billed + 1))
    assert calibration.factor("m") == pytest.approx(1.0)
    for _ in range(WINDOW * 2):
        calibration.learn(estimate(1000), Usage(2010, 1, 2011))
    assert calibration.count("m") == WINDOW
    assert calibration.factor("m") == pytest.approx(2.0)


def test_a_difference_of_five_percent_or_less_is_not_flagged():
    calibration = Calibration()
    assert calibration.flag(estimate(990), 1050) is None  # 1000 estimated, +5 %
    assert calibration.flag(estimate(990), 1051) is not None
    assert calibration.flag(estimate(990), 949) is not None
    assert calibration.flag(estimate(990), 0) is None  # a provider that reports zeros


def test_the_flag_says_what_happened_in_both_languages():
    flag = Calibration().flag(estimate(990, approximate=True), 1300)
    zh, en = flag.message("zh"), flag.message("en")
    assert "1,300" in en and "1,000" in en and "+30%" in en and "may be wrong" in en
    assert "1,300" in zh and "规则可能不对" in zh


def test_the_answer_keeps_its_flag_and_whose_key_went_and_counts_once(upstream):
    upstream.bill = bill_per_picture(PER_PICTURE, text=20)
    conv = Conversation()
    conv.add_user("这是什么？", [picture(5)])
    answer = ask(upstream, [ChatTurn("user", "这是什么？", (picture(5),))])
    assert answer.key_source == "argument"  # the key went as the caller's argument
    conv.record(answer)
    calibration = Calibration()
    conv.calibrate(calibration)
    conv.calibrate(calibration)  # a later run: the same answer is not learned twice
    recorded = conv.entries[-1]
    assert recorded.key_source == "argument"
    assert recorded.calibration_flag is not None
    assert recorded.calibration_flag.kind == "bills_differently"
    assert calibration.count("gpt-4o") == 1
