"""The page's few style rules Streamlit's theme options cannot express."""

from __future__ import annotations

import streamlit as st

# - The sidebar's segmented controls (language, detail) keep every option on one line at the
#   default sidebar width, in both languages: narrower padding than Streamlit's.
# - One modest heading: Streamlit's title size takes a phone's first screen.
# - Focus always visible for keyboard users, in the theme's AA-contrast primary colour (text
#   fields already draw their focused border in it: no second ring there).
# - In the dark theme (components/ui/theme.py marks it) the primary colour is a light orange that
#   reads on the dark page; white on it would not (2.9:1), so primary buttons get dark text.
# - A chosen segment under the pointer: Streamlit doubles its tint, and the primary colour on it
#   is 4.11:1 (light theme); a darker brown keeps it above AA's 4.5:1 (5.4:1).
_CSS = """<style>
[data-testid="stSidebar"] [data-testid="stButtonGroup"] button {
  padding-left: 0.45rem; padding-right: 0.45rem; min-width: 0;
}
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
main h1 { font-size: 1.75rem !important; padding-top: 0; }
@media (max-width: 640px) {
  main h1 { font-size: 1.35rem !important; }
}
:is(button, a, summary, [role="radio"], [role="switch"], [role="checkbox"]):focus-visible {
  outline: 2px solid #A84800; outline-offset: 2px;
}
html[data-kantu-scheme="dark"] :is(button, a, summary, [role="radio"], [role="switch"],
  [role="checkbox"]):focus-visible { outline-color: #E8772E; }
html[data-kantu-scheme="dark"] :is([data-testid^="stBaseButton-primary"],
  [data-testid^="stBaseButton-primary"] *) { color: #111318 !important; }
html:not([data-kantu-scheme="dark"]) :is([data-variant="segmented_control"][data-selected="true"]:hover,
  [data-variant="segmented_control"][data-selected="true"]:hover *) { color: #8A3B00 !important; }
</style>"""


def apply_style() -> None:
    """Add the page's style rules (once per run; they take no space)."""
    st.html(_CSS)
