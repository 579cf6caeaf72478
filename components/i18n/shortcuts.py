"""The keyboard shortcuts and their ``?`` overlay."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("shortcuts",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "shortcuts.title": {"zh": "键盘快捷键", "en": "Keyboard shortcuts"},
    "shortcuts.close": {"zh": "关闭", "en": "Close"},
    "shortcuts.help": {"zh": "显示这些快捷键", "en": "Show these shortcuts"},
    "shortcuts.new_chat": {"zh": "新对话", "en": "New chat"},
    "shortcuts.focus_input": {"zh": "把光标移到输入框", "en": "Focus the message input"},
    "shortcuts.stop": {"zh": "停止回答（或关闭弹窗）", "en": "Stop the answer (or close a dialog)"},
    "shortcuts.last_picture": {
        "zh": "放大查看最后一张图片",
        "en": "View the last picture large",
    },
    "shortcuts.outside_fields": {
        "zh": "单个按键在输入框之外有效。",
        "en": "Single keys work when the focus is not in a text field.",
    },
}
