"""The operator page's body: the gate (operator code or sign-in), then charts and tables read
from the ledger through its own sessions (never a shared, cached query)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import time
from collections import defaultdict
from collections.abc import Sequence

import streamlit as st

from components.costs.prices import format_money
from components.hosting.access import MIN_CODE_LENGTH, admin_allowed, short_code_settings
from components.hosting.config import LIMIT_FIELDS, HostingConfig
from components.hosting.failures import ErrorsByKind, errors_by_kind
from components.hosting.ledger import COLUMNS, LedgerRow
from components.hosting.limits import day_start
from components.i18n import Lang, t
from components.text.cells import csv_row
from components.ui import state_keys as keys
from components.ui.access import ledger_handle, unlock_with_code
from components.ui.markdown_view import literal
from components.ui.visitor import current_visitor, hosting_settings, unlocked

log = logging.getLogger("kantu")

DAYS = 30
TOP_SESSIONS = 10


def ledger_csv(rows: Sequence[LedgerRow]) -> str:
    """Return the rows as CSV, one header line then one line per request (times in UTC)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(["time_utc", *COLUMNS]))
    for row in rows:
        when = dt.datetime.fromtimestamp(row.started, dt.UTC).isoformat(timespec="seconds")
        writer.writerow(csv_row([when, *(getattr(row, c) for c in COLUMNS)]))
    return out.getvalue()


def _gate(config: HostingConfig, lang: Lang) -> bool:
    visitor = current_visitor()
    if admin_allowed(config, visitor, unlocked("operator")):
        return True
    if not config.admin_codes and not config.admin_users:
        st.info(t("admin.closed", lang), icon="🔒")
        return False
    if config.admin_codes:
        unlock_with_code(st, config.admin_codes, lang, "operator")
    elif config.login_configured and not visitor.logged_in:
        st.info(t("admin.sign_in", lang), icon="🔐")
        st.button(t("hosting.sign_in", lang), icon="🔐", key=keys.SIGN_IN, on_click=st.login)
    else:
        st.warning(t("config.user_not_allowed", lang), icon="🚫")
    return False


def _day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")


def _money(amount: float, currency: str, lang: Lang) -> str:
    return format_money(max(0.0, amount), currency, lang)


def render_admin(lang: Lang) -> None:
    """Draw the operator page in ``lang``."""
    st.title(t("admin.title", lang))
    config = hosting_settings()
    if not _gate(config, lang):
        return
    short = short_code_settings(config)
    if short:  # shown to the operator only, past the gate
        st.warning(
            t("admin.short_codes", lang, settings=", ".join(short), n=MIN_CODE_LENGTH), icon="⚠️"
        )
    now = time.time()
    try:
        rows = ledger_handle(config).ledger.rows(since=now - DAYS * 86400)
    except Exception:
        log.exception("ledger unreadable")
        st.error(t("admin.ledger_error", lang), icon="⚠️")
        return
    currency = config.limits.currency
    today = [r for r in rows if r.started >= day_start(now)]
    spent_today = sum(r.cost or 0 for r in today if r.currency == currency)
    cols = st.columns(3)
    cols[0].metric(t("admin.requests_today", lang), len(today))
    cols[1].metric(t("admin.spend_today", lang), _money(spent_today, currency, lang))
    cols[2].metric(t("admin.requests_30d", lang), len(rows))
    if not rows:
        st.info(t("admin.empty", lang), icon="📒")
    else:
        _charts(rows, currency, lang)
    _errors(errors_by_kind(rows, now), lang)
    _limits(config, lang)
    st.download_button(
        t("admin.csv", lang),
        data=ledger_csv(rows),
        file_name=f"kantu-ledger-{_day(now)}.csv",
        mime="text/csv",
        icon="⬇️",
        key=keys.ADMIN_CSV,
        on_click="ignore",
    )


def _charts(rows: Sequence[LedgerRow], currency: str, lang: Lang) -> None:
    """Spend per day and model (one named series per currency; the limits' when nothing had a
    price), requests by outcome, the top sessions."""
    per_day: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    per_model: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    outcomes: dict[str, int] = defaultdict(int)
    sessions: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    unpriced = 0
    for row in rows:
        money = row.cost or 0.0
        outcomes[row.outcome] += 1
        sessions[row.session_id][0] += 1
        sessions[row.session_id][1] += money
        if row.currency is None:  # no price: nothing to add to a spend, and no series to name
            unpriced += 1
            continue
        series = spend_series(row.currency, lang)
        per_day[_day(row.started)][series] += money
        per_model[row.model][series] += money
    units = sorted({r.currency for r in rows if r.currency}) or [currency]
    names = [spend_series(unit, lang) for unit in units]
    days = sorted({_day(r.started) for r in rows})
    models = sorted({r.model for r in rows})
    st.subheader(t("admin.spend_per_day", lang))
    st.bar_chart({n: {d: per_day[d].get(n, 0.0) for d in days} for n in names})
    st.subheader(t("admin.spend_per_model", lang))
    st.bar_chart({n: {m: per_model[m].get(n, 0.0) for m in models} for n in names}, horizontal=True)
    if unpriced:
        st.caption(t("admin.unpriced", lang, count=unpriced))
    st.subheader(t("admin.by_outcome", lang))
    st.bar_chart({t("admin.col_requests", lang): dict(outcomes)})
    st.subheader(t("admin.top_sessions", lang))
    top = sorted(sessions.items(), key=lambda kv: (-kv[1][1], -kv[1][0]))[:TOP_SESSIONS]
    st.dataframe(
        [
            {
                t("admin.col_session", lang): sid[:10],
                t("admin.col_requests", lang): int(n),
                t("admin.col_cost", lang): round(cost, 6),
            }
            for sid, (n, cost) in top
        ],
        hide_index=True,
    )


def _errors(figure: ErrorsByKind, lang: Lang) -> None:
    st.subheader(t("admin.errors_hour", lang))
    if not figure.total:
        st.caption(t("admin.no_errors_hour", lang))
        return
    when, kind = t("admin.col_time_utc", lang), t("admin.col_error_kind", lang)
    errors = t("admin.col_errors", lang)
    data = [
        {when: start, kind: name, errors: counts[i]}
        for name, counts in figure.counts.items()
        for i, start in enumerate(figure.buckets)
    ]
    st.bar_chart(data, x=when, y=errors, color=kind)  # a legend of kinds, even for one


def spend_series(currency: str, lang: Lang) -> str:
    """Return the legend's name for the spend in ``currency``: "Spend (CNY)"."""
    return t("admin.spend_in", lang, currency=currency)


def _limits(config: HostingConfig, lang: Lang) -> None:
    st.subheader(t("admin.limits", lang))
    limits = config.limits
    if limits.broken:
        st.error(t("admin.limits_broken", lang), icon="⚠️")
    elif not limits.any:
        st.caption(t("admin.no_limits", lang))
    else:
        table = []
        for name in LIMIT_FIELDS:
            value = getattr(limits, name)
            if value is None:
                continue
            shown = (
                str(value) if name.endswith("requests") else _money(value, limits.currency, lang)
            )
            table.append(
                {
                    t("admin.col_limit", lang): t(f"admin.limit.{name}", lang),
                    t("admin.col_value", lang): shown,
                }
            )
        st.dataframe(table, hide_index=True)
    if config.allowed_models:
        st.caption(
            t("admin.allowed_models", lang) + ": " + literal(", ".join(config.allowed_models))
        )
