"""The sidebar's theme switch: the system's, light or dark."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("theme",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "theme.label": {"zh": "外观", "en": "Appearance"},
    "theme.system": {"zh": "跟随系统", "en": "System"},
    "theme.light": {"zh": "浅色", "en": "Light"},
    "theme.dark": {"zh": "深色", "en": "Dark"},
}
