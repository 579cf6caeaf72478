"""Kantu 看图: page config, navigation and the shared sidebar. The pages do the rest."""

import logging

import streamlit as st

from components.i18n import DEFAULT_LANG, t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.access import render_access, render_key_closed
from components.ui.chat import warm_up
from components.ui.sidebar import (
    current_lang,
    open_sidebar,
    refresh_key_status,
    render_language,
    render_settings,
)
from components.ui.sidebar_tools import render_sidebar_tools
from components.ui.style import apply_style

log = logging.getLogger("kantu")

st.set_page_config(page_title="Kantu 看图", page_icon="🖼️", layout="centered")

lang = session.widget(keys.LANG, DEFAULT_LANG)
try:
    warm_up()  # once per server, in the background: the first question loads nothing new
    session.init_widgets()
    nav_lang = current_lang()
    pages = [
        st.Page("pages/chat.py", title=t("nav.chat", nav_lang), icon="💬", default=True),
        st.Page("pages/compare.py", title=t("nav.compare", nav_lang), icon="⚖️"),
        st.Page("pages/batch.py", title=t("nav.batch", nav_lang), icon="🗂️"),
        st.Page("pages/admin.py", title=t("nav.admin", nav_lang), icon="📊", url_path="admin"),
    ]
    page = st.navigation(pages, position="hidden" if len(pages) == 1 else "sidebar")
    apply_style()
    open_sidebar()  # New chat goes on top; the page fills it once there is a conversation
    lang = render_language()
    choice = render_settings(lang)
    session.layout().choice = choice
    render_access(choice)  # the access code or sign-in, if needed
    render_key_closed(choice)  # a money limit that cannot count an allowed model
    # the conversation's tools (context, export, import) belong to the chat page only
    render_sidebar_tools(choice, conversation_tools=page.url_path == pages[0].url_path)
    page.run()
    refresh_key_status()  # the answer just recorded may have refused the site's key
except Exception:  # the last line of defence: a bug shows a message, never a traceback
    log.exception("page failed")
    st.error(t("error.unknown", lang), icon="⚠️")
