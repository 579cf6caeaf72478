"""The shared page: one share link's snapshot, read-only, drawn by the chat's own entry drawing
(``chat.render_entry`` without an index: no buttons) and so through the same sanitiser; nothing
of the sidebar, the settings, keys, the ledger or the visitor's other chats."""

from __future__ import annotations

import os

import streamlit as st

from components.errors import HistoryError
from components.i18n import Lang, t
from components.providers.client import ChatOptions
from components.providers.presets import PRESETS
from components.ui import session
from components.ui import state_keys as keys
from components.ui.chat import SHOWN_ENTRIES, render_entry
from components.ui.markdown_view import literal, safe_label
from components.ui.share import TOKEN_PARAM, open_shared, when
from components.ui.sidebar import SidebarChoice, first_preset_id, read_secrets

READ_TIMEOUT_S = 60.0  # never used: the shared page sends nothing


def read_only_choice(lang: Lang) -> SidebarChoice:
    """Return the choice the shared page draws answers with: ``lang``, and the site's first
    provider (whose prices the cost lines use); no key, nothing to send."""
    preset = PRESETS[first_preset_id(read_secrets(), dict(os.environ))]
    return SidebarChoice(
        lang=lang,
        preset=preset,
        base_url=preset.base_url,
        model=preset.default_model,
        read_timeout=READ_TIMEOUT_S,
        options=ChatOptions(),
        detail="auto",
        has_key=False,
        config_error=None,
    )


def render_shared(choice: SidebarChoice) -> None:
    """Draw the snapshot the address's token opens, or say (in the visitor's language) why it
    does not open."""
    lang = choice.lang
    token = st.query_params.get(TOKEN_PARAM, "")
    try:
        loaded, conv = open_shared(token)
    except HistoryError as err:
        st.subheader(t("share.page_unavailable", lang))
        st.error(safe_label(err.message(lang)), icon="🔗")
        _to_app(lang)
        return
    title = loaded.meta.title.strip()
    st.subheader(literal(title) if title else t("share.untitled", lang))
    st.caption(t("share.page_note", lang, date=when(loaded.meta.updated)))
    # Read from the top: the first messages, then the next ones a click at a time.
    shown = SHOWN_ENTRIES + session.share().read
    for entry in conv.entries[:shown]:
        with st.container():
            render_entry(entry, conv, lang, choice, last=False)
    left = len(conv.entries) - shown
    if left > 0:
        st.button(
            t("share.show_more", lang, n=min(left, SHOWN_ENTRIES), left=left),
            icon=":material/expand_more:",
            key=keys.SHARED_MORE,
            type="tertiary",
            on_click=_read_more,
        )
    _to_app(lang)


def _read_more() -> None:
    session.share().read += SHOWN_ENTRIES


def _to_app(lang: Lang) -> None:
    st.page_link("pages/chat.py", label=t("share.open_app", lang), icon="🖼️")
