"""Where the client's settings come from: explicit arguments, then the operator, then presets.

The operator (whoever runs the site) may configure a key in Streamlit secrets or the environment.
That key is only ever sent to the operator's own base URL: a visitor who points Kantu anywhere
else must bring their own key (``key_withheld`` tells the UI to ask for it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from components.errors import ConfigError
from components.providers.presets import (
    DEFAULT_PRESET_ID,
    ProviderPreset,
    get_preset,
    normalize_base_url,
    preset_for_base_url,
)

KeySource = Literal["argument", "operator", "none"]
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class OperatorConfig:
    """What the operator configured; ``api_key`` never shows in a repr."""

    base_url: str | None
    api_key: str = field(repr=False)
    model: str | None


@dataclass(frozen=True)
class ClientSettings:
    """Everything ``ChatClient`` needs; ``api_key`` never shows in a repr."""

    base_url: str
    api_key: str = field(repr=False)
    model: str
    preset: ProviderPreset
    key_source: KeySource
    key_withheld: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # first byte, and between chunks
    max_retries: int = 2
    backoff_factor: float = 0.5  # urllib3 Retry: 0 s, then 1 s, 2 s…; tests set 0
    retry_after_max: float = 30.0  # a longer Retry-After is cut to this


def _lookup(name: str, sources: tuple[Mapping[str, object] | None, ...]) -> str | None:
    for source in sources:
        if source is None:
            continue
        try:
            value = source.get(name)
        except Exception:  # Streamlit's secrets raise when no secrets file exists
            continue
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def operator_config(
    secrets: Mapping[str, object] | None, environ: Mapping[str, str] | None
) -> OperatorConfig:
    """Read the operator's KANTU_BASE_URL / KANTU_API_KEY / KANTU_MODEL (secrets, then environ),
    falling back to OPENAI_BASE_URL / OPENAI_API_KEY.

    A key and its base URL come from the same family, so a KANTU key never travels to an
    OPENAI_BASE_URL: a KANTU key without a base URL goes to the default preset's, an OPENAI key
    without one to OpenAI's.
    """
    sources = (secrets, environ)
    kantu_key = _lookup("KANTU_API_KEY", sources)
    kantu_url = _lookup("KANTU_BASE_URL", sources)
    model = _lookup("KANTU_MODEL", sources)
    if kantu_key or kantu_url:
        base = kantu_url or (get_preset(DEFAULT_PRESET_ID).base_url if kantu_key else None)
        return OperatorConfig(base, kantu_key or "", model)
    openai_key = _lookup("OPENAI_API_KEY", sources)
    openai_url = _lookup("OPENAI_BASE_URL", sources)
    if openai_key:
        return OperatorConfig(openai_url or OPENAI_DEFAULT_BASE_URL, openai_key, model)
    return OperatorConfig(openai_url, "", model)


def _same_api(a: str, b: str) -> bool:
    try:
        return normalize_base_url(a) == normalize_base_url(b)
    except ValueError:
        return False


def resolve_settings(
    *,
    preset_id: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    secrets: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
    connect_timeout: float = 10.0,
    read_timeout: float = 60.0,
    max_retries: int = 2,
    backoff_factor: float = 0.5,
) -> ClientSettings:
    """Return the settings: explicit arguments first, then the operator's, then the preset's.

    Picking the preset that matches the operator's base URL keeps the operator's URL. The
    operator's key is used only when the final base URL is the operator's (normalised); otherwise
    ``api_key`` is empty and ``key_withheld`` is True. Raises ConfigError("bad_base_url") when the
    base URL is not http(s), KeyError for an unknown preset id.
    """
    op = operator_config(secrets, environ)
    explicit_url = (base_url or "").strip() or None
    if explicit_url:
        url = explicit_url
    elif preset_id is not None:
        chosen = get_preset(preset_id)
        if op.base_url and preset_for_base_url(op.base_url).id == chosen.id:
            url = op.base_url
        else:
            url = chosen.base_url
    else:
        url = op.base_url or get_preset(DEFAULT_PRESET_ID).base_url
    if not url:
        raise ConfigError("bad_base_url", "no base URL")
    try:
        normalize_base_url(url)
    except ValueError:
        raise ConfigError(
            "bad_base_url", "the base URL must start with http:// or https://"
        ) from None
    url = url.strip().rstrip("/")

    # an explicit URL decides the provider's capabilities; otherwise the chosen preset does
    preset = get_preset(preset_id) if preset_id and not explicit_url else preset_for_base_url(url)

    is_operator_url = bool(op.base_url) and _same_api(url, op.base_url or "")
    key_withheld = False
    if api_key and api_key.strip():
        key, source = api_key.strip(), "argument"
    elif op.api_key and is_operator_url:
        key, source = op.api_key, "operator"
    else:
        key, source = "", "none"
        key_withheld = bool(op.api_key)

    chosen_model = (model or "").strip() or (op.model if is_operator_url and op.model else "")
    chosen_model = chosen_model or preset.default_model
    return ClientSettings(
        base_url=url,
        api_key=key,
        model=chosen_model,
        preset=preset,
        key_source=source,  # type: ignore[arg-type]
        key_withheld=key_withheld,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_retries=max_retries,
        backoff_factor=backoff_factor,
    )
