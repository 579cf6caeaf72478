"""A saved chat's list line and its way back: titles from the first question (CJK counted
wide), and a damaged or hostile stored chat refused as an imported file would be."""

from __future__ import annotations

import copy

import pytest

from components.conversation.history import Conversation
from components.devtools.image_factory import photo_jpeg
from components.errors import ConfigError, HistoryError
from components.history.ops import SavedState, diff, new_chat_id, op_from_json
from components.history.records import (
    chat_of,
    conversation_of,
    describe,
    loaded_from_json,
    title_from,
)
from components.history.settings import MB, HistorySettings
from components.images.prepare import prepare_image
from components.settings_source import SettingsSource

PHOTO = prepare_image(photo_jpeg(320, 240), name="p.jpg")


def _conv() -> Conversation:
    conv = Conversation()
    conv.add_user("\n  这是什么   图片？\nsecond line", [PHOTO])
    conv.add_answer("一只猫。")
    conv.add_user("again", [PHOTO])
    return conv


def test_title_is_the_first_line_of_the_first_question():
    meta = describe(_conv(), new_chat_id(), created=1.0, updated=2.0)
    assert (meta.title, meta.title_edited, meta.turns, meta.pictures) == (
        "这是什么 图片？",
        False,
        2,
        1,
    )
    edited = describe(_conv(), new_chat_id(), created=1.0, updated=2.0, title=" 我的猫 ")
    assert (edited.title, edited.title_edited) == ("我的猫", True)
    assert describe(Conversation(), new_chat_id(), created=1, updated=1).title == ""


def test_long_titles_are_cut_by_screen_width():
    assert title_from("x" * 60) == "x" * 60
    assert title_from("x" * 61) == "x" * 59 + "…"
    cut = title_from("猫" * 40)  # 80 columns: 29 wide characters and the ellipsis fit
    assert cut == "猫" * 29 + "…"


def test_chat_ids_are_long_and_random():
    ids = {new_chat_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) >= 22 for i in ids)


def test_a_whole_chat_round_trips_through_json():
    conv = _conv()
    chat = chat_of(conv, describe(conv, new_chat_id(), created=1, updated=2))
    back = conversation_of(loaded_from_json(chat.to_json()))
    assert back.entries == conv.entries and back.images == conv.images


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw.pop("entries"),
        lambda raw: raw["chat"].update(id="short"),
        lambda raw: raw["entries"][0].update(role="system"),
        lambda raw: raw["entries"][0].update(image_ids=["f" * 64]),
        lambda raw: next(iter(raw["pictures"].values())).update(data="bm90IGEgcGljdHVyZQ=="),
        lambda raw: raw.update(pictures={"0" * 64: next(iter(raw["pictures"].values()))}),
    ],
)
def test_a_damaged_or_hostile_stored_chat_is_refused(damage):
    conv = _conv()
    raw = copy.deepcopy(
        chat_of(conv, describe(conv, new_chat_id(), created=1, updated=2)).to_json()
    )
    damage(raw)
    with pytest.raises(HistoryError) as caught:
        conversation_of(loaded_from_json(raw))
    assert caught.value.reason == "damaged"
    assert "损坏" in caught.value.message("zh")


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {"op": "drop_tables"},
        {"op": "truncate", "chat": "a" * 22, "length": -1},
        {"op": "picture", "sha": "NOT-A-SHA", "picture": {}},
        {"op": "chat", "chat": {"id": "a" * 22, "title": 5}},
    ],
)
def test_ops_of_the_wrong_shape_are_refused(raw):
    with pytest.raises(HistoryError):
        op_from_json(raw)


def test_a_rerun_that_changes_only_the_time_saves_nothing():
    conv = _conv()
    chat = new_chat_id()
    ops = diff(SavedState(), conv, describe(conv, chat, created=1, updated=2))
    state = SavedState().after(ops)
    assert diff(state, conv, describe(conv, chat, created=1, updated=99)) == []


def test_operator_settings_set_the_caps_and_a_bad_one_is_named():
    source = SettingsSource(
        secrets={"KANTU_CHATS_MAX_MB": 50, "KANTU_SHARE_DAYS": "7"},
        environ={"KANTU_CHATS_MAX_COUNT": "10", "KANTU_SHARES_PER_DAY": "3"},
    )
    got = HistorySettings.from_source(source)
    assert (got.max_bytes, got.max_chats, got.share_days, got.shares_per_day) == (50 * MB, 10, 7, 3)
    assert HistorySettings.from_source(SettingsSource()) == HistorySettings()
    with pytest.raises(ConfigError) as caught:
        HistorySettings.from_source(SettingsSource(environ={"KANTU_SHARE_DAYS": "-1"}))
    assert caught.value.facts["name"] == "KANTU_SHARE_DAYS"
