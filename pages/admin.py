"""The operator page: what the site's key spent, by day, model, outcome and session; the limits;
the ledger as CSV. Opens with ``KANTU_ADMIN_CODE`` or a sign-in on ``KANTU_ADMIN_USERS``."""

from __future__ import annotations

from components.ui.admin import render_admin
from components.ui.navigation import shell_choice

render_admin(shell_choice().lang)
