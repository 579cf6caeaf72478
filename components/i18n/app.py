"""The app's title, navigation, layout and shared punctuation."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("app", "nav", "layout", "punct")

MESSAGES: dict[str, dict[Lang, str]] = {
    "nav.chat": {"zh": "对话", "en": "Chat"},
    "layout.heading": {
        "zh": "Kantu 看图 · 问问你的图片",
        "en": "Kantu 看图 · Ask about any picture",
    },
    "layout.operator_key_refused": {
        "zh": "服务商拒绝了本站配置的密钥。你可以在上面填写自己的密钥。",
        "en": "The provider refused this site's key. You can enter your own key above.",
    },
    "nav.compare": {"zh": "对比", "en": "Compare"},
    "nav.admin": {"zh": "运营者", "en": "Operator"},
    "nav.batch": {"zh": "批量", "en": "Batch"},
    "punct.colon": {"zh": "：", "en": ": "},
}
