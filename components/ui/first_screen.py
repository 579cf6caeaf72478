"""A new session's first screen: the chat input first, the sidebar's settings a moment later.

Streamlit's page shows nothing until it has the code of every kind of widget its first run drew.
The settings' select boxes and text fields are about 25 files of that code (Selectbox, TextInput
and their helpers), fetched while the page waits: the chat input became usable ~180 ms later
with them than without (``bench/first_screen.py``). So a session's first run leaves the settings
out (their values, a new session's first ones, apply all the same: ``sidebar.resolve_choice``),
and an invisible component asks for the next run as soon as that screen is shown; the settings
come with it. On a phone the sidebar is closed by then anyway.
"""

from __future__ import annotations

import streamlit as st

from components.ui import session
from components.ui import state_keys as keys

# Hidden at once (not even the gap between elements), then the next run is asked for: on the chat
# page once the chat input's box is in the page (Streamlit fetches its code lazily, and under load
# it came after this component's, so the settings were shown first), at most WAIT_MS later.
WAIT_MS = 2000
_JS = """
export default function (component) {
  const host = component.parentElement.host || component.parentElement;
  const box = host.closest && host.closest('[data-testid="stElementContainer"]');
  if (box) box.style.display = "none";
  const ask = () => component.setTriggerValue("shown", true);
  const wait = component.data && component.data.wait_ms;
  const doc = host.ownerDocument || document;
  const input = () => doc.querySelector('[data-testid="stChatInput"] textarea');
  if (!wait || input()) return ask();
  const seen = new MutationObserver(() => {
    if (input()) done();
  });
  const timer = setTimeout(() => done(), wait);
  const done = () => {
    seen.disconnect();
    clearTimeout(timer);
    ask();
  };
  seen.observe(doc.body, { childList: true, subtree: true });
}
"""

# Defined once, at import, as Streamlit intends: each run mounts it on its own runtime.
_SHOWN = st.components.v2.component("kantu_first_screen", js=_JS)


def settings_later(*, after_input: bool) -> bool:
    """Return whether this run leaves the settings for the next one (a session's first run);
    then the next run is asked for once the page is shown, and, ``after_input`` (the chat page),
    once its chat input is."""
    layout = session.layout()
    if layout.first_screen_shown:
        return False
    layout.first_screen_shown = True
    with st.sidebar:
        _SHOWN(
            key=keys.FIRST_SCREEN,
            data={"wait_ms": WAIT_MS if after_input else 0},
            height=0,
            on_shown_change=lambda: None,
        )
    return True
