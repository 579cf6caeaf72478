"""Follow-ups stop re-buying old photos: what each context policy re-sends, read off the wire."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from components.conversation.context_choice import ALL, DEFAULT_POLICY, ContextPolicy
from components.conversation.exchange import Exchange
from components.conversation.history import Conversation
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, sse
from components.errors import ContentFilterError
from components.images.prepare import prepare_image
from components.images.prepared import PreparedImage, SourceFacts
from components.providers.settings import resolve_settings
from components.turns import ChatTurn

KEY = "sk-context-0123456789abcdef"
MODEL = "gpt-4o"


@functools.cache
def _photo(seed: int, size: tuple[int, int] = (1600, 1200)) -> PreparedImage:
    return prepare_image(photo_jpeg(*size, quality=80 + seed), name=f"p{seed}.jpg", model=MODEL)


def _send(up: FakeUpstream, conv: Conversation, policy: ContextPolicy, lang: str = "en") -> dict:
    """Send the conversation's next request through a real exchange; return the body received."""
    up.enqueue(sse(["好"]))
    settings = resolve_settings(base_url=up.base_url, api_key=KEY, model=MODEL, max_retries=0)
    turns = conv.request_turns(policy, lang, model=MODEL)
    exchange = Exchange(turns).start(settings)
    assert "".join(exchange.follow()) == "好"
    return up.requests[-1].json


def _sent_images(body: dict) -> list[bytes]:
    urls = [
        part["image_url"]["url"]
        for message in body["messages"]
        if isinstance(message["content"], list)
        for part in message["content"]
        if part["type"] == "image_url"
    ]
    return [base64.b64decode(url.split(",", 1)[1]) for url in urls]


def _texts(body: dict) -> list[str]:
    texts = []
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            texts.append(content)
        else:
            texts.extend(part["text"] for part in content if part["type"] == "text")
    return texts


def _two_photo_chat() -> tuple[Conversation, PreparedImage, PreparedImage]:
    conv = Conversation()
    first, second = _photo(1), _photo(2)
    conv.add_user("What is this?", [first])
    conv.add_answer("A gradient.")
    conv.add_user("And this one?", [second])
    conv.add_answer("Another gradient.")
    return conv, first, second


def test_text_follow_ups_keep_sending_the_newest_photo_only(upstream):
    conv, _, second = _two_photo_chat()
    for follow_up in ("What colour is it?", "And the top left corner?"):
        conv.add_user(follow_up)
        body = _send(upstream, conv, DEFAULT_POLICY)
        conv.add_answer("Red.")
        assert _sent_images(body) == [second.data]
        assert "What is this?\n\n[photo 1 from earlier, not re-sent]" in _texts(body)
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant"] * 3 + ["user"]


def test_default_policy_makes_turn_ten_cheaper_than_sending_everything(upstream):
    conv = Conversation()
    for turn in range(5):
        conv.add_user(f"photo {turn}?", [_photo(turn, (800, 600))])
        conv.add_answer("ok")
    conv.add_user("Which one was brightest?")
    everything = _send(upstream, conv, ALL)
    capped = _send(upstream, conv, DEFAULT_POLICY)
    assert len(_sent_images(everything)) == 5 and len(_sent_images(capped)) == 1
    assert len(upstream.requests[-1].body) * 3 < len(upstream.requests[-2].body)


def test_last_turns_sends_the_pictures_of_the_last_n_questions(upstream):
    conv = Conversation()
    photos = [_photo(turn, (400, 300)) for turn in range(4)]
    for turn, image in enumerate(photos):
        conv.add_user(f"photo {turn}?", [image])
        conv.add_answer("ok")
    conv.add_user("Compare the last two.", [])
    body = _send(upstream, conv, ContextPolicy("last_turns", n=3))
    # The last three questions: photos 2 and 3, and the text-only question itself.
    assert _sent_images(body) == [photos[2].data, photos[3].data]
    notes = [text for text in _texts(body) if "not re-sent" in text]
    assert notes == [
        "photo 0?\n\n[photo 1 from earlier, not re-sent]",
        "photo 1?\n\n[photo 2 from earlier, not re-sent]",
    ]


def test_older_pictures_go_at_low_detail_and_are_reencoded_once(upstream):
    conv, first, second = _two_photo_chat()
    conv.add_user("Which is brighter?")
    body = _send(upstream, conv, ContextPolicy("older_low"))
    old, new = _sent_images(body)
    assert new == second.data
    assert max(Image.open(io.BytesIO(old)).size) <= 512 < max(first.width, first.height)
    details = [p["image_url"]["detail"] for m in body["messages"][:3:2] for p in m["content"][1:]]
    assert details[0] == "low" and details[-1] != "low"
    assert "What is this?\n\n[photo 1 from earlier, re-sent at low detail]" in _texts(body)
    copy = conv.low_copies[first.sha256]
    again = _send(upstream, conv, ContextPolicy("older_low"))
    assert conv.low_copies[first.sha256] is copy
    assert _sent_images(again)[0] == old


def test_a_picture_sent_twice_travels_once_with_the_later_question(upstream):
    conv, first, _ = _two_photo_chat()
    conv.add_user("Back to the first one: what is at the bottom?", [first])
    body = _send(upstream, conv, DEFAULT_POLICY)
    assert _sent_images(body) == [first.data]
    assert "What is this?\n\n[photo 1, sent again further down]" in _texts(body)


def test_notes_are_in_the_page_language(upstream):
    conv, _, _ = _two_photo_chat()
    conv.add_user("什么颜色？")
    body = _send(upstream, conv, DEFAULT_POLICY, lang="zh")
    assert "What is this?\n\n[之前的第 1 张图片，未重新发送]" in _texts(body)
    assert "not re-sent" not in json.dumps(body, ensure_ascii=False)


def test_unanswered_question_is_folded_with_its_picture_under_the_default(upstream):
    conv, _, _ = _two_photo_chat()
    third = _photo(3, (400, 300))
    conv.add_user("And this?", [third])
    conv.add_answer("", status="stopped")
    conv.add_user("Just the colour, please.")
    body = _send(upstream, conv, DEFAULT_POLICY)
    assert [m["role"] for m in body["messages"]][-2:] == ["assistant", "user"]
    assert _sent_images(body) == [third.data]
    assert "And this?\n\nJust the colour, please." in _texts(body)


def test_model_change_mid_conversation_reprices_the_low_copies():
    conv, _, _ = _two_photo_chat()
    conv.add_user("Which is brighter?")
    tile = conv.request_turns(ContextPolicy("older_low"), model="gpt-4o")[0].images[0]
    patch = conv.request_turns(ContextPolicy("older_low"), model="gpt-4.1-mini")[0].images[0]
    assert tile.tokens == 85 and tile.detail == "low"
    assert patch.data == tile.data and patch.tokens > 85  # same copy, priced by patches


def test_all_is_the_request_as_it_always_was():
    conv, first, second = _two_photo_chat()
    conv.add_user("More?")
    turns = conv.request_turns(ALL)
    assert [turn.images for turn in turns] == [(first,), (), (second,), (), ()]
    assert turns[0].text == "What is this?"


def travel_plan(conv, policy=DEFAULT_POLICY, *, next_images=()):
    """Where each picture goes if the next question is a follow-up carrying ``next_images``."""
    return conv.next_request(ChatTurn("user", "", tuple(next_images)), policy=policy).travels


def test_travel_plan_says_which_pictures_go_with_the_next_question():
    conv, first, second = _two_photo_chat()
    refused = _photo(5, (300, 300))
    conv.add_user("And this?", [refused])
    conv.add_answer("", status="error", error=ContentFilterError("blocked"))
    assert travel_plan(conv) == {
        first.sha256: "dropped",
        second.sha256: "full",
        refused.sha256: "dropped",
    }
    assert travel_plan(conv, ContextPolicy("older_low"))[first.sha256] == "low"
    assert set(travel_plan(conv, ALL).values()) == {"full", "dropped"}
    new = _photo(6, (300, 200))
    plan = travel_plan(conv, DEFAULT_POLICY, next_images=[new])
    assert plan[second.sha256] == "dropped"  # the next question brings its own picture


@pytest.mark.parametrize("kwargs", [{"kind": "some"}, {"kind": "last_turns", "n": 0}])
def test_a_policy_that_cannot_work_is_refused(kwargs):
    with pytest.raises(ValueError):
        ContextPolicy(**kwargs)


def _tiny(n: int) -> PreparedImage:
    payload = f"picture {n}".encode()
    return PreparedImage(
        data=payload,
        mime="image/jpeg",
        width=40,
        height=30,
        detail="auto",
        tokens=255,
        tokens_approximate=False,
        sha256=hashlib.sha256(payload).hexdigest(),
        source=SourceFacts(format="JPEG", width=40, height=30, bytes=len(payload)),
        name=f"{n}.jpg",
    )


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["ok", "stopped", "error", "refused", "not_sent"]),
        st.lists(st.integers(0, 4), max_size=3),
    ),
    max_size=8,
)
POLICY = st.sampled_from(
    [
        ContextPolicy("newest"),
        ContextPolicy("older_low"),
        *(ContextPolicy("last_turns", n=n) for n in (1, 2, 3)),
    ]
)


@given(steps=STEPS, policy=POLICY)
def test_history_stays_consistent_whatever_happened(steps, policy):
    conv = Conversation()
    for n, (how, pictures) in enumerate(steps):
        conv.add_user(f"q{n}", [_tiny(p) for p in pictures], sent=how != "not_sent")
        if how == "ok":
            conv.add_answer(f"a{n}")
        elif how == "stopped":
            conv.add_answer("", status="stopped")
        elif how == "refused":
            conv.add_answer("", status="error", error=ContentFilterError("no"))
    everything = conv.request_turns(ALL)
    turns = conv.request_turns(policy, model=MODEL)
    assert [t.role for t in turns] == [t.role for t in everything]
    assert all(a.role != b.role for a, b in itertools.pairwise(turns))
    sent = [image.sha256 for turn in turns for image in turn.images]
    assert len(sent) == len(set(sent))  # a picture travels at most once
    for full, shrunk in zip(everything, turns, strict=True):
        notes = shrunk.text.count("[photo ")
        assert len(shrunk.images) + notes >= len(full.images)  # every picture is sent or noted
    users = [t for t in everything if t.role == "user"]
    if users and users[-1].images:  # the question being asked always has its own pictures
        assert {i.sha256 for i in users[-1].images} <= set(sent)
    if policy.kind == "newest":
        newest = next((t.images for t in reversed(users) if t.images), ())
        assert set(sent) == {i.sha256 for i in newest}
    plan = travel_plan(conv, policy)
    assert set(plan) == {sha for e in conv.entries for sha in e.image_ids}
