"""The Batch page: one prompt over many pictures, with a live table and exports."""

from __future__ import annotations

import streamlit as st

from components.i18n import t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.batch import ask_to_start, render_job, render_setup, render_summary, start
from components.ui.navigation import shell_choice
from components.ui.sidebar import SidebarChoice

choice: SidebarChoice = shell_choice()
lang = choice.lang
st.title(t("batch.title", lang))

state = session.batch()
job = state.job
if job is None:
    st.caption(t("batch.intro", lang))
    setup, prepared = render_setup(choice)
    ready = render_summary(setup, prepared, choice)
    st.button(
        t("batch.run", lang),
        icon="▶️",
        type="primary",
        key=keys.BATCH_RUN,
        disabled=ready is None,
        on_click=ask_to_start,  # kept in the session until taken here (session.asked_action)
    )
    if state.start and ready is None:
        state.start = False  # nothing to run (the summary says why)
    if state.start and ready is not None and start(ready, setup, choice):  # start lets it go
        st.rerun()
else:
    state.start = False  # a second click on Run, while this job runs: not a new job
    render_job(job, choice)
