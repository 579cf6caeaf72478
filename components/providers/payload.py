"""Build the body of a ``/chat/completions`` request.

Base64 is made here, when the request is assembled, and nowhere earlier. Unset options are left
out of the body; ``detail`` is sent only to providers known to take it, ``stream_options`` to every
server not known to refuse it (``usage_option``).
A picture sent in parts (slices, or a zoom) goes as consecutive image parts after a short note,
in English and Chinese, telling the model what the parts are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.images.prepared import PreparedImage
from components.providers.settings import ClientSettings
from components.providers.usage_option import asks_usage
from components.turns import ChatTurn, part_note


@dataclass(frozen=True)
class ChatOptions:
    """Per-request options; unset ones are left out of the request."""

    max_tokens: int | None = None
    temperature: float | None = None
    system: str | None = None


def build_payload(
    settings: ClientSettings, turns: Sequence[ChatTurn], options: ChatOptions
) -> dict[str, Any]:
    """Return the JSON body for a streamed ``/chat/completions`` request."""
    preset = settings.preset
    messages: list[dict[str, Any]] = []
    if options.system:
        messages.append({"role": "system", "content": options.system})
    for turn in turns:
        if turn.role == "assistant" or not turn.images:
            messages.append({"role": turn.role, "content": turn.text})
            continue
        parts: list[dict[str, Any]] = []
        if turn.text:
            parts.append({"type": "text", "text": turn.text})
        for image in turn.images:
            if note := part_note(image):
                parts.append({"type": "text", "text": note})
            for url, detail in _sent(image):
                image_url: dict[str, Any] = {"url": url}
                if preset.accepts_detail:
                    image_url["detail"] = detail
                parts.append({"type": "image_url", "image_url": image_url})
        messages.append({"role": "user", "content": parts})
    payload: dict[str, Any] = {"model": settings.model, "messages": messages, "stream": True}
    if options.max_tokens is not None:
        payload["max_tokens"] = options.max_tokens
    if options.temperature is not None:
        payload["temperature"] = options.temperature
    if asks_usage(settings):
        payload["stream_options"] = {"include_usage": True}
    return payload


def _sent(image: PreparedImage) -> list[tuple[str, str]]:
    """Return each image part's data URL and detail (the picture itself when it has no parts)."""
    if not image.parts:
        return [(image.data_url, image.api_detail)]
    return [(part.data_url, part.detail) for part in image.parts]
