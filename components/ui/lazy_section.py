"""Sidebar sections and menus whose content is built only while they are open.

A closed section costs next to nothing: its widgets are not sent to the page, the browser does not
load their code (Streamlit fetches a widget's script the first time one is drawn: a page with the
advanced settings, the costs and the conversation tools closed opens with about ten fewer
requests), and no rerun builds them (the exports of a long chat among them). Opening or closing
one reruns the page (Streamlit's stateful expander, ``on_change="rerun"``).

The same holds for a popover menu (``open_menu``): a chat list of 30 saved chats drew 90 closed
menu widgets on every rerun.

A value a person sets inside a section must outlive it: keep it under its own key
(``sidebar.remembered_choice``), not in the widget, which Streamlit forgets on a run that does not
draw it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.ui import session


def open_section(
    label: str, key: str, *, icon: str | None = None, parent: DeltaGenerator | None = None
) -> DeltaGenerator | None:
    """Draw a closed-by-default expander (in ``parent``, else where the page is drawing); return
    it when it is open, else None. ``open_later(key)`` opens it from a callback."""
    section = (parent or st).expander(label, icon=icon, key=key, on_change="rerun")
    return section if section.open else None


def open_menu(
    label: str, key: str, *, parent: DeltaGenerator | None = None, **popover: Any
) -> DeltaGenerator | None:
    """Draw a popover (in ``parent``, else where the page is drawing; ``popover``: Streamlit's
    other arguments, help, icon, width); return it when it is open, else None."""
    menu = (parent or st).popover(label, key=key, on_change="rerun", **popover)
    return menu if menu.open else None


def open_later(key: str) -> None:
    """Open the section ``key`` on this run (from a widget's callback, which runs first)."""
    session.set_widget(key, True)
