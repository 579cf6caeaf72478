"""The Compare page: the same pictures and question to 2–4 models at once, side by side."""

from __future__ import annotations

import streamlit as st

from components.i18n import t
from components.ui.compare import (
    current_run,
    render_compare_style,
    render_form,
    render_run,
    render_tally,
    scroll_to_results,
    settle_votes,
    start_requested,
    start_run,
)
from components.ui.navigation import shell_choice
from components.ui.sidebar import SidebarChoice

choice: SidebarChoice = shell_choice()
lang = choice.lang
render_compare_style()

st.title(t("compare.title", lang))
st.caption(t("compare.intro", lang))
render_form(choice)

run = current_run()
started = None
if start_requested():
    started = start_run(choice)
    run = started or run
settle_votes(run)
if run is not None:
    st.divider()
    render_run(run, lang)
if started is not None:
    scroll_to_results()
render_tally(lang)
