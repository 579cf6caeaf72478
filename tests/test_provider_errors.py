"""What providers say becomes the right error: 冰橙's HTTP-200 bodies, OpenAI, one-api, gateways."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components.devtools.upstream import (
    BINGCHENG_ERRORS,
    FakeUpstream,
    bingcheng_error,
    events,
    html,
    json_reply,
    openai_error,
    raw,
)
from components.errors import (
    AuthError,
    ConfigError,
    ContentFilterError,
    ImageError,
    InvalidInputError,
    ModelNotFoundError,
    OversizedAnswerError,
    ProtocolError,
    ProviderError,
    QuotaError,
    RateLimitError,
    ServerError,
    TooLargeError,
)
from components.i18n import t
from components.providers.client import ChatClient
from components.providers.error_mapping import (
    about_pictures,
    error_from_payload,
    error_from_response,
    html_title,
)
from components.providers.presets import get_preset
from components.providers.settings import resolve_settings
from components.turns import ChatTurn

KEY = "sk-test-0123456789abcdef"


def failure(
    up: FakeUpstream, *, model: str = "gpt-4o-mini", retries: int = 0, preset: str = "openai"
) -> ProviderError:
    """The error of one question to ``up``, as a known provider (``preset``) answering."""
    settings = resolve_settings(
        base_url=up.base_url, api_key=KEY, model=model, environ={}, backoff_factor=0
    )
    client = ChatClient(replace(settings, max_retries=retries, preset=get_preset(preset)))
    with pytest.raises(ProviderError) as info:
        list(client.stream_chat([ChatTurn("user", "这是什么图片?")]))
    return info.value


# --- 冰橙: errors come back with HTTP 200 ---------------------------------------------------


def test_vendor_900_with_http_200_is_auth_error(upstream):
    upstream.enqueue(bingcheng_error(900))
    err = failure(upstream)
    assert isinstance(err, AuthError)
    assert err.vendor_code == 900
    assert err.detail == BINGCHENG_ERRORS[900]["mess"]


@pytest.mark.parametrize(
    ("code", "cls"),
    [(400, InvalidInputError), (402, ContentFilterError), (300, QuotaError)],
    ids=["400-illegal-input", "402-content-safety", "300-no-quota"],
)
def test_vendor_codes_with_http_200_map_to_their_kinds(upstream, code, cls):
    upstream.enqueue(bingcheng_error(code))
    err = failure(upstream)
    assert type(err) is cls
    assert err.detail == BINGCHENG_ERRORS[code]["mess"] and err.partial_text == ""


def test_vendor_code_in_an_sse_event_is_recognised_too(upstream):
    upstream.enqueue(events(['data: {"codes": 300, "mess": "当前额度不足"}\n\n'.encode()]))
    assert isinstance(failure(upstream), QuotaError)


# --- the OpenAI shape ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "type_", "code", "cls"),
    [
        (401, "invalid_request_error", "invalid_api_key", AuthError),
        (401, "invalid_request_error", None, AuthError),
        (403, "invalid_request_error", "unsupported_country_region_territory", AuthError),
        (400, "invalid_request_error", "invalid_image_format", InvalidInputError),
        (413, "invalid_request_error", None, TooLargeError),
        (500, "server_error", None, ServerError),
    ],
)
def test_openai_error_statuses_map_to_kinds(upstream, status, type_, code, cls):
    upstream.enqueue(openai_error(status, "the provider's own words", type_, code))
    err = failure(upstream)
    assert type(err) is cls and err.status == status
    assert err.detail == "the provider's own words"


def test_insufficient_quota_is_quota_even_on_429(upstream):
    upstream.enqueue(
        openai_error(429, "You exceeded your current quota", "insufficient_quota", None)
    )
    assert isinstance(failure(upstream), QuotaError)


def test_plain_429_is_rate_limited(upstream):
    upstream.enqueue(openai_error(429, "Rate limit reached for gpt-4o-mini", "requests", None))
    assert isinstance(failure(upstream), RateLimitError)


def test_unknown_model_names_the_model_in_the_message(upstream):
    upstream.enqueue(
        openai_error(
            404,
            "The model `gpt-5-vision` does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        )
    )
    err = failure(upstream, model="gpt-5-vision")
    assert isinstance(err, ModelNotFoundError)
    assert "gpt-5-vision" in err.message("en") and "gpt-5-vision" in err.message("zh")


# --- one-api / new-api relays ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "type_", "cls"),
    [
        (401, "无效的令牌 (request id: 2024)", "one_api_error", AuthError),
        (401, "该令牌额度已用尽", "one_api_error", QuotaError),
        (403, "该令牌额度已用尽 (request id: x)", "new_api_error", QuotaError),
        (503, "当前分组上游负载已饱和，请稍后再试", "new_api_error", RateLimitError),
        (503, "当前分组 default 下对于模型 glm-4v 无可用渠道", "new_api_error", ModelNotFoundError),
    ],
)
def test_relay_messages_say_more_than_their_status(upstream, status, message, type_, cls):
    upstream.enqueue(openai_error(status, message, type_, None))
    err = failure(upstream)
    assert type(err) is cls and err.detail == message


# --- gateways, empty and odd bodies -------------------------------------------------------


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_html_page_is_server_error_with_short_text(upstream, status):
    upstream.enqueue(html(status))
    err = failure(upstream)
    assert isinstance(err, ServerError)
    assert str(status) in err.detail and "<" not in err.detail and len(err.detail) < 80


def test_empty_error_body_maps_by_status(upstream):
    upstream.enqueue(raw(401, {}, b""), raw(502, {}, b""))
    assert isinstance(failure(upstream), AuthError)
    err = failure(upstream)
    assert isinstance(err, ServerError) and "empty" in err.detail


def test_empty_200_body_is_server_error(upstream):
    upstream.enqueue(raw(200, {"Content-Type": "application/json"}, b""))
    assert isinstance(failure(upstream), ServerError)


def test_html_page_with_200_means_the_base_url_is_not_an_api(upstream):
    upstream.enqueue(
        raw(200, {"Content-Type": "text/html"}, b"<html><title>Welcome</title></html>")
    )
    err = failure(upstream)
    assert isinstance(err, ProtocolError) and "Welcome" in err.detail


def test_json_without_choices_is_a_protocol_error(upstream):
    upstream.enqueue(json_reply({"hello": "world"}))
    assert isinstance(failure(upstream), ProtocolError)


# --- the table, directly ------------------------------------------------------------------


def test_detail_is_truncated_and_key_masked():
    err = error_from_response(
        401, ('{"error": {"message": "bad key sk-abcdefghijklmnop ' + "x" * 900 + '"}}').encode()
    )
    assert "sk-abcdefghijklmnop" not in err.detail and "***" in err.detail
    assert len(err.detail) <= 300


def test_bare_string_error_and_message_only_bodies():
    assert isinstance(error_from_payload({"error": "无效的令牌"}, status=401), AuthError)
    assert isinstance(error_from_payload({"message": "Not allowed"}, status=403), AuthError)
    assert error_from_payload({"choices": []}, status=None) is None


def test_one_api_numeric_code_is_read_as_a_status():
    err = error_from_payload({"error": {"message": "upstream said no", "code": 429}})
    assert isinstance(err, RateLimitError)


def test_html_title_is_short_text():
    assert html_title(b"<html><head><title>504 Gateway Time-out</title></head></html>") == (
        "504 Gateway Time-out"
    )
    assert html_title(b"<h1>Bad   gateway</h1>") == "Bad gateway"


# --- a custom base URL: bodies only as far as they are provider errors -------------------


def test_custom_url_html_page_shows_only_the_status(upstream):
    page = b"<html><title>Admin: users list</title><body>alice, bob</body></html>"
    upstream.enqueue(raw(403, {"Content-Type": "text/html"}, page))
    err = failure(upstream, preset="custom")
    assert isinstance(err, AuthError) and err.detail == "HTTP 403"


@pytest.mark.parametrize("status", [200, 404, 500])
def test_custom_url_plain_text_is_never_shown(upstream, status):
    upstream.enqueue(
        raw(status, {"Content-Type": "text/plain"}, b"internal: db=10.0.0.5 user=root")
    )
    err = failure(upstream, preset="custom")
    assert "internal" not in str(err) and "10.0.0.5" not in str(err)
    if status >= 400:
        assert err.detail == f"HTTP {status}"


def test_custom_url_provider_error_json_is_still_shown(upstream):
    upstream.enqueue(openai_error(401, "Incorrect API key provided", "invalid_request_error"))
    err = failure(upstream, preset="custom")
    assert isinstance(err, AuthError) and err.detail == "Incorrect API key provided"


def test_custom_url_error_event_text_is_not_shown(upstream):
    upstream.enqueue(events([b"event: error\ndata: secret internal trace\n\n"]))
    err = failure(upstream, preset="custom")
    assert isinstance(err, ServerError) and "secret" not in err.detail


def test_known_provider_html_page_still_shows_its_title(upstream):
    upstream.enqueue(html(502, "502 Bad Gateway (cloudflare)"))
    err = failure(upstream, preset="openai", retries=0)
    assert "cloudflare" in err.detail


# --- malformed bodies are typed errors, never a crash --------------------------------------


@pytest.mark.parametrize("status", [200, 400, 502])
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000,
        b'{"codes": 1e999, "mess": "x"}',
        b'{"codes": "abc"}',
        b'{"error": {"message": 5, "code": 1e999, "type": [1]}}',
        b'{"error": [[[["deep"]]]]}',
        b'{"message": {"nested": true}}',
        b"9" * 5000,
        b"\xef\xbb\xbf" + b"{" * 3000,
    ],
    ids=[
        "brackets",
        "codes-inf",
        "codes-text",
        "odd-types",
        "deep",
        "message-obj",
        "digits",
        "bom",
    ],
)
def test_malformed_bodies_are_typed_errors(upstream, status, body):
    upstream.enqueue(raw(status, {"Content-Type": "application/json"}, body))
    err = failure(upstream)
    assert err.kind in {"protocol", "invalid_input", "server", "auth", "quota"}
    if status >= 400:
        assert err.status == status


def test_vendor_codes_as_infinity_are_a_protocol_error():
    err = error_from_payload({"codes": float("inf"), "mess": "?"})
    assert isinstance(err, ProtocolError)


# --- which message an error shows --------------------------------------------------------


def test_every_error_names_its_message_key_and_message_uses_it():
    assert AuthError().message_key == "error.auth"
    assert OversizedAnswerError().message_key == "error.oversized"
    assert ConfigError("no_key").message_key == "config.no_key"
    assert ImageError("corrupt", "a.png").message_key == "image.corrupt"
    err = ImageError("too_many_pixels", "b.png", message_key="image.too_many_pixels_claimed")
    assert err.message_key == "image.too_many_pixels_claimed"
    for e in (AuthError(), ConfigError("no_key", provider="x"), err):
        assert e.message("en") == t(e.message_key, "en", **e.facts)
        assert e.message("en") != e.message_key


# --- gateways: LiteLLM's proxy answers 400 with words that say more -------------------------

LITELLM_NO_MODEL = (
    "{'error': '/chat/completions: Invalid model name passed in model=llama-3.2-vision. "
    "Call `/v1/models` to view available models for your key.'}"
)


@pytest.mark.parametrize(
    ("message", "type_", "cls"),
    [
        ("No connected db.", "None", AuthError),
        ("Authentication Error, Invalid proxy server token passed.", "auth_error", AuthError),
        (LITELLM_NO_MODEL, "None", ModelNotFoundError),
        (
            "Budget has been exceeded! Current cost: 1.2, Max budget: 1.0",
            "budget_exceeded",
            QuotaError,
        ),
        ("Insufficient credits for this request", None, QuotaError),
    ],
)
def test_gateway_400_is_mapped_by_its_words(upstream, message, type_, cls):
    upstream.enqueue(openai_error(400, message, type_, "400"))
    err = failure(upstream, preset="custom")
    assert type(err) is cls
    assert err.message("en") == t(f"error.{cls.kind}", "en", model="gpt-4o-mini")


def test_only_words_about_pictures_are_about_pictures():
    assert about_pictures("image_url is not supported by this model")
    assert about_pictures("该模型不支持图片输入")
    assert not about_pictures(LITELLM_NO_MODEL)  # a model's name is not about pictures
    assert not about_pictures("No connected db.")
