"""The one admission (``components.hosting.gate``): what it refuses, what it records, and what
a failed request costs in the ledger."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from components.conversation.exchange import Exchange
from components.costs.prices import Price, PriceBook
from components.devtools.upstream import FakeUpstream, openai_error, sse
from components.errors import ConfigError, NetworkError, ServerError
from components.hosting.access import Visitor
from components.hosting.config import HostingConfig, Limits, money_gaps
from components.hosting.gate import ESTIMATED, Asker, Gate, Route, Ticket
from components.hosting.ledger import LedgerRow, SQLiteLedger
from components.ocr.local_client import LocalSettings
from components.providers.settings import resolve_settings
from components.turns import ChatTurn
from tests.helpers import OPERATOR_KEY

CNY = Price(1.0, 4.0, "CNY")


def operator_settings(up: FakeUpstream, model: str = "gpt-4o-mini"):
    return resolve_settings(
        model=model,
        secrets={"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY},
        hosted=False,
        backoff_factor=0,
        max_retries=0,
    )


def gate(ledger, *, limits: Limits | None = None, codes: tuple[str, ...] = (), **kw) -> Gate:
    config = HostingConfig(access_codes=codes, limits=limits or Limits())
    return Gate(
        config=config,
        visitor=kw.pop("visitor", Visitor()),
        ledger=ledger,
        prices=PriceBook(operator={"gpt-4o-mini": CNY}),
        allowed=kw.pop("allowed", ("gpt-4o-mini",)),
        unpriced=kw.pop("unpriced", ()),
        asker=Asker("session-a", "visitor-a", None, began=0.0),
    )


@pytest.fixture
def ledger(tmp_path: Path) -> SQLiteLedger:
    return SQLiteLedger(tmp_path / "ledger.sqlite3")


class OnlyAdmit(SQLiteLedger):
    """A ledger whose separate read and insert are off limits: admission must be one call."""

    def rows(self, since: float = 0.0) -> list[LedgerRow]:
        raise AssertionError("the gate read the rows outside Ledger.admit")

    def open(self, row: LedgerRow) -> None:
        raise AssertionError("the gate inserted outside Ledger.admit")

    def admit(
        self, row: LedgerRow, *, since: float, decide: Callable[[list[LedgerRow]], object]
    ) -> object:
        refusal = decide(SQLiteLedger.rows(self, since))
        if refusal is None:
            SQLiteLedger.open(self, row)
        return refusal


def test_admission_counts_the_limits_and_opens_the_row_in_one_ledger_call(upstream, tmp_path):
    only = OnlyAdmit(tmp_path / "ledger.sqlite3")
    rules = gate(only, limits=Limits(session_requests=1))
    settings = operator_settings(upstream)
    rules.admit(settings, 1000)
    with pytest.raises(ConfigError) as refused:
        rules.admit(settings, 1000)
    assert refused.value.message_key == "config.limit_session_requests"
    rows = SQLiteLedger(tmp_path / "ledger.sqlite3").rows()
    assert [(r.outcome, r.estimated_tokens, r.cost) for r in rows] == [
        ("pending", 1000, pytest.approx(0.001))
    ]


def test_the_gate_refuses_with_the_settings_it_is_given_not_the_sidebars(upstream, ledger):
    rules = gate(ledger, codes=("orange",))
    with pytest.raises(ConfigError) as refused:
        rules.admit(operator_settings(upstream), 10)
    assert refused.value.message_key == "config.access_code_required"
    unlocked = gate(ledger, codes=("orange",), visitor=Visitor(unlocked=True))
    with pytest.raises(ConfigError) as refused:
        unlocked.admit(operator_settings(upstream, "gpt-4o-EXPENSIVE"), 10)
    assert refused.value.message_key == "config.model_not_allowed"
    assert ledger.rows() == []


def test_a_route_admits_every_request_with_its_own_settings(upstream, ledger):
    route = Route(operator_settings(upstream), gate(ledger, limits=Limits(daily_requests=2)))
    route.admit(100)
    route.admit(100)
    with pytest.raises(ConfigError):
        route.admit(100)
    assert len(ledger.rows()) == 2
    assert route.admit(None) == Ticket()  # an unbilled request (the model list): no row
    assert "operator-secret" not in repr(route)


def test_an_unpriced_model_under_a_money_limit_keeps_the_key_closed(upstream, ledger):
    rules = gate(ledger, limits=Limits(daily_cost=1.0), unpriced=("gpt-4o-mini",))
    with pytest.raises(ConfigError) as refused:
        rules.admit(operator_settings(upstream), 10)
    assert refused.value.message_key == "config.money_limits_unbound"
    assert "gpt-4o-mini" in refused.value.message("en")
    assert ledger.rows() == []


def test_money_gaps_name_the_models_a_money_limit_cannot_count() -> None:
    currencies = {"gpt-4o": "USD", "gpt-4o-mini": "CNY", "own-model": None}
    limits = Limits(daily_cost=1.0)  # CNY by default
    assert money_gaps(limits, list(currencies), currencies.get) == ("gpt-4o", "own-model")
    assert money_gaps(Limits(daily_cost=1.0, currency="USD"), ["gpt-4o"], currencies.get) == ()
    assert money_gaps(Limits(daily_requests=5), ["own-model"], currencies.get) == ()


def test_the_local_reader_is_admitted_at_its_own_hook(ledger):
    rules = gate(ledger, codes=("orange",))  # the site's code is not needed to read text here
    assert rules.admit(LocalSettings(), 100) == Ticket()
    assert ledger.rows() == []


def _closed(ledger: SQLiteLedger) -> LedgerRow:
    (row,) = ledger.rows()
    return row


def test_a_cut_stream_is_recorded_with_the_partial_answers_estimated_cost(upstream, ledger):
    upstream.enqueue(sse(["word "] * 200, cut_after=100))
    settings = operator_settings(upstream)
    ticket = gate(ledger).admit(settings, 1000)
    exchange = Exchange([ChatTurn("user", "hi")]).start(settings)
    while not exchange.finished:
        exchange.wait(len(exchange.text), 0.5)
    assert exchange.answer is not None
    ticket.close(exchange.answer)
    row = _closed(ledger)
    assert row.outcome == "interrupted" + ESTIMATED
    assert row.completion_tokens is None
    assert row.cost is not None and row.cost > CNY.cost(1000).amount  # the partial text counts


@pytest.mark.parametrize(
    "error", [ServerError("bad gateway", status=502), NetworkError("connection reset")]
)
def test_an_error_after_sending_is_never_recorded_at_cost_zero(upstream, ledger, error):
    ticket = gate(ledger).admit(operator_settings(upstream), 1000)
    ticket.settle("error", None, error=error)
    row = _closed(ledger)
    assert row.outcome == "error" + ESTIMATED
    assert row.cost == pytest.approx(CNY.cost(1000).amount)


def test_a_typed_refusal_before_processing_costs_nothing(upstream, ledger):
    upstream.enqueue(openai_error(401, "Incorrect API key provided", "invalid_request_error"))
    settings = operator_settings(upstream)
    ticket = gate(ledger).admit(settings, 1000)
    exchange = Exchange([ChatTurn("user", "hi")]).start(settings)
    while not exchange.finished:
        exchange.wait(len(exchange.text), 0.5)
    assert exchange.answer is not None and exchange.answer.error is not None
    ticket.close(exchange.answer)
    row = _closed(ledger)
    assert (row.outcome, row.cost) == ("error", 0.0)


def _answered(settings) -> Exchange:
    exchange = Exchange([ChatTurn("user", "hi")]).start(settings)
    while not exchange.finished:
        exchange.wait(len(exchange.text), 0.5)
    assert exchange.answer is not None
    return exchange


def test_the_row_records_how_many_times_the_question_went_out(upstream, ledger):
    """Issue 19 item 6: the ledger records attempts. A 429 with Retry-After is the one answer
    that sends the question again; the row says 2, and a plain answer's row says 1."""
    settings = resolve_settings(
        model="gpt-4o-mini",
        secrets={"KANTU_BASE_URL": upstream.base_url, "KANTU_API_KEY": OPERATOR_KEY},
        hosted=False,
        backoff_factor=0,
        max_retries=2,
    )
    upstream.enqueue(
        openai_error(429, "slow down", headers={"Retry-After": "0"}), sse(["好"]), sse(["好"])
    )
    for _ in range(2):
        ticket = gate(ledger).admit(settings, 1000)
        ticket.close(_answered(settings).answer)
    assert sorted(r.attempts for r in ledger.rows()) == [1, 2]
    assert len(upstream.requests) == 3
