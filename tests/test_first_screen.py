"""A new session's first screen (components/ui/first_screen.py): the chat page's first run draws
its chat input and the welcome's words alone (no element whose code the page would fetch first),
the other pages' the page without the sidebar's settings; the settings' values apply all the same,
and the run the browser asks for next draws the rest, unchanged. AppTest has no browser, so the
second run is started here."""

from __future__ import annotations

import json
import subprocess
import sys

from streamlit.testing.v1 import AppTest

from components.devtools.upstream import sse
from components.i18n import t
from components.ui import session
from components.ui import state_keys as keys
from tests.conftest import ROOT
from tests.helpers import OPERATOR_KEY, no_exception

SETTINGS = {keys.choice_key(keys.PROVIDER, "en"), keys.MODEL}


def _opened(upstream) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update(
        {
            "KANTU_BASE_URL": upstream.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_MODEL": "gpt-4o",
        }
    )
    at.session_state[keys.LANG] = "en"
    return at.run()


def _choice(at: AppTest):
    return session.state_in(at.session_state, session.LayoutState).choice


def _drawn_settings(at: AppTest) -> set[str]:
    return {str(s.key) for s in at.sidebar.selectbox} & SETTINGS


def test_the_first_run_draws_the_page_and_the_next_one_the_settings_with_the_same_values(
    upstream,
):
    at = _opened(upstream)
    no_exception(at)
    assert at.chat_input  # the page is usable
    assert at.title[0].value == t("layout.heading", "en")
    assert t("welcome.body", "en") in [m.value for m in at.markdown]
    # nothing but Markdown besides the input and the page's style: no button, switch or picture
    assert not at.button and not at.button_group and not at.get("imgs")
    assert [h.proto.body.startswith("<style>") for h in at.get("html")] == [True]
    assert _drawn_settings(at) == set()  # no select box, no key field yet
    assert not [f for f in at.sidebar.text_input if f.key == keys.API_KEY]
    at._finished_page_script_hash = ""  # the run the browser asks for, from the entry script
    at.run()
    no_exception(at)
    assert t("welcome.example_1", "en") in [b.label for b in at.button]
    assert _drawn_settings(at) == SETTINGS
    assert at.sidebar.text_input(key=keys.API_KEY).value in ("", None)
    assert (_choice(at).model, _choice(at).has_key) == ("gpt-4o", True)  # the operator's


def test_a_question_asked_on_the_first_screen_goes_with_the_settings(upstream):
    upstream.enqueue(sse(["A cat."]))
    at = _opened(upstream)
    at.chat_input[0].set_value("What is it?").run()
    no_exception(at)
    assert upstream.requests[-1].json["model"] == "gpt-4o"
    assert upstream.requests[-1].headers["Authorization"] == f"Bearer {OPERATOR_KEY}"
    assert "A cat." in [m.value for m in at.markdown]


# What the first screen's run must not wait for: the conversation's machinery and what it imports.
HEAVY = ("PIL", "requests", "markdown_it", "components.ui.chat", "components.conversation.history")


def test_a_sessions_first_run_imports_none_of_the_conversations_machinery():
    """A cold server's first visitor waits for the first run's imports: the first screen's run
    leaves them to the next one (app.py), which imports them all."""
    code = (
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60)\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        f"first = [name for name in {HEAVY!r} if name in sys.modules]\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        f"second = [name for name in {HEAVY!r} if name in sys.modules]\n"
        "print(json.dumps([first, second]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    first, second = json.loads(result.stdout.strip().splitlines()[-1])
    assert first == [], f"imported by the first screen's run: {first}"
    assert second == list(HEAVY)  # the next run has them all
