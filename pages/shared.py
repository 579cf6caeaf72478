"""The shared page: a share link's read-only snapshot (``/shared?s=TOKEN``)."""

from __future__ import annotations

from components.ui.navigation import shell_choice
from components.ui.shared_view import render_shared

render_shared(shell_choice())
