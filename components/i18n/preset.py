"""Prompt presets: ready-made questions."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("preset",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "preset.label": {"zh": "常用问题", "en": "Prompt presets"},
    "preset.describe.label": {"zh": "描述图片", "en": "Describe"},
    "preset.describe.question": {
        "zh": "请详细描述这张图片的内容。",
        "en": "Describe this picture in detail.",
    },
    "preset.read_text.label": {"zh": "读出文字", "en": "Read all text"},
    "preset.read_text.question": {
        "zh": "请按阅读顺序逐字读出图片中的全部文字。",
        "en": "Read out all the text in this picture, word for word, in reading order.",
    },
    "preset.translate.label": {"zh": "翻译文字", "en": "Translate the text"},
    "preset.translate.question": {
        "zh": "请把图片中的文字翻译成中文，并保留原来的结构。",
        "en": "Translate the text in this picture into English, keeping its structure.",
    },
    "preset.explain.label": {"zh": "解释截图或报错", "en": "Explain a screenshot or error"},
    "preset.explain.question": {
        "zh": "这张截图里出了什么问题？请解释原因并给出解决办法。",
        "en": "What is wrong in this screenshot? Explain the cause and how to fix it.",
    },
    "preset.count.label": {"zh": "数一数", "en": "Count objects"},
    "preset.count.question": {
        "zh": "图片里有哪些物体？请分别数出每种有几个。",
        "en": "What objects are in this picture? Count how many there are of each.",
    },
    "preset.alt_text.label": {"zh": "写替代文字", "en": "Write alt text"},
    "preset.alt_text.question": {
        "zh": "请为这张图片写一段简洁的替代文字（alt text），供读屏软件使用。",
        "en": "Write concise alt text for this picture, for screen-reader users.",
    },
}
