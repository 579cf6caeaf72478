"""The page's bottom: the chat input, and a slot above it for the camera's tray.

Light on purpose: a session's first screen (``first_screen``) draws this input before the
conversation's machinery is imported.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.i18n import Lang, t
from components.images.upload import IMAGE_EXTENSIONS
from components.ui import session
from components.ui import state_keys as keys
from components.ui.prompt_presets import take_unfilled_preset


def render_bottom(lang: Lang) -> DeltaGenerator:
    """Draw the page's bottom, pinned under the conversation: a container (returned) for the camera
    tray, above the chat input. The first screen draws it the same way: the same chat input in the
    same place, so the page's next run keeps what was typed in it.

    What the input sends is kept in the session before the run starts, until the page acts on it
    (``session.hear_question``): a run stopped by another trigger does not lose it, and the page
    puts back only a question never heard. It stays open while an answer streams, for the next
    question: Enter keeps it in the input until the answer ends (components/ui/reading.py); Stop
    takes the send button's place.
    """
    take_unfilled_preset(lang)
    tray = st.bottom.container()
    st.chat_input(
        t("chat.placeholder", lang),
        key=keys.CHAT_INPUT,
        accept_file="multiple",
        file_type=list(IMAGE_EXTENSIONS),
        on_submit=session.hear_question,
    )
    return tray
