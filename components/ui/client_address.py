"""This run's visitor address, one way for every reader (the code throttle, the ledger's address
ids, the offline reader's budget): Streamlit's peer address and forwarding headers, judged by
``components.hosting.client_address`` against the operator's ``KANTU_TRUSTED_PROXIES``."""

from __future__ import annotations

import streamlit as st

from components.hosting.client_address import client_address, forwarding_headers, trusted_proxies
from components.ui.operator_settings import operator_settings


def visitor_address() -> str | None:
    """Return this visitor's network address, or None when there is none (localhost, tests)."""
    peer = st.context.ip_address
    get_all = getattr(st.context.headers, "get_all", None)  # AppTest gives a stand-in object
    return client_address(
        peer if isinstance(peer, str) else None,
        forwarding_headers(get_all) if callable(get_all) else {},
        trusted_proxies(operator_settings()),
    )
