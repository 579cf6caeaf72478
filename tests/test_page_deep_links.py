"""Deep links on a fresh server: any page opened first shows that page, never an error.

A fresh server is in Streamlit's old multipage mode (a ``pages/`` folder exists) until a run
calls ``st.navigation``; the tests put the process back in that mode and open a page first.
"""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from components.i18n import t
from components.ui import session
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("isolated_secrets")

# page file -> the title its page shows first
PAGES = {
    "pages/admin.py": "admin.title",
    "pages/batch.py": "batch.title",
    "pages/compare.py": "compare.title",
}


@pytest.fixture
def fresh_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the process in the state of a server whose first run is still to come."""
    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)


@pytest.mark.usefixtures("fresh_server")
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_opened_first_on_a_fresh_server_shows_that_page(page: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.switch_page(page)  # the first request of the server names this page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert t(PAGES[page], "zh") in [title.value for title in at.title]
    # the app's shell ran too: the sidebar's choices exist for the page's next runs
    assert session.state_in(at.session_state, session.LayoutState).choice is not None


@pytest.mark.usefixtures("fresh_server")
def test_chat_page_opened_by_its_file_name_first_shows_the_chat() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.switch_page("pages/chat.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.chat_input) == 1
