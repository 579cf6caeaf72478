"""Money on the chat page: the next request's cost before sending, each answer's bill and its
calibration flag, the conversation's totals, this visitor's price edits, and the confirm threshold.

The figures come from ``components.costs`` (Streamlit-free); this module keeps the per-session
pieces (the visitor's prices, the calibration learned from this session's bills) in
the session's state (``components.ui.session``) and places the lines.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from components.conversation.context_choice import ContextPolicy
from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.conversation.planner import PlannedRequest
from components.costs import lines
from components.costs.calibration import Calibration
from components.costs.estimate import RequestEstimate
from components.costs.hold import DEFAULT_HOLD_ABOVE, DEFAULT_HOLD_TOKENS
from components.costs.prices import Currency, Money, Price, PriceBook, format_money
from components.i18n import Lang, t
from components.images.prepared import PreparedImage
from components.turns import ChatTurn
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.lazy_section import open_later, open_section
from components.ui.markdown_view import literal, safe_label
from components.ui.operator_settings import operator_hold_limits, operator_prices
from components.ui.sidebar import SidebarChoice

log = logging.getLogger("kantu")


@dataclass(frozen=True)
class NextCost:
    """What the next request is expected to cost: its plan (estimate calibrated, money at
    ``price``), the price and the line shown."""

    plan: PlannedRequest
    price: Price | None
    line: str

    @property
    def estimate(self) -> RequestEstimate:
        """The plan's estimate: what is shown, admitted and recorded."""
        return self.plan.estimate

    @property
    def money(self) -> Money | None:
        """The estimated prompt cost, or None when the price is unknown."""
        return self.plan.money


def price_book() -> PriceBook:
    """Return the prices this visitor sees: their edits over the operator's over the table
    (``operator_prices``: a malformed ``KANTU_PRICES`` is logged and the table applies)."""
    book = operator_prices()
    visitor = chat_state.tools().visitor_prices
    for model, price in visitor.items():
        book = book.with_visitor_price(model, price)
    return book


def current_price(choice: SidebarChoice) -> Price | None:
    """Return the price shown for the chosen provider and model."""
    return price_book().for_display(choice.preset.id, choice.model)


def calibration() -> Calibration:
    """Return this session's calibration (learned from its own bills)."""
    return chat_state.tools().calibration


def learn_from(conv: Conversation) -> None:
    """Set each newly recorded answer's bill against the estimate made before it was sent, flag a
    difference over 5 %, then learn from it (once per answer; see ``Conversation.calibrate``)."""
    conv.calibrate(calibration())


def billed_line(meta: AnswerMeta, choice: SidebarChoice) -> str | None:
    """Return the answer's bill in money ("billed ¥0.0023"), or None without usage."""
    price = price_book().for_display(choice.preset.id, meta.requested_model)
    return lines.billed(meta.usage, price, choice.lang)


def plan_next(
    conv: Conversation,
    choice: SidebarChoice,
    policy: ContextPolicy,
    question: ChatTurn | None = None,
) -> PlannedRequest:
    """Plan the next request with the sidebar's model and options, this session's calibration
    and the price shown (``question``: a message not yet recorded)."""
    return conv.next_request(
        question,
        options=choice.options,
        policy=policy,
        lang=choice.lang,
        model=choice.model,
        pictures_as_text=choice.text_only,
        calibration=calibration(),
        price=current_price(choice),
    )


def next_cost(
    conv: Conversation,
    choice: SidebarChoice,
    policy: ContextPolicy,
    *,
    text: str = "",
    images: Sequence[PreparedImage] = (),
) -> NextCost:
    """Return what sending ``text`` with ``images`` next costs, with its line: the request
    ``Conversation.next_request`` plans (history, the pictures the policy keeps, the new
    message), calibrated by this session's bills."""
    price = current_price(choice)
    plan = plan_next(conv, choice, policy, ChatTurn("user", text, tuple(images)))
    line = lines.before_sending(plan.estimate, price, choice.lang)
    if plan.estimate.approximate:
        line += " · " + t("costs.approximate", choice.lang)
    return NextCost(plan, price, line)


def confirm_threshold(price: Price | None) -> tuple[float, Currency | None]:
    """Return the hold limit for ``price``'s currency (money), or in prompt tokens (None): the
    visitor's own, else the operator's ``KANTU_HOLD_ABOVE``, else the default."""
    tools = chat_state.tools()
    if price is None:
        tokens = tools.confirm_tokens
        return float(DEFAULT_HOLD_TOKENS if tokens is None else tokens), None
    own = tools.confirm_above.get(price.currency)
    return float(own if own is not None else _base_limit(price.currency)), price.currency


def _base_limit(currency: Currency) -> float:
    return operator_hold_limits().get(currency, DEFAULT_HOLD_ABOVE[currency])


def needs_confirmation(cost: NextCost) -> bool:
    """Return True if the next request costs more than this visitor's threshold."""
    if cost.price is not None and cost.price.free:
        return False
    threshold, currency = confirm_threshold(cost.price)
    money = cost.money
    if currency is None or money is None:
        return cost.estimate.prompt_tokens > threshold
    return money.amount > threshold


def threshold_field(currency: Currency | None) -> str:
    """Return the widget key of the sidebar field where the hold limit in ``currency`` (None:
    in tokens) is set."""
    return keys.CONFIRM_TOKENS if currency is None else f"{keys.CONFIRM_ABOVE}.{currency}"


def render_over_limit(cost: NextCost, lang: Lang) -> None:
    """Say on a held message which limit it is above, with a "change" button that opens the
    sidebar's field where that limit is set."""
    threshold, currency = confirm_threshold(cost.price)
    limit = (
        t("costs.tokens_limit", lang, tokens=f"{int(threshold):,}")
        if currency is None
        else format_money(threshold, currency, lang)
    )
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.markdown(safe_label(t("costs.above_limit", lang, limit=limit)) + " ·", width="content")
        st.button(
            t("costs.change_limit", lang),
            type="tertiary",
            key=keys.HOLD_LIMIT_CHANGE,
            on_click=_focus_threshold,
            args=(currency,),
        )


def _focus_threshold(currency: Currency | None) -> None:
    open_later(keys.COSTS_OPEN)
    chat_state.chat().focus_field = threshold_field(currency)


def conversation_total(conv: Conversation, choice: SidebarChoice) -> str | None:
    """Return "this conversation: ¥0.012" from the provider's bills, or None before any."""
    book = price_book()
    bills = [
        (entry.meta.usage, book.for_display(choice.preset.id, entry.meta.requested_model))
        for entry in conv.entries
        if entry.role == "assistant" and entry.meta is not None and entry.meta.usage is not None
    ]
    if not bills:
        return None
    sums, unpriced = lines.totals(bills)
    if not sums:
        return t("money.price_unknown", choice.lang)
    text = " + ".join(money.format(choice.lang) for money in sums)
    line = t("money.conversation_total", choice.lang, cost=text)
    if unpriced:
        line += " · " + t("costs.unpriced", choice.lang, n=unpriced)
    return line


def render_cost_settings(choice: SidebarChoice) -> None:
    """Sidebar: the model's price (editable for this visitor only), the confirm threshold, the
    calibration note and the conversation's total."""
    lang = choice.lang
    price = current_price(choice)
    model = choice.model
    section = open_section(t("costs.title", lang), keys.COSTS_OPEN, icon="💰")
    session.layout().calibration_slot = None
    if section is None:
        return
    with section:
        if price is None:
            st.caption(t("costs.no_price", lang, model=literal(model)))
        elif price.free:
            st.caption(t("money.free", lang))
        else:
            sign = "¥" if price.currency == "CNY" else "$"
            origin = t(f"costs.origin.{price.origin}", lang)
            checked = f" · {price.checked}" if price.checked else ""
            confirmed = "" if price.confirmed else f" · {t('money.price_unconfirmed', lang)}"
            st.caption(
                t(
                    "costs.price_line",
                    lang,
                    model=literal(model),
                    input=f"{sign}{price.input:g}",
                    output=f"{sign}{price.output:g}",
                )
                + _parenthesised(f"{origin}{checked}{confirmed}", lang)
            )
        if not (price is not None and price.free) and not choice.preset.local:
            _render_price_editor(choice, price)
            threshold, currency = confirm_threshold(price)
            _render_threshold(threshold, currency, lang)
        session.layout().calibration_slot = st.empty()
        refresh_calibration_note(choice)


def refresh_calibration_note(choice: SidebarChoice) -> None:
    """Draw (again) what this session's bills taught the estimates, in its slot in the costs
    section while it is open: an answer finished after the sidebar was drawn taught it more."""
    slot = session.layout().calibration_slot
    if slot is None:  # the costs section is closed
        return
    note = lines.calibration_note(calibration(), choice.model, choice.lang)
    if note:
        slot.caption(safe_label("📏 " + note))


def _parenthesised(text: str, lang: Lang) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _render_price_editor(choice: SidebarChoice, price: Price | None) -> None:
    lang = choice.lang
    model = choice.model
    currency = price.currency if price is not None else _currency_of(choice)
    # Every widget keyed, the price saved by a callback: the settings panel tells a change from
    # its widgets' keyed values, and reruns the page for this one before drawing (settings_panel).
    where = f"{choice.preset.id}/{model}"
    with st.popover(t("costs.edit_price", lang), icon="✏️"):
        st.caption(t("costs.edit_help", lang))
        with st.form(key=f"kantu_price_form.{where}", border=False):
            now = (price.input, price.output) if price is not None else (0.0, 0.0)
            for label_key, value, field in zip(  # per million input tokens, then output tokens
                ("costs.input_per_m", "costs.output_per_m"),
                now,
                (keys.PRICE_INPUT, keys.PRICE_OUTPUT),
                strict=True,
            ):
                st.number_input(
                    t(label_key, lang, currency=currency),
                    min_value=0.0,
                    max_value=1e5,
                    value=float(value),
                    format="%.4f",
                    key=f"{field}.{where}",
                )
            st.form_submit_button(
                t("costs.save_price", lang),
                key=f"{keys.PRICE_SAVE}.{where}",
                on_click=_save_price,
                args=(model, currency, where),
            )
        if model in chat_state.tools().visitor_prices:
            st.button(
                t("costs.reset_price", lang),
                key=f"kantu_price_reset.{where}",
                on_click=_forget_price,
                args=(model,),
            )


def _save_price(model: str, currency: Currency, where: str) -> None:
    """Keep the price the visitor typed for ``model`` (the form's submit; ``where``: its keys')."""
    inp = float(session.widget(f"{keys.PRICE_INPUT}.{where}") or 0.0)
    out = float(session.widget(f"{keys.PRICE_OUTPUT}.{where}") or 0.0)
    prices = dict(chat_state.tools().visitor_prices)
    prices[model] = Price(inp, out, currency, origin="visitor")
    chat_state.tools().visitor_prices = prices


def _forget_price(model: str) -> None:
    prices = dict(chat_state.tools().visitor_prices)
    prices.pop(model, None)
    chat_state.tools().visitor_prices = prices


def _currency_of(choice: SidebarChoice) -> Currency:
    return "USD" if choice.preset.id in ("openai", "openrouter") else "CNY"


def _render_threshold(threshold: float, currency: Currency | None, lang: Lang) -> None:
    value: float
    if currency is None:
        value = st.number_input(
            t("costs.confirm_tokens", lang),
            min_value=0,
            max_value=10_000_000,
            value=int(threshold),
            step=10_000,
            help=t("costs.confirm_help", lang),
            key="kantu_confirm_tokens_field",
        )
        chat_state.tools().confirm_tokens = int(value)
        return
    sign = "¥" if currency == "CNY" else "$"
    value = st.number_input(
        t("costs.confirm_above", lang, sign=sign),
        min_value=0.0,
        max_value=1000.0,
        value=float(threshold),
        step=0.01,
        format="%.4f",  # as precise as the money lines (¥0.0021): 0.0005 must not show as 0
        help=t("costs.confirm_help", lang),
        key=threshold_field(currency),
    )
    limits = dict(chat_state.tools().confirm_above)
    if float(value) == _base_limit(currency):
        limits.pop(currency, None)
    else:
        limits[currency] = float(value)
    chat_state.tools().confirm_above = limits
