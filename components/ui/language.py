"""The language in use: the person's choice, else their browser's."""

from __future__ import annotations

import streamlit as st

from components.i18n import Lang, lang_from_locale
from components.ui import session
from components.ui import state_keys as keys


def current_lang() -> Lang:
    """Return the language in use: the person's choice, else their browser's.

    A click on the language switch is this run's choice from its start (its callback runs
    before the page's script, ``remembered_choice``): the navigation, drawn before the switch,
    follows it in the same run (not one run later).
    """
    if not session.has_widget(keys.LANG):
        session.set_widget(keys.LANG, lang_from_locale(st.context.locale))
    return session.widget(keys.LANG)
