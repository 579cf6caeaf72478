"""A new session's first screen: the chat input first, the rest of the page a moment later.

Streamlit's page shows nothing until it has the code of every kind of element its first run drew,
fetched lazily, file by file, once that run's elements arrive. The chat page's first screen drew
about ten kinds besides the chat input (the welcome's buttons, the sidebar's switches, the hidden
picture, the page's scripts, whose component code imports Arrow's tables: 200 KB): the chat input
became usable 1.23–1.33 times as late as the naive baseline's
(``bench/first_screen.py``). So a session's first run of the chat page draws the chat input and
the welcome's words (Markdown, whose code the page has from the start), with the page's style
rules (its heading's size and spacing: nothing moves when the rest comes), and stops; the next run,
asked for a moment later, draws the page: the welcome's suggestions, the sidebar with its
settings, the scripts. The page draws its first screen itself (``app.py`` runs it at once), so
that its chat input is the page's own widget, in the page's place: words typed into it stay.
A theme the visitor pinned (not the system's) comes with the first screen, so that it is drawn
in it from the start. On the other pages the first run draws the page without the settings
(select boxes and text fields: about 25 files of code), which come with the next run. The
settings' values, a new session's first ones, apply all the same (``sidebar.resolve_choice``):
a question sent from the first screen goes with them.

The next run is asked for by a fragment's own timer (``st.fragment(run_every=...)``), which
needs no code in the page; an invisible component did it before, one more kind of element (and
the Arrow code) the first screen waited for. The timer's fragment is drawn in the sidebar, in a
container keyed ``FIRST_SCREEN`` that the next run no longer draws (tests wait for it to go).
"""

from __future__ import annotations

import streamlit as st

from components.i18n import Lang, t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.chat_input import render_bottom
from components.ui.style import apply_style
from components.ui.theme import apply_theme, remembered_theme

# From the first screen's arrival to the next run's request: long enough for the chat input's code
# to arrive first (about 50–120 ms here; a next run that came before it would add its own kinds of
# element to what the page waits for), short enough to pass unnoticed.
NEXT_RUN_AFTER_S = 0.3


def first_screen_due() -> bool:
    """Whether this run is a session's first: nothing is drawn yet."""
    return not session.layout().first_screen_shown


def render_first_screen(lang: Lang) -> None:
    """Draw the chat page's first screen (the chat input and the welcome's words) and ask for the
    next run. Call it from the chat page itself, then stop the run: a widget's identity includes
    the page it is drawn from, so the chat input is the page's own (typed words and focus stay)."""
    _ask_next_run()
    # The page's own style (heading size, spacing), so that nothing moves when the rest comes:
    # st.html's code is two small files; Markdown with raw HTML would fetch a 190 KB parser.
    apply_style()
    render_bottom(lang)
    render_welcome_words(lang)
    if (theme := remembered_theme()) != "system":
        # the theme the visitor pinned is there from the start: its snippet's code is worth it
        with st.sidebar:
            apply_theme(theme)


def settings_later() -> bool:
    """Return whether this run leaves the settings for the next one (a session's first run of a
    page other than the chat page); then the next run is asked for."""
    if not first_screen_due():
        return False
    _ask_next_run()
    return True


def _ask_next_run() -> None:
    session.layout().first_screen_shown = True
    with st.sidebar:
        _next_run_soon()


@st.fragment(run_every=NEXT_RUN_AFTER_S)
def _next_run_soon() -> None:
    if session.rerun_alone():  # the timer: the first screen is shown
        st.rerun(scope="app")
    with st.container(key=keys.FIRST_SCREEN):
        st.markdown("\u200b")  # an element of no kind the page has to fetch, so the box is drawn


def render_welcome_words(lang: Lang) -> None:
    """Draw the welcome's heading and what the app does: Markdown only (a session's first screen
    draws these alone; the welcome begins with them)."""
    st.title(t("layout.heading", lang))
    st.markdown(t("welcome.body", lang))
