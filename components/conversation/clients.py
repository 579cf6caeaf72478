"""The one place that turns settings into a client: a provider's ``ChatClient`` or the local
reader's ``LocalClient``; both stream an answer the same way (see ``Exchange``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack

import requests

from components.i18n import Lang
from components.ocr.local_client import LocalClient, LocalSettings
from components.providers.client import ChatClient
from components.providers.presets import get_preset
from components.providers.settings import ClientSettings, resolve_settings

AnySettings = ClientSettings | LocalSettings


def open_client(
    settings: AnySettings, *, session: requests.Session | None = None
) -> ChatClient | LocalClient:
    """Return the client for ``settings``: ``session`` is used by a provider's client only."""
    if isinstance(settings, LocalSettings):
        return LocalClient(settings)
    return ChatClient(settings, session=session)


class SettingsArgs(TypedDict, total=False):
    """The keyword arguments of ``resolve_settings`` that ``resolve_any`` passes on."""

    base_url: str | None
    api_key: str | None
    model: str | None
    secrets: Mapping[str, object] | None
    environ: Mapping[str, str] | None
    hosted: bool | None
    connect_timeout: float
    read_timeout: float
    max_retries: int
    backoff_factor: float


def resolve_any(
    *, preset_id: str | None = None, lang: Lang = "en", **kwargs: Unpack[SettingsArgs]
) -> AnySettings:
    """Return ``LocalSettings`` for the local preset (when no base URL is given), else what
    ``resolve_settings(preset_id=..., **kwargs)`` returns.

    Raises what ``resolve_settings`` raises (ConfigError, KeyError).
    """
    if preset_id and get_preset(preset_id).local and not (kwargs.get("base_url") or "").strip():
        return LocalSettings(lang=lang)
    return resolve_settings(preset_id=preset_id, **kwargs)
