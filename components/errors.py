"""Kantu's errors: one tree, one ``kind`` per leaf, messages from the i18n table.

::

    KantuError                    root; .kind, .detail (the other side's own words), .message(lang)
    ├── ImageError       image    a picture was refused (.reason says why, .filename names it)
    ├── ReaderUnavailableError ocr_unavailable  the local text reader's packages or models are missing
    ├── ReadFailedError  ocr_failed  the local text reader could not read a picture
    ├── ReasonedError             made from a .reason that picks the message
    │   ├── ConfigError        config       settings that cannot work (no key, a base URL that is not http(s))
    │   ├── ReaderRefusedError ocr_refused  the local reader's quota: one message at a time, so many an hour
    │   ├── TransferError      transfer     an imported conversation file was refused
    │   └── HistoryError       history      a saved chat or share could not be saved, found or opened
    └── ProviderError             the upstream said no, or the exchange with it failed
        ├── AuthError              auth             key missing, wrong or expired (401/403, 冰橙 900)
        ├── QuotaError             quota            balance or quota exhausted (402, 冰橙 300)
        ├── ContentFilterError     content_filter   refused by a content-safety check (冰橙 402)
        ├── InvalidInputError      invalid_input    the request itself was rejected (400, 冰橙 400)
        ├── RateLimitError         rate_limited     too many requests (429), after retries
        ├── ModelNotFoundError     model_not_found  the model name is unknown to the provider (404)
        ├── TooLargeError          too_large        images or body over the provider's limits (413)
        ├── ServerError            server           5xx or a gateway's HTML page, after retries
        ├── NetworkError           network          could not connect, or the connection reset
        ├── RequestTimeoutError    timeout          no connection or no first byte in time
        ├── StreamInterruptedError interrupted      the answer stopped before it was finished
        ├── ProtocolError          protocol         an answer Kantu cannot read
        │   └── OversizedAnswerError oversized      a line, event or answer over Kantu's caps
        ├── BlockedAddressError    blocked_address  hosted: a custom base URL reaches a non-public address
        └── RedirectError          redirect         the server answered with a redirect (never followed)

Every ``ProviderError`` carries ``partial_text``: the answer received before the failure, which
callers keep (marked) rather than discard. ``message_key`` names the error's message in the i18n
table (``error.<kind>``, ``config.<reason>``, ``image.<reason>``); ``message(lang)`` renders it.

Messages never contain the API key. Whoever knows the key scrubs it from the text *before* building
the error (``components.providers.redaction``); ``KantuError`` then masks anything shaped like a
bearer token, and only then cuts ``detail`` to length, so a cut never exposes a key's first
characters.
"""

from __future__ import annotations

import re

from components.i18n import Lang, t

_SECRETISH = re.compile(r"(Bearer\s+)?\b(sk|ak|key)-[A-Za-z0-9_\-]{6,}", re.IGNORECASE)
_DETAIL_LIMIT = 300


def mask_secrets(text: str) -> str:
    """Return ``text`` with anything shaped like an API key replaced by ``***``."""
    return _SECRETISH.sub("***", text)


class KantuError(Exception):
    """Root of Kantu's errors. Raised only through a subclass."""

    kind: str = "unknown"

    def __init__(self, detail: str = "", **facts: object) -> None:
        self.detail = mask_secrets(detail)[:_DETAIL_LIMIT]
        self.facts = facts
        super().__init__(self.detail or self.kind)

    @property
    def message_key(self) -> str:
        """The i18n key of this error's message: ``error.<kind>``."""
        return f"error.{self.kind}"

    def message(self, lang: Lang = "en") -> str:
        """Return the short, actionable message for the user, in ``lang``."""
        return t(self.message_key, lang, **self.facts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.kind!r}, detail={self.detail!r})"


class ImageError(KantuError):
    """Raised when a picture is refused: empty, not an image, too big, or undecodable.

    ``reason`` is one of: unreadable, empty, not_image, unsupported_format, too_many_bytes,
    too_many_pixels, too_complex, too_much_memory, too_many_slices, corrupt. The message names the
    file and what is supported.
    """

    kind = "image"

    def __init__(
        self,
        reason: str,
        filename: str,
        detail: str = "",
        *,
        message_key: str | None = None,
        **facts: object,
    ) -> None:
        self.reason = reason
        self.filename = filename
        self._message_key = message_key or f"image.{reason}"
        super().__init__(detail, name=filename, **facts)

    @property
    def message_key(self) -> str:
        """The i18n key of this refusal: ``image.<reason>`` unless another was given."""
        return self._message_key


class ReasonedError(KantuError):
    """Base of the errors made from a ``reason`` (a word from the class's list) that picks the
    message; each class spells its own key family, ``<family>.<reason>``, in ``message_key``.
    Raised only through a subclass."""

    def __init__(self, reason: str, detail: str = "", **facts: object) -> None:
        self.reason = reason
        super().__init__(detail, **facts)


class ConfigError(ReasonedError):
    """Raised when the settings cannot work: no API key where one is needed, a bad base URL."""

    kind = "config"

    @property
    def message_key(self) -> str:
        """The i18n key of this problem: ``config.<reason>``."""
        return f"config.{self.reason}"


class ReaderUnavailableError(KantuError):
    """Raised when the local text reader cannot run: its packages are missing or its models
    would not load. ``reason`` (a fact) says which, in English."""

    kind = "ocr_unavailable"


class ReadFailedError(KantuError):
    """Raised when the local text reader cannot read a picture (undecodable, too many pixels)."""

    kind = "ocr_failed"


class ReaderRefusedError(ReasonedError):
    """Raised (or returned by ``ReaderQuota.admit``) when the local reader refuses a message:
    ``reason`` ``busy`` (this session's previous message is still being read), ``too_many`` (the
    message alone is over the hourly budget) or ``hourly`` (this visitor's pictures for the hour
    are used up; fact ``minutes`` says when there is room)."""

    kind = "ocr_refused"

    @property
    def message_key(self) -> str:
        """The i18n key of this refusal: ``error.ocr_refused.<reason>``."""
        return f"error.ocr_refused.{self.reason}"


class ProviderError(KantuError):
    """Raised when the upstream refuses a request or the exchange with it fails."""

    kind = "server"

    def __init__(
        self,
        detail: str = "",
        *,
        status: int | None = None,
        vendor_code: str | int | None = None,
        partial_text: str = "",
        **facts: object,
    ) -> None:
        self.status = status
        self.vendor_code = vendor_code
        self.partial_text = partial_text
        super().__init__(detail, **facts)


class AuthError(ProviderError):
    """Raised on 401/403, 冰橙 ``codes: 900``, or a relay saying the token is invalid."""

    kind = "auth"


class QuotaError(ProviderError):
    """Raised when the balance is exhausted: 402, ``insufficient_quota``, 冰橙 ``codes: 300``."""

    kind = "quota"


class ContentFilterError(ProviderError):
    """Raised when a content-safety check refuses the request (冰橙 ``codes: 402``)."""

    kind = "content_filter"


class InvalidInputError(ProviderError):
    """Raised when the request is rejected as malformed or illegal (400, 冰橙 ``codes: 400``)."""

    kind = "invalid_input"


class RateLimitError(ProviderError):
    """Raised on 429 once the bounded retries are spent."""

    kind = "rate_limited"


class ModelNotFoundError(ProviderError):
    """Raised when the provider does not know the model (404, ``model_not_found``)."""

    kind = "model_not_found"


class TooLargeError(ProviderError):
    """Raised before sending when images exceed the provider's limits, or on 413."""

    kind = "too_large"


class ServerError(ProviderError):
    """Raised on 5xx, a gateway's HTML error page, or an empty error body, after retries."""

    kind = "server"


class NetworkError(ProviderError):
    """Raised when the connection cannot be made or is reset before any answer text."""

    kind = "network"


class RequestTimeoutError(ProviderError):
    """Raised when connecting or waiting for the first byte takes longer than configured."""

    kind = "timeout"


class StreamInterruptedError(ProviderError):
    """Raised when a stream stops before its end; ``partial_text`` holds what arrived."""

    kind = "interrupted"


class ProtocolError(ProviderError):
    """Raised when the answer cannot be read (not JSON, not SSE, no choices at all)."""

    kind = "protocol"


class OversizedAnswerError(ProtocolError):
    """Raised when a line, an event or the whole answer is over Kantu's stream caps.

    ``limit`` names the cap (``line``, ``event``, ``body``, ``text``); the read stops there, so a
    hostile upstream cannot make Kantu buffer without bound.
    """

    kind = "oversized"


class BlockedAddressError(ProviderError):
    """Raised in hosted mode when a custom base URL resolves or connects to a loopback, private,
    link-local or otherwise non-public address (``host`` names it)."""

    kind = "blocked_address"


class RedirectError(ProviderError):
    """Raised when the server answers with a redirect: Kantu never follows one
    (``location_host`` names where it pointed)."""

    kind = "redirect"


class TransferError(ReasonedError):
    """Raised when a conversation file cannot be imported: too big, not JSON, not Kantu's, a
    newer version, malformed, over the caps, or a damaged picture.

    ``reason`` is one of: too_big, not_json, not_kantu, newer_version, malformed, too_many,
    bad_picture; the message (``transfer.<reason>``) says what to do.
    """

    kind = "transfer"

    @property
    def message_key(self) -> str:
        """The i18n key of this refusal: ``transfer.<reason>``."""
        return f"transfer.{self.reason}"


class HistoryError(ReasonedError):
    """Raised when saved chats or share links cannot do what was asked: the store is full, down
    or damaged, a chat or link is missing or expired, or sharing is over its limits.

    ``reason`` is one of: full_bytes, full_count, unavailable, damaged, not_found,
    share_not_found (unknown and revoked alike), share_expired, share_rate, share_too_big,
    not_durable; the message (``history.<reason>``) says what to do.
    """

    kind = "history"

    @property
    def message_key(self) -> str:
        """The i18n key of this refusal: ``history.<reason>``."""
        return f"history.{self.reason}"
