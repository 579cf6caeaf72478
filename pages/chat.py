"""The chat page (placeholder until the chat issue lands)."""

import streamlit as st

st.title("Kantu 看图")
prompt = st.chat_input("Ask about a picture", accept_file="multiple")
