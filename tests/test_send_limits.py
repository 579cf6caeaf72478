"""Send limits: what a request sends is bounded before it leaves, counted as it is sent.

Pictures are prepared from generated photos; where a test needs a picture of an exact size that no
preparation would produce (a 4.84 MB JPEG), it builds the ``PreparedImage`` directly.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from components.cli.ask import prepare_pictures
from components.conversation.context_choice import ALL
from components.conversation.history import Conversation, ErrorInfo
from components.devtools.image_factory import encode, photo_jpeg
from components.devtools.upstream import FakeUpstream, sse
from components.errors import TooLargeError
from components.i18n import LANGS, t
from components.images.prepare import DEFAULT_MAX_BYTES, prepare_image
from components.images.prepared import PreparedImage, SourceFacts
from components.providers.client import ChatClient
from components.providers.context_windows import (
    CONTEXT_WINDOWS,
    DEFAULT_CONTEXT_TOKENS,
    context_window,
)
from components.providers.presets import PRESETS, get_preset
from components.providers.send_limits import (
    MAX_IMAGES_PER_MESSAGE,
    MB,
    ContextTooLongError,
    ImageTooBigToSendError,
    RequestTooBigToSendError,
    SendLimitError,
    TooManyImagesError,
    check_send_limits,
    data_url_length,
    measure_request,
)
from components.providers.settings import resolve_settings
from components.turns import ChatTurn
from tests.conftest import ROOT

KEY = "sk-limits-0123456789abcdef"
OPENAI, ZHIPU, CUSTOM = get_preset("openai"), get_preset("zhipu"), get_preset("custom")
KINDS = (TooManyImagesError, ImageTooBigToSendError, RequestTooBigToSendError, ContextTooLongError)


def photos(
    n: int, *, model: str = "gpt-4o-mini", detail: str = "auto", size: tuple[int, int] = (320, 240)
) -> list[PreparedImage]:
    """Prepare ``n`` different generated photos (each a pixel taller than the last)."""
    width, height = size
    return [
        prepare_image(photo_jpeg(width, height + i), name=f"p{i}.jpg", model=model, detail=detail)
        for i in range(n)
    ]


def sized_image(raw_bytes: int, name: str = "big.jpg") -> PreparedImage:
    """Return a prepared JPEG of exactly ``raw_bytes`` bytes, as a huge photo might prepare to."""
    data = b"\xff\xd8" + bytes(raw_bytes - 2)
    return PreparedImage(
        data=data,
        mime="image/jpeg",
        width=2048,
        height=1536,
        detail="max",
        tokens=1105,
        tokens_approximate=False,
        sha256=hashlib.sha256(data).hexdigest(),
        source=SourceFacts("JPEG", 8000, 6000, raw_bytes),
        name=name,
    )


def messages(err: SendLimitError) -> dict[str, str]:
    return {lang: err.message(lang) for lang in LANGS}


# --- the per-message cap ----------------------------------------------------------------------


def test_fifty_photos_in_one_message_are_refused_with_the_cap():
    turns = [ChatTurn("user", "这些照片里分别有什么？", tuple(photos(50, detail="low")))]

    err = check_send_limits(turns, preset=OPENAI, model="gpt-4o-mini")

    assert isinstance(err, TooManyImagesError) and isinstance(err, TooLargeError)
    text = messages(err)
    assert "50" in text["en"] and f"at most {MAX_IMAGES_PER_MESSAGE}" in text["en"]
    assert "several messages" in text["en"]
    assert "50 张" in text["zh"] and f"最多发送 {MAX_IMAGES_PER_MESSAGE} 张" in text["zh"]


def test_the_cap_itself_is_allowed():
    turns = [ChatTurn("user", "compare", tuple(photos(MAX_IMAGES_PER_MESSAGE, detail="low")))]
    assert check_send_limits(turns, preset=OPENAI, model="gpt-4o-mini") is None


# --- bytes as sent: base64 ----------------------------------------------------------------------


def test_measured_bytes_are_the_data_url_the_upstream_receives(upstream):
    image = prepare_image(photo_jpeg(1600, 1200), name="phone.jpg", model="gpt-4o")
    turns = [ChatTurn("user", "What is this?", (image,))]
    upstream.enqueue(sse(["A gradient."]))
    settings = resolve_settings(
        base_url=upstream.base_url, api_key=KEY, model="gpt-4o", environ={}, backoff_factor=0
    )

    with ChatClient(settings) as client:
        assert "".join(client.stream_chat(turns)) == "A gradient."

    sent = upstream.requests[0].json["messages"][0]["content"][1]["image_url"]["url"]
    assert data_url_length(image) == len(sent) == len(image.data_url)
    assert measure_request(turns).image_bytes == len(sent)
    assert len(sent) > len(image.data) * 4 // 3  # base64 is a third larger than the JPEG


def test_pictures_whose_raw_bytes_fit_a_request_but_base64_does_not_are_refused():
    # The red-team case: 48.4 MB of pictures passes a 50 MB limit; their base64 is 64.5 MB.
    images = tuple(sized_image(round(4.84 * MB), f"scan{i}.jpg") for i in range(10))
    assert sum(len(image.data) for image in images) < CUSTOM.max_request_image_bytes

    err = check_send_limits(
        [ChatTurn("user", "Read these pages", images)], preset=CUSTOM, model="gpt-4o"
    )

    assert isinstance(err, RequestTooBigToSendError)
    text = messages(err)
    assert "64.5 MB" in text["en"] and "50 MB per request" in text["en"]
    assert "64.5 MB" in text["zh"] and "50 MB" in text["zh"]
    assert "new chat" in text["en"] and "新对话" in text["zh"]


def test_a_picture_whose_raw_bytes_fit_but_base64_does_not_is_refused_by_name():
    image = sized_image(round(4.5 * MB), "screenshot.png")  # Zhipu: 5 MB per picture
    assert len(image.data) < ZHIPU.max_image_bytes

    err = check_send_limits(
        [ChatTurn("user", "读一下", (image,))], preset=ZHIPU, model="glm-4v-flash"
    )

    assert isinstance(err, ImageTooBigToSendError)
    assert "screenshot.png is 6.0 MB as sent" in err.message("en")
    assert "5 MB per picture" in err.message("en")
    assert "screenshot.png" in err.message("zh") and "6.0 MB" in err.message("zh")


def test_a_size_just_over_the_limit_never_reads_as_equal_to_it():
    image = sized_image(15 * MB + 1)  # base64 just over 20 MB
    err = check_send_limits([ChatTurn("user", "?", (image,))], preset=CUSTOM, model="gpt-4o")
    assert isinstance(err, ImageTooBigToSendError)
    assert "20.01 MB as sent" in err.message("en")


def test_pictures_from_earlier_turns_count_towards_the_request():
    image = sized_image(3 * MB)  # 4 MB as sent; Zhipu takes 20 MB per request
    conversation = Conversation()
    for turn in range(5):
        conversation.add_user(f"question {turn}", [variant(image, turn)])
        conversation.add_answer(f"answer {turn}")
    turns = conversation.request_turns(ALL)  # every earlier picture sent again
    assert check_send_limits(turns[:-2], preset=ZHIPU, model="glm-4v-plus-0111") is None

    err = check_send_limits(turns, preset=ZHIPU, model="glm-4v-plus-0111")

    assert isinstance(err, RequestTooBigToSendError)
    assert "The 5 pictures" in err.message("en") and "sent again" in err.message("en")


def variant(image: PreparedImage, n: int) -> PreparedImage:
    """Return another picture of the same size (different bytes, so stored separately)."""
    data = image.data + n.to_bytes(2, "big")
    return PreparedImage(
        data=data,
        mime=image.mime,
        width=image.width,
        height=image.height,
        detail=image.detail,
        tokens=image.tokens,
        tokens_approximate=image.tokens_approximate,
        sha256=hashlib.sha256(data).hexdigest(),
        source=image.source,
        name=f"{n}.jpg",
    )


# --- the context window -------------------------------------------------------------------------


def test_five_photos_on_gpt_4o_mini_are_not_refused_for_their_billed_tokens():
    # gpt-4o-mini bills 25,501 tokens for a photo at auto (33⅓ × gpt-4o's 765); the model's
    # context holds the 765, so five photos are nowhere near 128,000.
    question = "这五张照片分别是在哪里拍的？"
    turns = [ChatTurn("user", question, tuple(photos(5, size=(1600, 1200))))]
    assert sum(image.tokens for image in turns[0].images) == 5 * 25_501

    assert check_send_limits(turns, preset=OPENAI, model="gpt-4o-mini", max_tokens=800) is None
    size = measure_request(turns, max_tokens=800, model="openai/gpt-4o-mini")
    assert size.image_tokens == 5 * 25_501
    assert size.total_tokens == 5 * 765 + 14 + 4 + 3 + 800  # + 3: the reply's priming


def test_an_estimate_over_the_context_is_refused_with_the_suggestion():
    # Zhipu's glm-4v-flash: an 8,192-token window (marked as not confirmed). Three questions with
    # four photos each, at gpt-4o's fallback rule of 765 tokens a photo, do not fit.
    turns = []
    for n in range(3):
        turns.append(
            ChatTurn(
                "user",
                "这几张照片分别是在哪里拍的？",
                tuple(photos(4, model="glm-4v-flash", size=(1600, 1200))),
            )
        )
        if n < 2:
            turns.append(ChatTurn("assistant", "好的"))

    err = check_send_limits(turns, preset=ZHIPU, model="glm-4v-flash", max_tokens=800)

    assert isinstance(err, ContextTooLongError)
    en, zh = err.message("en"), err.message("zh")
    assert "pictures 9,180" in en and "answer 800" in en
    assert "glm-4v-flash's context of ~8,192 tokens" in en
    assert "detail to “low”" in en and "fewer pictures" in en and "new chat" in en
    assert "8,192" in zh and "“低”" in zh and "新对话" in zh


def test_following_the_suggestion_lowers_the_estimate_under_the_window():
    turns = []
    for n in range(3):
        images = tuple(photos(4, model="glm-4v-flash", detail="low", size=(1600, 1200)))
        turns.append(ChatTurn("user", "这几张照片分别是在哪里拍的？", images))
        if n < 2:
            turns.append(ChatTurn("assistant", "好的"))
    assert check_send_limits(turns, preset=ZHIPU, model="glm-4v-flash", max_tokens=800) is None


def test_long_text_alone_can_overflow_a_small_window():
    history = [
        ChatTurn("user", "长" * 8_000),
        ChatTurn("assistant", "短"),
        ChatTurn("user", "再说"),
    ]
    err = check_send_limits(history, preset=ZHIPU, model="glm-4v-flash", system="你是助手")
    assert isinstance(err, ContextTooLongError)
    assert "context of ~8,192 tokens" in err.message("en")  # not confirmed by Zhipu


def test_a_normal_photo_question_passes(upstream):
    phone = photo_jpeg(4032, 3024)
    image = prepare_image(phone, name="IMG_0001.jpg", model="gpt-4o-mini")
    turns = [ChatTurn("user", "这是什么地方？", (image,))]
    preset = get_preset("bingcheng")

    assert check_send_limits(turns, preset=preset, model="gpt-4o-mini") is None
    size = measure_request(turns)
    assert size.images == 1 and size.image_bytes < preset.max_image_bytes
    # picture, question, overhead, the reply's priming (as the estimate shown counts it), answer
    assert size.total_tokens == 25_501 + 7 + 4 + 3 + 1_000


def test_unknown_model_uses_the_default_window_and_still_works(upstream):
    model = "acme-vision-7b"
    window = context_window("custom", model)
    assert window.tokens == DEFAULT_CONTEXT_TOKENS and window.approximate

    image = prepare_image(photo_jpeg(1600, 1200), name="a.jpg", model=model)
    turns = [ChatTurn("user", "What is this?", (image,))]
    assert check_send_limits(turns, preset=CUSTOM, model=model) is None
    upstream.enqueue(sse(["A gradient."]))
    settings = resolve_settings(
        base_url=upstream.base_url, api_key=KEY, model=model, environ={}, backoff_factor=0
    )
    with ChatClient(settings) as client:
        assert "".join(client.stream_chat(turns)) == "A gradient."

    err = check_send_limits(turns, preset=CUSTOM, model=model, max_tokens=40_000)
    assert isinstance(err, ContextTooLongError)
    assert "context of ~32,768 tokens" in err.message("en")  # marked as an assumption


def test_a_known_model_behind_another_url_gets_its_window_marked_approximate():
    window = context_window("custom", "gpt-4o-mini")
    assert window.tokens == 128_000 and window.approximate
    assert context_window("ollama", "qwen2.5vl:7b").tokens == 128_000
    # The same model name is hosted with different windows: the smaller one is assumed.
    assert context_window("custom", "Qwen/Qwen2.5-VL-72B-Instruct").tokens == 32_768


def test_every_preset_model_has_a_dated_sourced_window():
    for preset in PRESETS.values():
        for model in preset.vision_models:
            row = CONTEXT_WINDOWS.get((preset.id, model.lower()))
            assert row is not None, (preset.id, model)
            assert row.tokens >= 4_096 and row.checked and row.source


# --- messages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [cls.kind for cls in KINDS])
def test_every_send_limit_has_its_own_message_in_both_languages(kind):
    zh, en = t(f"error.{kind}", "zh"), t(f"error.{kind}", "en")
    assert zh != f"error.{kind}" and en != f"error.{kind}" and zh != en
    assert en != t("error.too_large", "en")


def test_the_history_keeps_the_numbers_of_a_refusal():
    turns = [ChatTurn("user", "?", tuple(photos(12, detail="low")))]
    err = check_send_limits(turns, preset=OPENAI, model="gpt-4o")
    info = ErrorInfo.from_error(err)
    assert "12" in info.message("en") and "12" in info.message("zh")
    assert info.kind == "too_many_images"


# --- input limits: 50 MB per file for the CLI as for the page -----------------------------------


def noise_jpeg(path: Path, min_bytes: int) -> Path:
    """Write a JPEG of sensor-like noise of at least ``min_bytes`` (noise does not compress)."""
    side = 1000
    while True:
        data = encode(Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)), "JPEG")
        if len(data) >= min_bytes:
            path.write_bytes(data)
            return path
        side = int(side * 1.3)


def test_ask_prepares_a_six_mb_photo_for_zhipu(tmp_path):
    # ask picks the preset from the base URL, so a loopback URL cannot be Zhipu: call
    # prepare_pictures directly.
    photo = noise_jpeg(tmp_path / "photo.jpg", 6 * MB)
    settings = resolve_settings(preset_id="zhipu", api_key=KEY, environ={})

    images = prepare_pictures([str(photo)], settings, "auto")

    assert (
        check_send_limits(
            [ChatTurn("user", "这是什么？", tuple(images))], preset=ZHIPU, model=settings.model
        )
        is None
    )
    assert data_url_length(images[0]) < ZHIPU.max_image_bytes


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KANTU_", "OPENAI_"))}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def ask(up: FakeUpstream, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "components", "ask", "--base-url", up.base_url]
    return subprocess.run(
        [*command, "--api-key", KEY, *args],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_ask_sends_a_file_over_the_providers_per_picture_limit_once_prepared(upstream, tmp_path):
    # A custom URL takes 20 MB per picture; the 22 MB file prepares to far less.
    scan = noise_jpeg(tmp_path / "scan.jpg", 22 * MB)
    upstream.enqueue(sse(["Noise."]))

    done = ask(upstream, "What is this?", "--image", str(scan))

    assert done.returncode == 0, done.stderr
    assert done.stdout == "Noise.\n"
    url = upstream.requests[0].json["messages"][0]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,") and len(url) < CUSTOM.max_image_bytes
    assert base64.b64decode(url.split(",", 1)[1])[:2] == b"\xff\xd8"


def test_ask_refuses_a_file_over_50_mb_and_sends_nothing(upstream, tmp_path):
    huge = tmp_path / "huge.jpg"
    huge.write_bytes(photo_jpeg(64, 48))
    os.truncate(huge, DEFAULT_MAX_BYTES + 1)  # sparse: the size is checked before reading

    done = ask(upstream, "What is this?", "--image", str(huge))

    assert done.returncode == 2
    assert "huge.jpg" in done.stderr and "50" in done.stderr
    assert upstream.requests == []


def test_ask_with_fifty_photos_refuses_with_the_cap_and_sends_nothing(upstream, tmp_path):
    paths = []
    for i in range(50):
        path = tmp_path / f"p{i:02}.jpg"
        path.write_bytes(photo_jpeg(160 + i, 120))
        paths += ["--image", str(path)]
    upstream.enqueue(sse(["Fifty photos."]))

    done = ask(upstream, "What is in each?", *paths)

    assert done.returncode == 2  # a usage error: nothing was sent
    assert "50 pictures" in done.stderr and "at most 10 per message" in done.stderr
    assert upstream.requests == []
