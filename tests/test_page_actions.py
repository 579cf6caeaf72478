"""Acting on messages in the page (AppTest, real loopback upstream): the welcome leaves, any
answer can be regenerated and any question edited and sent again (what they replace stays as an
earlier version, ‹ n / m ›), any message deleted."""

from __future__ import annotations

import dataclasses

import pytest

from components.devtools.upstream import FakeUpstream, sse
from components.i18n import t
from components.ui import chat_state, session
from components.ui import state_keys as keys
from tests.helpers import (
    EntryButton,
    assistant_text,
    configured_app,
    entry_button,
    entry_buttons,
    jpeg_bytes,
    no_exception,
    question_words,
    versions_shown,
)

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _ask(at, text: str):
    return at.chat_input[0].set_value(text).run()


def _bubbles(at) -> list[tuple[str, str]]:
    """Each chat bubble's role and its first text (a question's words, an answer's markdown)."""
    shown = []
    for message in at.chat_message:
        if message.name == "user":
            shown.append((message.name, question_words(message)))
        else:
            texts = [m.value for m in message.markdown]
            shown.append((message.name, texts[0] if texts else ""))
    return shown


def _sent(up: FakeUpstream, n: int = -1) -> list[tuple[str, str]]:
    """The roles and texts of one request's messages (a picture shows as [image])."""
    out = []
    for message in up.requests[n].json["messages"]:
        content = message["content"]
        if isinstance(content, list):
            parts = [p["text"] if p["type"] == "text" else "[image]" for p in content]
            content = " ".join(parts)
        out.append((message["role"], content))
    return out


def _button_keys(at) -> set[str]:
    return {b.key for b in at.button if b.key}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_welcome_leaves_as_soon_as_a_message_is_sent(upstream, lang):
    upstream.enqueue(sse(["好的。"]))
    at = configured_app(upstream, lang)
    welcome = t("layout.heading", lang)
    assert any(welcome in s.value for s in at.title)
    _ask(at, "你好")
    no_exception(at)
    assert not any(welcome in s.value for s in at.title)
    assert "好的。" in assistant_text(at)


def test_every_message_has_its_own_buttons_and_any_can_be_edited_or_regenerated(upstream):
    upstream.enqueue(sse(["一。"]), sse(["二。"]))
    at = configured_app(upstream, "en")
    _ask(at, "first")
    _ask(at, "second")
    no_exception(at)
    found = set(entry_buttons(at))
    for i in range(4):
        assert ("delete", i) in found
    assert {("edit", i) for i in (0, 2)} <= found
    assert {("regenerate", i) for i in (1, 3)} <= found
    assert ("older", 0) not in found  # one version only: no ‹ n / m ›
    regenerate = entry_button(at, "regenerate", 1)
    assert regenerate.label == t("actions.regenerate", "en")
    assert regenerate.help == t("actions.regenerate_help", "en")


def test_a_click_is_done_once_and_a_stale_or_forged_one_not_at_all(upstream):
    """The listener's value stays until the next click: the page does a click once, and a click
    on a button drawn before the conversation changed (a stale page) or asking what its entry
    does not offer does nothing."""
    upstream.enqueue(sse(["一。"]), sse(["二。"]), sse(["三。"]))
    at = configured_app(upstream, "en")
    _ask(at, "first")
    regenerate = entry_button(at, "regenerate", 1)
    regenerate.click(at).run()
    assert len(upstream.requests) == 2
    at.run()  # the same click, still the listener's value
    assert len(upstream.requests) == 2
    regenerate.click(at).run()  # drawn for the answer it replaced: that answer is gone
    question = entry_button(at, "delete", 0)
    dataclasses.replace(question, verb="regenerate").click(at).run()  # not a question's button
    EntryButton("delete", "9:00", "", "", disabled=False).click(at).run()  # no such entry
    EntryButton("delete", None, "", "", disabled=False).click(at).run()  # type: ignore[arg-type]
    no_exception(at)
    assert len(upstream.requests) == 2
    assert _bubbles(at) == [("user", "first"), ("assistant", "二。")]
    question.click(at).run()  # the question as drawn now: deleted, with its answer
    assert _bubbles(at) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_earlier_question_edited_goes_on_from_there_and_the_old_turns_are_a_version(
    upstream, lang
):
    upstream.enqueue(sse(["Orange."]), sse(["Round."]), sse(["Sweet."]), sse(["It is red."]))
    at = configured_app(upstream, lang)
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("what is it").run()
    _ask(at, "what shape")
    _ask(at, "what taste")
    before = _bubbles(at)
    entry_button(at, "edit", 2).click(at).run()  # the second question, not the last
    assert at.chat_input[0].value == "what shape"
    _ask(at, "what colour")
    no_exception(at)
    # sent: the turns before the edited question, then it; nothing that came after it
    assert _sent(upstream) == [
        ("user", "what is it [image]"),
        ("assistant", "Orange."),
        ("user", "what colour"),
    ]
    assert _bubbles(at) == [*before[:2], ("user", "what colour"), ("assistant", "It is red.")]
    assert versions_shown(at) == ["2 / 2"]
    newer = entry_button(at, "newer", 2)
    assert newer.disabled and newer.label == t("actions.newer", lang)
    entry_button(at, "older", 2).click(at).run()  # back to the first version
    no_exception(at)
    assert _bubbles(at) == before
    assert versions_shown(at) == ["1 / 2"]
    assert entry_button(at, "older", 2).disabled
    assert len(upstream.requests) == 4  # switching asks nothing
    entry_button(at, "newer", 2).click(at).run()
    assert _bubbles(at)[2:] == [("user", "what colour"), ("assistant", "It is red.")]


def test_an_earlier_answer_regenerated_is_asked_with_the_turns_before_it(upstream):
    upstream.enqueue(sse(["Orange."]), sse(["Round."]), sse(["A tangerine."]))
    at = configured_app(upstream, "en")
    _ask(at, "what is it")
    _ask(at, "what shape")
    entry_button(at, "regenerate", 1).click(at).run()
    no_exception(at)
    assert _sent(upstream) == [("user", "what is it")]
    assert _bubbles(at) == [("user", "what is it"), ("assistant", "A tangerine.")]
    entry_button(at, "older", 0).click(at).run()
    assert [text for _, text in _bubbles(at)] == ["what is it", "Orange.", "what shape", "Round."]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_regenerate_asks_again_with_the_same_turns_and_replaces_the_answer(upstream, lang):
    upstream.enqueue(sse(["第一个回答。"]), sse(["第二个回答。"]))
    at = configured_app(upstream, lang)
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("这是什么？").run()
    entry_button(at, "regenerate", 1).click(at).run()
    no_exception(at)
    assert len(upstream.requests) == 2
    assert upstream.requests[1].json["messages"] == upstream.requests[0].json["messages"]
    assert _bubbles(at) == [("user", "这是什么？"), ("assistant", "第二个回答。")]


def test_edit_puts_the_question_in_the_input_and_sending_replaces_it_with_its_picture(upstream):
    upstream.enqueue(sse(["一个橙子。"]), sse(["Orange."]), sse(["Round."]))
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("what is it").run()
    _ask(at, "what colour")
    entry_button(at, "edit", 2).click(at).run()
    no_exception(at)
    assert at.chat_input[0].value == "what colour"
    assert t("actions.editing", "en") in [i.value for i in at.info]
    _ask(at, "what shape")
    no_exception(at)
    assert _sent(upstream) == [
        ("user", "what is it [image]"),
        ("assistant", "一个橙子。"),
        ("user", "what shape"),
    ]
    assert _bubbles(at) == [
        ("user", "what is it"),
        ("assistant", "一个橙子。"),
        ("user", "what shape"),
        ("assistant", "Round."),
    ]
    assert t("actions.editing", "en") not in [i.value for i in at.info]


def test_edited_first_question_goes_again_with_its_picture(upstream):
    upstream.enqueue(sse(["Orange."]), sse(["Round."]))
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("colour?").run()
    entry_button(at, "edit", 0).click(at).run()
    _ask(at, "shape?")
    no_exception(at)
    assert _sent(upstream) == [("user", "shape? [image]")]
    user = at.chat_message[0]
    assert len(user.get("image")) == 1  # the picture stays with the edited question
    assert _bubbles(at)[-1] == ("assistant", "Round.")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cancel_editing_leaves_the_history_and_empties_the_input(upstream, lang):
    upstream.enqueue(sse(["一。"]))
    at = configured_app(upstream, lang)
    _ask(at, "问题")
    entry_button(at, "edit", 0).click(at).run()
    cancel = at.button(key=keys.CANCEL_EDIT)
    assert cancel.label == t("actions.cancel_edit", lang)
    cancel.click().run()
    no_exception(at)
    assert not at.chat_input[0].value
    assert t("actions.editing", lang) not in [i.value for i in at.info]
    assert _bubbles(at) == [("user", "问题"), ("assistant", "一。")]
    assert len(upstream.requests) == 1


def test_deleting_a_question_removes_it_and_its_answer_from_the_page_and_the_next_request(
    upstream,
):
    upstream.enqueue(sse(["Orange."]), sse(["Tall."]), sse(["Yes."]))
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("colour?").run()
    _ask(at, "height?")
    entry_button(at, "delete", 0).click(at).run()
    no_exception(at)
    assert _bubbles(at) == [("user", "height?"), ("assistant", "Tall.")]
    assert not at.get("image")  # its picture went with it
    _ask(at, "sure?")
    assert _sent(upstream) == [("user", "height?"), ("assistant", "Tall."), ("user", "sure?")]
    assert session.state_in(at.session_state, chat_state.ChatState).conversation.images == {}


def test_deleting_an_answer_sends_its_question_with_the_next_one(upstream):
    upstream.enqueue(sse(["Orange."]), sse(["Tall."]))
    at = configured_app(upstream, "en")
    _ask(at, "colour?")
    entry_button(at, "delete", 1).click(at).run()
    no_exception(at)
    assert _bubbles(at) == [("user", "colour?")]
    _ask(at, "height?")
    assert _sent(upstream) == [("user", "colour?\n\nheight?")]
    assert [m.name for m in at.chat_message] == ["user", "user", "assistant"]


def test_a_deleted_question_comes_back_with_its_answer_and_picture_on_undo(upstream):
    upstream.enqueue(sse(["Orange."]), sse(["Tall."]), sse(["Yes."]))
    at = configured_app(upstream, "en")
    at.chat_input[0].upload("a.jpg", jpeg_bytes(), "image/jpeg").set_value("colour?").run()
    _ask(at, "height?")
    entry_button(at, "delete", 0).click(at).run()
    assert any(m.value == t("chats.message_deleted", "en") for m in at.markdown)
    at.button(key=keys.UNDO).click().run()
    no_exception(at)
    assert _bubbles(at) == [
        ("user", "colour?"),
        ("assistant", "Orange."),
        ("user", "height?"),
        ("assistant", "Tall."),
    ]
    assert at.get("image")  # the picture is back too
    assert keys.UNDO not in _button_keys(at)  # taken back once
    _ask(at, "sure?")
    sent = _sent(upstream)
    assert [text for _, text in sent] == ["colour? [image]", "Orange.", "height?", "Tall.", "sure?"]


def test_a_question_sent_after_a_delete_ends_its_undo(upstream):
    upstream.enqueue(sse(["Orange."]), sse(["Tall."]))
    at = configured_app(upstream, "en")
    _ask(at, "colour?")
    entry_button(at, "delete", 1).click(at).run()
    assert keys.UNDO in _button_keys(at)
    _ask(at, "height?")
    no_exception(at)
    # Undo would take back the new question too: the notice is gone
    assert keys.UNDO not in _button_keys(at)
    assert not any(m.value == t("chats.message_deleted", "en") for m in at.markdown)
    assert _bubbles(at)[-1] == ("assistant", "Tall.")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_chat_shows_its_last_messages_and_the_earlier_ones_on_request(upstream, lang):
    upstream.default = sse(["好。"])
    at = configured_app(upstream, lang)
    for n in range(12):
        _ask(at, f"question {n}")
    no_exception(at)
    assert len(at.chat_message) == 20  # the last ten turns
    assert _bubbles(at)[0] == ("user", "question 2")
    earlier = at.button(key=keys.SHOW_EARLIER)
    assert earlier.label == t("chat.show_earlier", lang, n=4)
    earlier.click().run()
    no_exception(at)
    assert len(at.chat_message) == 24
    assert _bubbles(at)[0] == ("user", "question 0")
    assert not [b for b in at.button if b.key == keys.SHOW_EARLIER]
    # every message keeps its own buttons, by its place in the whole chat
    entry_button(at, "regenerate", 1).click(at).run()
    assert _sent(upstream) == [("user", "question 0")]
    # messages not shown are still the context of the next question
    entry_button(at, "older", 0).click(at).run()
    _ask(at, "question 12")
    assert len(_sent(upstream)) == 2 * 13 - 1
