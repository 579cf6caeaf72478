"""Streamlit's picture-drawing code, set up in the browser before the first picture needs it.

Streamlit's browser draws each kind of element with code it fetches and sets up the first time a
page shows one; a grey box stands in meanwhile. A visitor's first question with photos showed
grey boxes in place of its thumbnails until 100 to 300 ms after the question itself, later than
the answer's first word (``bench/first_screen.py``): the server that sends the code was busy with
that very question, and the picture is revealed a while after the code came. Fetching the file
ahead is not enough for that; drawing one picture is. So a hidden 1×1 picture is drawn on the
session's first screen, while nobody waits.
"""

from __future__ import annotations

import streamlit as st

from components.ui import chat_state
from components.ui import state_keys as keys

# A 1×1 transparent GIF, as a data: URL (nothing to fetch).
BLANK_PICTURE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
# The container and the wrapper Streamlit puts around it (which would add a gap) take no room.
_HIDDEN = f"""<style>
.st-key-{keys.PICTURE_CODE},
[data-testid="stLayoutWrapper"]:has(> .st-key-{keys.PICTURE_CODE}) {{ display: none; }}
</style>"""


def load_picture_code(*, first_screen: bool) -> None:
    """Draw the hidden picture while the session is still on its ``first_screen`` (nothing asked
    yet); from its first other run on, never again.

    Its hidden container is drawn on every run, so the elements after it keep their places.
    """
    state = chat_state.chat()
    state.on_first_screen = state.on_first_screen and first_screen
    with st.container(key=keys.PICTURE_CODE):
        st.html(_HIDDEN)
        if state.on_first_screen:
            st.image(BLANK_PICTURE, width=1)
