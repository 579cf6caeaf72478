"""Take a chat away and back: JSON round trips byte for byte, hostile files get a clear no."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import re
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.conversation import transfer
from components.conversation.context_choice import ALL
from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.conversation.transfer import (
    MAX_FILE_BYTES,
    export_json,
    export_markdown,
    import_json,
)
from components.devtools.image_factory import photo_jpeg, png_bomb_header, screenshot_png
from components.errors import AuthError, ImageError, TransferError
from components.images.legibility import Legibility
from components.images.prepare import prepare_image, prepare_region
from components.usage import Usage

KEY = "sk-transfer-0123456789abcdef"


def _chat() -> Conversation:
    """A conversation with every kind of picture and entry Kantu records."""
    photo = prepare_image(photo_jpeg(1600, 1200, gps=True), name="猫.jpg", model="gpt-4o")
    shot = prepare_image(screenshot_png(1280, 800), name="screen.png", model="gpt-4o")
    tall = prepare_image(
        screenshot_png(900, 5000), name="long.png", detail="slices", model="gpt-4o"
    )
    zoom = prepare_region(photo_jpeg(1200, 900), name="zoom.jpg", zone=(1, 1), model="gpt-4o")
    conv = Conversation()
    conv.add_user("这是什么？", [photo, shot])
    meta = AnswerMeta(
        "ok", "gpt-4o", "gpt-4o-2024-08-06", "stop", Usage(1200, 30, 1230), 1105, False, 0.4, 2.5
    )
    conv.add_answer("一只猫。", meta=meta)
    conv.add_user("Read this", [tall, zoom], refusals=[ImageError("too_many_bytes", "x.png")])
    conv.add_answer("", status="error", error=AuthError(f"Incorrect API key: {KEY}"))
    conv.add_user("Again, the cat?", [photo])
    conv.add_answer("Half an answer", status="interrupted")
    # Whole numbers where floats are usual must come back as written.
    plain = dataclasses.replace(shot, legibility=Legibility(None, 1, False), sha256="")
    plain = dataclasses.replace(plain, data=plain.data + b"\0", name="plain.png")
    plain = dataclasses.replace(plain, sha256=hashlib.sha256(plain.data).hexdigest())
    conv.add_user("Held back", [plain], sent=False)
    conv.add_answer("Quick", meta=AnswerMeta("ok", "gpt-4o", ttft_s=0, total_s=3))
    return conv


_CHAT = _chat()  # read-only: tests that add to it take their additions back


@pytest.fixture(scope="module")
def chat() -> Conversation:
    return _CHAT


@pytest.fixture(scope="module")
def exported(chat) -> bytes:
    return export_json(chat)


def test_export_import_export_gives_byte_identical_pictures(chat, exported):
    back = import_json(exported)
    assert export_json(back) == exported
    assert back.entries == chat.entries
    assert back.images == chat.images  # data, parts, facts, legibility: all equal
    for sha, image in chat.images.items():
        assert back.images[sha].data == image.data
        assert [p.data for p in back.images[sha].parts] == [p.data for p in image.parts]


def test_imported_chat_continues_with_the_same_request(chat, exported):
    back = import_json(exported)
    for conv in (chat, back):
        conv.add_user("And its colour?")
    assert back.request_turns() == chat.request_turns()
    assert back.request_turns(ALL) == chat.request_turns(ALL)
    for conv in (chat, back):
        conv.entries.pop()


def test_export_has_a_versioned_schema_and_no_key(exported):
    doc = json.loads(exported)
    assert (doc["kantu"], doc["version"]) == ("conversation", 1)
    assert KEY.encode() not in exported and b"Bearer" not in exported
    assert not re.search(rb"sk-[A-Za-z0-9]{6,}", exported)
    assert set(doc["entries"][1]["meta"]) >= {"requested_model", "usage", "image_tokens"}


def _tampered(exported: bytes, change) -> bytes:
    doc = json.loads(exported)
    change(doc)
    return json.dumps(doc).encode()


def _first_picture(doc: dict) -> dict:
    return next(iter(doc["pictures"].values()))


def _swap_bytes(doc: dict) -> None:
    picture = _first_picture(doc)
    data = bytearray(base64.b64decode(picture["data"]))
    data[-10] ^= 0xFF
    picture["data"] = base64.b64encode(bytes(data)).decode()


def _claim_png(doc: dict) -> None:
    _first_picture(doc)["mime"] = "image/png"


def _claim_size(doc: dict) -> None:
    _first_picture(doc)["width"] += 1


def _bomb(doc: dict) -> None:
    bomb = png_bomb_header(100_000, 100_000)  # declared as 4000×4000, the header says more
    picture = _first_picture(doc)
    picture.update(mime="image/png", width=4000, height=4000, data=base64.b64encode(bomb).decode())


def _lost_picture(doc: dict) -> None:
    doc["entries"][0]["image_ids"].append("0" * 64)


def _system_role(doc: dict) -> None:
    doc["entries"][0]["role"] = "system"


def _text_number(doc: dict) -> None:
    doc["entries"][0]["text"] = 12


def _version(value):
    return lambda doc: doc.update(version=value)


HOSTILE = {
    "empty": (lambda _: b"", "not_json"),
    "not json": (lambda _: b"\x89PNG\r\n\x1a\n not json", "not_json"),
    "markdown zip": (lambda _: export_markdown(_CHAT), "not_json"),
    "a list": (lambda _: b"[1, 2, 3]", "not_kantu"),
    "someone else's json": (lambda _: b'{"messages": []}', "not_kantu"),
    "newer version": (lambda e: _tampered(e, _version(2)), "newer_version"),
    "version as text": (lambda e: _tampered(e, _version("1")), "not_kantu"),
    "NaN": (lambda e: e.replace(b'"version": 1', b'"version": NaN'), "not_json"),
    "deep nesting": (lambda _: b"[" * 50_000 + b"]" * 50_000, "not_json"),
    "object flood": (lambda _: b"[" + b"{}," * 300_000 + b"{}]", "too_many"),
    "string flood": (lambda _: b"[" + b'"",' * 1_100_000 + b'""]', "too_many"),
    "too many entries": (
        lambda e: _tampered(e, lambda d: d.update(entries=d["entries"] * 400)),
        "too_many",
    ),
    "edited picture": (lambda e: _tampered(e, _swap_bytes), "bad_picture"),
    "jpeg said to be png": (lambda e: _tampered(e, _claim_png), "bad_picture"),
    "wrong size": (lambda e: _tampered(e, _claim_size), "bad_picture"),
    "bomb header": (lambda e: _tampered(e, _bomb), "bad_picture"),
    "picture not in file": (lambda e: _tampered(e, _lost_picture), "malformed"),
    "system role": (lambda e: _tampered(e, _system_role), "malformed"),
    "text is a number": (lambda e: _tampered(e, _text_number), "malformed"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_file_gets_a_clear_message_in_both_languages(case, exported):
    make, reason = HOSTILE[case]
    with pytest.raises(TransferError) as caught:
        import_json(make(exported))
    err = caught.value
    assert err.reason == reason
    zh, en = err.message("zh"), err.message("en")
    assert zh != en and not zh.startswith("transfer.") and not en.startswith("transfer.")
    assert "{" not in zh and "{" not in en


def test_oversized_file_is_refused_before_parsing(monkeypatch):
    parsed: list[int] = []
    parse = transfer.json.loads
    monkeypatch.setattr(transfer.json, "loads", lambda text, **kw: parsed.append(1) or parse(text))
    data = b'{"kantu": "conversation", "pad": "' + b"x" * MAX_FILE_BYTES + b'"}'
    with pytest.raises(TransferError) as caught:
        import_json(data)
    assert caught.value.reason == "too_big" and parsed == []  # refused on its size alone
    assert "64 MB" in caught.value.message("en")


def test_picture_name_cannot_put_markdown_in_the_message(exported):
    def rename(doc: dict) -> None:
        _swap_bytes(doc)
        _first_picture(doc)["name"] = "[click](https://evil.example)<b>x</b>.jpg"

    with pytest.raises(TransferError) as caught:
        import_json(_tampered(exported, rename))
    message = caught.value.message("en")
    assert "clickhttpsevil.examplebxb.jpg" in message
    assert not any(mark in message for mark in "[]()<>")


def test_unknown_message_key_in_a_file_shows_a_known_message(exported):
    def rename(doc: dict) -> None:
        doc["entries"][3]["error"]["key"] = "{0.__class__}"

    back = import_json(_tampered(exported, rename))
    assert back.entries[3].error.key == "error.unknown"
    assert "{" not in back.entries[3].error.message("en")


def test_refused_import_leaves_the_current_chat_unchanged(chat, exported):
    before = export_json(chat)
    with pytest.raises(TransferError):
        import_json(_tampered(exported, _swap_bytes))
    assert export_json(chat) == before


def _mutations(exported: bytes):
    return st.tuples(
        st.integers(0, len(exported) - 1), st.integers(0, 64), st.binary(max_size=64)
    ).map(lambda m: exported[: m[0]] + m[2] + exported[m[0] + m[1] :])


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


def _kantu_shaped(value) -> bytes:
    return json.dumps({"kantu": "conversation", "version": 1, **value}).encode()


@given(
    data=st.one_of(
        st.binary(max_size=2000),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        st.dictionaries(st.sampled_from(["entries", "pictures", "x"]), JSON_VALUES).map(
            _kantu_shaped
        ),
        _mutations(export_json(_CHAT)),
    )
)
def test_hostile_input_only_ever_raises_a_transfer_error(data):
    """Any bytes give a conversation or a TransferError with a message in both languages (how
    long that takes on hostile files is measured by bench/hostile_settings.py)."""
    try:
        conv = import_json(data)
    except TransferError as err:
        assert err.message("en") and err.message("zh")
    else:
        assert isinstance(conv, Conversation)


def test_markdown_is_a_zip_readable_on_github(chat):
    archive = zipfile.ZipFile(io.BytesIO(export_markdown(chat, "en")))
    names = archive.namelist()
    markdown = archive.read("conversation.md").decode()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert "data:" not in markdown
    assert links and set(links) <= set(names)  # relative links to files in the archive
    assert len(set(links)) == len(chat.images)  # a picture sent twice is stored once
    shown = {archive.read(link) for link in links}
    assert shown == {image.data for image in chat.images.values()}
    assert "## You" in markdown and "一只猫。" in markdown and "(answer cut short)" in markdown
    assert "(not sent)" in markdown and "> " in markdown  # the failed answer's message, quoted
    assert KEY not in markdown
    assert export_markdown(chat, "en") == export_markdown(chat, "en")  # same chat, same file


def test_markdown_speaks_the_page_language(chat):
    archive = zipfile.ZipFile(io.BytesIO(export_markdown(chat, "zh")))
    markdown = archive.read("conversation.md").decode()
    assert markdown.startswith("# Kantu 看图对话") and "## 你" in markdown
    assert "## You" not in markdown


def test_refused_question_keeps_its_refusal_after_import(exported):
    back = import_json(exported)
    assert back.entries[2].refusals[0].key == "image.too_many_bytes"
    assert back.entries[3].error.kind == "auth"
