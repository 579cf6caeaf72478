"""The operator page: what the site's key spent, by day, model, outcome and session; the limits;
the ledger as CSV. Opens with ``KANTU_ADMIN_CODE`` or a sign-in on ``KANTU_ADMIN_USERS``."""

from __future__ import annotations

import streamlit as st

from components.ui import state_keys as keys
from components.ui.admin import render_admin

render_admin(st.session_state[keys.SIDEBAR_CHOICE].lang)
