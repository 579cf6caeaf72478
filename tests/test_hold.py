"""The hold limits: the defaults (a message is held only when unusual) and the operator's
``KANTU_HOLD_ABOVE`` read one way from the secrets and the environment."""

from __future__ import annotations

import pytest

from components.costs.estimate import cost_of, estimate_turns
from components.costs.hold import DEFAULT_HOLD_ABOVE, hold_limits
from components.costs.prices import PriceBook
from components.errors import ConfigError
from components.images.prepare import prepare_image
from components.settings_source import SettingsSource
from components.turns import ChatTurn
from tests.helpers import jpeg_bytes


def _limits(secrets=None, environ=None):
    return hold_limits(SettingsSource(secrets, environ))


def test_defaults_are_near_one_yuan_or_fifteen_cents():
    assert _limits() == {"CNY": 1.0, "USD": 0.15}
    assert _limits() is not DEFAULT_HOLD_ABOVE  # a copy: nobody changes the defaults


@pytest.mark.parametrize("preset", ["bingcheng", "openai"])
def test_the_welcomes_two_photo_question_is_far_below_the_default(preset):
    """Issue 21 point 2: two 1024×768 photos on gpt-4o-mini were held at ≈ ¥0.054."""
    photos = tuple(
        prepare_image(jpeg_bytes(color, (1024, 768)), name=f"{n}.jpg", model="gpt-4o-mini")
        for n, color in enumerate(((240, 140, 40), (20, 90, 200)))
    )
    turn = ChatTurn("user", "What is different between these two photos?", photos)
    estimate = estimate_turns([turn], model="gpt-4o-mini", system=None, max_tokens=None)
    assert estimate.image_tokens > 50_000  # ≈ 25,500 a photo at gpt-4o-mini's rule
    price = PriceBook().for_display(preset, "gpt-4o-mini")
    assert price is not None
    cost = cost_of(estimate, price)
    assert cost.amount < DEFAULT_HOLD_ABOVE[price.currency] / 5  # far from the limit


@pytest.mark.parametrize(
    ("value", "limits"),
    [
        ("¥2, $0.30", {"CNY": 2.0, "USD": 0.3}),
        ("2 CNY", {"CNY": 2.0, "USD": 0.15}),  # the other currency keeps its default
        ("USD 0.5", {"CNY": 1.0, "USD": 0.5}),
        ("￥0", {"CNY": 0.0, "USD": 0.15}),  # 0: every message waits
        ("CNY = 3\nUSD = 0.4", {"CNY": 3.0, "USD": 0.4}),  # a table as TOML text
    ],
)
def test_the_operator_sets_limits_in_the_environment(value, limits):
    assert _limits(environ={"KANTU_HOLD_ABOVE": value}) == limits


def test_the_secrets_win_and_take_a_table_or_a_list():
    both = _limits(secrets={"KANTU_HOLD_ABOVE": {"CNY": 5}}, environ={"KANTU_HOLD_ABOVE": "¥2"})
    assert both == {"CNY": 5.0, "USD": 0.15}
    assert _limits(secrets={"KANTU_HOLD_ABOVE": ["$1", "¥7"]}) == {"CNY": 7.0, "USD": 1.0}


@pytest.mark.parametrize(
    "value", ["2", "€2", "¥two", "¥2 CNY", "CNY = -1", "EUR = 2", "CNY = true", "CNY = [1"]
)
def test_an_unreadable_setting_is_refused_naming_it_and_never_its_value(value):
    with pytest.raises(ConfigError) as refused:
        _limits(environ={"KANTU_HOLD_ABOVE": value})
    assert refused.value.reason == "bad_setting"
    assert "KANTU_HOLD_ABOVE" in refused.value.message("en")
