"""The Compare page: the same pictures and question to 2–4 models at once, side by side."""

from __future__ import annotations

import streamlit as st

from components.i18n import t
from components.ui.compare import (
    current_run,
    render_form,
    render_run,
    render_tally,
    settle_votes,
    start_requested,
    start_run,
)
from components.ui.navigation import shell_choice
from components.ui.sidebar import SidebarChoice

choice: SidebarChoice = shell_choice()
lang = choice.lang

st.title(t("compare.title", lang))
st.caption(t("compare.intro", lang))
render_form(choice)

run = current_run()
if start_requested():
    run = start_run(choice) or run
settle_votes(run)
if run is not None:
    st.divider()
    render_run(run, lang)
render_tally(lang)
