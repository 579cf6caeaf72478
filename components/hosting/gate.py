"""The one admission: every request that could carry the operator's key passes ``Gate.admit``
with the settings it is about to send with.

::

    gate = Gate(config, visitor, ledger, ...)  # resolved in the page's thread: who asks, where
    route = Route(settings, gate)              # the settings requests go with, and their gate
    ticket = route.admit(estimate)             # any thread: access, allowed model, money, limits
    ticket.watch(exchange)                     # or ticket.settle(outcome, usage, error=...)
    route.send(plan, begin)                    # both, for a planned request (Conversation.next_request)

``admit`` refuses with a ``ConfigError`` (nothing is sent) or returns a ``Ticket``: the request's
ledger row, opened in the same transaction that counted the limits (``Ledger.admit``), closed when
the answer ends. A ticket also carries the request's ``RequestStart``: settling it writes the
request's line to the request log (``components.observability.request_log``), whoever's key it
went with; a ticket that is never settled (``admit(None)`` as a mere check) writes nothing. A visitor's own key is never limited nor recorded; the local reader is admitted
in ``Gate.admit_reader`` (its per-visitor quota goes there).

A row whose request was sent but came back without usage is closed with an estimated cost and an
outcome ending in ``ESTIMATED`` (``error~est``): such a request may have been billed. Only a
provider's typed refusal before processing (``REFUSED_UNBILLED``) closes at cost 0.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypedDict

from components.conversation.clients import AnySettings
from components.conversation.exchange import Answer, Exchange
from components.conversation.planner import PlannedRequest
from components.costs.estimate import cost_of, text_tokens
from components.costs.prices import Price, PriceBook, format_money
from components.errors import ConfigError, KantuError, ProviderError
from components.hosting.access import Visitor, refusal
from components.hosting.config import HostingConfig, money_gaps
from components.hosting.ledger import Ledger, LedgerRow, new_row_id
from components.hosting.limits import LimitHit, check_limits, model_allowed, window_start
from components.i18n import Lang
from components.observability.request_log import (
    Feature,
    RequestStart,
    build_record,
    configure_request_log,
    write_request,
)
from components.ocr.local_client import LocalSettings
from components.providers.presets import ProviderPreset
from components.usage import Usage

log = logging.getLogger("kantu")

ESTIMATED = "~est"  # outcome suffix: no usage came back, the cost is Kantu's estimate
# Typed refusals a provider makes before processing a request (4xx): nothing was billed.
REFUSED_UNBILLED = frozenset(
    {
        "auth",
        "quota",
        "content_filter",
        "invalid_input",
        "rate_limited",
        "model_not_found",
        "too_large",
    }
)
# Errors raised before anything left this machine.
NEVER_SENT = frozenset({"config", "image", "blocked_address", "redirect"})
_warned: set[tuple[str, ...]] = set()
_warned_lock = threading.Lock()


def unbilled(error: KantuError | None) -> bool:
    """Return whether a failed request certainly cost nothing: refused before it left, or
    refused by the provider (4xx, typed) before processing."""
    if error is None:
        return False
    if error.kind in NEVER_SENT:
        return True
    status = error.status if isinstance(error, ProviderError) else None
    return error.kind in REFUSED_UNBILLED and (status is None or 400 <= status < 500)


@dataclass(frozen=True)
class Ticket:
    """One request's ledger row, opened by ``Gate.admit``; closed by ``watch`` or ``settle``.
    A ticket without a row is for requests not made with the operator's key (or not billed);
    one without ``request`` (the local reader) is not logged either."""

    ledger: Ledger | None = None
    row: LedgerRow | None = None
    price: Price | None = None
    request: RequestStart | None = field(default=None, compare=False)

    def watch(self, exchange: Exchange) -> None:
        """Close the ledger row and log the request when ``exchange`` ends, from a thread of
        its own (so a closed tab still closes its row)."""
        if (self.ledger is None or self.row is None) and self.request is None:
            return
        threading.Thread(
            target=self._close_when_done,
            args=(exchange,),
            name="kantu-ledger-" + (self.row.id[:8] if self.row is not None else "log"),
            daemon=True,
        ).start()

    def _close_when_done(self, exchange: Exchange) -> None:
        exchange.wait_finished()
        if exchange.answer is not None:
            self.close(exchange.answer)

    def close(self, answer: Answer) -> None:
        """Record how the answer ended: billed tokens, and the cost at the operator's prices."""
        meta = answer.meta
        self.settle(
            meta.outcome,
            meta.usage,
            error=answer.error,
            partial_text=answer.text,
            attempts=meta.attempts,
            first_token_s=meta.ttft_s,
        )

    def settle(
        self,
        outcome: str,
        usage: Usage | None,
        *,
        error: KantuError | None = None,
        partial_text: str = "",
        attempts: int = 1,
        first_token_s: float | None = None,
    ) -> None:
        """Close the row with ``outcome``, what the provider billed and how many times the
        request went out (any thread), and write the request's log line. Without usage the
        cost is estimated (prompt, plus the partial answer) and the outcome flagged
        ``ESTIMATED``, unless the request certainly cost nothing (``unbilled``)."""
        cost = self._cost(outcome, usage, error, partial_text)
        error_kind = error.kind if error is not None else None
        if self.ledger is not None and self.row is not None:
            estimated = usage is None and outcome != "ok" and not unbilled(error)
            try:
                self.ledger.close(
                    self.row.id,
                    outcome=outcome + ESTIMATED if estimated else outcome,
                    prompt_tokens=usage.prompt_tokens if usage else None,
                    completion_tokens=usage.completion_tokens if usage else None,
                    cost=cost,
                    attempts=attempts,
                    error_kind=error_kind,
                )
            except Exception:  # the answer is shown whatever the ledger does; the operator is told
                log.exception("ledger: could not close a row")
        if self.request is not None:
            write_request(
                build_record(
                    self.request,
                    outcome=outcome,
                    error_kind=error_kind,
                    first_token_s=first_token_s,
                    attempts=attempts,
                    prompt_tokens=usage.prompt_tokens if usage else None,
                    completion_tokens=usage.completion_tokens if usage else None,
                    cost=cost,
                    currency=self.price.currency if self.price is not None else None,
                )
            )

    def _cost(
        self, outcome: str, usage: Usage | None, error: KantuError | None, partial_text: str
    ) -> float | None:
        """Return what the request cost at the ticket's price: billed, else estimated, else 0
        when it certainly cost nothing (``unbilled``); None without a price."""
        price = self.price
        admitted = self.row.cost if self.row is not None else None
        if usage is not None:
            return cost_of(usage, price).amount if price is not None else admitted
        if outcome == "ok":
            return admitted  # answered without usage: the prompt's estimate, as admitted
        if unbilled(error):
            return 0.0 if self.row is not None or price is not None else None
        if price is None:  # sent, then failed: it may have been billed
            return admitted
        sent = (self.row.estimated_tokens or 0) if self.row is not None else 0
        return price.cost(sent, text_tokens(partial_text)).amount


@dataclass(frozen=True)
class Asker:
    """Who asks, as the ledger knows them: salted ids and when the session began."""

    session_id: str
    visitor_id: str
    ip_id: str | None
    began: float


def allowed_models(
    config: HostingConfig, preset: ProviderPreset, operator_model: str | None
) -> tuple[str, ...]:
    """Return the models the operator's key may ask: ``KANTU_ALLOWED_MODELS``, else the
    preset's vision models, its default model and ``KANTU_MODEL``."""
    if config.allowed_models:
        return config.allowed_models
    found = (*preset.vision_models, preset.default_model, operator_model)
    return tuple(dict.fromkeys(m for m in found if m))


def unbound_money(
    config: HostingConfig, preset: ProviderPreset, operator_model: str | None, prices: PriceBook
) -> tuple[str, ...]:
    """Return the allowed models a money limit cannot count (no price at the operator's
    prices, or one in another currency than the limits'); log a warning the first time."""
    models = allowed_models(config, preset, operator_model)

    def currency_of(model: str) -> str | None:
        price = prices.for_limits(preset.id, model)
        return price.currency if price is not None else None

    gaps = money_gaps(config.limits, models, currency_of)
    if gaps:
        with _warned_lock:
            first = gaps not in _warned
            _warned.add(gaps)
        if first:
            log.warning(
                "KANTU_LIMITS sets a money limit in %s but these allowed models have no price in "
                "it (KANTU_PRICES): %s; the operator's key is closed",
                config.limits.currency,
                ", ".join(gaps),
            )
    return gaps


def limit_error(hit: LimitHit, currency: str, lang: Lang, now: float) -> ConfigError:
    """Return the error that says which limit was reached and when it resets."""
    if hit.scope == "closed":
        return ConfigError("limits_broken")
    limit = (
        str(int(hit.limit)) if hit.unit == "requests" else format_money(hit.limit, currency, lang)
    )
    return ConfigError(f"limit_{hit.scope}_{hit.unit}", limit=limit, **_reset(hit, now))


class _Reset(TypedDict, total=False):
    """When a limit resets, for the message: a clock time and the minutes until then."""

    resets: str
    minutes: int


def _reset(hit: LimitHit, now: float) -> _Reset:
    if hit.resets_at is None:
        return {}
    when = dt.datetime.fromtimestamp(hit.resets_at, dt.UTC).strftime("%H:%M UTC")
    return {"resets": when, "minutes": max(1, int((hit.resets_at - now + 59) // 60))}


@dataclass(frozen=True)
class Gate:
    """The hosting rules for one visitor, resolved in the page's thread (who asks, the ledger,
    the operator's prices) so that ``admit`` can run in any thread."""

    config: HostingConfig
    visitor: Visitor
    ledger: Ledger | None  # None: it could not be opened
    prices: PriceBook
    allowed: tuple[str, ...]
    unpriced: tuple[str, ...]  # allowed models a money limit cannot count: the key is closed
    asker: Asker
    lang: Lang = "en"

    def admit(self, settings: AnySettings, estimate: int | None) -> Ticket:
        """Admit one request about to be sent with ``settings``, of ``estimate`` prompt tokens
        (None: an unbilled request, such as the model list: access and model only, no row).

        Raises ConfigError (nothing may be sent): ``access_code_required``,
        ``sign_in_required``, ``user_not_allowed``, ``visitor_keys_off``, ``model_not_allowed``,
        ``money_limits_unbound``, ``limit_<scope>_<unit>``, ``limits_broken``,
        ``ledger_unavailable``.
        """
        if isinstance(settings, LocalSettings):
            return self.admit_reader(estimate)
        why = refusal(self.config, settings.key_source, self.visitor)
        if why is not None:
            raise ConfigError(why)
        if settings.key_source != "operator":
            return Ticket()  # a visitor's own key, or none: never limited nor recorded
        if not model_allowed(settings.model, self.allowed):
            raise ConfigError("model_not_allowed", models=", ".join(self.allowed))
        if self.unpriced:
            raise ConfigError(
                "money_limits_unbound",
                models=", ".join(self.unpriced),
                currency=self.config.limits.currency,
            )
        if estimate is None:
            return Ticket()
        price = self.prices.for_limits(settings.preset.id, settings.model)
        return self._record(self._row(settings, estimate, price), price)

    def admit_reader(self, estimate: int | None) -> Ticket:
        """Admit one request to the local reader (no key, this server's CPU): no ledger row.

        Its quota (``components.ocr.quota.ReaderQuota``: one message at a time per session, so
        many slices per visitor an hour) is taken where the slices are counted, as the reader
        starts (``LocalStream``), and a closed tab cancels the reading there.
        """
        return Ticket()

    def _row(self, settings: AnySettings, estimate: int, price: Price | None) -> LedgerRow:
        asker = self.asker
        return LedgerRow(
            id=new_row_id(),
            started=time.time(),
            model=settings.model,
            preset=settings.preset.id,
            estimated_tokens=estimate,
            prompt_tokens=None,
            completion_tokens=None,
            cost=price.cost(estimate).amount if price is not None else None,
            currency=price.currency if price is not None else None,
            outcome="pending",
            session_id=asker.session_id,
            visitor_id=asker.visitor_id,
            ip_id=asker.ip_id,
        )

    def _record(self, row: LedgerRow, price: Price | None) -> Ticket:
        """Count the limits and open ``row`` in one transaction; return its ticket."""
        limits = self.config.limits
        if limits.broken:
            raise ConfigError("limits_broken")
        if self.ledger is None:
            if limits.any:
                raise ConfigError("ledger_unavailable")
            return Ticket()
        counted = row.cost if row.cost is not None and row.currency == limits.currency else 0.0

        def decide(rows: Sequence[LedgerRow]) -> LimitHit | None:
            return check_limits(
                rows,
                limits,
                session_id=row.session_id,
                visitor_id=row.visitor_id,
                ip_id=row.ip_id,
                estimate=counted,
                now=row.started,
            )

        try:
            since = min(window_start(row.started), self.asker.began)
            hit = self.ledger.admit(row, since=since, decide=decide)
        except Exception as exc:  # the ledger cannot be read or written: limits cannot be kept
            log.exception("ledger unavailable")
            if limits.any or limits.broken:
                raise ConfigError("ledger_unavailable") from exc
            return Ticket()
        if hit is not None:
            raise limit_error(hit, limits.currency, self.lang, row.started)
        return Ticket(self.ledger, row, price)


@dataclass(frozen=True)
class Route:
    """The settings a job's or a page's requests go with, and the gate each one passes. A
    job keeps its route: a retry never changes key source or model. ``gate`` None: no hosting
    rules (the command line, run by the operator). ``feature``: what sends, for the request log."""

    settings: AnySettings = field(repr=False)
    gate: Gate | None = None
    feature: Feature = "cli"

    def admit(self, estimate: int | None) -> Ticket:
        """Admit one request with this route's settings (``Gate.admit``); raises ConfigError.
        The ticket carries the request's start, so that settling it logs the request."""
        if self.gate is None:
            ticket = Ticket()
        else:
            configure_request_log(self.gate.config.request_log)
            ticket = self.gate.admit(self.settings, estimate)
        if isinstance(self.settings, LocalSettings):
            return ticket  # the reader on this server: not a request sent upstream
        start = RequestStart(
            feature=self.feature,
            model=self.settings.model,
            host=self.settings.base_url.host,
            session=self.gate.asker.session_id if self.gate is not None else None,
        )
        return replace(ticket, request=start)

    def send(
        self,
        plan: PlannedRequest,
        begin: Callable[[AnySettings, Exchange], Exchange],
        *,
        lang: Lang = "en",
    ) -> Exchange:
        """Admit ``plan`` for its estimate (the figure shown before sending), start its exchange
        with ``begin(settings, exchange)`` and close its ledger row when it ends.

        Raises ConfigError (from ``admit``: nothing was sent) or what ``begin`` raises.
        """
        ticket = self.admit(plan.estimate.prompt_tokens)
        exchange = begin(self.settings, Exchange.of(plan, lang=lang))
        ticket.watch(exchange)
        return exchange
