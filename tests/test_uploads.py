"""Attached files become prepared images; refused ones are kept with their reason."""

from __future__ import annotations

import io
import threading

from PIL import Image

from components.images.upload import Upload
from components.images.uploads import Preparation, combine, prepare_uploads


def _png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


def test_refused_file_is_kept_with_its_reason_while_others_go():
    prepared = prepare_uploads(
        [Upload("red.png", _png((255, 0, 0))), Upload("notes.png", b"plain text")],
        Preparation("auto", "gpt-4o-mini"),
    )
    assert [image.name for image in prepared.images] == ["red.png"]
    assert [err.filename for err in prepared.refusals] == ["notes.png"]


def test_the_same_picture_attached_twice_is_sent_once():
    red = _png((255, 0, 0))
    chat = prepare_uploads([Upload("a.png", red), Upload("b.png", red)], Preparation("low", "x"))
    camera = prepare_uploads([Upload("blue.png", _png((0, 0, 255)))], Preparation("low", "x"))
    both = combine(chat, camera, chat)
    assert len(chat.images) == 1
    assert len(both.images) == 2


def test_pictures_of_one_message_keep_their_order_when_prepared_in_parallel():
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (9, 9, 9)]
    uploads = [Upload(f"{i}.png", _png(c)) for i, c in enumerate(colours)]
    uploads.insert(2, Upload("bad-a.png", b"not a picture"))
    uploads.insert(5, Upload("bad-b.png", b""))
    prepared = prepare_uploads(uploads, Preparation("low", "gpt-4o"))
    assert [image.name for image in prepared.images] == [f"{i}.png" for i in range(6)]
    assert [err.filename for err in prepared.refusals] == ["bad-a.png", "bad-b.png"]


def test_pictures_of_one_message_are_prepared_two_at_a_time(monkeypatch):
    from components.images import prepare as prepare_module
    from components.images.budget import CONCURRENT_PREPARATIONS

    together = threading.Barrier(CONCURRENT_PREPARATIONS, timeout=30)
    real_decode = prepare_module.decode

    def decode_in_company(*args, **kwargs):
        together.wait()  # breaks (BrokenBarrierError → refusal) if they ran one after another
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(prepare_module, "decode", decode_in_company)
    uploads = [Upload(f"{i}.png", _png((i * 40, 0, 0))) for i in range(4)]
    prepared = prepare_uploads(uploads, Preparation("low", "gpt-4o"))
    assert len(prepared.images) == 4 and not prepared.refusals
