"""The next request has one owner (issue 22 item 1): the figure shown before sending is the one
the gate admits, the ledger keeps and the answer's meta records, and it counts what is sent."""

from __future__ import annotations

import functools
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.conversation.context_choice import ALL, DEFAULT_POLICY, ContextPolicy
from components.conversation.exchange import Exchange
from components.conversation.history import Conversation
from components.conversation.planner import PlannedRequest
from components.costs.calibration import Calibration
from components.costs.estimate import RequestEstimate, estimate_turns, text_tokens
from components.costs.prices import Price, PriceBook
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, sse
from components.errors import ContentFilterError, NetworkError
from components.hosting.access import Visitor
from components.hosting.config import HostingConfig, Limits
from components.hosting.gate import Asker, Gate, Route
from components.hosting.ledger import SQLiteLedger
from components.images.prepare import prepare_image
from components.images.prepared import PreparedImage
from components.providers.client import ChatOptions
from components.providers.send_limits import measure_request
from components.providers.settings import ClientSettings, resolve_settings
from components.turns import ChatTurn
from tests.helpers import OPERATOR_KEY

CNY = Price(1.0, 4.0, "CNY")
MODELS = ("gpt-4o", "gpt-4o-mini", "glm-4v-flash", "mystery-vision-1")
OPTIONS = ChatOptions(max_tokens=300, system="只用中文回答。")


@functools.cache
def photo(seed: int, size: tuple[int, int] = (1600, 1200)) -> PreparedImage:
    """A prepared photo (gpt-4o: 765 tokens at 1600×1200); one per seed."""
    jpeg = photo_jpeg(*size, quality=70 + seed)
    return prepare_image(jpeg, name=f"p{seed}.jpg", model="gpt-4o")


def operator_settings(up: FakeUpstream, model: str) -> ClientSettings:
    return resolve_settings(
        model=model,
        secrets={"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY},
        hosted=False,
        backoff_factor=0,
        max_retries=0,
    )


def site_gate(ledger: SQLiteLedger) -> Gate:
    """The hosting gate of a site whose key may ask every model in ``MODELS``."""
    return Gate(
        config=HostingConfig(limits=Limits()),
        visitor=Visitor(),
        ledger=ledger,
        prices=PriceBook(operator={model: CNY for model in MODELS}),
        allowed=MODELS,
        unpriced=(),
        asker=Asker("session-a", "visitor-a", None, began=0.0),
    )


def sent_pictures(body: dict) -> int:
    return sum(
        1
        for message in body["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
        if part["type"] == "image_url"
    )


# --- the example from the issue -----------------------------------------------------------------


def test_a_new_photo_after_an_answered_one_costs_one_photo_as_sent(upstream):
    """Issue 22: with one answered photo and a new one under the default policy, the line said
    1,530 image tokens while the request sent 765 (the older photo becomes a note)."""
    conv = Conversation()
    conv.add_user("What is this?", [photo(1)])
    conv.add_answer("An orange.")
    question = ChatTurn("user", "And this one?", (photo(2),))

    shown = conv.next_request(question, policy=DEFAULT_POLICY, model="gpt-4o")

    assert shown.estimate.image_tokens == 765
    assert shown.travels == {photo(1).sha256: "dropped", photo(2).sha256: "full"}
    conv.add_user(question.text, question.images)
    upstream.enqueue(sse(["A lemon."]))
    exchange = Exchange.of(conv.next_request(model="gpt-4o")).start(
        operator_settings(upstream, "gpt-4o")
    )
    assert "".join(exchange.follow()) == "A lemon."
    assert sent_pictures(upstream.requests[-1].json) == 1
    assert exchange.answer.meta.prompt_estimate == shown.estimate
    assert exchange.answer.meta.image_tokens == 765


def test_a_picture_sent_twice_in_one_message_is_counted_and_sent_once(upstream):
    conv = Conversation()
    twice = ChatTurn("user", "这是什么？", (photo(3), photo(3)))
    plan = conv.next_request(twice, model="gpt-4o")
    assert plan.estimate.per_image == (765,)
    assert [len(turn.images) for turn in plan.turns] == [1]


def test_bopomofo_counts_the_same_for_the_cost_line_and_the_send_limits():
    """Two text estimators counted "ㄅㄆㄇㄈ注音" as 6 and 3 tokens; there is one now."""
    turns = [ChatTurn("user", "ㄅㄆㄇㄈ注音")]
    assert text_tokens("ㄅㄆㄇㄈ注音") == 6
    shown = estimate_turns(turns, model="gpt-4o", system=None, max_tokens=None)
    assert measure_request(turns, model="gpt-4o").text_tokens == shown.text_tokens


def test_a_text_only_model_is_estimated_without_picture_tokens_everywhere(upstream, tmp_path):
    """The gate counted the pictures of a model that cannot see them; the plan does not."""
    conv = Conversation()
    conv.add_user("菜单上写了什么？", [photo(4)])
    plan = conv.next_request(model="gpt-4o-mini", pictures_as_text=True)
    assert plan.estimate.image_tokens == 0 and plan.estimate.approximate
    ledger = SQLiteLedger(tmp_path / "ledger.sqlite3")
    route = Route(operator_settings(upstream, "gpt-4o-mini"), site_gate(ledger))
    exchange = route.send(plan, lambda settings, exchange: exchange)  # admitted, never started
    assert ledger.rows()[-1].estimated_tokens == plan.estimate.prompt_tokens
    exchange.stop()
    assert exchange.answer.meta.image_tokens == 0


def test_a_request_over_the_context_is_refused_with_the_figures_that_were_shown(upstream):
    """The send limits check the plan's own estimate: the refusal's numbers are the held ones."""
    conv = Conversation()
    for n in range(3):
        conv.add_user("这几张照片分别是在哪里拍的？", [photo(10 + 4 * n + i) for i in range(4)])
        conv.add_answer("好的")
    question = ChatTurn("user", "全部比较一下", ())
    options = ChatOptions(max_tokens=800)
    shown = conv.next_request(question, options=options, policy=ALL, model="glm-4v-flash")
    conv.add_user(question.text)
    plan = conv.next_request(options=options, policy=ALL, model="glm-4v-flash")
    exchange = Exchange.of(plan).start(operator_settings(upstream, "glm-4v-flash"))
    for _ in exchange.follow():
        pass
    error = exchange.answer.error
    assert error is not None and error.kind == "context_too_long"
    assert upstream.requests == []  # refused before sending
    expected = shown.estimate.prompt_tokens + 800
    assert error.facts["tokens"] == f"{expected:,}"
    assert error.facts["image_tokens"] == f"{shown.estimate.image_tokens:,}"
    assert exchange.answer.meta.prompt_estimate == shown.estimate


# --- the property -------------------------------------------------------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["ok", "stopped", "error", "refused", "not_sent"]),
        st.lists(st.integers(0, 3), max_size=3),  # pictures by seed: repeats share a sha256
    ),
    max_size=5,
)
POLICIES = st.sampled_from(
    [
        ContextPolicy("newest"),
        ContextPolicy("older_low"),
        ContextPolicy("last_turns", n=1),
        ContextPolicy("last_turns", n=2),
        ALL,
    ]
)
QUESTION = st.tuples(
    st.sampled_from(["这是什么？", "And the colour?", "ㄅㄆㄇㄈ注音", "全部翻译成英文"]),
    st.lists(st.integers(0, 3), max_size=2),
)


def chat(steps: list[tuple[str, list[int]]]) -> Conversation:
    """Return a conversation whose questions ended as ``steps`` say."""
    conv = Conversation()
    for n, (how, pictures) in enumerate(steps):
        conv.add_user(f"q{n}", [photo(p, (640, 480)) for p in pictures], sent=how != "not_sent")
        if how == "ok":
            conv.add_answer(f"a{n}")
        elif how == "stopped":
            conv.add_answer("", status="stopped")
        elif how == "error":
            conv.add_answer("", status="error", error=NetworkError("reset"))
        elif how == "refused":
            conv.add_answer("", status="error", error=ContentFilterError("no"))
    return conv


def calibration(model: str, ratio: float | None) -> Calibration:
    """A session's calibration, having learned ``ratio`` for ``model`` (None: nothing yet)."""
    learned = Calibration()
    if ratio is not None:
        learned.ratios[model.lower()] = [ratio]
    return learned


@pytest.fixture(scope="module")
def shared_upstream():
    with FakeUpstream() as up:
        yield up


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=STEPS,
    question=QUESTION,
    policy=POLICIES,
    model=st.sampled_from(MODELS),
    text_only=st.booleans(),
    ratio=st.sampled_from([None, 0.5, 1.3]),
)
def test_the_estimate_shown_is_admitted_kept_and_recorded(
    shared_upstream, tmp_path_factory, steps, question, policy, model, text_only, ratio
):
    conv = chat(steps)
    text, pictures = question
    asked = ChatTurn("user", text, tuple(photo(p, (640, 480)) for p in pictures))

    def plan(next_question: ChatTurn | None) -> PlannedRequest:
        return conv.next_request(
            next_question,
            options=OPTIONS,
            policy=policy,
            lang="zh",
            model=model,
            pictures_as_text=text_only,
            calibration=calibration(model, ratio),
            price=CNY,
        )

    shown = plan(asked)  # the held message, before the question is recorded
    conv.add_user(asked.text, asked.images)
    sent = plan(None)  # what the page sends once it is
    assert sent.turns == shown.turns and sent.estimate == shown.estimate
    assert sent.money == shown.money
    assert all(a.role != b.role for a, b in itertools.pairwise(sent.turns))
    assert len(sent.estimate.per_image) == (0 if text_only else len(sent.images))

    ledger = SQLiteLedger(tmp_path_factory.mktemp("ledger") / "ledger.sqlite3")
    route = Route(operator_settings(shared_upstream, model), site_gate(ledger))
    exchange = route.send(sent, lambda settings, exchange: exchange.start(settings))
    if text_only:
        exchange.stop()  # its pictures would be read here first; the estimate is already fixed
    for _ in exchange.follow():
        pass
    assert exchange.finished
    recorded: RequestEstimate | None = exchange.answer.meta.prompt_estimate
    assert ledger.rows()[-1].estimated_tokens == shown.estimate.prompt_tokens
    assert recorded == shown.estimate
