"""The operator's limits on saved chats and share links, read through ``SettingsSource``.

``KANTU_CHATS_MAX_MB`` (200) and ``KANTU_CHATS_MAX_COUNT`` (1000) cap each visitor's saved
chats; ``KANTU_SHARE_DAYS`` (30) is how long a share link lives; ``KANTU_SHARES_PER_DAY`` (20)
and ``KANTU_SHARES_MAX_MB`` (100) cap each visitor's links made in a day and live links' size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from components.errors import ConfigError
from components.settings_source import SettingsSource

MB = 2**20


@dataclass(frozen=True)
class HistorySettings:
    """Per-visitor caps on the server store and on share links."""

    max_bytes: int = 200 * MB
    max_chats: int = 1000
    share_days: float = 30.0
    shares_per_day: int = 20
    share_max_bytes: int = 100 * MB

    @classmethod
    def from_source(cls, source: SettingsSource) -> HistorySettings:
        """Return the settings in ``source``, defaults where unset.

        Raises ConfigError("bad_setting") naming a setting that is not a positive number."""
        return cls(
            max_bytes=int(_positive(source, "KANTU_CHATS_MAX_MB", cls.max_bytes / MB) * MB),
            max_chats=int(_positive(source, "KANTU_CHATS_MAX_COUNT", cls.max_chats)),
            share_days=_positive(source, "KANTU_SHARE_DAYS", cls.share_days),
            shares_per_day=int(_positive(source, "KANTU_SHARES_PER_DAY", cls.shares_per_day)),
            share_max_bytes=int(
                _positive(source, "KANTU_SHARES_MAX_MB", cls.share_max_bytes / MB) * MB
            ),
        )


def _positive(source: SettingsSource, name: str, default: float) -> float:
    text = source.text(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError("bad_setting", f"{name} is not a positive number", name=name)
    return value
