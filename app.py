"""Kantu 看图: page config, navigation and the shared sidebar. The pages do the rest."""

import streamlit as st

st.set_page_config(page_title="Kantu 看图", page_icon="🖼️", layout="centered")
page = st.navigation([st.Page("pages/chat.py", title="Chat 对话", icon="💬", default=True)])
page.run()
