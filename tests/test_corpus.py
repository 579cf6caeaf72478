"""Every real odd image in the shared corpus is prepared or refused as ``expect.tsv`` says."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageStat

from components.errors import ImageError
from components.images.prepare import prepare_file
from tests.conftest import CORPUS


def expectations() -> list[tuple[str, str, str]]:
    with (CORPUS / "expect.tsv").open(newline="", encoding="utf-8") as handle:
        return [
            (row["file"], row["expect"], row["note"])
            for row in csv.DictReader(handle, delimiter="\t")
        ]


EXPECT = expectations()


def prepared_pixels(path: Path) -> Image.Image:
    image = Image.open(io.BytesIO(prepare_file(path).data))
    image.load()
    return image.convert("RGB")


@pytest.mark.parametrize(("name", "expect", "note"), EXPECT, ids=[row[0] for row in EXPECT])
def test_corpus_file_is_handled_as_expected(corpus_dir, name, expect, note):
    path = corpus_dir / name
    try:
        prepared = prepare_file(path)
    except ImageError as refused:
        assert expect in ("refuse", "either"), f"{name} ({note}) refused: {refused.message('en')}"
        message = refused.message("en")
        assert message.startswith(name) and "\n" not in message
        return
    assert expect in ("prepare", "either"), f"{name} ({note}) should have been refused"
    assert prepared.mime in {"image/jpeg", "image/png", "image/webp", "image/gif"}
    decoded = Image.open(io.BytesIO(prepared.data))
    assert decoded.size == (prepared.width, prepared.height)
    assert getattr(decoded, "n_frames", 1) == 1
    if expect == "either":
        assert prepared.source.truncated, f"{name} was recovered without being flagged"


def test_corpus_covers_every_file(corpus_dir):
    listed = {row[0] for row in EXPECT}
    present = {p.name for p in corpus_dir.iterdir()} - {"README.md", "expect.tsv", "LICENSE-Pillow"}
    assert listed == present


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("orientation_rectangle.jpg", (1, 2)),
        ("hopper_orientation_6.jpg", (128, 128)),
        ("avif_rot1mir0.avif", (640, 427)),
    ],
)
def test_orientation_files_come_out_with_the_right_aspect(corpus_dir, name, size):
    prepared = prepare_file(corpus_dir / name)
    assert (prepared.width, prepared.height) == size
    assert prepared.source.orientation_applied


@pytest.mark.parametrize("name", ["exif_imagemagick_orientation.png", "xmp_tags_orientation.png"])
def test_png_orientation_from_exif_or_xmp_is_applied(corpus_dir, name):
    prepared = prepare_file(corpus_dir / name)
    assert prepared.source.orientation_applied
    # Orientation 3 is a half turn: the output is far closer to the source turned by 180° than to
    # the source as stored (colours differ a little: alpha is flattened, ICC converted).
    source = Image.open(corpus_dir / name).convert("L")
    sent = prepared_pixels(corpus_dir / name).convert("L")
    turned = ImageStat.Stat(
        ImageChops.difference(sent, source.transpose(Image.Transpose.ROTATE_180))
    )
    stored = ImageStat.Stat(ImageChops.difference(sent, source))
    assert turned.mean[0] * 2 < stored.mean[0], (turned.mean, stored.mean)


def test_cmyk_sample_matches_its_rgb_twin(corpus_dir):
    cmyk = prepared_pixels(corpus_dir / "pil_sample_cmyk.jpg")
    rgb = prepared_pixels(corpus_dir / "pil_sample_rgb.jpg")
    diff = ImageStat.Stat(ImageChops.difference(cmyk, rgb)).mean
    assert max(diff) < 10, diff


@pytest.mark.parametrize("name", ["transparent.png", "transparent.webp"])
def test_transparent_corners_are_white_not_black(corpus_dir, name):
    image = prepared_pixels(corpus_dir / name)
    w, h = image.size
    for corner in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)):
        assert min(image.getpixel(corner)) > 240, (corner, image.getpixel(corner))


@pytest.mark.parametrize("name", ["hopper_16bit.pgm", "tiff_16bit_RGB.tiff"])
def test_sixteen_bit_images_are_not_blown_to_white(corpus_dir, name):
    image = prepared_pixels(corpus_dir / name)
    mean = ImageStat.Stat(image.convert("L")).mean[0]
    assert 20 < mean < 200, mean


def test_g4_fax_is_shrunk_to_readable_grey_not_garbage(corpus_dir):
    prepared = prepare_file(corpus_dir / "g4-multi.tiff")
    image = prepared_pixels(corpus_dir / "g4-multi.tiff").convert("L")
    assert prepared.source.frames == 3
    assert prepared.width < 3307 and prepared.height / prepared.width == pytest.approx(
        4677 / 3307, rel=0.01
    )
    # A fax page is mostly white paper with dark text; properly filtered it stays that way.
    mean = ImageStat.Stat(image).mean[0]
    assert mean > 200, mean
    assert image.getextrema()[0] < 128  # the text survived


@pytest.mark.parametrize(
    ("name", "frames"),
    [
        ("chi.gif", 31),
        ("iss634.gif", 42),
        ("iss634.apng", 41),
        ("iss634.webp", 42),
        ("frozenpond.mpo", 2),
        ("multipage.tiff", 3),
        ("avif_star.avifs", 5),
        ("apng_mode_16bit.png", 3),
        ("flower.jpg", 1),
    ],
)
def test_frames_are_counted_and_only_the_first_is_sent(corpus_dir, name, frames):
    prepared = prepare_file(corpus_dir / name)
    assert prepared.source.frames == frames


def test_decompression_bombs_are_refused_as_too_many_pixels(corpus_dir):
    for name in ("decompression_bomb.gif", "decompression_bomb.ico"):
        with pytest.raises(ImageError) as refused:
            prepare_file(corpus_dir / name)
        assert refused.value.reason == "too_many_pixels", name
        message = refused.value.message("en")
        # what the file claims, said plainly: no made-up size, no "?" placeholders
        assert "claims 4" in message and "MP" in message and "?" not in message, message
        assert "32×32" not in message, message


def test_camera_metadata_is_reported_stripped(corpus_dir):
    prepared = prepare_file(corpus_dir / "flower.jpg")
    assert prepared.source.metadata_stripped
    assert b"Exif" not in prepared.data


def test_embedded_icc_profile_is_converted_to_srgb_before_it_is_stripped(corpus_dir):
    source = Image.open(corpus_dir / "icc_profile_big.jpg")
    profile = ImageCms.ImageCmsProfile(io.BytesIO(source.info["icc_profile"]))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    expected = ImageCms.profileToProfile(source.convert("RGB"), profile, srgb, outputMode="RGB")
    prepared = prepare_file(corpus_dir / "icc_profile_big.jpg")
    sent = Image.open(io.BytesIO(prepared.data))
    assert "icc_profile" not in sent.info
    assert max(ImageStat.Stat(ImageChops.difference(sent.convert("RGB"), expected)).mean) < 3
