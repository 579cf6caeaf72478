"""This run's visitor address, one way for every reader (the code throttle, the ledger's address
ids, the offline reader's budget): Streamlit's peer address and forwarding headers, judged by
``components.hosting.client_address`` against the operator's ``KANTU_TRUSTED_PROXIES``."""

from __future__ import annotations

import streamlit as st

from components.hosting.client_address import FORWARDING_HEADERS, client_address, trusted_proxies
from components.ui.operator_settings import operator_settings


def visitor_address() -> str | None:
    """Return this visitor's network address, or None when there is none (localhost, tests)."""
    peer = st.context.ip_address
    headers = st.context.headers
    # A header sent on several lines is one comma-separated list (RFC 9110 5.3): join them all,
    # since a proxy may add its own line after the visitor's instead of appending to it.
    forwarding = {
        name: ", ".join(values) for name in FORWARDING_HEADERS if (values := _all(headers, name))
    }
    return client_address(
        peer if isinstance(peer, str) else None,  # AppTest gives a stand-in object
        forwarding,
        trusted_proxies(operator_settings()),
    )


def _all(headers: object, name: str) -> list[str]:
    get_all = getattr(headers, "get_all", None)
    values = get_all(name) if callable(get_all) else []
    return [value for value in values if isinstance(value, str)]
