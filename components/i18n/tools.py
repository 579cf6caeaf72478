"""The conversation tools on the chat page."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("tools",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "tools.title": {"zh": "对话", "en": "Conversation"},
    "tools.last_turns": {"zh": "最近几个问题", "en": "Number of recent questions"},
    "tools.testing": {"zh": "正在连接…", "en": "Connecting…"},
    "tools.blind_warning": {
        "zh": "检测显示 {model} 看不到图片，图片可能被忽略。仍要发送吗？",
        "en": "A check showed {model} cannot see pictures, so they may be ignored. Send anyway?",
    },
}
