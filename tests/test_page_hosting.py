"""The hosted site under AppTest: the access code before the operator's key, slowed wrong tries,
visitors' own keys, limits, the ledger, the operator page and the signed-in branch."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import FakeUpstream, openai_error, sse
from components.hosting.ledger import SQLiteLedger
from components.i18n import t
from components.ui import access as access_ui
from components.ui import session
from components.ui import state_keys as keys
from tests.conftest import entry_app_test

OPERATOR_KEY = "operator-secret-key-123456"
VISITOR_KEY = "visitor-typed-key-987654"
CODE = "orange-sesame-42"
PRICES = {"gpt-4o-mini": {"input": 1.08, "output": 4.32, "currency": "CNY"}}
USAGE = {"prompt_tokens": 2911, "completion_tokens": 40, "total_tokens": 2951}


pytestmark = pytest.mark.usefixtures("isolated_secrets")


@pytest.fixture
def ledger_path(tmp_path) -> Path:
    return tmp_path / "ledger.sqlite3"


def _site(up: FakeUpstream, ledger_path: Path, lang: str = "en", **secrets) -> AppTest:
    at = entry_app_test()
    at.secrets.update(
        {
            "KANTU_BASE_URL": up.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_LEDGER_PATH": str(ledger_path),
            **secrets,
        }
    )
    at.session_state[keys.LANG] = lang
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in [*at.error, *at.warning, *at.info]]
    return "\n".join(str(p) for p in parts)


def _enter_code(at: AppTest, code: str, lang: str = "en") -> AppTest:
    at.text_input(key=keys.ACCESS_CODE).input(code)
    submit = [b for b in at.main.button if b.label == t("hosting.unlock", lang)]
    assert submit, "no unlock button above the page"
    return submit[0].click().run()


def _unlocked(at: AppTest) -> bool:
    return session.state_in(at.session_state, session.HostingState).access_unlocked


def _ask(at: AppTest, text: str = "What is this?") -> AppTest:
    return at.chat_input[0].set_value(text).run()


def _wait_rows(path: Path, outcome: str = "ok", timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        rows = SQLiteLedger(path).rows()
        if (rows and all(r.outcome == outcome for r in rows)) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_operator_key_is_not_used_before_the_access_code(upstream, ledger_path, lang):
    upstream.enqueue(sse(["An orange."], usage=USAGE))
    at = _site(upstream, ledger_path, lang, KANTU_ACCESS_CODE=[CODE, "other-code"])
    _ok(at)
    assert t("hosting.code_hint", lang) in _shown(at)
    _ask(at)
    _ok(at)
    assert upstream.requests == []  # the site's key went nowhere
    assert t("config.access_code_required", lang) in _shown(at)
    _enter_code(at, CODE, lang)
    _ok(at)
    assert t("hosting.unlocked", lang) in _shown(at)
    assert at.button(key="retry_2")  # the refused question can be asked again
    _ask(at, "And now?")
    _ok(at)
    assert len(upstream.requests) == 1
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {OPERATOR_KEY}"


def test_wrong_codes_slow_further_tries(upstream, ledger_path, monkeypatch):
    clock = [1_800_000_000.0]
    monkeypatch.setattr(access_ui, "_clock", lambda: clock[0])
    at = _site(upstream, ledger_path, KANTU_ACCESS_CODE=CODE)

    def waiting() -> list[str]:
        return [w.value for w in at.warning if "try again in" in w.value]

    _enter_code(at, "guess-1")
    assert t("hosting.wrong_code", "en") in _shown(at) and not waiting()
    _enter_code(at, "guess-2")
    assert waiting() == [t("hosting.try_again_in", "en", seconds=1)]
    _enter_code(at, CODE)  # the right code during the wait is not even compared
    assert waiting() and not _unlocked(at)
    clock[0] += 1.5
    _enter_code(at, "guess-3")
    assert waiting() == [t("hosting.try_again_in", "en", seconds=2)]  # each wait doubles
    clock[0] += 2.5
    _enter_code(at, CODE)
    assert _unlocked(at)
    _ask(at)
    assert len(upstream.requests) == 1


def test_a_visitors_own_key_needs_no_code_and_is_not_recorded(upstream, ledger_path):
    at = _site(upstream, ledger_path, KANTU_ACCESS_CODE=CODE, KANTU_LIMITS={"daily_requests": 1})
    at.text_input(key=keys.API_KEY).set_value(VISITOR_KEY).run()
    assert t("hosting.code_hint", "en") not in _shown(at)  # nothing to unlock
    _ask(at)
    _ask(at, "Again?")  # over the site's daily limit: the visitor's key is never limited
    _ok(at)
    assert [r.headers["Authorization"] for r in upstream.requests] == [f"Bearer {VISITOR_KEY}"] * 2
    assert SQLiteLedger(ledger_path).rows() == []


def test_visitor_keys_can_be_refused(upstream, ledger_path):
    at = _site(upstream, ledger_path, KANTU_ALLOW_VISITOR_KEYS=False)
    at.text_input(key=keys.API_KEY).set_value(VISITOR_KEY).run()
    _ask(at)
    assert upstream.requests == []
    assert t("config.visitor_keys_off", "en") in _shown(at)


def test_every_request_with_the_operators_key_is_in_the_ledger(upstream, ledger_path):
    upstream.enqueue(sse(["An orange."], usage=USAGE))
    at = _site(upstream, ledger_path, KANTU_PRICES=PRICES)
    _ask(at, "Which fruit is it, in my secret garden?")
    _ok(at)
    rows = _wait_rows(ledger_path)
    assert len(rows) == 1
    row = rows[0]
    assert (row.model, row.outcome, row.prompt_tokens, row.completion_tokens) == (
        "gpt-4o-mini",
        "ok",
        2911,
        40,
    )
    assert row.estimated_tokens and row.currency == "CNY"
    assert row.cost == pytest.approx((2911 * 1.08 + 40 * 4.32) / 1e6)  # billed, operator's prices
    raw = b"".join(p.read_bytes() for p in ledger_path.parent.glob("ledger.sqlite3*"))
    assert b"secret garden" not in raw and b"An orange" not in raw


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_limit_reached_says_so_and_when_it_resets(upstream, ledger_path, lang):
    at = _site(upstream, ledger_path, lang, KANTU_LIMITS={"daily_requests": 1})
    _ask(at)
    _wait_rows(ledger_path)
    _ask(at, "Second?")
    _ok(at)
    assert len(upstream.requests) == 1
    errors = [e.value for e in at.error]
    start = t("config.limit_daily_requests", lang).split("（" if lang == "zh" else "(")[0]
    assert any(start in e and "00:00 UTC" in e for e in errors), errors


def test_limits_survive_a_restart(upstream, ledger_path):
    _ask(
        _site(upstream, ledger_path, KANTU_LIMITS={"visitor_hour_requests": 5, "daily_requests": 1})
    )
    _wait_rows(ledger_path)
    fresh = _site(upstream, ledger_path, KANTU_LIMITS={"daily_requests": 1})  # a new session
    _ask(fresh)
    assert len(upstream.requests) == 1
    assert "00:00 UTC" in _shown(fresh)


def test_models_off_the_allow_list_are_refused(upstream, ledger_path):
    at = _site(upstream, ledger_path, KANTU_ALLOWED_MODELS=["gpt-4o"])
    _ask(at)
    assert upstream.requests == []
    assert t("config.model_not_allowed", "en", models="gpt-4o") in _shown(at)


def _admin(at: AppTest) -> AppTest:
    at.switch_page("pages/admin.py")  # the entry runs again, then the operator page
    return at.run()


def _unlock_admin(at: AppTest, code: str, lang: str) -> AppTest:
    at.text_input(key=keys.ADMIN_CODE).input(code)
    next(b for b in at.button if b.label == t("hosting.unlock", lang)).click()
    return _admin(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_operator_page_is_shut_without_its_code_and_shows_the_ledger_with_it(
    upstream, ledger_path, lang
):
    upstream.enqueue(sse(["An orange."], usage=USAGE))
    at = _site(upstream, ledger_path, lang, KANTU_ADMIN_CODE="boss-code", KANTU_PRICES=PRICES)
    _ask(at)
    _wait_rows(ledger_path)
    _admin(at)
    _ok(at)
    assert not at.get("vega_lite_chart") and not at.get("download_button")
    _unlock_admin(at, "not-it", lang)
    assert t("admin.wrong_code", lang) in _shown(at)  # the operator code, not the access code
    assert t("hosting.wrong_code", lang) not in _shown(at)
    assert not at.get("download_button")
    _unlock_admin(at, "boss-code", lang)
    _ok(at)
    assert len(at.get("vega_lite_chart")) == 3  # per day, per model, by outcome
    assert at.metric[0].value == "1"  # requests today
    assert at.metric[1].value == "¥0.0033"  # billed at the operator's prices
    top = at.dataframe[0].value
    assert len(top) == 1 and top.iloc[0, 1] == 1  # one anonymous session, one request
    assert at.get("download_button")
    assert t("admin.top_sessions", lang) in [s.value for s in at.subheader]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_operator_page_shows_the_last_hours_errors_by_kind(upstream, ledger_path, lang):
    upstream.enqueue(openai_error(401, "Incorrect API key provided", code="invalid_api_key"))
    at = _site(upstream, ledger_path, lang, KANTU_ADMIN_CODE="boss-code")
    _admin(at)
    _unlock_admin(at, "boss-code", lang)
    _ok(at)
    assert t("admin.no_errors_hour", lang) in _shown(at)  # nothing failed yet
    at.switch_page("app.py").run()
    _ask(at)
    assert [r.error_kind for r in _wait_rows(ledger_path, "error")] == ["auth"]
    _admin(at)
    _ok(at)
    assert t("admin.errors_hour", lang) in [s.value for s in at.subheader]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4  # per day, per model, by outcome, errors by kind
    encoding = json.loads(charts[3].proto.spec)["encoding"]
    assert encoding["color"]["field"] == t("admin.col_error_kind", lang)  # a legend: each kind
    assert encoding["y"]["title"] == t("admin.col_errors", lang)
    assert b"auth" in charts[3].proto.datasets[0].data.data


def test_operator_page_without_a_code_configured_stays_shut(upstream, ledger_path):
    at = _admin(_site(upstream, ledger_path))
    _ok(at)
    assert t("admin.closed", "en") in _shown(at)
    assert not at.get("download_button")


AUTH = {"redirect_uri": "http://127.0.0.1/oauth2callback", "cookie_secret": "x" * 32}


def test_signed_in_people_on_the_list_use_the_key(upstream, ledger_path):
    at = entry_app_test()
    at.secrets.update(
        {
            "KANTU_BASE_URL": upstream.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_LEDGER_PATH": str(ledger_path),
            "KANTU_ACCESS_CODE": CODE,  # login configured: the sign-in decides, not the code
            "KANTU_ALLOWED_USERS": ["@example.com"],
            "auth": AUTH,
        }
    )
    at.session_state[keys.LANG] = "en"
    at.user = {"is_logged_in": False}
    at.run()
    _ok(at)
    assert t("hosting.sign_in_hint", "en") in _shown(at)
    _ask(at)
    assert upstream.requests == []
    assert t("config.sign_in_required", "en") in _shown(at)
    at.user = {"is_logged_in": True, "email": "intruder@elsewhere.org"}
    _ask(at, "Me?")
    assert upstream.requests == []
    assert t("config.user_not_allowed", "en") in _shown(at)
    at.user = {"is_logged_in": True, "email": "colleague@example.com"}
    at.run()
    assert t("hosting.signed_in_as", "en", email="colleague@example.com") in _shown(at)
    _ask(at, "And me?")
    _ok(at)
    assert len(upstream.requests) == 1
    rows = _wait_rows(ledger_path)
    raw = b"".join(p.read_bytes() for p in ledger_path.parent.glob("ledger.sqlite3*"))
    assert len(rows) == 1 and b"colleague" not in raw


def test_the_csv_export_has_one_line_per_request_and_no_personal_data(upstream, ledger_path):
    from components.ui.admin import ledger_csv

    _ask(_site(upstream, ledger_path))
    rows = _wait_rows(ledger_path)
    lines = ledger_csv(rows).splitlines()
    assert lines[0].startswith("time_utc,id,started,model")
    assert len(lines) == 2 and ",gpt-4o-mini,custom," in lines[1] and ",ok," in lines[1]
    assert "What is this" not in lines[1]


def test_a_ledger_that_cannot_be_written_pauses_the_key_only_when_limits_need_it(
    upstream, tmp_path
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken = blocker / "ledger.sqlite3"
    limited = _site(upstream, broken, KANTU_LIMITS={"daily_requests": 100})
    _ask(limited)
    _ok(limited)
    assert upstream.requests == []
    assert t("config.ledger_unavailable", "en") in _shown(limited)
    open_site = _site(upstream, broken)  # no limits to keep: the question still goes
    _ask(open_site)
    _ok(open_site)
    assert len(upstream.requests) == 1


def test_the_ledger_can_live_in_any_sqlalchemy_database_through_st_connection(
    upstream, ledger_path, tmp_path
):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from components.hosting.ledger import SQLAlchemyLedger

    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upstream.enqueue(sse(["An orange."], usage=USAGE))
    at = _site(upstream, ledger_path, connections={"kantu_ledger": {"url": url}})
    _ask(at)
    _ok(at)
    engine = create_engine(url)
    deadline = time.monotonic() + 10
    while True:
        rows = SQLAlchemyLedger(lambda: Session(engine)).rows()
        if (rows and rows[0].outcome == "ok") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [(r.outcome, r.prompt_tokens) for r in rows] == [("ok", 2911)]
    assert not ledger_path.exists()  # not the SQLite default


def test_a_ledger_connection_that_is_not_a_table_is_no_ledger_not_the_local_file(
    upstream, ledger_path, tmp_path
):
    """``connections.kantu_ledger = "<url>"`` (a string where st.connection needs a table) names
    a database the replicas would share: the key pauses as for a ledger that cannot be written,
    rather than each replica counting in a SQLite file of its own; and the saved chats stay in
    the browser, not in a chats file of this replica's (one reading of the setting for both)."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    at = _site(
        upstream,
        ledger_path,
        KANTU_LIMITS={"daily_requests": 100},
        connections={"kantu_ledger": url},
    )
    _ask(at)
    _ok(at)
    assert upstream.requests == []
    assert t("config.ledger_unavailable", "en") in _shown(at)
    assert not ledger_path.exists()
    assert not ledger_path.with_stem("chats").exists()


def test_the_sidebar_checks_follow_the_access_code_and_the_ledger(upstream, ledger_path):
    """ "Can this model see?" and "Test connection" use the site's key too: before the code they
    send nothing and say why; after it, the probe is one more row in the ledger."""
    upstream.sight = "blind"
    at = _site(upstream, ledger_path, KANTU_ACCESS_CODE=CODE)
    at.button(key="kantu_probe").click().run()
    at.button(key="kantu_test").click().run()
    _ok(at)
    assert upstream.requests == []
    assert t("config.access_code_required", "en") in _shown(at)
    _enter_code(at, CODE)
    at.button(key="kantu_probe").click().run()
    _ok(at)
    assert [r.headers["Authorization"] for r in upstream.requests] == [f"Bearer {OPERATOR_KEY}"]
    rows = _wait_rows(ledger_path)
    assert len(rows) == 1 and rows[0].model == "gpt-4o-mini"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_access_code_refusal_points_at_the_code_box(upstream, ledger_path, lang):
    """Issue 21 point 5: the refusal's main action said "Check the settings" and focused the
    Base URL."""
    at = _site(upstream, ledger_path, lang, KANTU_ACCESS_CODE=CODE)
    _ask(at)
    _ok(at)
    assert t("config.access_code_required", lang) in _shown(at)
    labels = [b.label for b in at.main.button]
    assert t("action.fix_settings", lang) not in labels
    [action] = [b for b in at.main.button if b.label == t("action.enter_code", lang)]
    assert action.proto.type == "primary"
    action.click().run()
    _ok(at)
    scripts = [h.proto.body for h in at.get("html")]
    assert any(f".st-key-{keys.ACCESS_CODE} input" in body for body in scripts)
    assert not any(f".st-key-{keys.BASE_URL} input" in body for body in scripts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_spend_charts_name_every_series_even_for_a_request_without_a_price(
    upstream, ledger_path, lang
):
    upstream.enqueue(sse(["An orange."], usage=USAGE))
    at = _site(upstream, ledger_path, lang, KANTU_ADMIN_CODE="boss-code")  # no KANTU_PRICES
    _ask(at)
    _wait_rows(ledger_path)
    _unlock_admin(_admin(at), "boss-code", lang)
    _ok(at)
    assert t("admin.unpriced", lang, count=1) in _shown(at)
    spend = t("admin.spend_in", lang, currency="CNY")
    for chart in at.get("vega_lite_chart")[:2]:  # per day, per model
        data = b"".join(d.data.data for d in chart.proto.datasets)
        assert spend.encode() in data
        assert b'"?"' not in data and b"?" not in data.replace(spend.encode(), b"")
