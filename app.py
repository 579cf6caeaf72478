"""Kantu 看图: page config, navigation and the shared sidebar. The pages do the rest."""

import streamlit as st

from components import state_keys as keys
from components.i18n import t
from components.ui_sidebar import render_language, render_settings

st.set_page_config(page_title="Kantu 看图", page_icon="🖼️", layout="centered")

lang = render_language()
keys.init_state(st.session_state)
pages = [st.Page("pages/chat.py", title=t("nav.chat", lang), icon="💬", default=True)]
page = st.navigation(pages)
st.session_state[keys.SIDEBAR_CHOICE] = render_settings(lang)
page.run()
