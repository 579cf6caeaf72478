"""Ask for the bill in the stream (``stream_options.include_usage``) wherever a server takes it.

An OpenAI-compatible server sends its usage chunk at the end of a stream only when asked, and
without it Kantu can show no billed cost. So Kantu asks every server whose preset does not say it
refuses (the custom preset included: a LiteLLM proxy, vLLM, a relay). A server that does not know
the field answers 400 naming it (``Unrecognized request argument supplied: stream_options``,
``extra_forbidden``); ``ChatStream`` then sends the request once more without it, and the
endpoint is remembered here for the life of the process so its next request does not pay the
refusal again.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any

from components.errors import ProviderError
from components.providers.settings import ClientSettings

MAX_ENDPOINTS = 256
"""How many refusing endpoints are remembered (the oldest is forgotten first)."""
REFUSAL_STATUSES = frozenset({400, 422})
_REFUSAL_WORDS = re.compile(
    r"stream_options|include_usage|unknown (parameter|field|argument)"
    r"|unrecognized (request )?(parameter|field|argument)|extra_forbidden"
    r"|extra (inputs|fields) (are )?not permitted",
    re.IGNORECASE,
)

# A server's capability, shared by every visitor on purpose: it is a fact about the endpoint
# (its base URL), holds no per-user data, and is bounded. Nothing else lives here.
_refusing: OrderedDict[str, None] = OrderedDict()
_lock = threading.Lock()


def asks_usage(settings: ClientSettings) -> bool:
    """Return whether a request with ``settings`` should carry ``stream_options``."""
    if not settings.preset.accepts_stream_options:
        return False
    with _lock:
        return str(settings.base_url) not in _refusing


def refuses_usage_option(err: ProviderError, payload: dict[str, Any]) -> bool:
    """Return whether ``err`` is a server refusing the ``stream_options`` that ``payload`` sent
    (a 400 or 422 whose words name it, or an unknown parameter)."""
    return (
        "stream_options" in payload
        and err.status in REFUSAL_STATUSES
        and not err.partial_text
        and bool(_REFUSAL_WORDS.search(err.detail))
    )


def remember_refusal(settings: ClientSettings) -> None:
    """Remember that the endpoint of ``settings`` refuses ``stream_options``."""
    endpoint = str(settings.base_url)
    with _lock:
        _refusing[endpoint] = None
        _refusing.move_to_end(endpoint)
        while len(_refusing) > MAX_ENDPOINTS:
            _refusing.popitem(last=False)


def without_usage_option(payload: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``payload`` without ``stream_options``."""
    return {key: value for key, value in payload.items() if key != "stream_options"}
