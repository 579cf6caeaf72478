"""Long screenshots and small print: slicing geometry, token sums, the cap, the request, zoom."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from components.devtools import image_factory as make
from components.devtools.upstream import sse
from components.errors import ImageError
from components.images.legibility import LEGIBLE_TEXT_PX
from components.images.policy import policy_for, target_size
from components.images.prepare import prepare_image, prepare_region
from components.images.slicing import MIN_OVERLAP, plan_slices, slice_cost
from components.images.tokens import estimate_image_tokens
from components.providers.client import ChatClient
from components.providers.presets import PRESETS
from components.providers.send_limits import (
    MAX_IMAGES_PER_MESSAGE,
    TooManyImagesError,
    check_send_limits,
    data_url_length,
    measure_request,
)
from components.providers.settings import resolve_settings
from components.turns import ChatTurn

MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "o4-mini", "unknown-vl")
KEY = "sk-slices-test-key-000000"


@pytest.fixture(scope="module")
def screenshot() -> bytes:
    return make.long_screenshot(1170, 9000)


def _opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


# --- geometry ------------------------------------------------------------------------------------


@given(
    width=st.integers(1, 5000),
    height=st.integers(1, 70000),
    model=st.sampled_from(MODELS),
)
def test_slices_cover_every_row_in_order_overlap_and_are_never_downscaled_again(
    width, height, model
):
    family = "patch" if model in ("gpt-4.1-mini", "o4-mini") else "tile"
    plan = plan_slices(width, height, family)
    long_axis = 1 if plan.axis == "vertical" else 0
    starts = [box[long_axis] for box in plan.boxes]
    ends = [box[long_axis + 2] for box in plan.boxes]
    assert starts == sorted(starts) and starts[0] == 0  # in order, from the top (or the left)
    assert ends[-1] == plan.scaled[long_axis]  # down to the last row
    for end, next_start in zip(ends, starts[1:], strict=False):
        assert end - next_start >= MIN_OVERLAP  # no gap, and a line of text fits in the overlap
    for box in plan.boxes:
        size = (box[2] - box[0], box[3] - box[1])
        assert box[0] >= 0 and box[1] >= 0
        assert box[2] <= plan.scaled[0] and box[3] <= plan.scaled[1]
        # The provider's own rule at high detail leaves every slice exactly as it is.
        assert target_size(*size, policy_for(model, "slices")) == size
        assert target_size(*size, policy_for(model, "high")) == size


def test_a_wide_panorama_is_sliced_left_to_right():
    plan = plan_slices(12000, 1000, "tile")
    assert plan.axis == "horizontal" and len(plan.boxes) > 1
    assert all(box[1] == 0 and box[3] == plan.scaled[1] == 768 for box in plan.boxes)
    assert [box[0] for box in plan.boxes] == sorted(box[0] for box in plan.boxes)


def test_a_picture_that_fits_is_one_slice_at_the_size_high_would_send():
    plan = plan_slices(1600, 1200, "tile")
    assert len(plan.boxes) == 1 and plan.scaled == target_size(
        1600, 1200, policy_for("gpt-4o", "high")
    )


# --- prepared slices, tokens and the cap ---------------------------------------------------------


def test_sliced_screenshot_keeps_its_text_legible_and_its_parts_match_the_plan(screenshot):
    whole = prepare_image(screenshot, name="chat.png", detail="auto", model="gpt-4o")
    sliced = prepare_image(screenshot, name="chat.png", detail="slices", model="gpt-4o")
    assert whole.legibility.illegible  # 1170×9000 → 266×2048: flagged before sending
    assert not sliced.legibility.illegible
    assert sliced.legibility.text_height >= 2 * whole.legibility.text_height
    assert sliced.legibility.text_height >= LEGIBLE_TEXT_PX
    plan = plan_slices(1170, 9000, "tile")
    assert len(sliced.parts) == len(plan.boxes) > 1
    tops = [part.top for part in sliced.parts]
    assert tops == sorted(tops) and tops[0] == 0 and sliced.parts[-1].box[3] == 9000
    for part in sliced.parts:
        assert _opened(part.data).size == (part.width, part.height) == (768, 2048)
        assert part.detail == "high"


@pytest.mark.parametrize("model", MODELS)
def test_token_estimate_is_the_sum_over_slices_and_matches_the_cost_shown_first(screenshot, model):
    sliced = prepare_image(screenshot, name="chat.png", detail="slices", model=model)
    each = [
        estimate_image_tokens(p.width, p.height, model=model, detail="high").tokens
        for p in sliced.parts
    ]
    assert [p.tokens for p in sliced.parts] == each
    assert sliced.tokens == sum(each)
    cost = slice_cost(1170, 9000, model)  # what the page shows before anything is prepared
    assert (cost.count, cost.tokens) == (len(sliced.parts), sliced.tokens)


def test_slice_cap_refuses_a_page_that_would_cost_a_fortune_and_says_how_many(screenshot):
    needed = len(plan_slices(1170, 9000, "tile").boxes)
    with pytest.raises(ImageError) as caught:
        prepare_image(screenshot, name="chat.png", detail="slices", max_slices=needed - 1)
    err = caught.value
    assert err.reason == "too_many_slices"
    assert str(needed) in err.message("en") and str(needed - 1) in err.message("en")
    assert str(needed) in err.message("zh")
    assert prepare_image(screenshot, name="chat.png", detail="slices", max_slices=needed).parts


def test_a_sliced_picture_counts_as_one_toward_the_per_message_cap(screenshot):
    sliced = prepare_image(screenshot, name="chat.png", detail="slices", model="gpt-4o")
    photos = tuple(
        prepare_image(make.photo_jpeg(64 + i, 48), name=f"{i}.jpg", model="gpt-4o")
        for i in range(MAX_IMAGES_PER_MESSAGE - 1)
    )
    preset = PRESETS["openai"]
    fits = [ChatTurn("user", "?", (sliced, *photos))]
    assert len(sliced.parts) + len(photos) > MAX_IMAGES_PER_MESSAGE
    assert check_send_limits(fits, preset=preset, model="gpt-4o") is None
    extra = make.photo_jpeg(32, 32)
    over = [ChatTurn("user", "?", (*fits[0].images, prepare_image(extra, name="x.jpg")))]
    assert isinstance(check_send_limits(over, preset=preset, model="gpt-4o"), TooManyImagesError)
    size = measure_request(fits, model="gpt-4o")
    assert size.image_tokens == sliced.tokens + sum(p.tokens for p in photos)


# --- the request ---------------------------------------------------------------------------------


def test_slices_go_as_consecutive_image_parts_after_a_note_and_measure_as_sent(
    screenshot, upstream
):
    sliced = prepare_image(screenshot, name="chat.png", detail="slices", model="gpt-4o")
    turns = [ChatTurn("user", "总结一下聊天记录", (sliced,))]
    upstream.enqueue(sse(["好的。"]))
    settings = resolve_settings(
        base_url=upstream.base_url, api_key=KEY, model="gpt-4o", environ={}, backoff_factor=0
    )
    with ChatClient(settings) as client:
        assert "".join(client.stream_chat(turns)) == "好的。"
    content = upstream.requests[0].json["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "总结一下聊天记录"}
    note = content[1]["text"]
    assert "top to bottom" in note and "从上到下" in note and str(len(sliced.parts)) in note
    urls = [p["image_url"]["url"] for p in content[2:]]
    assert [p["type"] for p in content[2:]] == ["image_url"] * len(sliced.parts)
    assert urls == [part.data_url for part in sliced.parts]  # in order; not the overview
    assert data_url_length(sliced) == sum(len(url) for url in urls)
    assert measure_request(turns).image_bytes == sum(len(url) for url in urls)


def test_a_zoom_sends_the_whole_at_low_detail_then_the_region_at_high(upstream):
    data, _ = make.small_print_photo(4000, 3000)
    whole = prepare_image(data, name="label.jpg", detail="high", model="gpt-4o")
    zoom = prepare_region(data, name="label.jpg", zone=(1, 1), model="gpt-4o")
    low, crop = zoom.parts
    assert low.detail == "low" and low.box == (0, 0, 4000, 3000)
    assert crop.detail == "high" and zoom.region == crop.box
    left, top, right, bottom = crop.box
    assert left < 4000 / 3 < 2 * 4000 / 3 < right and top < 1000 < 2000 < bottom
    # The label's pixels reach the provider at over twice the scale of the whole picture.
    assert crop.width / (right - left) > 2 * whole.width / 4000
    upstream.enqueue(sse(["OK"]))
    settings = resolve_settings(
        base_url=upstream.base_url, api_key=KEY, model="gpt-4o", environ={}, backoff_factor=0
    )
    with ChatClient(settings) as client:
        "".join(client.stream_chat([ChatTurn("user", "read the label", (zoom,))]))
    content = upstream.requests[0].json["messages"][-1]["content"]
    images = [p["image_url"] for p in content if p["type"] == "image_url"]
    assert [i["detail"] for i in images] == ["low", "high"]
    assert [i["url"] for i in images] == [low.data_url, crop.data_url]


def test_zone_outside_the_grid_is_a_callers_bug():
    with pytest.raises(ValueError):
        prepare_region(make.photo_jpeg(90, 60), name="x.jpg", zone=(3, 0))


def test_an_ordinary_photo_is_not_taken_for_small_print():
    # An orange disc on white, and a noisy gradient: outlines and JPEG noise are not text lines.
    disc = Image.new("RGB", (1200, 900), "white")
    ImageDraw.Draw(disc).ellipse((300, 150, 900, 750), fill=(255, 140, 0))
    for picture in (make.encode(disc, "JPEG", quality=90), make.photo_jpeg(4000, 3000)):
        prepared = prepare_image(picture, name="photo.jpg", model="gpt-4o-mini")
        assert prepared.legibility is not None and not prepared.legibility.illegible
