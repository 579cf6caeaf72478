"""Behaviour of ``components.images.prepare.prepare_image`` on pictures built in code."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFile, ImageStat

from components.devtools import image_factory as make
from components.errors import ImageError
from components.images import budget
from components.images.policy import POLICIES
from components.images.prepare import prepare_file, prepare_image
from components.images.prepared import DETAILS
from tests.conftest import ROOT

ALLOWED_MIMES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def opened(prepared) -> Image.Image:
    image = Image.open(io.BytesIO(prepared.data))
    image.load()
    return image


@pytest.fixture(scope="module")
def phone_photo() -> bytes:
    """A 12 MP (4032×3024) camera JPEG with GPS in its EXIF."""
    return make.photo_jpeg(4032, 3024, gps=True, noise=False)


@pytest.fixture(scope="session")
def camera_200mp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "200mp.jpg"
    path.write_bytes(make.grey_jpeg(16384, 12200))
    return path


# Orientation, colour and transparency


def test_rotated_phone_photo_comes_out_upright():
    data = make.half_red_jpeg(400, 300, orientation=6)  # phone held upright: rotate 90° clockwise
    prepared = prepare_image(data, name="phone.jpg")
    image = opened(prepared).convert("RGB")
    assert (prepared.width, prepared.height) == (300, 400)
    assert prepared.source.orientation_applied
    right, left = image.getpixel((290, 200)), image.getpixel((10, 200))
    assert right[0] > 200 and right[2] < 60  # the stored top (red) is now on the right
    assert left[2] > 200 and left[0] < 60


def test_transparent_logo_is_flattened_on_white_not_black():
    prepared = prepare_image(make.transparent_logo_png(), name="logo.png")
    image = opened(prepared).convert("RGB")
    assert image.getpixel((2, 2)) == (255, 255, 255)
    assert image.getpixel((100, 100))[2] > 150  # the disc itself keeps its colour


def test_cmyk_jpeg_matches_its_rgb_original():
    data, rgb = make.cmyk_jpeg()
    image = opened(prepare_image(data, name="print.jpg")).convert("RGB")
    diff = ImageStat.Stat(ImageChops.difference(image, rgb)).mean
    assert max(diff) < 12, diff


def test_sixteen_bit_greyscale_is_scaled_not_blown_to_white():
    image = opened(prepare_image(make.sixteen_bit_png(), name="scan.png")).convert("L")
    mean = ImageStat.Stat(image).mean[0]
    assert 110 < mean < 145, mean
    assert image.getpixel((0, 10)) < 10 and image.getpixel((255, 10)) > 245


def test_palette_image_is_converted_before_shrinking_so_stripes_become_grey():
    prepared = prepare_image(make.striped_palette_png(), name="stripes.png", model="gpt-4o")
    image = opened(prepared).convert("L")
    assert (prepared.width, prepared.height) == (1024, 768)
    low, high = image.getextrema()
    assert low > 90 and high < 170, (low, high)  # NEAREST would keep pure black and white


def test_animated_gif_sends_its_first_frame_and_counts_frames():
    prepared = prepare_image(make.animated_gif(), name="anim.gif")
    assert prepared.source.frames == 3
    red, green, blue = opened(prepared).convert("RGB").getpixel((32, 24))
    assert red > 200 and green < 50 and blue < 50


def test_heic_photo_is_decoded():
    prepared = prepare_image(make.heic(), name="IMG_0001.HEIC")
    assert prepared.source.format == "HEIF"
    assert (prepared.width, prepared.height) == (320, 240)
    assert prepared.mime == "image/jpeg"


# Metadata and output


def test_gps_and_exif_are_stripped_and_reported(phone_photo):
    prepared = prepare_image(phone_photo, name="holiday.jpg")
    assert prepared.source.metadata_stripped
    assert b"Exif" not in prepared.data and b"KantuCam" not in prepared.data
    assert len(opened(prepared).getexif()) == 0


def test_photo_is_sent_as_jpeg_and_screenshot_as_png():
    photo = prepare_image(make.photo_jpeg(640, 480), name="photo.jpg")
    shot = prepare_image(make.screenshot_png(), name="screen.png")
    assert photo.mime == "image/jpeg"
    assert shot.mime == "image/png"
    assert opened(shot).mode in ("P", "L", "RGB")


def test_prepared_image_carries_hash_and_data_url():
    prepared = prepare_image(make.photo_jpeg(320, 240), name="x.jpg")
    assert prepared.sha256 == hashlib.sha256(prepared.data).hexdigest()
    assert prepared.data_url.startswith(f"data:{prepared.mime};base64,")
    assert base64.b64decode(prepared.data_url.split(",", 1)[1]) == prepared.data
    assert prepared.mime in ALLOWED_MIMES and prepared.name == "x.jpg"


# Detail policy and speed


def test_auto_detail_sends_what_the_provider_would_downscale_to():
    prepared = prepare_image(
        make.photo_jpeg(2000, 1000, noise=False), name="wide.jpg", model="gpt-4o"
    )
    assert (prepared.width, prepared.height) == (1536, 768)
    assert prepared.tokens == 85 + 170 * 6
    assert prepared.api_detail == "auto"


def test_dct_scaled_size_with_same_tokens_is_sent_without_resizing(phone_photo, monkeypatch):
    def no_resize(*args, **kwargs):
        raise AssertionError("resize should be skipped: 1008×756 costs the same 4 tiles")

    monkeypatch.setattr(Image.Image, "resize", no_resize)
    prepared = prepare_image(phone_photo, name="phone.jpg", model="gpt-4o")
    assert (prepared.width, prepared.height) == (1008, 756)
    assert prepared.tokens == 765


def test_low_detail_fits_512_and_costs_the_base(phone_photo):
    prepared = prepare_image(phone_photo, name="p.jpg", detail="low", model="gpt-4o")
    assert max(prepared.width, prepared.height) <= 512 and prepared.width >= 500
    assert prepared.tokens == 85
    assert prepared.api_detail == "low"


def test_max_detail_fits_2048_and_is_sent_as_high(phone_photo):
    prepared = prepare_image(phone_photo, name="p.jpg", detail="max")
    assert (prepared.width, prepared.height) == (2016, 1512)  # the 1/2 DCT decode, within 2048
    assert prepared.api_detail == "high"


def test_patch_priced_model_gets_at_most_1536_patches():
    data = make.photo_jpeg(1800, 2400, noise=False)
    prepared = prepare_image(data, name="tall.jpg", model="gpt-4.1-mini")
    patches = -(-prepared.width // 32) * -(-prepared.height // 32)
    assert patches <= 1536
    assert prepared.width < 1800 and prepared.tokens == round(1452 * 1.62 + 0.5)


def test_policy_table_has_a_row_for_every_family_and_detail():
    assert set(POLICIES) == {(family, detail) for family in ("tile", "patch") for detail in DETAILS}
    assert all(row.fit <= 2048 for row in POLICIES.values())
    assert {row.fit for (_, detail), row in POLICIES.items() if detail == "low"} == {512}


def test_small_image_is_never_upscaled():
    prepared = prepare_image(make.photo_jpeg(100, 80), name="tiny.jpg", detail="max")
    assert (prepared.width, prepared.height) == (100, 80)


def test_unknown_model_gets_a_capped_size_and_an_approximate_estimate(phone_photo):
    prepared = prepare_image(phone_photo, name="p.jpg", model="qwen-vl-max")
    assert max(prepared.width, prepared.height) <= 2048
    assert prepared.tokens_approximate


def test_200mp_camera_jpeg_is_accepted_cheaply(camera_200mp):
    # Peak memory in a fresh process: a full decode would hold 200 MB of pixels at least.
    code = (
        "from components.devtools.proc import status_mb\n"
        "from components.images.prepare import prepare_file\n"
        f"p = prepare_file({str(camera_200mp)!r})\n"
        "print(p.width, p.height, int(status_mb('VmHWM')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    width, height, peak_mb = map(int, out.stdout.split())
    assert max(width, height) <= 2048
    assert peak_mb < 150, f"peak RSS {peak_mb} MB"


# Refusals


@pytest.mark.parametrize(("width", "height"), [(40_000, 40_000), (9_000, 7_000)])
def test_png_bomb_header_is_refused_without_decoding(width, height, monkeypatch):
    def no_load(self):
        raise AssertionError("a bomb must be refused from its header")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_load)
    with pytest.raises(ImageError) as refused:
        prepare_image(make.png_bomb_header(width, height), name="bomb.png")
    assert refused.value.reason == "too_many_pixels"
    message = refused.value.message("en")
    assert f"{width}×{height}" in message and "bomb.png" in message and "50 MP" in message


def test_jpeg_over_200mp_is_refused_from_its_header(monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded a bomb"))
    with pytest.raises(ImageError) as refused:
        prepare_image(make.jpeg_claiming(20_000, 12_000), name="pano.jpg")
    assert refused.value.reason == "too_many_pixels"
    assert "20000×12000 pixels (240 MP) is over the 200 MP limit for JPEG" in refused.value.message(
        "en"
    )


def test_empty_file_is_refused():
    with pytest.raises(ImageError) as refused:
        prepare_image(b"", name="empty.jpg")
    assert refused.value.reason == "empty"
    assert "empty.jpg" in refused.value.message("en")


def test_text_file_is_refused_as_not_an_image():
    with pytest.raises(ImageError) as refused:
        prepare_image(b"hello, this is not a picture\n" * 10, name="notes.txt")
    assert refused.value.reason == "not_image"
    assert "Supported: JPEG" in refused.value.message("en")


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>', "SVG"),
        (b"<svg width='10' height='10'></svg>", "SVG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    ],
)
def test_svg_and_pdf_are_refused_by_sniffing(data, fmt):
    with pytest.raises(ImageError) as refused:
        prepare_image(data, name="drawing.png")  # the extension lies; the bytes decide
    assert refused.value.reason == "unsupported_format"
    assert f"{fmt} files are not supported" in refused.value.message("en")


def test_file_over_the_byte_limit_is_refused_before_decoding():
    data = make.photo_jpeg(320, 240)
    with pytest.raises(ImageError) as refused:
        prepare_image(data, name="big.jpg", max_bytes=1024)
    assert refused.value.reason == "too_many_bytes"
    assert "over the 0 MB limit" not in refused.value.message("en")
    assert "MB" in refused.value.message("en")


def test_truncated_jpeg_is_recovered_and_flagged():
    data = make.photo_jpeg(640, 480)
    prepared = prepare_image(data[: len(data) * 2 // 3], name="cut.jpg")
    assert prepared.source.truncated
    assert (prepared.width, prepared.height) == (640, 480)


def test_damaged_png_is_refused_as_corrupt_without_traceback():
    data = make.screenshot_png(64, 64)
    damaged = data[:40] + bytes(reversed(data[40:]))
    with pytest.raises(ImageError) as refused:
        prepare_image(damaged, name="broken.png")
    assert refused.value.reason == "corrupt"


def test_missing_file_is_a_refusal_not_an_exception(tmp_path):
    with pytest.raises(ImageError) as refused:
        prepare_file(tmp_path / "nowhere.jpg")
    assert "nowhere.jpg" in refused.value.message("en")
    assert refused.value.reason == "unreadable"  # not mistaken for "not an image"


def test_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.jpg"
    path.write_bytes(b"\xff\xd8\xff" + b"\0" * 4096)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read an oversized file"))
    with pytest.raises(ImageError) as refused:
        prepare_file(path, max_bytes=1000)
    assert refused.value.reason == "too_many_bytes"


# Pictures that used to be refused as corrupt (issue 7, item 9)


def test_long_thin_jpeg_at_low_detail_is_prepared():
    # Image.draft divided by zero: 7 rows at a 1/8 scale asked for 0 rows.
    prepared = prepare_image(make.photo_jpeg(4000, 7, noise=False), name="strip.jpg", detail="low")
    assert (prepared.width, prepared.height) == (512, 1)


@pytest.mark.parametrize("detail", DETAILS)
def test_one_pixel_wide_jpeg_is_prepared_at_every_detail(detail):
    prepared = prepare_image(make.photo_jpeg(3, 9000, noise=False), name="line.jpg", detail=detail)
    for sent in prepared.parts or (prepared,):  # slices: each part is what goes out
        assert sent.width >= 1 and sent.height <= 2048


def test_rotated_photo_with_a_wrong_typed_exif_tag_comes_out_upright():
    data = make.oriented_jpeg_with_wrong_make(400, 300)
    prepared = prepare_image(data, name="odd-camera.jpg")
    image = opened(prepared).convert("RGB")
    assert (prepared.width, prepared.height) == (300, 400)
    assert prepared.source.orientation_applied and prepared.source.metadata_stripped
    right, left = image.getpixel((290, 200)), image.getpixel((10, 200))
    assert right[0] > 200 and right[2] < 60
    assert left[2] > 200 and left[0] < 60


# Memory bombs (issue 7, item 2): refused from the header, before any pixel is allocated


@pytest.fixture
def no_decoding(monkeypatch):
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded a bomb"))


def test_progressive_jpeg_is_budgeted_by_its_full_size(no_decoding):
    with pytest.raises(ImageError) as refused:
        prepare_image(make.progressive_jpeg_claiming(16384, 12200), name="pano.jpg")
    assert refused.value.reason == "too_much_memory"
    message = refused.value.message("en")
    assert "pano.jpg" in message and "16384×12200" in message and "256 MB" in message
    assert "内存" in refused.value.message("zh")


def test_baseline_jpeg_of_the_same_size_fits_the_budget_through_dct_scaling():
    frame = budget.JpegFrame(16384, 12200, ((2, 2), (1, 1), (1, 1)), False, False, False)
    progressive = budget.JpegFrame(16384, 12200, ((2, 2), (1, 1), (1, 1)), True, True, False)
    scaled = (2048, 1525)
    need = budget.decode_memory("JPEG", "RGB", scaled, scaled, transparency=False, alpha=False)
    assert need + 2_400_000 < budget.MEMORY_BUDGET
    assert (
        budget.decode_memory(
            "JPEG", "RGB", scaled, scaled, transparency=False, alpha=False, jpeg=frame
        )
        == need
    )
    coefficients = progressive.coefficient_bytes()
    # 2 bytes per sample, chroma at a quarter, rows padded to whole 16-px MCUs.
    assert 16384 * 12200 * 3 <= coefficients <= 16384 * 12208 * 3
    assert coefficients > budget.MEMORY_BUDGET


@pytest.mark.parametrize("cut", [True, False], ids=["83-byte cut", "complete 97 KB"])
def test_sixteen_bit_grey_png_with_transparency_at_50_mp_is_refused_for_memory(cut, no_decoding):
    data = make.grey16_trns_png(7071, cut=cut)
    with pytest.raises(ImageError) as refused:
        prepare_image(data, name="scan16.png")
    assert refused.value.reason == "too_much_memory"
    assert "7071×7071" in refused.value.message("en")


def test_sixteen_bit_grey_png_with_transparency_at_a_normal_size_is_prepared():
    prepared = prepare_image(make.grey16_trns_png(600), name="scan16.png")
    assert prepared.source.format == "PNG"
    assert opened(prepared).convert("L").getpixel((5, 5)) == 0  # tRNS is white: black stays


def test_one_input_at_the_budget_stays_under_300_mb_in_a_fresh_process(tmp_path):
    # A 24 MP RGBA PNG comes near the 256 MiB budget: the stated peak must hold, interpreter in.
    image = make.photo(6000, 4000, noise=False).convert("RGBA")
    path = tmp_path / "rgba.png"
    image.save(path, "PNG", compress_level=1)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child started by a large
    # pytest process would report the parent's peak.
    code = (
        "from components.devtools.proc import status_mb\n"
        "from components.images.prepare import prepare_file\n"
        f"p = prepare_file({str(path)!r})\n"
        "print(p.width, int(status_mb('VmHWM')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    width, peak_mb = map(int, out.stdout.split())
    assert width > 0 and peak_mb < 300, f"peak RSS {peak_mb} MB"


# CPU bombs (issue 7, item 3): parts counted on the bytes, refused past the cap


@pytest.mark.parametrize(
    ("data", "part"),
    [
        (make.jpeg_with_segments(budget.MAX_JPEG_SEGMENTS + 1), "marker segments"),
        (make.jpeg_with_filler(budget.MAX_JPEG_FILLER + 1), "filler"),
        (make.png_with_chunks(budget.MAX_PNG_CHUNKS + 1), "chunks"),
        (make.gif_with_blocks(budget.MAX_GIF_BLOCKS + 1), "data blocks"),
        (make.tiff_pages(budget.MAX_FRAMES + 1), "pages"),
    ],
    ids=["jpeg-segments", "jpeg-filler", "png-chunks", "gif-blocks", "tiff-pages"],
)
def test_file_with_too_many_parts_is_refused_before_pillow_walks_them(data, part, monkeypatch):
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("Pillow walked the parts"))
    with pytest.raises(ImageError) as refused:
        prepare_image(data, name="spam.bin")
    assert refused.value.reason == "too_complex"
    message = refused.value.message("en")
    assert message.startswith("spam.bin") and part in message


@pytest.mark.parametrize(
    "data",
    [
        make.jpeg_with_segments(budget.MAX_JPEG_SEGMENTS - 10),
        make.png_with_chunks(1000),
        make.gif_with_blocks(1000),
    ],
    ids=["jpeg-segments", "png-chunks", "gif-blocks"],
)
def test_file_with_many_parts_under_the_cap_is_prepared(data):
    assert prepare_image(data, name="many.bin").width > 0


def test_multi_page_tiff_counts_pages_without_walking_them_in_pillow(monkeypatch):
    from PIL import TiffImagePlugin

    def no_walk(self):
        raise AssertionError("n_frames walks every page")

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "n_frames", property(no_walk))
    prepared = prepare_image(make.tiff_pages(300), name="scan.tif")
    assert prepared.source.frames == 300


# Concurrency (issue 7, item 10; issue 8, item 3)


def test_truncated_png_retry_never_lets_a_truncated_jpeg_decode_without_the_flag():
    # Thread A keeps preparing a cut PNG (its lenient retry sets Pillow's global switch) while
    # thread B prepares a cut JPEG: B must find it cut every time, never decode it leniently.
    png = make.photo(1600, 1200).convert("P")
    png_data = make.encode(png, "PNG", compress_level=1)
    png_data = png_data[: len(png_data) // 2]
    photo = make.photo_jpeg(320, 240)
    jpeg = photo[: len(photo) * 2 // 3]
    done = threading.Event()
    png_truncated: list[bool] = []

    def keep_preparing_the_png() -> None:
        while not done.is_set():
            png_truncated.append(prepare_image(png_data, name="cut.png").source.truncated)

    other = threading.Thread(target=keep_preparing_the_png)
    other.start()
    try:
        jpeg_truncated = [prepare_image(jpeg, name="cut.jpg").source.truncated for _ in range(150)]
    finally:
        done.set()
        other.join(timeout=60)
    assert png_truncated and all(png_truncated)
    assert jpeg_truncated == [True] * 150


def test_at_most_the_stated_number_of_preparations_decode_at_once(monkeypatch):
    from components.images import prepare as prepare_module

    active, peak = 0, 0
    lock = threading.Lock()
    both_in = threading.Barrier(budget.CONCURRENT_PREPARATIONS, timeout=30)
    real_decode = prepare_module.decode

    def counting_decode(*args, **kwargs):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            both_in.wait()  # proves two run together; a third would find the barrier reset
            return real_decode(*args, **kwargs)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(prepare_module, "decode", counting_decode)
    threads = [
        threading.Thread(target=prepare_image, args=(make.photo_jpeg(64, 48),), kwargs={"name": n})
        for n in "abcdef"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert peak == budget.CONCURRENT_PREPARATIONS
