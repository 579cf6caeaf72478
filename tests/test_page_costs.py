"""Money on the chat page under AppTest, against the loopback upstream: the bill under an answer,
the next message's estimate, the confirm threshold, a visitor's own prices, calibration, totals."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components.costs.prices import Price, PriceBook, format_money
from components.devtools.upstream import FakeUpstream, bill_per_picture, sse
from components.hosting.ledger import LedgerRow, SQLiteLedger
from components.i18n import t
from components.ui import chat_state, session
from components.ui import state_keys as keys
from tests.conftest import entry_app_test
from tests.helpers import OPERATOR_KEY, answer_footer, jpeg_bytes, no_exception, page_texts

pytestmark = pytest.mark.usefixtures("isolated_secrets")

PRICES = {"gpt-4o-mini": {"input": 1.0, "output": 4.0, "currency": "CNY"}}
USAGE = {"prompt_tokens": 8511, "completion_tokens": 34, "total_tokens": 8545}


def _app(
    up: FakeUpstream,
    lang: str = "en",
    *,
    prices: bool = True,
    model: str | None = None,
    ledger: Path | None = None,
) -> AppTest:
    at = entry_app_test()
    secrets = {"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY}
    if model:
        secrets["KANTU_MODEL"] = model
    if ledger:
        secrets["KANTU_LEDGER_PATH"] = str(ledger)
    if prices:
        secrets["KANTU_PRICES"] = PRICES
    at.secrets.update(secrets)
    at.session_state[keys.LANG] = lang
    at.session_state[keys.COSTS_OPEN] = True  # the sidebar's 💰 section, as a visitor opens it
    return at.run()


def _ask_with_photo(at: AppTest, text: str = "What is it?") -> AppTest:
    return at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value(text).run()


def _next_line(at: AppTest, lang: str = "en") -> str:
    prefix = t("costs.next", lang, line="")
    found = [c.value for c in at.main.caption if prefix in c.value]
    assert found, f"no next-message line in {page_texts(at)!r}"
    return found[0]


def _sidebar(at: AppTest) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


def _tokens(line: str) -> tuple[int, int]:
    """Return (all, pictures) from "≈ 14,185 tokens (14,165 for pictures)"."""
    found = re.search(r"≈ ([\d,]+) tokens \(([\d,]+) for pictures\)", line)
    assert found, line
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_answer_shows_its_bill_in_money_and_the_sidebar_totals_it(upstream, lang):
    upstream.enqueue(sse(["橙色。"], usage=USAGE), sse(["圆的。"], usage=USAGE))
    at = _app(upstream, lang)
    _ask_with_photo(at)
    no_exception(at)
    one = 8511 * 1.0 / 1e6 + 34 * 4.0 / 1e6
    assert t("money.billed", lang, cost="¥0.0086") in answer_footer(at)
    assert t("money.conversation_total", lang, cost="¥0.0086") in _sidebar(at)
    at.chat_input[0].set_value("Round?").run()
    two = format_money(2 * one, "CNY")
    assert two == "¥0.017"
    assert t("money.conversation_total", lang, cost=two) in _sidebar(at)


def test_next_message_line_counts_system_prompt_history_and_pictures_in_context(upstream):
    at = _app(upstream, prices=False)  # no price: the line shows its tokens
    assert not [c for c in at.main.caption if "Next message" in c.value]  # nothing to add yet
    _ask_with_photo(at)
    total, pictures = _tokens(_next_line(at))
    assert pictures > 10_000  # a 640×480 photo at gpt-4o-mini's rule: it travels again
    assert total > pictures  # plus the question, the answer and the overhead
    at.session_state[keys.SYSTEM_PROMPT] = "You are a careful assistant. " * 40
    at.run()
    longer, same_pictures = _tokens(_next_line(at))
    assert same_pictures == pictures
    assert longer - total > 100  # the system prompt goes with every request

    at = _app(upstream, prices=True)
    _ask_with_photo(at)
    assert re.search(r"≈ ¥0\.01\d before sending", _next_line(at)), _next_line(at)


def _set_threshold(at: AppTest, amount: float) -> AppTest:
    field = at.sidebar.number_input(key="kantu_confirm_above_field.CNY")
    return field.set_value(amount).run()


def test_message_over_the_threshold_waits_with_its_cost_until_send(upstream):
    at = _app(upstream)
    _set_threshold(at, 0.001)
    _ask_with_photo(at)
    no_exception(at)
    assert upstream.requests == []  # held: nothing left for the provider
    page = page_texts(at)
    assert t("costs.held_title", "en") in page
    assert re.search(r"💰 ≈ ¥0\.01\d before sending", page), page
    at.button(key="kantu_send_as_is").click().run()
    assert len(upstream.wait_for_requests(1)) == 1
    parts = upstream.requests[0].json["messages"][-1]["content"]
    assert [p["type"] for p in parts].count("image_url") == 1
    assert t("costs.held_title", "en") not in page_texts(at)


def test_cancel_sends_nothing(upstream):
    at = _app(upstream)
    _set_threshold(at, 0.001)
    _ask_with_photo(at)
    at.button(key="kantu_pending_cancel").click().run()
    no_exception(at)
    assert upstream.requests == []
    assert not [m for m in at.chat_message if m.name == "assistant"]
    assert t("costs.held_title", "en") not in page_texts(at)


def test_message_under_the_threshold_goes_straight_away(upstream):
    at = _app(upstream)
    _ask_with_photo(at)  # ≈ ¥0.014 under the default ¥1
    assert len(upstream.requests) == 1


def test_a_visitors_price_changes_only_what_they_see(upstream):
    upstream.enqueue(sse(["ok"], usage=USAGE))
    at = _app(upstream)
    _ask_with_photo(at)
    assert t("money.billed", "en", cost="¥0.0086") in answer_footer(at)
    form = at.sidebar.number_input
    inputs = [f for f in form if f.label.startswith("Input")]
    outputs = [f for f in form if f.label.startswith("Answer") or f.label.startswith("Output")]
    assert inputs and outputs, [f.label for f in form]
    inputs[0].set_value(100.0)
    outputs[0].set_value(0.0)
    at.sidebar.button(key=f"{keys.PRICE_SAVE}.custom/gpt-4o-mini").click().run()
    no_exception(at)
    assert t("money.billed", "en", cost="¥0.85") in answer_footer(at)  # 8,511 × ¥100 per million
    assert "¥100 in" in _sidebar(at)
    assert re.search(r"≈ ¥0\.[5-9]\d before sending", _next_line(at)), _next_line(at)
    # The hosting limits read the operator's prices, whatever this visitor typed.
    book = PriceBook.from_secrets(PRICES)
    edited = book.with_visitor_price("gpt-4o-mini", Price(100.0, 0.0, "CNY"))
    assert edited.for_limits("custom", "gpt-4o-mini") == book.for_limits("custom", "gpt-4o-mini")
    # Another visitor still sees the site's price.
    other = _app(upstream)
    assert t("costs.origin.operator", "en") in _sidebar(other)
    assert "¥100 in" not in _sidebar(other)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_provider_that_bills_pictures_differently_is_flagged_and_calibrates(upstream, lang):
    upstream.bill = bill_per_picture(1000)  # far below gpt-4o-mini's published ~14,000
    at = _app(upstream, lang)
    _ask_with_photo(at)
    no_exception(at)
    quiet = answer_footer(at)
    assert "📏" in quiet and "1,020" in quiet, quiet
    assert t("money.calibrated_one", lang, factor="0.07") in _sidebar(at)
    # The next message is priced with what was learned: about the bill, not the rule.
    at.chat_input[0].upload("b.jpg", jpeg_bytes((20, 90, 200)), "image/jpeg").set_value(
        "And?"
    ).run()
    assert t("money.calibrated", lang, n=2, factor="0.07") in _sidebar(at)
    assert "📏" not in answer_footer(at)  # estimate now fits


def test_unknown_model_is_marked_approximate_where_its_figure_shows(upstream):
    at = _app(upstream, model="mystery-vision-1")
    no_exception(at)
    _ask_with_photo(at)
    approximate = t("costs.approximate", "en")
    assert approximate in _next_line(at)
    at.sidebar.number_input(key="kantu_confirm_tokens_field").set_value(100).run()  # no price
    at.chat_input[0].set_value("More?").run()
    assert t("pending.title", "en") in page_texts(at) or t("costs.held_title", "en") in page_texts(
        at
    )
    held = [m.value for m in at.main.markdown if m.value.startswith("💰")]
    assert held and approximate in held[0], held


def _photo_1600(color: tuple[int, int, int]) -> bytes:
    """A 1600×1200 photo: 765 tokens on gpt-4o at auto detail."""
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), color).save(out, "JPEG")
    return out.getvalue()


def _held_tokens(at: AppTest) -> tuple[int, int]:
    held = [m.value for m in at.main.markdown if m.value.startswith("💰")]
    assert held, f"no message is held in {page_texts(at)!r}"
    return _tokens(held[0])


def _closed_rows(ledger: Path, count: int) -> list[LedgerRow]:
    deadline = time.monotonic() + 10
    rows = SQLiteLedger(ledger).rows()
    while (len(rows) < count or any(r.outcome == "pending" for r in rows)) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
        rows = SQLiteLedger(ledger).rows()
    return rows


def test_a_second_photo_is_held_at_the_tokens_it_is_admitted_sent_and_recorded_with(
    upstream, tmp_path
):
    """Issue 22 item 1: with one answered photo and a new one under the default policy, the held
    message said 1,530 picture tokens on gpt-4o while the request sent one photo of 765."""
    ledger = tmp_path / "ledger.sqlite3"
    at = _app(upstream, prices=False, model="gpt-4o", ledger=ledger)
    at.sidebar.number_input(key="kantu_confirm_tokens_field").set_value(10).run()  # hold all
    held = []
    for name, color, text in (("a.jpg", (240, 140, 40), "What?"), ("b.jpg", (20, 90, 200), "And?")):
        at.chat_input[0].upload(name, _photo_1600(color), "image/jpeg").set_value(text).run()
        no_exception(at)
        held.append(_held_tokens(at))
        at.button(key="kantu_send_as_is").click().run()
        no_exception(at)
    assert [pictures for _, pictures in held] == [765, 765]  # the first photo is a note now
    body = upstream.requests[-1].json
    sent = [p for m in body["messages"] if isinstance(m["content"], list) for p in m["content"]]
    assert [p["type"] for p in sent].count("image_url") == 1
    rows = _closed_rows(ledger, 2)
    assert [row.estimated_tokens for row in rows] == [total for total, _ in held]
    conv = session.state_in(at.session_state, chat_state.ChatState).conversation
    recorded = [e.meta.prompt_estimate for e in conv.entries if e.role == "assistant"]
    assert [(e.prompt_tokens, e.image_tokens) for e in recorded] == held


# -- issue 21 point 2: a cost check that does not nag ---------------------------------------------


@pytest.mark.parametrize(
    ("currency", "default"), [("CNY", 1.0), ("USD", 0.15)], ids=["yuan", "dollars"]
)
def test_the_default_limit_is_near_one_yuan_or_fifteen_cents(upstream, currency, default):
    at = entry_app_test()
    price = {"input": 1.0, "output": 4.0, "currency": currency}
    at.secrets.update(
        {
            "KANTU_BASE_URL": upstream.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_PRICES": {"gpt-4o-mini": price},
        }
    )
    at.session_state[keys.COSTS_OPEN] = True
    at.run()
    no_exception(at)
    assert at.sidebar.number_input(key=f"kantu_confirm_above_field.{currency}").value == default


@pytest.mark.parametrize(
    ("where", "value"),
    [("secrets", "¥0.001"), ("environment", "CNY = 0.001")],
)
def test_the_operators_limit_holds_messages_above_it(upstream, monkeypatch, where, value):
    at = entry_app_test()
    at.secrets.update(
        {"KANTU_BASE_URL": upstream.base_url, "KANTU_API_KEY": OPERATOR_KEY, "KANTU_PRICES": PRICES}
    )
    if where == "secrets":
        at.secrets["KANTU_HOLD_ABOVE"] = value
    else:
        monkeypatch.setenv("KANTU_HOLD_ABOVE", value)
    at.session_state[keys.LANG] = "en"
    at.session_state[keys.COSTS_OPEN] = True
    at.run()
    assert at.sidebar.number_input(key="kantu_confirm_above_field.CNY").value == 0.001
    _ask_with_photo(at)  # ≈ ¥0.014: above the operator's ¥0.001
    no_exception(at)
    assert upstream.requests == []
    assert t("costs.above_limit", "en", limit=format_money(0.001, "CNY")) in page_texts(at)


def test_a_malformed_operator_limit_keeps_the_default(upstream, monkeypatch, caplog):
    monkeypatch.setenv("KANTU_HOLD_ABOVE", "two yuan")
    at = _app(upstream)
    no_exception(at)
    assert at.sidebar.number_input(key="kantu_confirm_above_field.CNY").value == 1.0
    assert "two yuan" not in caplog.text  # a setting's value is never logged


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_held_card_names_its_limit_offers_to_change_it_and_send_is_primary(upstream, lang):
    at = _app(upstream, lang)
    _set_threshold(at, 0.005)
    _ask_with_photo(at)
    no_exception(at)
    assert upstream.requests == []
    limit = t("costs.above_limit", lang, limit=format_money(0.005, "CNY")) + " ·"
    assert limit in [m.value for m in at.main.markdown], page_texts(at)
    assert at.button(key="kantu_send_as_is").proto.type == "primary"
    assert at.button(key="kantu_pending_cancel").proto.type != "primary"
    change = at.button(key=keys.HOLD_LIMIT_CHANGE)
    assert change.label == t("costs.change_limit", lang)
    change.click().run()
    no_exception(at)
    # the page asks the browser to open the sidebar's field where the limit is set
    scripts = [h.proto.body for h in at.get("html")]
    assert any(".st-key-kantu_confirm_above_field-CNY input" in body for body in scripts)
    assert at.button(key="kantu_send_as_is")  # the message still waits
    at.button(key="kantu_send_as_is").click().run()
    assert len(upstream.wait_for_requests(1)) == 1


def test_unpriced_held_message_names_its_token_limit(upstream):
    at = _app(upstream, prices=False)
    at.sidebar.number_input(key="kantu_confirm_tokens_field").set_value(100).run()
    _ask_with_photo(at)
    assert t("costs.above_limit", "en", limit=t("costs.tokens_limit", "en", tokens="100")) in (
        page_texts(at)
    )


@pytest.mark.parametrize(
    ("lang", "currency", "price"),
    [("zh", "CNY", 1.08), ("en", "CNY", 1.08), ("en", "USD", 0.15)],
)
def test_the_welcomes_suggestion_with_two_photos_goes_straight_away(
    upstream, lang, currency, price
):
    """Issue 21 point 2: "What is different between these two photos?" with two 1024×768 photos
    on gpt-4o-mini (≈ 51,000 tokens, ≈ ¥0.055 at the table's price) was held at ¥0.05."""
    upstream.enqueue(sse(["A blue one."]))
    at = entry_app_test()
    at.secrets.update(
        {
            "KANTU_BASE_URL": upstream.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_PRICES": {
                "gpt-4o-mini": {"input": price, "output": price * 4, "currency": currency}
            },
        }
    )
    at.session_state[keys.LANG] = lang
    at.run()
    suggestion = t("welcome.example_4", lang)
    [button] = [b for b in at.main.button if b.label == suggestion]
    button.click().run()  # the suggestion's words go into the chat input
    chat = at.chat_input[0]
    for name, color in (("a.jpg", (240, 140, 40)), ("b.jpg", (20, 90, 200))):
        chat.upload(name, jpeg_bytes(color, (1024, 768)), "image/jpeg")
    chat.set_value(suggestion).run()
    no_exception(at)
    assert t("costs.held_title", lang) not in page_texts(at)
    assert len(upstream.wait_for_requests(1)) == 1
    sent = upstream.requests[0].json["messages"][-1]["content"]
    assert [p["type"] for p in sent].count("image_url") == 2
