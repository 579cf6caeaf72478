"""The app's pages, and the hand-over when a page is run without ``app.py``.

A freshly started server runs in Streamlit's old multipage mode (chosen because a ``pages/``
folder exists) until some run calls ``st.navigation``. In that mode a first request naming a page
(``/admin``, ``/batch``…) runs that page's file alone: ``app.py`` never sets up the session, and
every state read the page makes would fail. ``shell_choice`` detects that run and hands over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from components.i18n import DEFAULT_LANG, Lang, t
from components.ui import session
from components.ui import state_keys as keys

if TYPE_CHECKING:  # the sidebar's choice, set by app.py: not imported before the first screen
    from components.ui.sidebar import SidebarChoice

ADMIN_URL_PATH = "admin"  # the operator page's address
SHARED_URL_PATH = "shared"  # the shared page's address (a share link opens it)
WIDE_PAGES = frozenset({"compare", "batch"})  # by address: columns side by side, a live table


def app_pages(lang: Lang, *, operator: bool = False) -> list[StreamlitPage]:
    """Return the app's pages, the chat first (it is the default page at ``/``). The operator
    page is listed for the ``operator`` only; its address opens it for anyone (behind its gate)."""
    return [
        st.Page("pages/chat.py", title=t("nav.chat", lang), icon="💬", default=True),
        st.Page("pages/compare.py", title=t("nav.compare", lang), icon="⚖️"),
        st.Page("pages/batch.py", title=t("nav.batch", lang), icon="🗂️"),
        st.Page(
            "pages/admin.py",
            title=t("nav.admin", lang),
            icon="📊",
            url_path=ADMIN_URL_PATH,
            visibility="visible" if operator else "hidden",
        ),
        st.Page(
            "pages/shared.py",
            title=t("share.nav", lang),
            icon="🔗",
            url_path=SHARED_URL_PATH,
            visibility="hidden",  # reached only through a share link
        ),
    ]


def on_page(url_path: str) -> bool:
    """Return whether this run is for the page at ``url_path`` (before ``st.navigation`` says
    so, or where it is not at hand): ``st.context.url`` carries the page being run."""
    return urlsplit(st.context.url or "").path.rstrip("/").endswith("/" + url_path)


def page_layout(page: StreamlitPage) -> Literal["centered", "wide"]:
    """Return the page's layout: wide for pages of side-by-side columns and tables."""
    return "wide" if page.url_path in WIDE_PAGES else "centered"


def shell_choice() -> SidebarChoice:
    """Return this run's sidebar choice, which ``app.py`` sets before it runs the page.

    When it is missing the page was run alone (see the module docstring): register the app's
    pages, which ends the old mode for the whole process, and rerun the same page, this time
    through ``app.py``. Never returns in that case.
    """
    choice = session.layout().choice
    if choice is None:
        st.navigation(app_pages(session.widget(keys.LANG, DEFAULT_LANG)), position="hidden")
        st.rerun()
    return choice
