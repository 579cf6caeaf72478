"""The price table, the operator's and the visitor's layers, and money as people read it."""

from __future__ import annotations

import pytest

from components.costs import lines
from components.costs.calibration import Calibration
from components.costs.estimate import RequestEstimate
from components.costs.prices import (
    PRICES,
    Money,
    Price,
    PriceBook,
    format_money,
    price_for,
    prices_from_text,
)
from components.errors import ConfigError
from components.i18n import t
from components.providers.presets import PRESETS
from components.usage import Usage

OPERATOR = {"gpt-4o-mini": {"input": 1.05, "output": 4.2, "currency": "CNY"}}


def test_every_listed_vision_model_of_every_provider_has_a_dated_price():
    missing = [
        (preset.id, model)
        for preset in PRESETS.values()
        if preset.id != "custom"
        for model in {preset.default_model, *preset.vision_models}
        if price_for(preset.id, model) is None
    ]
    assert missing == []
    assert all(price.checked for price in PRICES.values())


@pytest.mark.parametrize(
    ("preset", "currency"),
    [("bingcheng", "CNY"), ("dashscope", "CNY"), ("siliconflow", "CNY"), ("zhipu", "CNY"),
     ("openai", "USD"), ("openrouter", "USD")],
)  # fmt: skip
def test_currency_follows_the_provider(preset, currency):
    model = PRESETS[preset].default_model
    assert price_for(preset, model).currency == currency


def test_local_models_cost_nothing_and_an_unknown_model_is_unknown_not_free():
    assert price_for("ollama", "llava").free
    assert price_for("local_ocr", "rapidocr-pp-ocrv6").free
    assert price_for("openai", "some-new-model") is None
    assert price_for("custom", "gpt-4o-mini") is None


def test_a_dated_snapshot_costs_what_its_model_costs_but_a_sibling_does_not():
    assert price_for("openai", "gpt-4o-mini-2024-07-18") == price_for("openai", "gpt-4o-mini")
    assert price_for("openai", "GPT-4o") == price_for("openai", "gpt-4o")
    assert price_for("openai", "gpt-4o-audio-preview") is None


def test_a_reseller_price_nobody_could_confirm_is_marked_so():
    assert not price_for("bingcheng", "gpt-4o-mini").confirmed
    assert price_for("openai", "gpt-4o-mini").confirmed


def test_the_operators_prices_from_secrets_win_over_the_table():
    book = PriceBook.from_secrets(OPERATOR)
    price = book.for_display("bingcheng", "gpt-4o-mini")
    assert (price.input, price.output, price.currency, price.origin) == (
        1.05,
        4.2,
        "CNY",
        "operator",
    )
    assert book.for_limits("bingcheng", "gpt-4o-mini") == price
    assert book.for_display("bingcheng", "gpt-4o") == price_for("bingcheng", "gpt-4o")


def test_a_visitors_edit_changes_what_they_see_but_never_the_limits():
    operator = PriceBook.from_secrets(OPERATOR)
    mine = operator.with_visitor_price("gpt-4o-mini", Price(0.5, 2.0, "CNY"))
    assert mine.for_display("bingcheng", "gpt-4o-mini").input == 0.5
    assert mine.for_limits("bingcheng", "gpt-4o-mini").input == 1.05
    assert operator.for_display("bingcheng", "gpt-4o-mini").input == 1.05  # others unchanged
    assert mine.with_visitor_price("GPT-4o-mini", None).for_display(
        "bingcheng", "gpt-4o-mini"
    ) == operator.for_display("bingcheng", "gpt-4o-mini")


@pytest.mark.parametrize(
    "raw",
    [
        {"m": {"input": 1, "output": 2}},
        {"m": {"input": 1, "output": 2, "currency": "EUR"}},
        {"m": {"input": -1, "output": 2, "currency": "CNY"}},
        {"m": {"input": "1", "output": 2, "currency": "CNY"}},
        {"m": {"input": float("nan"), "output": 2, "currency": "CNY"}},
        {"m": {"input": True, "output": 2, "currency": "CNY"}},
        {"m": 3},
    ],
)
def test_a_malformed_price_setting_names_the_entry(raw):
    with pytest.raises(ConfigError) as caught:
        PriceBook.from_secrets(raw)
    assert caught.value.message_key == "config.bad_prices"
    for lang in ("zh", "en"):
        assert "“m”" in caught.value.message(lang)


def test_currency_may_be_lower_case_and_integers_are_prices():
    book = PriceBook.from_secrets({"m": {"input": 2, "output": 8, "currency": "usd"}})
    assert book.for_display("custom", "m") == Price(2.0, 8.0, "USD", origin="operator")


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (0.0021, "CNY", "¥0.0021"),
        (0.00035, "USD", "$0.00035"),
        (0.25, "CNY", "¥0.25"),
        (0.0999, "USD", "$0.10"),
        (0.996, "USD", "$1.00"),
        (1.5, "USD", "$1.50"),
        (1234.5, "CNY", "¥1,234.50"),
        (0, "CNY", "¥0"),
        (1e-9, "USD", "<$0.000001"),
    ],
)
def test_money_reads_with_two_significant_digits(amount, currency, text):
    assert format_money(amount, currency, "en") == text
    assert format_money(amount, currency, "zh") == text


def test_cost_of_one_gpt_4o_mini_photo_is_small():
    # 25,501 tokens sounds alarming; at $0.15 per million it is under half a cent.
    cost = price_for("openai", "gpt-4o-mini").cost(25_501)
    assert cost == Money(pytest.approx(0.00382515), "USD")
    assert cost.format() == "$0.0038"
    assert t("money.before_sending", "en", cost=cost.format()) == "≈ $0.0038 before sending"


def test_money_of_two_currencies_does_not_add():
    with pytest.raises(ValueError):
        Money(1.0, "CNY") + Money(1.0, "USD")
    assert Money(1.0, "CNY") + Money(0.5, "CNY") == Money(1.5, "CNY")


def test_kantu_prices_as_toml_text_for_the_command_line():
    text = '"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }\n'
    assert prices_from_text(text) == {"gpt-4o-mini": Price(1.05, 4.2, "CNY", origin="operator")}
    assert prices_from_text("") == {} and prices_from_text(None) == {}
    with pytest.raises(ConfigError) as caught:
        prices_from_text("gpt-4o-mini = {")
    assert caught.value.message_key == "config.bad_prices_text"
    assert "KANTU_PRICES" in caught.value.message("zh")


def test_the_secrets_may_hold_the_table_or_its_toml_text():
    text = '"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }'
    assert PriceBook.from_secrets(text) == PriceBook.from_secrets(OPERATOR)
    assert PriceBook.from_secrets(None).for_limits("openai", "gpt-4o") == price_for(
        "openai", "gpt-4o"
    )


def _estimate(prompt: int = 1000, images: int = 800) -> RequestEstimate:
    return RequestEstimate("m", prompt - images, images, (images,), False, "tile 85+170")


def test_the_line_before_sending_in_both_languages():
    price = Price(2.1, 8.4, "CNY")
    assert lines.before_sending(_estimate(), price, "en") == "≈ ¥0.0021 before sending"
    assert lines.before_sending(_estimate(), price, "zh") == "发送前估算 ≈ ¥0.0021"
    unconfirmed = lines.before_sending(_estimate(), price_for("bingcheng", "gpt-4o"), "en")
    assert unconfirmed.endswith("(price not confirmed)")


def test_an_unknown_price_shows_tokens_and_says_so_never_zero():
    line = lines.before_sending(_estimate(25_501, 25_000), None, "en")
    assert "25,501" in line and "price unknown" in line and "¥0" not in line and "$0" not in line
    assert lines.billed(Usage(10, 1, 11), None, "zh") == "价格未知"
    assert lines.before_sending(_estimate(), price_for("ollama", "llava"), "en").startswith("free")


def test_the_bill_line_and_no_line_without_usage():
    price = Price(0.15, 0.6, "USD")
    assert lines.billed(Usage(1000, 100, 1100), price, "en") == "billed $0.00021"
    assert lines.billed(None, price, "en") is None


def test_calibrated_from_n_answers():
    calibration = Calibration()
    assert lines.calibration_note(calibration, "m", "en") is None
    for _ in range(3):
        calibration.learn(_estimate(1000, 800), Usage(1400, 1, 1401))
    assert (
        lines.calibration_note(calibration, "m", "en")
        == "calibrated from 3 answers (pictures ×1.50)"
    )
    assert "3" in lines.calibration_note(calibration, "m", "zh")


def test_conversation_totals_per_currency_leave_out_what_cannot_be_priced():
    cny, usd = Price(1.0, 4.0, "CNY"), Price(1.0, 1.0, "USD")
    money, unpriced = lines.totals(
        [(Usage(1000, 0, 1000), cny), (Usage(0, 1000, 1000), cny), (Usage(1000, 0, 1000), usd),
         (None, cny), (Usage(5, 5, 10), None)]
    )  # fmt: skip
    assert money == [Money(pytest.approx(0.005), "CNY"), Money(pytest.approx(0.001), "USD")]
    assert unpriced == 2
