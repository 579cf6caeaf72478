"""Every request that could carry the site's key passes one gate, with the settings it goes
with (issue 19 items 1, 2 and 7), under AppTest against the loopback fake upstream."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import FakeBatchAPI, FakeUpstream, openai_error
from components.hosting.ledger import SQLiteLedger
from components.i18n import t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.markdown_view import literal
from tests.conftest import ROOT, opened_as_a_browser_does
from tests.helpers import OPERATOR_KEY, png_bytes

BOGUS_KEY = "visitor-bogus-key-000000"
CODE = "orange-sesame-42"
ONE_OF_EACH = {"session_requests": 1, "visitor_hour_requests": 1, "daily_requests": 1}

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def site(up: FakeUpstream, ledger: Path, lang: str = "en", **secrets: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update(
        {
            "KANTU_BASE_URL": up.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_LEDGER_PATH": str(ledger),
            **secrets,
        }
    )
    at.session_state[keys.LANG] = lang
    opened_as_a_browser_does(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def batch_page(up: FakeUpstream, ledger: Path, **secrets: object) -> AppTest:
    at = site(up, ledger, **secrets)
    at.switch_page("pages/batch.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sidebar(at: AppTest, **choices: object) -> None:
    """Change what the sidebar hands the Batch page (AppTest runs only the page after
    ``switch_page``: the shared sidebar is not drawn, so its choice is set as it would be)."""
    choice = session.state_in(at.session_state, session.LayoutState).choice
    session.state_in(at.session_state, session.LayoutState).choice = dataclasses.replace(
        choice, **choices
    )


def shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in [*at.error, *at.warning, *at.info, *at.success]]
    return "\n".join(str(p) for p in parts)


def run_batch(at: AppTest, count: int, *, typed_key: str | None = None) -> AppTest:
    """Run ``count`` pictures; ``typed_key`` is in the sidebar's key field for that run only
    (then the visitor clears the field)."""
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [(f"p{i}.png", png_bytes(60 + i), "image/png") for i in range(count)]
    ).run()
    at.slider(key=keys.BATCH_CONCURRENCY).set_value(min(count, 16)).run()
    if typed_key is not None:
        at.session_state[keys.API_KEY] = typed_key
    at.button(key=keys.BATCH_RUN).click().run()
    if typed_key is not None:
        at.session_state[keys.API_KEY] = ""
    assert session.state_in(at.session_state, session.BatchState).job.wait(30)
    return at.run()


def retry(at: AppTest) -> str:
    """Press Retry failed, let the job end; return what the page said on the press."""
    at.button(key=keys.BATCH_RETRY).click().run()
    said = shown(at)
    assert session.state_in(at.session_state, session.BatchState).job.wait(30)
    at.run()
    return said


def with_key(up: FakeUpstream, key: str) -> list[str]:
    return [r.json["model"] for r in up.requests if r.headers["Authorization"] == f"Bearer {key}"]


def test_retry_failed_after_the_visitors_key_is_cleared_never_spends_the_sites_key(
    upstream, tmp_path
):
    """Issue 19 item 1: a bogus visitor key fails 6 pictures; the key is cleared and a refused
    model typed; Retry failed sent 6 of 6 with the site's key past the code, the allowed models
    and the limits. The batch keeps its own settings: nothing is sent, and the page says why."""
    upstream.default = openai_error(401, "Incorrect API key provided", "invalid_request_error")
    ledger = tmp_path / "ledger.sqlite3"
    at = batch_page(
        upstream,
        ledger,
        KANTU_ACCESS_CODE=CODE,
        KANTU_LIMITS=ONE_OF_EACH,
        KANTU_ALLOWED_MODELS=["gpt-4o-mini"],
    )
    at = run_batch(at, 6, typed_key=BOGUS_KEY)
    assert with_key(upstream, BOGUS_KEY) == ["gpt-4o-mini"] * 6
    assert list(at.dataframe[0].value["status"]) == ["failed"] * 6
    assert not at.session_state[keys.API_KEY]  # the key field holds nothing now
    sidebar(at, model="gpt-4o-EXPENSIVE")
    before = len(upstream.requests)
    said = retry(at)
    assert with_key(upstream, OPERATOR_KEY) == []
    assert len(upstream.requests) == before
    assert t("batch.retry_settings_changed", "en", model=literal("gpt-4o-mini")) in said
    assert SQLiteLedger(ledger).rows() == []


def test_retry_failed_after_a_custom_address_is_put_back_never_spends_the_sites_key(
    upstream, tmp_path
):
    """Issue 19 item 1, second way: with visitors' keys off, a first run goes to another
    address (no key needed, so no gate); the site's address is put back and Retry failed sent
    6 of 6 with the site's key. Now nothing is sent, and the page says why."""
    ledger = tmp_path / "ledger.sqlite3"
    with FakeUpstream() as elsewhere:
        elsewhere.default = openai_error(400, "bad request", "invalid_request_error")
        at = batch_page(
            upstream,
            ledger,
            KANTU_ALLOW_VISITOR_KEYS=False,
            KANTU_HOSTED=False,  # the other address is on loopback too
            KANTU_LIMITS=ONE_OF_EACH,
            KANTU_ALLOWED_MODELS=["gpt-4o-mini"],
        )
        sidebar(at, base_url=elsewhere.base_url)
        at = run_batch(at, 6)
        assert len(elsewhere.requests) == 6 and upstream.requests == []
    sidebar(at, base_url=upstream.base_url)
    said = retry(at)
    assert upstream.requests == []
    assert t("batch.retry_settings_changed", "en", model=literal("gpt-4o-mini")) in said
    assert SQLiteLedger(ledger).rows() == []


def test_retried_pictures_pass_the_gate_again(upstream, tmp_path):
    """With the site's key and two requests a session: the first run spends both (401s), so
    Retry failed, with the same settings, is refused picture by picture by the limit."""
    upstream.default = openai_error(401, "Incorrect API key provided", "invalid_request_error")
    ledger = tmp_path / "ledger.sqlite3"
    at = batch_page(upstream, ledger, KANTU_LIMITS={"session_requests": 2})
    at = run_batch(at, 2)
    assert len(with_key(upstream, OPERATOR_KEY)) == 2
    retry(at)
    assert len(upstream.requests) == 2
    said = " ".join(str(v) for v in at.dataframe[0].value.astype(str).to_numpy().ravel())
    assert t("config.limit_session_requests", "en", limit=2).split("2")[0] in said
    assert len(SQLiteLedger(ledger).rows()) == 2


def test_the_provider_batch_engine_admits_each_picture_and_records_it(upstream, tmp_path):
    """Issue 19 item 2: with every limit at 1, the provider batch engine sent 16 of 16
    pictures and wrote no ledger row. Now one picture goes, with its row; the others fail
    saying which limit."""
    fake = FakeBatchAPI(polls_before_done=1, answer=lambda custom_id, body: "批量回答")
    upstream.batch_api = fake
    ledger = tmp_path / "ledger.sqlite3"
    at = batch_page(upstream, ledger, KANTU_LIMITS=ONE_OF_EACH)
    session.state_in(at.session_state, session.BatchState).poll_s = 0.05
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [(f"p{i}.png", png_bytes(60 + i), "image/png") for i in range(16)]
    ).run()
    at.radio(key=keys.choice_key(keys.BATCH_VIA, "en")).set_value("batch_api").run()
    at.button(key=keys.BATCH_RUN).click().run()
    assert session.state_in(at.session_state, session.BatchState).job.wait(30)
    at.run()
    assert (fake.uploads, fake.created) == (1, 1)
    sent = fake.files["file-in1"].splitlines()  # the batch's input: one request a line
    assert len(sent) == 1
    statuses = list(at.dataframe[0].value["status"])
    assert statuses.count("done") == 1 and statuses.count("failed") == 15
    rows = SQLiteLedger(ledger).rows()
    assert len(rows) == 1 and rows[0].model == "gpt-4o-mini"


def _ask(at: AppTest, text: str = "What is this?") -> AppTest:
    return at.chat_input[0].set_value(text).run()


def _wait_closed(ledger: Path, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    while True:
        rows = SQLiteLedger(ledger).rows()
        if (rows and all(r.outcome != "pending" for r in rows)) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_money_limit_on_a_model_priced_in_another_currency_closes_the_key(
    upstream, tmp_path, lang
):
    """Issue 19 item 7: with ``daily_cost = 1`` (CNY) a USD-priced gpt-4o was admitted 50 of
    50. The limit cannot count it: the site's key stays closed, and the page says why."""
    ledger = tmp_path / "ledger.sqlite3"
    at = site(
        upstream,
        ledger,
        lang,
        KANTU_MODEL="gpt-4o",
        KANTU_ALLOWED_MODELS=["gpt-4o"],
        KANTU_PRICES={"gpt-4o": {"input": 2.5, "output": 10.0, "currency": "USD"}},
        KANTU_LIMITS={"daily_cost": 1},
    )
    notice = t("config.money_limits_unbound", lang, models="gpt-4o", currency="CNY")
    assert notice in [w.value for w in at.warning]  # above the page, before any question
    _ask(at)
    _ask(at, "Again?")
    assert not at.exception
    assert upstream.requests == []
    assert notice in [e.value for e in at.error]
    assert SQLiteLedger(ledger).rows() == []


def test_a_money_limit_on_an_address_without_prices_closes_the_key(upstream, tmp_path):
    """Issue 19 item 7: a custom operator address, whose models have no known price, was
    admitted 50 of 50 under a money limit. Its key stays closed until a price is set."""
    ledger = tmp_path / "ledger.sqlite3"
    at = site(upstream, ledger, KANTU_LIMITS={"daily_cost": 1})
    _ask(at)
    assert upstream.requests == []
    assert t("config.money_limits_unbound", "en", models="gpt-4o-mini", currency="CNY") in shown(at)
    priced = site(
        upstream,
        ledger,
        KANTU_LIMITS={"daily_cost": 1},
        KANTU_PRICES={"gpt-4o-mini": {"input": 1.08, "output": 4.32, "currency": "CNY"}},
    )
    assert not priced.warning
    _ask(priced)
    assert len(upstream.requests) == 1
    assert len(_wait_closed(ledger)) == 1


def test_a_502_after_the_question_was_read_is_recorded_at_its_estimated_cost(upstream, tmp_path):
    """Issue 19 item 6, the ledger's half: an error after the request was sent may have been
    billed. The row keeps the estimated cost, flagged, never 0; a 401 costs nothing."""
    ledger = tmp_path / "ledger.sqlite3"
    prices = {"gpt-4o-mini": {"input": 1.08, "output": 4.32, "currency": "CNY"}}
    upstream.default = openai_error(502, "bad gateway", "server_error")
    at = site(upstream, ledger, KANTU_PRICES=prices)
    _ask(at)
    rows = _wait_closed(ledger)
    assert [r.outcome for r in rows] == ["error~est"]
    assert rows[0].cost == pytest.approx(rows[0].estimated_tokens * 1.08 / 1e6)
    assert rows[0].cost > 0
    upstream.default = openai_error(401, "Incorrect API key provided", "invalid_request_error")
    _ask(at, "Once more?")
    rows = _wait_closed(ledger)
    assert sorted((r.outcome, r.cost) for r in rows)[0] == ("error", 0.0)
