"""Compare's core: blind labels, the tally, exports that parse back, and columns that stream at
once against the loopback upstream, one failure staying in its own column."""

from __future__ import annotations

import base64
import json
import random
import re
import threading
import time

import pytest

from components.conversation.compare import (
    CompareRun,
    CompareTally,
    column_models,
    export_json,
    export_markdown,
)
from components.costs.prices import price_for
from components.devtools import image_factory as make
from components.devtools.upstream import FakeUpstream, gated, openai_error, sse
from components.images.prepare import prepare_image
from components.providers.client import ChatOptions
from components.providers.settings import resolve_settings

HANG_S = 30.0  # a generous bound that only catches a hang, never a slow machine
TARGETS = [("openai", "gpt-4o"), ("dashscope", "qwen-vl-max"), ("zhipu", "glm-4v-flash")]


@pytest.fixture(scope="module")
def picture():
    return prepare_image(
        make.photo_jpeg(640, 480), name="photo.jpg", detail="low", model="gpt-4o-mini"
    )


def _settings(up: FakeUpstream, model: str):
    return resolve_settings(
        base_url=up.base_url, api_key="test-key", model=model, max_retries=0, backoff_factor=0
    )


def _wait(run: CompareRun, timeout: float = 10.0) -> None:
    for column in run.columns:
        if column.exchange is not None:
            assert column.exchange.wait(10**9, timeout) or column.finished
    assert run.finished


def test_open_mode_keeps_the_order_chosen_and_shows_names(picture):
    run = CompareRun.create("这是什么?", [picture], TARGETS)
    assert [c.label for c in run.columns] == ["A", "B", "C"]
    assert [(c.preset_id, c.model) for c in run.columns] == TARGETS
    assert run.revealed
    assert "openai/gpt-4o" in run.title(run.columns[0], "en")


def test_blind_mode_shuffles_and_hides_names_until_the_vote(picture):
    orders = set()
    for seed in range(12):
        run = CompareRun.create("?", [picture], TARGETS, blind=True, rng=random.Random(seed))
        orders.add(tuple(c.model for c in run.columns))
        assert [c.label for c in run.columns] == ["A", "B", "C"]
        assert not run.revealed
        for column in run.columns:
            title = run.title(column, "zh")
            assert column.label in title and column.model not in title
    assert len(orders) > 1, "blind mode never changed the order"

    tally = CompareTally()
    run = CompareRun.create("?", [picture], TARGETS, blind=True, rng=random.Random(1))
    picked = run.column("B")
    assert run.vote("B", tally)
    assert run.revealed and run.best == "B"
    assert picked.model in run.title(picked, "en")
    assert not run.vote("A", tally), "a second vote on the same run counted"
    assert tally.wins == {picked.name: 1}


def test_reveal_without_a_vote_counts_nothing(picture):
    tally = CompareTally()
    run = CompareRun.create("?", [picture], TARGETS[:2], blind=True)
    run.reveal()
    assert run.revealed and run.best is None and tally.rows() == []


def test_tally_counts_wins_and_votes_per_model_across_runs(picture):
    tally = CompareTally()
    for winner in ["openai/gpt-4o", "openai/gpt-4o", "zhipu/glm-4v-flash"]:
        run = CompareRun.create("?", [picture], TARGETS)
        label = next(c.label for c in run.columns if c.name == winner)
        run.vote(label, tally)
    rows = {r.name: (r.wins, r.votes) for r in tally.rows()}
    assert rows == {
        "openai/gpt-4o": (2, 3),
        "zhipu/glm-4v-flash": (1, 3),
        "dashscope/qwen-vl-max": (0, 3),
    }
    assert tally.rows()[0].name == "openai/gpt-4o"


@pytest.mark.parametrize("count", [0, 1, 5])
def test_a_comparison_has_two_to_four_columns(picture, count):
    with pytest.raises(ValueError):
        CompareRun.create("?", [picture], [("openai", "gpt-4o")] * count)


def _run_against(up: FakeUpstream, picture, models: list[str], **kwargs) -> CompareRun:
    run = CompareRun.create("图里有什么?", [picture], [("custom", m) for m in models], **kwargs)
    for column in run.columns:
        column.start(run.turns(), _settings(up, column.model), ChatOptions(max_tokens=100))
    return run


def test_exports_parse_back_with_pictures_answers_figures_and_vote(upstream, picture):
    usage = {"prompt_tokens": 120, "completion_tokens": 7, "total_tokens": 127}
    upstream.by_model = {
        "m1": sse(["一只", "橙色的猫"], model="m1", usage=usage),
        "m2": openai_error(404, "The model `m2` does not exist", code="model_not_found"),
    }
    run = _run_against(upstream, picture, ["m1", "m2"])
    _wait(run)
    tally = CompareTally()
    run.vote("A", tally)
    prices = {"custom/m1": price_for("openai", "gpt-4o"), "custom/m2": None}

    data = json.loads(export_json(run, prices, {"custom/m1": True}, "en"))
    assert data["question"] == "图里有什么?"
    assert data["vote"] == {"best": "A", "model": "custom/m1"}
    (pic,) = data["pictures"]
    assert base64.b64decode(pic["data"]) == picture.data
    first, second = data["columns"]
    assert first["answer"] == "一只橙色的猫"
    assert first["figures"]["prompt_tokens"] == 120
    assert first["figures"]["completion_tokens"] == 7
    assert first["figures"]["estimated_prompt_tokens"] > 0
    assert first["figures"]["cost"]["currency"] == "USD"
    assert first["figures"]["cost"]["amount"] == pytest.approx((120 * 2.5 + 7 * 10) / 1e6)
    assert first["figures"]["finish_reason"] == "stop"
    assert first["sees_pictures"] is True
    assert second["error"]["kind"] == "model_not_found"
    assert second["figures"]["outcome"] == "error"
    assert second["sees_pictures"] is None
    assert "test-key" not in json.dumps(data)

    markdown = export_markdown(run, prices, {}, "zh")
    assert "一只橙色的猫" in markdown
    embedded = re.search(r"!\[photo\.jpg\]\(data:image/jpeg;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert embedded and base64.b64decode(embedded.group(1)) == picture.data
    assert "| 输入 tokens（服务商） | 120 |" in markdown
    assert "最佳：A（custom/m1）" in markdown
    assert "test-key" not in markdown


def test_columns_stream_at_once_and_a_failure_stays_in_its_column(upstream, picture):
    """Three models, one failing: every request reaches the server while no reply has ended
    (each reply is held until the test lets it go), each column ends when its own reply does
    while the others still run, and only the failing column has an error."""
    held = {model: threading.Event() for model in ("fast", "slow", "broken")}
    missing = openai_error(404, "The model `broken` does not exist", code="model_not_found")
    upstream.by_model = {
        "fast": gated(sse(["快", "答"], model="fast"), held["fast"]),
        "slow": gated(sse(["慢", "慢", "地", "答"], model="slow"), held["slow"]),
        "broken": gated(missing, held["broken"], keep=0),
    }
    run = _run_against(upstream, picture, ["fast", "slow", "broken"])
    upstream.wait_for_requests(3)  # all three asked while none had an answer: none waited
    assert upstream.bodies_finished == 0
    columns = dict(zip(["fast", "slow", "broken"], run.columns, strict=True))
    for ended, model in enumerate(("fast", "broken", "slow"), start=1):  # the failure between
        held[model].set()
        column = columns[model]
        assert column.exchange.wait(10**9, HANG_S) or column.finished
        assert column.finished
        still = [m for m in columns if not held[m].is_set()]
        assert [m for m in still if columns[m].finished] == []  # the others run on
        deadline = time.monotonic() + HANG_S  # the server has noted its end too
        while upstream.bodies_finished < ended and time.monotonic() < deadline:
            time.sleep(0.01)
    assert run.finished
    finished = [model for kind, model, _ in upstream.events if kind == "finished"]
    assert finished == ["fast", "broken", "slow"]

    fast, slow, broken = run.columns
    assert fast.text == "快答" and fast.error is None and fast.answer.meta.outcome == "ok"
    assert slow.text == "慢慢地答" and slow.error is None and slow.answer.meta.outcome == "ok"
    assert broken.answer.meta.outcome == "error" and broken.error.kind == "model_not_found"


def test_stopping_one_column_leaves_the_others_running(upstream, picture):
    rest_of_b = threading.Event()  # b's answer goes on only once a has been stopped
    upstream.by_model = {
        "a": sse([f"{i} " for i in range(10)], model="a", delay=0.1),
        "b": gated(sse([f"{i} " for i in range(10)], model="b"), rest_of_b),
    }
    run = _run_against(upstream, picture, ["a", "b"])
    first, second = run.columns
    assert first.exchange.wait(0, 5)
    first.stop()
    assert first.finished and first.answer.meta.outcome == "stopped"
    assert not second.finished
    rest_of_b.set()
    _wait(run)
    assert second.answer.meta.outcome == "ok"
    assert second.text == "".join(f"{i} " for i in range(10))


def test_columns_offer_the_cheapest_then_the_best_then_the_rest_each_once():
    def openai_price(model: str):
        return price_for("openai", model)

    models = ("gpt-4o-mini", "gpt-4.1-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-nano", "gpt-4o")
    assert column_models(models, openai_price) == (
        "gpt-4.1-nano",  # $0.10 in
        "gpt-4o",  # $2.50 in: the dearest
        "gpt-4o-mini",
        "gpt-4.1-mini",
        "gpt-4.1",
    )


def test_a_model_without_a_price_follows_the_priced_and_one_that_cannot_see_goes_last():
    def price(model: str):
        return price_for("openai", model)

    ordered = column_models(["gpt-3.5-turbo", "my-own-vl", "gpt-4o", " gpt-4o-mini "], price)
    assert ordered == ("gpt-4o-mini", "gpt-4o", "my-own-vl", "gpt-3.5-turbo")
