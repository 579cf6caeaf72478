"""Faults of the upstream, on the chat page (AppTest) and in the exchange: it restarts
mid-answer, hangs before the first byte, hangs between chunks, or answers garbage.

Each time the run ends (nothing waits forever), a translated message says what happened, the
question and whatever part of the answer arrived stay in the history, and the next question
goes through. That the page answers clicks *while* the upstream hangs is a browser matter:
tests/e2e/test_faults.py.
"""

from __future__ import annotations

import threading
import time

import pytest

from components.conversation.exchange import Exchange
from components.conversation.history import Conversation
from components.devtools.upstream import FakeUpstream, Reply, events, hang, raw, sse
from components.i18n import t
from components.providers.settings import resolve_settings
from components.ui import chat_state, session
from components.ui import state_keys as keys
from tests.helpers import advanced_field, assistant_text, configured_app, no_exception

TIMEOUT_S = 1  # the sidebar's read timeout, in the tests that hang
GARBAGE: dict[str, Reply] = {
    "not json": events([b"data: {not json at all\n\n"]),
    "binary": raw(200, {"Content-Type": "text/event-stream"}, bytes(range(256)) * 4),
    "html page": raw(200, {"Content-Type": "text/html"}, b"<html><body>hello</body></html>"),
    "bad utf-8": events([b"data: " + b"\xff\xfe" * 40 + b"\n\n"]),
}


pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _history(at) -> list[tuple[str, str, str]]:
    conv: Conversation = session.state_in(at.session_state, chat_state.ChatState).conversation
    return [(e.role, e.status, e.text) for e in conv.entries]


def _notices(at) -> list[str]:
    return [str(n.value) for n in [*at.error, *at.warning, *at.info]]


def _restart_after_first_words(up: FakeUpstream, wait_s: float = 0.5) -> threading.Thread:
    """Restart the upstream once the request has arrived and its first words are out."""

    def run() -> None:
        up.wait_for_requests(len(up.requests) + 1, timeout=10)
        time.sleep(wait_s)
        up.restart()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# -- the upstream restarts mid-answer ---------------------------------------------------------


def test_restart_keeps_the_port_and_serves_again():
    with FakeUpstream() as up:
        port = up.port
        up.enqueue(sse(["第一句，", "第二句"], stall_after=1, stall=30))
        settings = resolve_settings(base_url=up.base_url, api_key="k" * 20)
        conv = Conversation()
        conv.add_user("q")
        exchange = Exchange(conv.request_turns()).start(settings)
        assert exchange.wait(0, timeout=5)
        up.restart()
        assert exchange.wait(len(exchange.text), timeout=5) or exchange.finished
        assert exchange.answer is not None and exchange.answer.meta.outcome == "interrupted"
        assert up.port == port
        again = Exchange(conv.request_turns()).start(settings)
        again.wait(99, timeout=5)
        assert again.answer is not None and again.answer.text == "你好"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upstream_restarting_mid_answer_keeps_the_part_that_came(upstream, lang):
    upstream.enqueue(sse(["前半句，", "后半句。"], stall_after=1, stall=30))
    at = configured_app(upstream, lang)
    restarter = _restart_after_first_words(upstream)
    at.chat_input[0].set_value("讲一下").run()  # the run's own 30 s limit would end a wait
    restarter.join(5)
    no_exception(at)
    assert "前半句" in assistant_text(at)  # and not 后半句: the cut, not the stall, ended it
    assert t("error.interrupted", lang) in _notices(at)
    assert _history(at) == [("user", "ok", "讲一下"), ("assistant", "interrupted", "前半句，")]
    # the upstream is back on the same port: Retry gets the whole answer
    upstream.enqueue(sse(["完整的回答。"]))
    at.button(key="retry_2").click().run()
    no_exception(at)
    assert "完整的回答。" in assistant_text(at)
    assert [role for role, _, _ in _history(at)] == ["user", "assistant"]


# -- hangs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upstream_hanging_before_the_first_byte_ends_in_a_timeout_after_the_set_wait(
    upstream, lang
):
    upstream.enqueue(hang())
    at = configured_app(upstream, lang)
    advanced_field(at, "number_input", keys.READ_TIMEOUT, lang).set_value(TIMEOUT_S).run()
    # the default wait (60 s) would outlast the run's own 30 s limit: only the set wait ends it
    at.chat_input[0].set_value("还在吗？").run()
    no_exception(at)
    assert t("error.timeout", lang) in [e.value for e in at.error]
    history = _history(at)
    assert history[0] == ("user", "ok", "还在吗？")
    assert [(role, status) for role, status, _ in history] == [
        ("user", "ok"),
        ("assistant", "error"),
    ]
    # the next question goes through (the hung connection is not reused)
    at.chat_input[0].set_value("现在呢？").run()
    no_exception(at)
    assert "你好" in assistant_text(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upstream_hanging_between_chunks_keeps_the_partial_answer(upstream, lang):
    upstream.enqueue(sse(["第一段，", "第二段。"], stall_after=1, stall=30))
    at = configured_app(upstream, lang)
    advanced_field(at, "number_input", keys.READ_TIMEOUT, lang).set_value(TIMEOUT_S).run()
    # with the default wait (60 s) the 30 s stall would end and 第二段 arrive: it must not
    at.chat_input[0].set_value("讲讲").run()
    no_exception(at)
    assert "第一段" in assistant_text(at) and "第二段" not in assistant_text(at)
    assert t("error.interrupted", lang) in _notices(at)
    assert _history(at) == [("user", "ok", "讲讲"), ("assistant", "interrupted", "第一段，")]
    at.chat_input[0].set_value("继续").run()
    no_exception(at)
    assert "你好" in assistant_text(at)


# -- garbage -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_answer_is_a_clear_error_and_the_question_stays(upstream, name, lang):
    upstream.enqueue(GARBAGE[name])
    at = configured_app(upstream, lang)
    at.chat_input[0].set_value("这是什么？").run()
    no_exception(at)
    errors = [e.value for e in at.error]
    assert errors, _notices(at)
    messages = {t(f"error.{kind}", lang) for kind in ("protocol", "server")}
    assert set(errors) & messages, errors
    history = _history(at)
    assert history[0] == ("user", "ok", "这是什么？")
    assert [(role, status) for role, status, _ in history] == [
        ("user", "ok"),
        ("assistant", "error"),
    ]
    for text in (at.markdown, at.caption):
        for item in text:
            assert "Traceback" not in str(item.value)
    at.chat_input[0].set_value("再试").run()
    no_exception(at)
    assert "你好" in assistant_text(at)


def test_garbage_after_good_words_keeps_them(upstream):
    good = sse(["看得见的字，"], finish_reason=None, done=False)
    upstream.enqueue(
        Reply(good.status, good.headers, (*good.parts, *events([b"data: {oops\n\n"]).parts))
    )
    at = configured_app(upstream, "en")
    at.chat_input[0].set_value("what?").run()
    no_exception(at)
    assert "看得见的字" in assistant_text(at)
    history = _history(at)
    assert history[0] == ("user", "ok", "what?")
    assert history[1][2] == "看得见的字，"
    assert _notices(at)
