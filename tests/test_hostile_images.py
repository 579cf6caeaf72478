"""Hostile pictures, generated: every input ends in a prepared picture or an ``ImageError``.

Property-based (hypothesis): mutations of small valid files (bit flips, truncation, splices, false
header sizes), part spam around the caps, random EXIF, extreme aspect ratios at every detail. For
the big claims, the work is bounded by a budget decision taken from the header before decoding,
asserted here on that decision rather than on timing. ``KANTU_HYPOTHESIS=long`` searches deeper.
"""

from __future__ import annotations

import os
import struct
from contextlib import contextmanager
from functools import cache
from unittest import mock

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from PIL import Image, ImageFile

from components.devtools import image_factory as make
from components.errors import ImageError
from components.images import budget, decode
from components.images.prepare import prepare_image
from components.images.prepared import DETAILS, PreparedImage

# The deep run takes minutes per property: lift pytest-timeout's per-test limit for it only.
pytestmark = [pytest.mark.timeout(0)] if os.environ.get("KANTU_HYPOTHESIS") == "long" else []

REASONS = {
    "unreadable",
    "empty",
    "not_image",
    "unsupported_format",
    "too_many_bytes",
    "too_many_pixels",
    "too_complex",
    "too_much_memory",
    "too_many_slices",  # detail "slices" only: a picture longer than the slice cap allows
    "corrupt",
}


@cache
def seeds() -> dict[str, bytes]:
    """Small valid files of every common format, the material the mutations start from."""
    photo = make.photo(48, 32)
    return {
        "jpeg": make.encode(photo, "JPEG", quality=80),
        "progressive": make.encode(photo, "JPEG", quality=80, progressive=True),
        "png": make.encode(photo, "PNG"),
        "png-palette-trns": make.encode(photo.convert("P"), "PNG", transparency=3),
        "png16": make.sixteen_bit_png(32, 8),
        "gif": make.animated_gif(),
        "webp": make.encode(photo, "WEBP"),
        "tiff": make.encode(photo, "TIFF"),
        "bmp": make.encode(photo, "BMP"),
        "tiff-pages": make.tiff_pages(5),
    }


@contextmanager
def budget_decisions():
    """Record every memory decision (need + input bytes) and every decode that follows one."""
    decided: list[int] = []
    real = decode.refuse_too_much_memory

    def spy(name, fmt, mode, size, *, need, input_bytes):
        decided.append(need + input_bytes)
        return real(name, fmt, mode, size, need=need, input_bytes=input_bytes)

    with mock.patch.object(decode, "refuse_too_much_memory", spy):
        yield decided


def outcome(data: bytes, *, detail: str = "auto") -> PreparedImage | ImageError:
    """Prepare ``data``; return the picture or the refusal, and fail on any other exception."""
    try:
        return prepare_image(data, name="hostile.bin", detail=detail)
    except ImageError as err:
        assert err.reason in REASONS
        message = err.message("en")
        assert message.startswith("hostile.bin") and "\n" not in message
        return err


def assert_bounded(result: PreparedImage | ImageError, decided: list[int]) -> None:
    """A prepared picture was decoded only after a budget decision it passed."""
    if isinstance(result, PreparedImage):
        assert decided, "decoded without a memory decision"
        assert all(total <= budget.MEMORY_BUDGET for total in decided)
        for sent in result.parts or (result,):  # a sliced picture: each slice is what goes out
            assert 1 <= sent.width <= 2048 and 1 <= sent.height <= 2048


seed_names = st.sampled_from(sorted(seeds()))


@given(seed=seed_names, flips=st.lists(st.tuples(st.integers(0), st.integers(0, 7)), max_size=8))
def test_bit_flips_end_in_a_picture_or_a_refusal(seed, flips):
    data = bytearray(seeds()[seed])
    for at, bit in flips:
        data[at % len(data)] ^= 1 << bit
    with budget_decisions() as decided:
        assert_bounded(outcome(bytes(data)), decided)


@given(seed=seed_names, keep=st.floats(0, 1, exclude_max=True))
def test_truncations_end_in_a_picture_or_a_refusal(seed, keep):
    data = seeds()[seed]
    with budget_decisions() as decided:
        assert_bounded(outcome(data[: int(len(data) * keep)]), decided)


@given(
    first=seed_names,
    second=seed_names,
    cut=st.floats(0, 1),
    resume=st.floats(0, 1),
)
def test_splices_of_two_files_end_in_a_picture_or_a_refusal(first, second, cut, resume):
    a, b = seeds()[first], seeds()[second]
    data = a[: int(len(a) * cut)] + b[int(len(b) * resume) :]
    with budget_decisions() as decided:
        assert_bounded(outcome(data), decided)


SIZES = st.integers(0, 65535)


@given(
    kind=st.sampled_from(["jpeg", "progressive", "png", "png16", "gif", "bmp"]),
    width=SIZES,
    height=SIZES,
    detail=st.sampled_from(DETAILS),
)
def test_false_header_sizes_are_decided_from_the_header(kind, width, height, detail):
    data = bytearray(seeds()[kind])
    if kind in ("jpeg", "progressive"):
        sof = max(data.find(b"\xff\xc0"), data.find(b"\xff\xc2"))
        data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    elif kind.startswith("png"):
        data[16:24] = struct.pack(">II", width, height)  # the CRC no longer matches: damaged too
    elif kind == "gif":
        data[6:10] = struct.pack("<HH", width, height)
    else:
        data[18:26] = struct.pack("<ii", width, height)
    with budget_decisions() as decided:
        result = outcome(bytes(data), detail=detail)
    assert_bounded(result, decided)
    if width * height > budget.DCT_PIXEL_LIMIT:
        assert isinstance(result, ImageError)


@given(
    kind=st.sampled_from(["jpeg-segments", "png-chunks", "gif-blocks", "tiff-pages"]),
    over=st.booleans(),
    slack=st.integers(1, 50),
)
def test_part_spam_is_refused_exactly_past_the_cap(kind, over, slack):
    cap, build = {
        "jpeg-segments": (budget.MAX_JPEG_SEGMENTS, make.jpeg_with_segments),
        "png-chunks": (budget.MAX_PNG_CHUNKS, make.png_with_chunks),
        "gif-blocks": (budget.MAX_GIF_BLOCKS, make.gif_with_blocks),
        "tiff-pages": (budget.MAX_FRAMES, make.tiff_pages),
    }[kind]
    # Each file already has a few parts of its own besides the spam.
    count = cap + slack if over else cap - 10 - slack
    result = outcome(build(count))
    if over:
        assert isinstance(result, ImageError) and result.reason == "too_complex"
    else:
        assert isinstance(result, PreparedImage)


EXIF_TYPES = st.sampled_from([1, 2, 3, 4, 5, 7, 9, 10])
EXIF_TAGS = st.sampled_from([0x010F, 0x0110, 0x0112, 0x0131, 0x8769, 0x8825, 0x9003, 0xA002])


@given(
    orientation=st.integers(0, 9),
    orientation_type=EXIF_TYPES,
    others=st.lists(st.tuples(EXIF_TAGS, EXIF_TYPES, st.binary(max_size=12)), max_size=5),
    little=st.booleans(),
)
def test_random_exif_never_stops_a_good_photo(orientation, orientation_type, others, little):
    value = struct.pack("<H" if little else ">H", orientation)
    entries = {tag: (tag, kind, body) for tag, kind, body in others}
    entries[0x0112] = (0x0112, orientation_type, value if orientation_type == 3 else value * 2)
    exif = make.exif_bytes(sorted(entries.values()), little=little)
    image = make.photo(40, 30, noise=False)
    result = outcome(make.encode(image, "JPEG", quality=90, exif=exif))
    assert isinstance(result, PreparedImage)
    if orientation_type == 3 and orientation in (5, 6, 7, 8):
        assert (result.width, result.height) == (30, 40)
    elif orientation_type == 3 and 1 <= orientation <= 4:
        assert (result.width, result.height) == (40, 30)


@given(
    long_side=st.integers(1, 20000),
    short_side=st.integers(1, 12),
    tall=st.booleans(),
    fmt=st.sampled_from(["JPEG", "PNG"]),
    detail=st.sampled_from(DETAILS),
)
def test_extreme_aspect_ratios_are_prepared_at_every_detail(
    long_side, short_side, tall, fmt, detail
):
    assume(long_side * short_side <= 4_000_000)
    size = (short_side, long_side) if tall else (long_side, short_side)
    data = make.encode(Image.new("RGB", size, (200, 120, 40)), fmt)
    result = outcome(data, detail=detail)
    if detail == "slices" and isinstance(result, ImageError):  # more slices than the cap: asked
        assert result.reason == "too_many_slices"
        return
    assert isinstance(result, PreparedImage), result
    for sent in result.parts or (result,):
        assert max(sent.width, sent.height) <= 2048


@pytest.mark.parametrize("name", ["jpeg", "png", "gif", "tiff"])
def test_seed_files_are_prepared(name):
    # The mutations start from files that are themselves fine.
    assert isinstance(outcome(seeds()[name]), PreparedImage)


def test_the_truncated_switch_is_off_after_any_outcome():
    for data in seeds().values():
        outcome(data[: len(data) // 2])
        assert ImageFile.LOAD_TRUNCATED_IMAGES is False
