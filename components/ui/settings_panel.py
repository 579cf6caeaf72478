"""The sidebar's settings and tools, drawn as one fragment: a click on the review switch, or a
section opened or closed, reruns the panel alone, not the conversation.

Streamlit reruns a fragment alone when a widget drawn in it is used. A change the page draws
nothing of (``PANEL_ONLY``) stops there: the chat, however long, is neither run nor sent again.
Any other change (a provider, model, detail or key; an import; any button) reruns the whole page
at once, as every click did before, since the welcome, the cost line and the held message are
drawn from the settings. What changed is told from the panel's own widgets (Streamlit's record of
the keys drawn in it) against the values its last run left them with, kept as fingerprints (no
typed key is kept twice), so clicks merged into one rerun are all seen.

A panel rerun does not preempt a run in progress (Streamlit's rule for fragments): a click while
an answer streams is taken once the answer has ended, instead of restarting the streaming run.

On the chat page the panel is drawn after the page has sent its question (``place_panel``,
``draw_panel_left``): the run reads the settings first, as the panel will show them, and the
request leaves before the panel's widgets are built and sent (a third of a run's work before it, and
with ten visitors asking at once on two cores, the wait before each request:
``bench/browser.py``). Its place in the sidebar is kept from the start.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.i18n import Lang, t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.pictures_ahead import expect_pictures
from components.ui.sidebar import SidebarChoice, catch_up_settings, render_settings, resolve_choice
from components.ui.sidebar_tools import render_sidebar_tools

log = logging.getLogger("kantu")

# The widgets whose values nothing outside the panel draws: the review switch (read when a message
# is sent) and the sections' open state.
PANEL_ONLY = frozenset({keys.REVIEW, *keys.SECTIONS})


@dataclass(frozen=True)
class Drawn:
    """The widgets drawn so far in this run, as Streamlit records them: every widget's id, and the
    keys of those given one."""

    ids: frozenset[str]
    keys: frozenset[str]

    def since(self, before: Drawn) -> Drawn:
        """Return what was drawn after ``before``."""
        return Drawn(self.ids - before.ids, self.keys - before.keys)


def drawn() -> Drawn | None:
    """Return the widgets drawn so far in this run (Streamlit's own record, which refuses a key
    drawn twice), or None where it cannot be read."""
    shared = getattr(get_script_run_ctx(), "shared", None)
    ids = getattr(shared, "widget_ids_this_run", None)
    user_keys = getattr(shared, "widget_user_keys_this_run", None)
    if ids is None or user_keys is None:
        return None
    return Drawn(frozenset(ids.snapshot()), frozenset(user_keys.snapshot()))


def fingerprint(value: object) -> object:
    """Return what tells one value of a widget from another without keeping the value (a typed
    key among them, or an uploaded file): a digest of a text, an uploaded file's id, the value
    itself when it is a number or a flag, else the object's identity."""
    if isinstance(value, (list, tuple)):
        return tuple(fingerprint(item) for item in value)
    if isinstance(value, str):
        return hashlib.blake2b(value.encode(), digest_size=16).digest()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    file_id = getattr(value, "file_id", None)
    return ("file", file_id) if isinstance(file_id, str) else ("object", id(value))


def fingerprints(names: Iterable[str]) -> dict[str, object]:
    """Return the fingerprint of each named widget's value."""
    return {name: fingerprint(value) for name, value in session.widget_values(names).items()}


def changed_widgets() -> set[str] | None:
    """Return the keys of the panel's widgets whose values differ from those its last run left,
    or None when it cannot be told (that run left none, or drew a widget without a key)."""
    settled = session.layout().panel_settled
    if settled is None:
        return None
    now = fingerprints(settled)
    return {name for name, value in now.items() if value != settled[name]}


def settled_values(widgets: Drawn | None) -> dict[str, object] | None:
    """Return the fingerprints of ``widgets``' values as they are now, or None when one of them
    has no key (its value cannot be read) or the widgets are not known."""
    if widgets is None or len(widgets.ids) != len(widgets.keys):
        return None
    return fingerprints(widgets.keys)


@st.fragment
def settings_panel(lang: Lang, *, later: bool, on_chat: bool) -> SidebarChoice:
    """Draw the settings (none when ``later``: a session's first screen) and the sidebar's tools,
    and return the choice this run uses; ``on_chat``: the chat page, whose conversation tools and
    pictures prepared ahead go with it."""
    if session.rerun_alone():
        changed = changed_widgets()
        # Nothing seen changed: a widget without a key, or one whose value did not change. The
        # page reruns before the panel draws anything (a note said once would be lost with it);
        # the panel's buttons act in their callbacks, which have run by now.
        if not changed or not changed <= PANEL_ONLY:
            st.rerun(scope="app")  # the page draws from what changed
    before = drawn()
    try:
        choice = resolve_choice(lang)[0] if later else render_settings(lang)
        session.layout().choice = choice
        expect_pictures(choice.pictures if on_chat else None)  # prepared while the person types
        # the conversation's tools (context, export, import) belong to the chat page only
        render_sidebar_tools(choice, conversation_tools=on_chat)
    except Exception:  # a bug shows a message, never a traceback; nothing below draws
        log.exception("settings panel failed")
        st.error(t("error.unknown", lang), icon="⚠️")
        st.stop()
    # what the panel's next rerun compares with: its own widgets, as this run leaves them
    after = drawn()
    panel = after.since(before) if after is not None and before is not None else None
    session.layout().panel_settled = settled_values(panel)
    return choice


def draw_panel(place: DeltaGenerator, lang: Lang, *, later: bool, on_chat: bool) -> SidebarChoice:
    """Draw the settings panel in ``place`` (the sidebar's container for it); return its choice.

    Drawn as ``app.py``'s, wherever it is called from: Streamlit names a widget after the script
    that draws it, and a panel the chat page drew would name its widgets apart from the other
    pages' (a key typed there would be gone on the way to another page)."""
    ctx = get_script_run_ctx()
    as_app = ctx.run_with_active_hash(ctx.pages_manager.main_script_hash) if ctx else nullcontext()
    with as_app, place:
        return settings_panel(lang, later=later, on_chat=on_chat)


def place_panel(draw: Callable[[], SidebarChoice], lang: Lang, *, now: bool) -> SidebarChoice:
    """Draw the panel (``draw``) ``now``, or leave it for the page to draw once its request has
    left (``draw_panel_left``); return this run's choice, read as the panel shows it."""
    layout = session.layout()
    layout.panel_later = None  # one a stopped run left is not drawn
    if now:
        return draw()
    catch_up_settings(lang)
    layout.choice = resolve_choice(lang)[0]
    layout.panel_later = draw
    return layout.choice


def draw_panel_left() -> SidebarChoice | None:
    """Draw the panel ``place_panel`` left, if it is still to draw; return its choice."""
    layout = session.layout()
    draw, layout.panel_later = layout.panel_later, None
    return draw() if draw is not None else None
