"""The one way to send: resolve the settings, check the key, pass the hosting gate with them,
then start.

Chat (ask, regenerate, edit, retry) and Compare's columns send with ``send_exchange``; Batch
(Run, the provider batch engine, and Retry failed with the job's own settings), the vision
check and Test connection with ``send``. Either way every request that could carry the
operator's key passes ``Gate.admit`` (``components.hosting.gate``) with the settings it goes with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from components.conversation.clients import AnySettings
from components.conversation.exchange import Exchange
from components.conversation.planner import PlannedRequest
from components.hosting.gate import Route
from components.observability.request_log import Feature
from components.ui.access import request_gate
from components.ui.sidebar import SidebarChoice, request_settings

Started = TypeVar("Started")


def send(
    choice: SidebarChoice,
    start: Callable[[Route], Started],
    *,
    feature: Feature,
    resolve: Callable[[], AnySettings] | None = None,
) -> Started:
    """Resolve the settings (the sidebar's, or ``resolve``'s: a Compare column's, a batch's
    own), check the key, pass the gate for access and the allowed model, and return
    ``start(route)``. Whatever ``start`` sends is admitted with ``route.admit`` (limits, a
    ledger row per billed request) and settles its ticket (a request log line, as ``feature``).

    Raises KantuError (nothing was sent): the sidebar's ``config_error``, what resolving
    raises, ``no_key`` / ``operator_key_withheld``, and what ``Gate.admit`` refuses with.
    """
    if resolve is None:
        if choice.config_error is not None:
            raise choice.config_error
        settings = request_settings(choice)
    else:
        settings = resolve()
    missing = settings.missing_key_error(choice.lang)
    if missing is not None:
        raise missing
    route = Route(settings, request_gate(choice.lang), feature)
    route.admit(None)  # access and model, before anything starts
    return start(route)


def send_exchange(
    choice: SidebarChoice,
    plan: PlannedRequest,
    begin: Callable[[AnySettings, Exchange], Exchange],
    *,
    feature: Feature,
    resolve: Callable[[], AnySettings] | None = None,
) -> Exchange:
    """Send ``plan`` through ``send``: admitted for the plan's estimate (the figure shown before
    sending), started by ``begin(settings, exchange)``, its ledger row closed when it ends.
    Raises as ``send``."""

    def start(route: Route) -> Exchange:
        return route.send(plan, begin, lang=choice.lang)

    return send(choice, start, feature=feature, resolve=resolve)
