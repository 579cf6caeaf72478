"""The welcome shown before the first message: what Kantu does, how to get a key, what to ask."""

from __future__ import annotations

import streamlit as st

from components.i18n import t
from components.providers.presets import DEFAULT_PRESET_ID, PRESETS
from components.ui import state_keys as keys
from components.ui.chat import put_back, render_key_help
from components.ui.markdown_view import safe_label
from components.ui.sidebar import SidebarChoice

EXAMPLES = ("welcome.example_1", "welcome.example_2", "welcome.example_3", "welcome.example_4")


def example_key(n: int) -> str:
    """Return the widget key of the ``n``-th example question's button."""
    return f"{keys.EXAMPLE}_{n}"


def render_welcome(choice: SidebarChoice) -> None:
    """Explain the app under one heading; without a key, say where to get one for the chosen
    provider. The example questions are buttons that put their words in the chat input."""
    lang = choice.lang
    st.title(t("layout.heading", lang))
    st.markdown(t("welcome.body", lang))
    if choice.preset.local:
        if choice.config_error is not None:
            st.warning(safe_label(choice.config_error.message(lang)), icon="⚠️")
        else:
            st.info(t("welcome.local_reader", lang), icon="🔤")
        render_key_help(PRESETS[DEFAULT_PRESET_ID], lang)  # the way to a model that can see
    elif not choice.has_key:
        provider = choice.preset.name(lang)
        st.info(t("welcome.no_key", lang, provider=provider), icon="🔑")
        render_key_help(choice.preset, lang)
    st.caption(t("welcome.examples", lang))
    with st.container(horizontal=True, gap="small"):
        for n, key in enumerate(EXAMPLES):
            question = t(key, lang)
            st.button(
                question,
                key=example_key(n),
                icon="💬",
                on_click=put_back,
                args=(question,),
            )
