"""Fresh browser sessions share one wait between wrong codes (the count is on the server), for
the access code and the operator code; the right code still opens after the wait."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import FakeUpstream
from components.hosting.access import FREE_TRIES
from components.i18n import t
from components.ui import access as access_ui
from components.ui import session, visitor
from components.ui import state_keys as keys
from tests.conftest import entry_app_test

CODE = "orange-sesame-42"
ADMIN = "boss-code-7-long"
T0 = 1_800_000_000.0
GUESSES = 8

pytestmark = pytest.mark.usefixtures("isolated_secrets")


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The code box's clock, moved on by the test instead of sleeping."""
    now = [T0]
    monkeypatch.setattr(access_ui, "_clock", lambda: now[0])
    return now


def _fresh_session(up: FakeUpstream, ledger: Path, lang: str, *, admin: bool) -> AppTest:
    """A new browser session on the site (nothing kept from any other), on its first page."""
    at = entry_app_test()
    at.secrets.update(
        {
            "KANTU_BASE_URL": up.base_url,
            "KANTU_API_KEY": "operator-secret-key-123456",
            "KANTU_LEDGER_PATH": str(ledger),
            "KANTU_ACCESS_CODE": CODE,
            "KANTU_ADMIN_CODE": ADMIN,
        }
    )
    at.session_state[keys.LANG] = lang
    at.run()
    return at.switch_page("pages/admin.py").run() if admin else at


def _submit(at: AppTest, typed: str, lang: str, *, admin: bool) -> AppTest:
    at.text_input(key=keys.ADMIN_CODE if admin else keys.ACCESS_CODE).input(typed)
    next(b for b in at.button if b.label == t("hosting.unlock", lang)).click()
    return at.switch_page("pages/admin.py").run() if admin else at.run()


def _compared(at: AppTest, lang: str, *, admin: bool) -> bool:
    # a wrong operator code is called the operator code, never the access code (issue 21)
    wrong = t("admin.wrong_code" if admin else "hosting.wrong_code", lang)
    return wrong in [e.value for e in at.error]


def _unlocked(at: AppTest, admin: bool) -> bool:
    hosting = session.state_in(at.session_state, session.HostingState)
    return hosting.admin_unlocked if admin else hosting.access_unlocked


@pytest.mark.parametrize(
    ("admin", "lang"),
    [(False, "zh"), (False, "en"), (True, "en")],
    ids=["access-zh", "access-en", "operator"],
)
def test_fresh_sessions_share_the_wait_between_wrong_codes(upstream, tmp_path, clock, admin, lang):
    ledger = tmp_path / "ledger.sqlite3"
    right = ADMIN if admin else CODE
    compared = 0
    for guess in range(GUESSES):  # a guesser opening a new session for every guess
        at = _submit(
            _fresh_session(upstream, ledger, lang, admin=admin), f"g-{guess}", lang, admin=admin
        )
        compared += _compared(at, lang, admin=admin)
    assert compared == FREE_TRIES, f"{compared} of {GUESSES} guesses were compared"
    at = _fresh_session(upstream, ledger, lang, admin=admin)
    assert t("hosting.try_again_in", lang, seconds=1) in [w.value for w in at.warning]
    at = _submit(at, right, lang, admin=admin)
    assert not _unlocked(at, admin)  # during the wait not even the right code is compared
    clock[0] += 1.0
    at = _submit(_fresh_session(upstream, ledger, lang, admin=admin), right, lang, admin=admin)
    assert _unlocked(at, admin)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_short_code_is_pointed_out_to_the_operator_and_in_the_log(
    upstream, tmp_path, lang, caplog
):
    visitor.warn_short_codes.clear()  # once per process: start this test's process afresh
    at = entry_app_test()
    at.secrets.update(
        {
            "KANTU_BASE_URL": upstream.base_url,
            "KANTU_API_KEY": "operator-secret-key-123456",
            "KANTU_LEDGER_PATH": str(tmp_path / "ledger.sqlite3"),
            "KANTU_ACCESS_CODE": "4242",
            "KANTU_ADMIN_CODE": ADMIN,
        }
    )
    at.session_state[keys.LANG] = lang
    with caplog.at_level(logging.WARNING, logger="kantu"):
        at.run()
    logged = [r.getMessage() for r in caplog.records if "KANTU_ACCESS_CODE" in r.getMessage()]
    assert len(logged) == 1 and "4242" not in logged[0]
    notice = t("admin.short_codes", lang, settings="KANTU_ACCESS_CODE", n=8)
    at.switch_page("pages/admin.py").run()
    assert notice not in [w.value for w in at.warning]  # not before the operator's code
    at = _submit(at, ADMIN, lang, admin=True)
    assert notice in [w.value for w in at.warning]


def test_codes_are_not_checked_without_a_ledger_to_count_them(upstream, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    at = _fresh_session(upstream, blocker / "ledger.sqlite3", "en", admin=False)
    assert t("hosting.code_unavailable", "en") in [e.value for e in at.error]
    at = _submit(at, CODE, "en", admin=False)
    assert not _unlocked(at, admin=False)  # fails shut: an uncounted guess is never compared
    assert t("hosting.code_unavailable", "en") in [e.value for e in at.error]
