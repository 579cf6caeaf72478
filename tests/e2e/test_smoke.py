"""Smoke: the app starts without secrets, loads in both locales and on a phone, and the harness
keeps the server away from the developer's own HOME and secrets.

Assertions stay generic to Streamlit (chat input, no exception box) so they survive the chat page
replacing the placeholder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    App,
    assert_no_exception,
    attach_files,
    console_errors,
    send_prompt,
    wait_for_idle,
)

PHONE = (390, 844)

# Shows what the server process sees, and echoes what st.chat_input delivered (to prove
# attach_files() reaches the script); written to a temp dir, run with the repo root as cwd.
PROBE_SCRIPT = """\
from pathlib import Path

import streamlit as st

st.code(f"home={Path.home()}")
try:
    st.code(f"probe={st.secrets['probe']}")
except (FileNotFoundError, KeyError) as exc:
    st.code(f"probe=<{type(exc).__name__}>")
prompt = st.chat_input("Ask", accept_file="multiple")
if prompt:
    st.code("text=" + prompt.text)
    st.code("files=" + ",".join(f"{f.name}:{f.type}:{f.size}" for f in prompt.files))
"""


@pytest.fixture(scope="module")
def probe_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    script = tmp_path_factory.mktemp("probe") / "probe.py"
    script.write_text(PROBE_SCRIPT, encoding="utf-8")
    return script


@pytest.fixture(scope="module")
def probe_app(start_module_app, probe_script: Path) -> App:
    """One server of the probe script with no secrets, shared by the tests that need no other."""
    return start_module_app(script=str(probe_script))


# When the chat input and the sidebar's first select box first appear, in the page's own clock.
FIRST_SEEN_JS = """
window.__firstSeen = {};
new MutationObserver(() => {
  const seen = window.__firstSeen, now = performance.now();
  if (!seen.input && document.querySelector('[data-testid="stChatInput"] textarea')) {
    seen.input = now;
  }
  if (!seen.settings && document.querySelector(
      '[data-testid="stSidebar"] [data-testid="stSelectbox"]')) {
    seen.settings = now;
  }
}).observe(document, { subtree: true, childList: true });
"""


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_page_loads_with_chat_input_in_each_locale(app, new_page, locale):
    """A page per browser language (the page follows it from its first load): the app started
    without a secrets file (and logged no traceback), the chat input shows with no exception
    and no console error, before the sidebar's settings, which then come by themselves
    (components/ui/first_screen.py); resized to a phone, the chat input still fits the screen."""
    assert not app.secrets_file.exists()
    page = new_page(app, locale=locale)
    assert page.evaluate("navigator.language") == locale
    page.add_init_script(FIRST_SEEN_JS)
    page.reload()  # a new session, watched from its first element
    settings = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    expect(settings).to_be_visible()
    seen = page.evaluate("window.__firstSeen")
    assert seen["input"] < seen["settings"], seen
    expect(page.locator(CHAT_INPUT_SELECTOR).locator("textarea")).to_be_visible()
    assert_no_exception(page)
    assert "Traceback" not in app.logs()
    assert console_errors(page) == []
    # The chat input fits a phone screen.
    width, height = PHONE
    page.set_viewport_size({"width": width, "height": height})
    wait_for_idle(page)
    page.wait_for_timeout(400)  # the sidebar's transition
    chat = page.locator(CHAT_INPUT_SELECTOR)
    expect(chat.locator("textarea")).to_be_visible()
    expect(chat).to_be_in_viewport(ratio=1.0)
    box = chat.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert_no_exception(page)


def test_the_chat_page_leaves_pandas_and_pyarrow_unloaded(start_app, new_page):
    """A new server's first chat screen, settings and browser store included, loads neither
    pandas nor pyarrow (components/ui/component_data.py): the first visitor's first run would
    wait ~0.2 s for them, and the server would keep ~50 MB more. Read from the libraries the
    server process has mapped."""
    app = start_app()
    page = new_page(app, locale="zh-CN")
    settings = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    expect(settings).to_be_visible()
    wait_for_idle(page)
    assert_no_exception(page)
    mapped = Path(f"/proc/{app.process.pid}/maps").read_text()
    assert "/pandas/" not in mapped and "/pyarrow/" not in mapped


def test_server_runs_with_a_temporary_home(app):
    assert app.env["HOME"] == str(app.home) != os.environ.get("HOME")
    assert not app.home.is_relative_to(Path.home())
    environ = Path(f"/proc/{app.process.pid}/environ")
    if environ.exists():  # Linux: read what the server process really got
        entries = environ.read_bytes().split(b"\0")
        assert f"HOME={app.home}".encode() in entries


def test_server_reads_only_the_secrets_the_test_gives(start_app, new_page, probe_script):
    app = start_app(script=str(probe_script), secrets_toml='probe = "from-the-test"\n')
    page = new_page(app)
    expect(page.get_by_text("probe=from-the-test")).to_be_visible()


def test_server_sees_temporary_home_and_no_secrets_and_attached_files_reach_the_script(
    probe_app, new_page
):
    """The probe page shows the server's temporary HOME and no secrets; then a prompt with an
    attached file reaches the script with its text and the file (name, type, size)."""
    page = new_page(probe_app)
    expect(page.get_by_text(f"home={probe_app.home}")).to_be_visible()
    expect(page.get_by_text("probe=<StreamlitSecretNotFoundError>")).to_be_visible()
    data = b"\x89PNG fake"
    attach_files(page, [{"name": "点.png", "mimeType": "image/png", "buffer": data}])
    send_prompt(page, "这是什么？")
    expect(page.get_by_text("text=这是什么？")).to_be_visible()
    expect(page.get_by_text(f"files=点.png:image/png:{len(data)}")).to_be_visible()
