"""The two languages of the UI, the default, and the pick from a browser's locale."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"


def lang_from_locale(locale: str | None) -> Lang:
    """Return ``"zh"`` for Chinese browser locales, ``"en"`` for others, the default if unknown."""
    if not locale:
        return DEFAULT_LANG
    return "zh" if locale.lower().startswith("zh") else "en"
