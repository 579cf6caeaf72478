"""Kantu 看图: page config, navigation and the shared sidebar. The pages do the rest."""

import logging

import streamlit as st

from components.i18n import DEFAULT_LANG, t
from components.ui import state_keys as keys
from components.ui.chat import warm_up
from components.ui.sidebar import current_lang, render_language, render_settings

log = logging.getLogger("kantu")

st.set_page_config(page_title="Kantu 看图", page_icon="🖼️", layout="centered")

lang = st.session_state.get(keys.LANG, DEFAULT_LANG)
try:
    warm_up()  # once per server, in the background: the first question loads nothing new
    keys.init_state(st.session_state)
    nav_lang = current_lang()
    pages = [st.Page("pages/chat.py", title=t("nav.chat", nav_lang), icon="💬", default=True)]
    pages.append(st.Page("pages/batch.py", title=t("nav.batch", nav_lang), icon="🗂️"))
    page = st.navigation(pages, position="hidden" if len(pages) == 1 else "sidebar")
    lang = render_language()
    st.session_state[keys.SIDEBAR_CHOICE] = render_settings(lang)
    page.run()
except Exception:  # the last line of defence: a bug shows a message, never a traceback
    log.exception("page failed")
    st.error(t("error.unknown", lang), icon="⚠️")
