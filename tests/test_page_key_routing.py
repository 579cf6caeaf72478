"""The sidebar says so when the operator's key is sent nowhere because its server is ambiguous."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.ui import session
from components.ui import state_keys as keys
from tests.conftest import ROOT, opened_as_a_browser_does

pytestmark = pytest.mark.usefixtures("isolated_secrets")
OP_KEY = "sk-proj-operator-0123456789abcdef"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_kantu_key_beside_an_openai_url_shows_a_warning_naming_the_variables(
    monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setenv("KANTU_API_KEY", OP_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.session_state[keys.LANG] = lang
    opened_as_a_browser_does(at)
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.sidebar.warning]
    assert any(
        all(name in w for name in ("KANTU_API_KEY", "KANTU_BASE_URL", "OPENAI_BASE_URL"))
        for w in warnings
    ), warnings
    # nothing is sent with it
    assert not session.state_in(at.session_state, session.LayoutState).choice.has_key
    assert all(OP_KEY not in w for w in warnings)
