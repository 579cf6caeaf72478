"""Kantu 看图: page config, navigation and the shared sidebar. The pages do the rest.

A session's first run of the chat page draws its first screen (the chat input and the welcome's
words) and stops: everything up to that point imports only light modules, and what the rest of the
app needs (the conversation, Pillow, requests, the Markdown parser, the settings) is imported
below it, on the session's next run. A cold server's first visitor then waits for the first screen
alone, not for the app's imports nor the warm-up behind them (``bench/first_screen.py``).
"""

import logging
import os
from contextlib import suppress
from functools import partial

import streamlit as st

from components.i18n import DEFAULT_LANG, t
from components.ocr.allocator import tune_allocator
from components.ui import session
from components.ui import state_keys as keys
from components.ui.first_screen import first_screen_due, settings_later
from components.ui.language import current_lang
from components.ui.navigation import SHARED_URL_PATH, app_pages, on_page, page_layout
from components.ui.sent_cache import watch_sent
from components.ui.style import apply_style
from components.ui.theme import remembered_theme
from components.ui.upload_guard import install_upload_guard, read_upload_secrets
from components.ui.visitor import is_operator

log = logging.getLogger("kantu")

# Before any st call, where a stop request (a closed tab) could end the run: cap what uploads may
# hold in server memory (a connected session is all a PUT needs). Once per server; later runs
# return at once.
tune_allocator()  # once per process, before the offline reader loads: freed memory goes back
try:
    install_upload_guard(read_upload_secrets(), os.environ)
    watch_sent()  # what this run draws, a rerun it asks for need not send again (sent_cache)
except Exception:  # never keep the page from drawing; the server log says why
    log.exception("upload caps or sent-message log not installed")

st.set_page_config(page_title="Kantu 看图", page_icon="🖼️")  # the layout: per page, below

lang = session.widget(keys.LANG, DEFAULT_LANG)
try:
    session.init_widgets(**{keys.THEME: remembered_theme()})  # this browser's, from the start
    nav_lang = current_lang()
    pages = app_pages(nav_lang, operator=is_operator())  # the operator page: listed for them only
    shared = on_page(SHARED_URL_PATH)  # a share link's page shows no menu
    page = st.navigation(pages, position="hidden" if len(pages) == 1 or shared else "sidebar")
    st.set_page_config(layout=page_layout(page))  # Compare and Batch wide, the rest centred
    on_chat = page.url_path == pages[0].url_path
    if on_chat and first_screen_due():  # the page draws its first screen alone (first_screen.py)
        page.run()
        st.stop()
except Exception:  # the last line of defence: a bug shows a message, never a traceback
    log.exception("page failed")
    st.error(t("error.unknown", lang), icon="⚠️")
    st.stop()

# Past the first screen: what its run does without (see the module docstring).
from components.ocr.quota import shared_quota
from components.ui.access import render_access, render_key_closed, shared_reader_charges
from components.ui.chat import warm_up
from components.ui.pictures_ahead import install_pictures_ahead
from components.ui.reader_quota import install_reader_quota, read_reader_secrets
from components.ui.session_watch import install_session_sweeper
from components.ui.settings_panel import draw_panel, draw_panel_left, place_panel
from components.ui.shared_view import read_only_choice
from components.ui.sidebar import open_sidebar, refresh_key_status, render_language
from components.ui.streamlit_texts import translate_widget_texts

# Once per server, before the page's widgets; later runs return at once.
try:
    install_pictures_ahead()  # attached pictures are prepared while the person types
    # a closed tab's reading is cancelled; the hourly budget is shared through a shared ledger
    install_reader_quota(read_reader_secrets(), os.environ, shared_reader_charges())
    # a session gone past its reconnection TTL is shut down, without waiting for a disconnect
    install_session_sweeper(on_closed=(shared_quota().end_session,))
except Exception:  # never keep the page from drawing; the server log says why
    log.exception("pictures ahead, reader quota or session sweeper not installed")

try:
    warm_up()  # once per server, in the background: the first question loads nothing new
    apply_style()
    if page.url_path == SHARED_URL_PATH:  # read-only: no sidebar, settings or access box
        session.layout().choice = read_only_choice(nav_lang)
        page.run()
        st.stop()
    open_sidebar()  # New chat goes on top; the page fills it once there is a conversation
    lang = render_language()
    translate_widget_texts(lang)  # Streamlit's own texts (uploader, forms) in the language
    later = settings_later()  # another page's first screen: the settings on the next run
    with st.sidebar:  # a click there the page draws nothing of reruns the panel alone
        panel = partial(draw_panel, st.container(), lang, later=later, on_chat=on_chat)
    # the chat page draws the panel once its question has left; the others before they draw
    choice = place_panel(panel, lang, now=later or not on_chat)
    render_access(choice)  # the access code or sign-in, if needed
    render_key_closed(choice)  # a money limit that cannot count an allowed model
    page.run()
    draw_panel_left()  # if the page stopped before it drew the panel
    refresh_key_status()  # the answer just recorded may have refused the site's key
except Exception:  # the last line of defence: a bug shows a message, never a traceback
    log.exception("page failed")
    st.error(t("error.unknown", lang), icon="⚠️")
    with suppress(Exception):
        draw_panel_left()  # the settings stay in the sidebar
