"""Attached files become prepared images; refused ones are kept with their reason."""

from __future__ import annotations

import io

from PIL import Image

from components.images.uploads import Upload, combine, prepare_uploads


def _png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


def test_refused_file_is_kept_with_its_reason_while_others_go():
    prepared = prepare_uploads(
        [Upload("red.png", _png((255, 0, 0))), Upload("notes.png", b"plain text")],
        detail="auto",
        model="gpt-4o-mini",
    )
    assert [image.name for image in prepared.images] == ["red.png"]
    assert [err.filename for err in prepared.refusals] == ["notes.png"]


def test_the_same_picture_attached_twice_is_sent_once():
    red = _png((255, 0, 0))
    chat = prepare_uploads([Upload("a.png", red), Upload("b.png", red)], detail="low", model="x")
    camera = prepare_uploads([Upload("blue.png", _png((0, 0, 255)))], detail="low", model="x")
    both = combine(chat, camera, chat)
    assert len(chat.images) == 1
    assert len(both.images) == 2
