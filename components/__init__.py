"""Kantu's building blocks. Core modules here never import streamlit; ``ui_*`` modules do."""

__version__ = "0.2.0"
