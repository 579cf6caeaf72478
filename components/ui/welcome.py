"""The welcome shown before the first message: what Kantu does, how to get a key, what to ask."""

from __future__ import annotations

import streamlit as st

from components.i18n import t
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS
from components.ui.chat import render_key_help
from components.ui.sidebar import SidebarChoice

EXAMPLES = ("welcome.example_1", "welcome.example_2", "welcome.example_3", "welcome.example_4")


def render_welcome(choice: SidebarChoice) -> None:
    """Explain the app; without a key, say where to get one for the chosen provider."""
    lang = choice.lang
    st.title(t("app.title", lang))
    st.subheader(t("welcome.title", lang))
    st.markdown(t("welcome.body", lang))
    if choice.preset.local:
        if choice.config_error is not None:
            st.warning(choice.config_error.message(lang), icon="⚠️")
        else:
            st.info(t("welcome.local_reader", lang), icon="🔤")
        render_key_help(PRESETS[DEFAULT_PRESET_ID], lang)  # the way to a model that can see
    elif not choice.has_key:
        provider = choice.preset.name(lang)
        st.info(t("welcome.no_key", lang, provider=provider), icon="🔑")
        render_key_help(choice.preset, lang)
    st.markdown(f"**{t('welcome.examples', lang)}**")
    st.markdown("\n".join(f"- {t(key, lang)}" for key in EXAMPLES))
