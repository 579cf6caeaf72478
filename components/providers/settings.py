"""Where the client's settings come from: explicit arguments, then the operator, then presets.

The operator (whoever runs the site) may configure a key in Streamlit secrets or the environment.
That key is only ever sent to the operator's own base URL, decided on the one parse of each URL
(``components.providers.base_url``): a visitor who points Kantu anywhere else must bring their own
key (``key_withheld``; ``ClientSettings.missing_key_error`` says what to show).

A key goes only to the URL it was configured beside: a key of one family (``KANTU_*`` or
``OPENAI_*``) set without its own base URL while the other family's base URL is set is ambiguous.
Such a key is sent nowhere (``UnpairedKey``), and the site says so, naming the variables, rather
than guessing its server from the key's prefix (resellers such as 冰橙 issue ``sk-`` keys too).

``KANTU_HOSTED`` (true/false, 1/0, yes/no, on/off; on by default when an operator key is
configured) makes a visitor's custom base URL reach only public addresses (``public_only``, see
``components.providers.address_guard``). The operator's URL and the presets' are trusted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from components.errors import ConfigError
from components.i18n import Lang
from components.providers.address_guard import check_literal_host
from components.providers.base_url import BaseURL, parse_base_url
from components.providers.presets import (
    DEFAULT_PRESET_ID,
    ProviderPreset,
    get_preset,
    preset_for_base_url,
)
from components.settings_source import FLAGS, SettingsSource

KeySource = Literal["argument", "operator", "none"]
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"
# What the operator may set, in Streamlit secrets or the environment (``operator_config`` reads them).
OPERATOR_SETTINGS = (
    "KANTU_BASE_URL",
    "KANTU_API_KEY",
    "KANTU_MODEL",
    "KANTU_HOSTED",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
)
# what an HTTP header value can carry verbatim: visible ASCII, no spaces inside
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnpairedKey:
    """An operator key set without its own base URL while the other family's base URL is set.

    Which server it belongs to is unknown, so it is sent nowhere. Holds variable names only:
    ``key_name`` (set), ``url_name`` (its own URL, unset), ``other_url_name`` (set).
    """

    key_name: str
    url_name: str
    other_url_name: str

    def error(self) -> ConfigError:
        """Return the ConfigError that names the variables and the fix."""
        return ConfigError(
            "operator_key_unpaired",
            f"{self.key_name} is set without {self.url_name} while {self.other_url_name} is set",
            variable=self.key_name,
            url=self.url_name,
            other=self.other_url_name,
        )


@dataclass(frozen=True)
class OperatorConfig:
    """What the operator configured; ``api_key`` never shows in a repr.

    ``key_name`` is the variable the key came from; ``hosted`` is ``KANTU_HOSTED`` resolved;
    ``unpaired``: a key left unused because its server is ambiguous (see ``UnpairedKey``).
    """

    base_url: str | None
    api_key: str = field(repr=False)
    model: str | None
    key_name: str = "KANTU_API_KEY"
    hosted: bool = False
    unpaired: UnpairedKey | None = None


@dataclass(frozen=True)
class ClientSettings:
    """Everything ``ChatClient`` needs; ``api_key`` never shows in a repr.

    ``base_url`` is the parsed base URL (a string given here is parsed, raising ConfigError);
    build request URLs with ``base_url.endpoint("chat/completions")``. ``public_only``: connect
    only to public addresses (hosted, custom base URL).
    """

    base_url: BaseURL
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
    hosted: bool = False
    public_only: bool = False
    unpaired: UnpairedKey | None = None

    def __post_init__(self) -> None:
        if isinstance(self.base_url, str):
            object.__setattr__(self, "base_url", parse_base_url(self.base_url))

    def missing_key_error(self, lang: Lang = "en") -> ConfigError | None:
        """Return the ConfigError to show when a request needs a key it does not have, else None.

        The one owner of "is a key needed?". The provider's preset decides whether one is needed
        (a custom server or a local Ollama may take none); when it is and there is none:
        ``operator_key_withheld`` if the operator's key stays home because the base URL is not
        the operator's, ``operator_key_unpaired`` if the operator's key is unused because its
        server is ambiguous, else ``no_key`` naming the provider in ``lang``.
        """
        if self.api_key or not self.preset.needs_key:
            return None
        if self.key_withheld:
            return ConfigError("operator_key_withheld")
        if self.unpaired is not None:
            return self.unpaired.error()
        return ConfigError("no_key", provider=self.preset.name(lang))


def _lookup(name: str, sources: tuple[Mapping[str, object] | None, ...]) -> str | None:
    """Return the setting ``name`` as text from (secrets, environ), read by ``SettingsSource``."""
    secrets, environ = sources
    return SettingsSource(secrets, environ).text(name)


def _hosted(text: str | None, has_key: bool) -> bool:
    """Return KANTU_HOSTED: an explicit value wins; unset means "hosted when there is a key"."""
    if text is None:
        return has_key
    flag = FLAGS.get(text.lower())
    if flag is None:
        # fail closed: a typo must not open the server's network to visitors
        log.warning("KANTU_HOSTED=%r is not true/false, 1/0 or yes/no: treated as true", text)
        return True
    return flag


def operator_config(
    secrets: Mapping[str, object] | None, environ: Mapping[str, str] | None
) -> OperatorConfig:
    """Read the operator's KANTU_BASE_URL / KANTU_API_KEY / KANTU_MODEL / KANTU_HOSTED (secrets,
    then environ), falling back to OPENAI_BASE_URL / OPENAI_API_KEY.

    A key and its base URL come from the same family. A key with no base URL at all goes to its
    family's default (the default preset's for KANTU, OpenAI's for OPENAI); a key with no base
    URL of its own beside the other family's URL is dropped and reported in ``unpaired``. An
    unset KANTU_HOSTED still counts a dropped key as configured. Never raises: a bad key or URL
    is refused when it would be used.
    """
    sources = (secrets, environ)
    kantu_key = _lookup("KANTU_API_KEY", sources)
    kantu_url = _lookup("KANTU_BASE_URL", sources)
    openai_key = _lookup("OPENAI_API_KEY", sources)
    openai_url = _lookup("OPENAI_BASE_URL", sources)
    model = _lookup("KANTU_MODEL", sources)
    hosted = _hosted(_lookup("KANTU_HOSTED", sources), bool(kantu_key or openai_key))
    unpaired = None
    if kantu_key and not kantu_url and openai_url:
        unpaired = UnpairedKey("KANTU_API_KEY", "KANTU_BASE_URL", "OPENAI_BASE_URL")
        kantu_key = None
    elif openai_key and not openai_url and kantu_url and not kantu_key:
        unpaired = UnpairedKey("OPENAI_API_KEY", "OPENAI_BASE_URL", "KANTU_BASE_URL")
        openai_key = None
    if kantu_key or kantu_url:
        base = kantu_url or get_preset(DEFAULT_PRESET_ID).base_url
        return OperatorConfig(base, kantu_key or "", model, "KANTU_API_KEY", hosted, unpaired)
    if openai_key:
        base = openai_url or OPENAI_DEFAULT_BASE_URL
        return OperatorConfig(base, openai_key, model, "OPENAI_API_KEY", hosted, unpaired)
    return OperatorConfig(openai_url, "", model, "OPENAI_API_KEY", hosted, unpaired)


def check_key(key: str, *, operator_key_name: str | None = None) -> None:
    """Refuse a key that cannot go in an HTTP header verbatim (non-ASCII, spaces, controls).

    Raises ConfigError("bad_key"), or ConfigError("bad_operator_key") naming the operator's
    variable; neither message nor detail contains the key.
    """
    if _HEADER_SAFE.fullmatch(key):
        return
    if operator_key_name:
        raise ConfigError(
            "bad_operator_key", f"{operator_key_name} cannot be sent", name=operator_key_name
        )
    raise ConfigError("bad_key", "the key cannot be sent in a header")


def _parse_or_none(url: str | None) -> BaseURL | None:
    if not url:
        return None
    try:
        return parse_base_url(url)
    except ConfigError:
        return None


def resolve_settings(
    *,
    preset_id: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    secrets: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
    hosted: bool | None = None,
    connect_timeout: float = 10.0,
    read_timeout: float = 60.0,
    max_retries: int = 2,
    backoff_factor: float = 0.5,
) -> ClientSettings:
    """Return the settings: explicit arguments first, then the operator's, then the preset's.

    Picking the preset that matches the operator's base URL keeps the operator's URL. The
    operator's key is used only when the parsed base URL equals the operator's (scheme, host,
    port, path); otherwise ``api_key`` is empty and ``key_withheld`` is True. When hosted
    (``hosted``, else the operator's KANTU_HOSTED), any base URL but the operator's gets
    ``public_only`` (a preset's public address passes; the Ollama preset's localhost does not).

    Raises ConfigError: a base URL refused by ``parse_base_url`` (``bad_base_url``,
    ``base_url_*``), ``private_address`` (hosted, custom URL on a non-public IP literal or a
    localhost name), ``bad_key`` / ``bad_operator_key`` (a key that cannot go in a header).
    Raises KeyError for an unknown preset id.
    """
    op = operator_config(secrets, environ)
    op_url = _parse_or_none(op.base_url)
    explicit_text = (base_url or "").strip() or None
    text: str | None
    if explicit_text:
        text = explicit_text
    elif preset_id is not None:
        chosen = get_preset(preset_id)
        if op_url and preset_for_base_url(op_url).id == chosen.id:
            text = op.base_url
        else:
            text = chosen.base_url
    else:
        text = op.base_url or get_preset(DEFAULT_PRESET_ID).base_url
    if not text:
        raise ConfigError("bad_base_url", "no base URL")
    url = parse_base_url(text)  # the one parse: everything below compares and sends this value

    # an explicit URL decides the provider's capabilities; otherwise the chosen preset does
    url_preset = preset_for_base_url(url)
    preset = get_preset(preset_id) if preset_id and not explicit_text else url_preset

    is_operator_url = op_url is not None and url == op_url
    is_hosted = op.hosted if hosted is None else hosted
    # Presets are not exempt: on a hosted site the Ollama preset's localhost is the server's own.
    public_only = is_hosted and not is_operator_url
    if public_only:
        check_literal_host(url)

    key_withheld = False
    source: KeySource
    typed = (api_key or "").strip()
    if typed:
        check_key(typed)
        key, source = typed, "argument"
    elif op.api_key and is_operator_url:
        check_key(op.api_key, operator_key_name=op.key_name)
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
        key_source=source,
        key_withheld=key_withheld,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_retries=max_retries,
        backoff_factor=backoff_factor,
        hosted=is_hosted,
        public_only=public_only,
        unpaired=op.unpaired,
    )
