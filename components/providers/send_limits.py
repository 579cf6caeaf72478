"""Bounds on what one request sends, counted on what actually goes over the wire.

``check_send_limits`` runs before anything is sent and returns the first limit the request breaks:

1. pictures per message: at most ``MAX_IMAGES_PER_MESSAGE`` in any one user turn (a sliced or
   zoomed picture counts as one: its slices are capped when it is prepared);
2. each image part's data URL (base64, as sent) against the preset's ``max_image_bytes``;
3. all data URLs in the request (earlier turns are sent again) against ``max_request_image_bytes``;
4. estimated prompt tokens (the planner's estimate, ``components.conversation.planner``) plus
   the answer's budget against the model's context window.

The 50 MB limit on an uploaded *file* is the preparation's (``components.images.prepare``); these
limits are the provider's, on the prepared pictures. Each refusal is a ``TooLargeError`` with its
own kind and a message giving the numbers::

    TooLargeError                  too_large                413 from the provider
    └── SendLimitError                                      refused before sending; nothing sent
        ├── TooManyImagesError       too_many_images          more pictures in a message than the cap
        ├── ImageTooBigToSendError   image_too_big_to_send    one data URL over the per-image limit
        ├── RequestTooBigToSendError request_too_big_to_send  all data URLs over the request limit
        └── ContextTooLongError      context_too_long         estimate over the context window
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from components.catalogue.lookup import billing_factor
from components.costs.estimate import RequestEstimate, estimate_turns
from components.errors import TooLargeError
from components.images.prepared import ImagePart, PreparedImage
from components.providers.context_windows import context_window
from components.providers.presets import ProviderPreset
from components.turns import ChatTurn

# Ten covers "compare these", a receipt's pages or a short screenshot series, and keeps one
# message's upload near 10-20 MB of base64 at the usual prepared sizes. Providers' own caps are far
# higher (OpenAI 500, Claude 100) or unstated, so ten is Kantu's choice; more belongs to batch.
MAX_IMAGES_PER_MESSAGE = 10
# With no max_tokens the provider lets the answer fill what the prompt leaves; keep room for one
# worth reading rather than refuse only when the prompt alone is over.
DEFAULT_ANSWER_TOKENS = 1_000
MB = 1024 * 1024


class SendLimitError(TooLargeError):
    """Raised (or returned by ``check_send_limits``) before sending: nothing was sent."""


class TooManyImagesError(SendLimitError):
    """Raised when one message has more pictures than ``MAX_IMAGES_PER_MESSAGE``."""

    kind = "too_many_images"


class ImageTooBigToSendError(SendLimitError):
    """Raised when one picture's data URL is over the preset's per-image limit."""

    kind = "image_too_big_to_send"


class RequestTooBigToSendError(SendLimitError):
    """Raised when the request's data URLs together are over the preset's per-request limit."""

    kind = "request_too_big_to_send"


class ContextTooLongError(SendLimitError):
    """Raised when the estimated prompt plus the answer's budget exceeds the context window."""

    kind = "context_too_long"


@dataclass(frozen=True)
class RequestSize:
    """What a request would send: pictures, their base64 bytes, and estimated tokens."""

    images: int
    most_images_in_a_message: int
    image_bytes: int  # every data URL's length, as sent
    image_tokens: int  # as billed
    text_tokens: int
    answer_tokens: int  # max_tokens, or DEFAULT_ANSWER_TOKENS when unset
    approximate: bool  # some picture's token rule is a guess
    image_context_tokens: int = -1  # what the pictures take of the context; -1: as billed

    @property
    def total_tokens(self) -> int:
        """Return the prompt estimate plus the answer's budget, as it fills the context window."""
        images = self.image_tokens if self.image_context_tokens < 0 else self.image_context_tokens
        return images + self.text_tokens + self.answer_tokens


def billing_only_factor(model: str) -> float:
    """Return how many times the billed image tokens exceed what ``model``'s context holds."""
    return billing_factor(model)  # the catalogue's families (gpt-4o-mini: 2833 / 85)


def data_url_length(image: PreparedImage | ImagePart) -> int:
    """Return the length of the data URLs ``image`` is sent as, without building them.

    A picture sent in parts counts every part's URL (and not its shown-only overview).
    """
    if isinstance(image, PreparedImage) and image.parts:
        return sum(data_url_length(part) for part in image.parts)
    return len(f"data:{image.mime};base64,") + 4 * math.ceil(len(image.data) / 3)


def measure_request(
    turns: Sequence[ChatTurn],
    *,
    max_tokens: int | None = None,
    system: str | None = None,
    model: str = "",
    estimate: RequestEstimate | None = None,
) -> RequestSize:
    """Return what sending ``turns`` (plus ``system``) to ``model`` would cost in pictures, bytes
    and tokens. The tokens are ``estimate``, the request's plan's (``PlannedRequest``), or the
    ``estimate_turns`` (``components.costs.estimate``) of ``turns`` when none is given."""
    images = [image for turn in turns for image in turn.images]
    if estimate is None:
        estimate = estimate_turns(turns, model=model, system=system, max_tokens=max_tokens)
    factor = billing_only_factor(model)
    return RequestSize(
        images=len(images),
        most_images_in_a_message=max((len(turn.images) for turn in turns), default=0),
        image_bytes=sum(data_url_length(image) for image in images),
        image_tokens=estimate.image_tokens,
        image_context_tokens=sum(round(tokens / factor) for tokens in estimate.per_image),
        text_tokens=estimate.text_tokens,
        answer_tokens=max_tokens if max_tokens is not None else DEFAULT_ANSWER_TOKENS,
        approximate=estimate.approximate,
    )


def _mb(size: int, limit: int) -> str:
    """Return ``size`` in MB to one decimal, or rounded up to two when one would not show it is
    over ``limit`` (20.0 MB over a 20 MB limit reads as a mistake).
    """
    shown = f"{size / MB:.1f}"
    if float(shown) * MB <= limit:
        shown = f"{math.ceil(size / MB * 100) / 100:.2f}"
    return shown


def check_send_limits(
    turns: Sequence[ChatTurn],
    *,
    preset: ProviderPreset,
    model: str,
    max_tokens: int | None = None,
    system: str | None = None,
    estimate: RequestEstimate | None = None,
) -> SendLimitError | None:
    """Return the refusal sending ``turns`` to ``model`` at ``preset`` earns, or None if it fits.

    ``estimate`` is the plan's estimate of these very turns (the figure shown and admitted); the
    context window is checked against it. Without one the turns are estimated here.

    The refusal is one of TooManyImagesError, ImageTooBigToSendError, RequestTooBigToSendError,
    ContextTooLongError (all SendLimitError, a TooLargeError); it is returned, not raised, so the
    caller decides where it shows. Never raises.
    """
    for turn in turns:
        if len(turn.images) > MAX_IMAGES_PER_MESSAGE:
            return TooManyImagesError(count=len(turn.images), cap=MAX_IMAGES_PER_MESSAGE)
    position = 0
    for turn in turns:
        for image in turn.images:
            position += 1
            url_bytes = max(data_url_length(part) for part in image.parts or (image,))
            if url_bytes > preset.max_image_bytes:
                return ImageTooBigToSendError(
                    name=image.name or f"#{position}",
                    size_mb=_mb(url_bytes, preset.max_image_bytes),
                    limit_mb=f"{preset.max_image_bytes / MB:g}",
                )
    size = measure_request(
        turns, max_tokens=max_tokens, system=system, model=model, estimate=estimate
    )
    if size.image_bytes > preset.max_request_image_bytes:
        return RequestTooBigToSendError(
            count=size.images,
            size_mb=_mb(size.image_bytes, preset.max_request_image_bytes),
            limit_mb=f"{preset.max_request_image_bytes / MB:g}",
        )
    window = context_window(preset.id, model)
    if size.total_tokens > window.tokens:
        return ContextTooLongError(
            model=model,
            tokens=f"{size.total_tokens:,}",
            image_tokens=f"{size.total_tokens - size.text_tokens - size.answer_tokens:,}",
            text_tokens=f"{size.text_tokens:,}",
            answer_tokens=f"{size.answer_tokens:,}",
            context=f"{'~' if window.approximate else ''}{window.tokens:,}",
        )
    return None
