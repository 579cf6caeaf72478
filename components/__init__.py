"""Kantu's building blocks. Core modules here never import streamlit; ``ui_*`` modules do."""
