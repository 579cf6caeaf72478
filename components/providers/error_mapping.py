"""What the upstream said, as a typed error: one table from codes and shapes to error classes.

Precedence, most specific first:

1. 冰橙's vendor body ``{"codes": 900|400|402|300, "mess": …}`` (sent with HTTP 200),
2. the OpenAI-style ``error.code`` / ``error.type`` (``insufficient_quota`` is quota even on 429),
3. relay and gateway messages (one-api / new-api: "无效的令牌", "该令牌额度已用尽",
   "当前分组上游负载已饱和"…; LiteLLM's proxy: "No connected db.", "Invalid model name passed in
   model=…", "Budget has been exceeded"), which gateways send with a bare 400,
4. the HTTP status,
5. a fallback: 5xx → server, other 4xx → invalid_input, anything else → protocol.

A gateway's HTML page becomes a short detail (its title), never the HTML; an empty body says so.
From an untrusted address (a custom base URL the visitor typed) a body is shown only as far as it
parses as a provider error: an HTML page or plain text becomes just ``HTTP <status>``, so Kantu
cannot be used to read internal pages.

Every function here is total: whatever the body (deep nesting, ``1e999``, odd types), the result
is a typed error, never a TypeError, OverflowError or RecursionError. Each takes ``scrub``, which
removes the API key from the provider's words before the error is built (and so before the error
cuts its detail to length).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from components.errors import (
    AuthError,
    ContentFilterError,
    InvalidInputError,
    ModelNotFoundError,
    ProtocolError,
    ProviderError,
    QuotaError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TooLargeError,
)

ErrorClass = type[ProviderError]
Scrub = Callable[[str], str]
UNREADABLE: Any = object()
"""What ``parse_json`` returns for bytes that are not JSON Kantu can hold."""

BINGCHENG_CODES: dict[int, ErrorClass] = {
    900: AuthError,  # 密钥错误或已过期
    400: InvalidInputError,  # 非法字符。请勿提交
    402: ContentFilterError,  # 提交问题涉及内容安全
    300: QuotaError,  # 当前额度不足，请充值后继续使用
}
"""冰橙's ``codes`` (its OpenAPI page, checked 2026-11), all returned with HTTP 200."""

ERROR_CODES: dict[str, ErrorClass] = {
    "insufficient_quota": QuotaError,
    "billing_hard_limit_reached": QuotaError,
    "insufficient_user_quota": QuotaError,  # new-api
    "pre_consume_token_quota_failed": QuotaError,  # one-api / new-api
    "invalid_api_key": AuthError,
    "invalid_authentication": AuthError,
    "authentication_error": AuthError,
    "auth_error": AuthError,  # LiteLLM's proxy
    "no_db_connection": AuthError,  # LiteLLM's proxy: a key other than its master key
    "permission_error": AuthError,
    "model_not_found": ModelNotFoundError,
    "budget_exceeded": QuotaError,  # LiteLLM's proxy: a key's or team's budget is spent
    "rate_limit_exceeded": RateLimitError,
    "rate_limit_error": RateLimitError,
    "content_filter": ContentFilterError,
    "content_policy_violation": ContentFilterError,
    "data_inspection_failed": ContentFilterError,  # DashScope
    "request_too_large": TooLargeError,
    "payload_too_large": TooLargeError,
    "context_length_exceeded": InvalidInputError,
    "invalid_image_format": InvalidInputError,
    "server_error": ServerError,
    "overloaded_error": ServerError,
}
"""OpenAI-style ``error.code`` or ``error.type`` values. ``error.code`` is looked up first."""

MESSAGE_PATTERNS: tuple[tuple[re.Pattern[str], ErrorClass], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), cls)
    for pattern, cls in (
        (
            r"额度已用尽|额度不足|余额不足|insufficient.{0,10}(quota|balance|credits?)"
            r"|budget has been exceeded|exceeded.{0,10}budget|quota.{0,10}exceeded",
            QuotaError,
        ),
        (r"无效的令牌|令牌已过期|令牌已被禁用|令牌.{0,6}不存在|未提供令牌", AuthError),
        (
            r"incorrect api key|invalid api key|invalid token|api key.{0,20}(invalid|expired)"
            # LiteLLM's proxy: a key other than its master key, and no database to look it up
            r"|no connected db|authentication error|invalid proxy server token",
            AuthError,
        ),
        (r"负载已饱和|rate limit|too many requests", RateLimitError),
        (
            r"无可用渠道|model.{0,40}(does not exist|not found|not exist)"
            r"|invalid model name|unknown model|no such model|model_not_found",
            ModelNotFoundError,
        ),
        (r"内容安全|敏感|content.{0,10}(filter|policy)", ContentFilterError),
    )
)
"""Relay messages that say more than their status: one-api answers a spent token with 401."""

STATUS_CODES: dict[int, ErrorClass] = {
    400: InvalidInputError,
    401: AuthError,
    402: QuotaError,
    403: AuthError,
    404: ModelNotFoundError,
    408: RequestTimeoutError,
    413: TooLargeError,
    422: InvalidInputError,
    429: RateLimitError,
    500: ServerError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
    520: ServerError,  # Cloudflare's "unknown error" family
    521: ServerError,
    522: ServerError,
    524: ServerError,
}

PICTURE_WORDS = re.compile(
    r"image|picture|photo|vision|multimodal|multi-modal|图片|图像|视觉|多模态", re.IGNORECASE
)
"""Words that make a refusal about the pictures (and so worth the "send their text" hint)."""

_MODEL_NAMED = re.compile(r"model\s*[=:]\s*\S+|model '[^']*'|model \"[^\"]*\"", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_MAX_TEXT_DETAIL = 160
_MAX_CODE = 64


def _keep(text: str) -> str:
    return text


def parse_json(data: bytes | str) -> Any:
    """Return the parsed JSON, or ``UNREADABLE`` (not JSON, nested too deep, a BOM-less mess)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return UNREADABLE


def classify(
    *,
    status: int | None,
    vendor_code: int | None = None,
    code: str | None = None,
    type_: str | None = None,
    message: str = "",
) -> ErrorClass:
    """Return the error class for these facts, by the precedence in the module docstring."""
    if vendor_code is not None and vendor_code in BINGCHENG_CODES:
        return BINGCHENG_CODES[vendor_code]
    for key in (code, type_):
        if key and key.lower() in ERROR_CODES:
            return ERROR_CODES[key.lower()]
    for pattern, cls in MESSAGE_PATTERNS:
        if message and pattern.search(message):
            return cls
    if status is not None and status in STATUS_CODES:
        return STATUS_CODES[status]
    if status is not None and status >= 500:
        return ServerError
    if status is not None and status >= 400:
        return InvalidInputError
    return ProtocolError


def error_from_payload(
    obj: Any,
    *,
    status: int | None = None,
    model: str | None = None,
    partial_text: str = "",
    scrub: Scrub = _keep,
) -> ProviderError | None:
    """Return the error a parsed JSON body (or SSE event) describes, or None if it is no error.

    Recognises 冰橙's ``{"codes", "mess"}``, OpenAI's ``{"error": {message, type, code}}``, a bare
    ``{"error": "text"}``, and ``{"message": …}`` / ``{"detail": …}`` bodies on error statuses.
    An ``error`` beside ``choices`` is an error too: OpenRouter ends a failing stream with one
    (``{"error": {"code": 502, …}, "choices": [{…, "finish_reason": "error"}]}``); the caller
    keeps the text its ``choices`` carry.
    """
    if not isinstance(obj, Mapping):
        return None
    facts: dict[str, Any] = {"model": model or "?"}
    codes = obj.get("codes")
    if codes is not None and "choices" not in obj:
        vendor = _as_int(codes)
        if vendor != 200:
            message = scrub(_text(obj.get("mess") or obj.get("msg") or obj.get("message")))
            cls = classify(status=status, vendor_code=vendor, message=message)
            if cls is ProtocolError and vendor is None:
                message = message or "a 'codes' field that is not a number"
            return cls(
                message, status=status, vendor_code=vendor, partial_text=partial_text, **facts
            )
    err = obj.get("error")
    if err:
        if isinstance(err, Mapping):
            message = _text(err.get("message") or err.get("msg") or "")
            code = err.get("code")
            type_ = _short(_text(err.get("type") or "")) or None
        else:
            message, code, type_ = _text(err), None, None
        message = scrub(message)
        code_text = _short(scrub(str(code))) if isinstance(code, (str, int)) else None
        type_ = scrub(type_) if type_ else None
        # one-api puts the upstream's HTTP status in `code` as a number: a status, not a name
        code_status = _as_int(code) if code_text and code_text.isdigit() else None
        cls = classify(
            status=status if status is not None else code_status,
            code=code_text,
            type_=type_,
            message=message,
        )
        if cls is ProtocolError:
            cls = ServerError  # an error event with nothing more specific: the server failed
        return cls(
            message or (type_ or "error"),
            status=status,
            vendor_code=code_text or type_,
            partial_text=partial_text,
            **facts,
        )
    if status is not None and status >= 400:
        message = scrub(_text(obj.get("message") or obj.get("detail") or obj.get("msg") or ""))
        cls = classify(status=status, message=message)
        return cls(message or f"HTTP {status}", status=status, partial_text=partial_text, **facts)
    return None


def error_from_response(
    status: int,
    body: bytes,
    *,
    content_type: str = "",
    model: str | None = None,
    partial_text: str = "",
    trusted: bool = True,
    scrub: Scrub = _keep,
) -> ProviderError:
    """Return the typed error for a refused HTTP response (any status) and its raw body.

    An HTML page (a gateway's error page, or a web site at the wrong base URL) becomes its title;
    an HTML page with a success or 404 status means the base URL is not an API → ProtocolError.
    With ``trusted=False`` (a custom base URL), only a provider-error JSON body shows its words;
    anything else says ``HTTP <status>`` and nothing more.
    """
    facts: dict[str, Any] = {"model": model or "?"}
    stripped = body.strip().removeprefix(b"\xef\xbb\xbf").strip()
    if not stripped:
        cls = classify(status=status) if status >= 400 else ServerError
        if status == 404:
            cls = ProtocolError  # nothing at this path: the base URL is wrong, not the model
        return cls(f"HTTP {status}, empty body", status=status, partial_text=partial_text, **facts)
    if stripped[:1] in (b"{", b"["):
        obj = parse_json(stripped)
        err = error_from_payload(
            obj, status=status, model=model, partial_text=partial_text, scrub=scrub
        )
        if err is not None:
            return err
    is_html = stripped[:1] == b"<" or "html" in content_type.lower()
    if is_html and (status < 400 or status == 404):
        detail = f"HTTP {status}: {scrub(html_title(stripped))}" if trusted else f"HTTP {status}"
        return ProtocolError(detail, status=status, partial_text=partial_text, **facts)
    if not trusted:
        cls = classify(status=status) if status >= 400 else ProtocolError
        return cls(f"HTTP {status}", status=status, partial_text=partial_text, **facts)
    if is_html:
        detail = f"HTTP {status}: {scrub(html_title(stripped))}"
        return classify(status=status)(detail, status=status, partial_text=partial_text, **facts)
    text = _SPACE.sub(" ", scrub(stripped.decode("utf-8", errors="replace")))[:_MAX_TEXT_DETAIL]
    cls = classify(status=status, message=text)
    return cls(f"HTTP {status}: {text}", status=status, partial_text=partial_text, **facts)


def about_pictures(detail: str) -> bool:
    """Return whether a refusal's own words are about pictures (``image_url is not supported``),
    not about the model's name (``model=llama-3.2-vision`` names no picture), the key or the
    quota."""
    return bool(PICTURE_WORDS.search(_MODEL_NAMED.sub(" ", detail)))


def html_title(page: bytes) -> str:
    """Return a short text for an HTML page: its title, else its first words."""
    match = _TITLE.search(page)
    raw = match.group(1) if match else page
    text = _SPACE.sub(" ", _TAG.sub(" ", raw.decode("utf-8", errors="replace"))).strip()
    return (text or "HTML page")[:_MAX_TEXT_DETAIL]


def _as_int(value: Any) -> int | None:
    """Return ``value`` as a whole number when it is one (``900``, ``"900"``, ``900.0``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip()) if len(value.strip()) <= 18 else None
    return None


def _short(text: str) -> str:
    return text[:_MAX_CODE]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False)[:_MAX_TEXT_DETAIL]
    except (ValueError, TypeError, RecursionError):
        return ""
