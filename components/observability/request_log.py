"""The request log: one JSON line per request Kantu sends upstream, and never its content.

A line says when (UTC), which session (the ledger's salted hash, never the session id), which
feature, model and provider host, how it ended, how long it took, how many times it was sent,
the billed tokens and the cost. Never a question, an answer, a picture, a file name, a URL's
path or query, nor a key: a ``RequestRecord`` has no field that could hold one.

Where lines go is the operator's ``KANTU_REQUEST_LOG`` (secrets, then environment):
``"stderr"`` (the default: Community Cloud and containers show stderr in their logs), a file
path (appended to, one line per request, safe for several processes), or ``"off"``.
Lines are written through the ``kantu.requests`` logger (not propagated to the root logger),
formatted by ``JsonLineFormatter``, the one place a record becomes text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Literal, TextIO

from components.settings_source import SettingsSource

LOGGER_NAME = "kantu.requests"
SETTING = "KANTU_REQUEST_LOG"
DEFAULT_DESTINATION = "stderr"
OFF = "off"
Feature = Literal["chat", "compare", "batch", "vision_check", "test_connection", "cli"]

log = logging.getLogger("kantu")
_logger = logging.getLogger(LOGGER_NAME)
_logger.propagate = False  # lines go where the operator said, not into the app's own log
_logger.setLevel(logging.INFO)
_configured: list[str] = []  # the destination the handler was made for (none yet)
_configure_lock = threading.Lock()


@dataclass(frozen=True)
class RequestStart:
    """What is known of a request as it is admitted: who, which feature, where, and when."""

    feature: str
    model: str
    host: str  # the provider's host name only: never a path, query or key
    session: str | None  # the ledger's salted hash of the session; None: the command line
    at: float = field(default_factory=time.time)
    clock: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class RequestRecord:
    """One line of the request log (its keys, in this order)."""

    time: str
    session: str | None
    feature: str
    model: str
    host: str
    outcome: str
    first_token_ms: int | None
    total_ms: int
    attempts: int
    prompt_tokens: int | None
    completion_tokens: int | None
    cost: float | None
    currency: str | None


def outcome_kind(outcome: str, error_kind: str | None) -> str:
    """Return how a request ended for the log and the operator page: ``"ok"``, ``"stopped"``
    (a batch says ``"cancelled"``), or the error's kind (the outcome itself when none is known)."""
    if outcome in ("ok", "stopped", "cancelled"):
        return "stopped" if outcome == "cancelled" else outcome
    return error_kind or outcome


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else max(0, round(seconds * 1000))


def build_record(
    start: RequestStart,
    *,
    outcome: str,
    error_kind: str | None = None,
    first_token_s: float | None = None,
    attempts: int = 1,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    cost: float | None = None,
    currency: str | None = None,
    now: float | None = None,
) -> RequestRecord:
    """Return the log line of the request begun at ``start`` that ended now (``now``: a
    monotonic time, for tests) with ``outcome``."""
    ended = time.monotonic() if now is None else now
    known = cost is not None and math.isfinite(cost)
    return RequestRecord(
        time=dt.datetime.fromtimestamp(start.at, dt.UTC).isoformat(timespec="milliseconds"),
        session=start.session,
        feature=start.feature,
        model=start.model,
        host=start.host,
        outcome=outcome_kind(outcome, error_kind),
        first_token_ms=_ms(first_token_s),
        total_ms=_ms(ended - start.clock) or 0,
        attempts=attempts,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost=cost if known else None,
        currency=currency if known else None,
    )


class JsonLineFormatter(logging.Formatter):
    """Format a log record carrying a ``request`` (a ``RequestRecord``) as one JSON object on
    one line. ASCII only (``\\u`` escapes), so any model name stays valid JSON in any file."""

    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request", None)
        body = asdict(request) if isinstance(request, RequestRecord) else {"msg": record.msg}
        return json.dumps(body, ensure_ascii=True, separators=(",", ":"), allow_nan=False)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Write to whatever ``sys.stderr`` is at the time (tests and servers replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def request_log_destination(source: SettingsSource, default: str = DEFAULT_DESTINATION) -> str:
    """Return where request lines go: ``"stderr"``, ``"off"`` or a file path
    (``KANTU_REQUEST_LOG``; ``default`` when unset)."""
    text = source.text(SETTING)
    if text is None:
        return default
    return text.lower() if text.lower() in ("stderr", OFF) else text


def configure_request_log(destination: str) -> None:
    """Send request lines to ``destination`` (``"stderr"``, ``"off"`` or a file path) from now
    on; a no-op when already so. A file that cannot be opened is warned about once, and
    stderr used instead."""
    with _configure_lock:
        if _configured == [destination]:
            return
        handler: logging.Handler | None
        if destination == OFF:
            handler = None
        elif destination == "stderr":
            handler = _StderrHandler()
        else:
            try:
                handler = logging.FileHandler(destination, encoding="utf-8")
            except OSError as exc:
                log.warning("%s cannot be opened (%s): request lines go to stderr", SETTING, exc)
                handler = _StderrHandler()
        for old in list(_logger.handlers):
            _logger.removeHandler(old)
            old.close()
        if handler is not None:
            handler.setFormatter(JsonLineFormatter())
            _logger.addHandler(handler)
        _configured[:] = [destination]


def write_request(record: RequestRecord) -> None:
    """Write ``record`` as one line (nowhere until ``configure_request_log`` is called)."""
    if _logger.handlers:
        _logger.info("request", extra={"request": record})
