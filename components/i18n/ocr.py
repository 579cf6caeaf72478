"""The local text reader."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("ocr",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "ocr.answer_intro": {
        "zh": (
            "🔤 **本地文字识别（离线）**：这是文字识别器，不是视觉模型，只能读出图片中的文字，"
            "不能描述或分析图片。识别到的文字（灰色为置信度）："
        ),
        "en": (
            "🔤 **Local text reading (offline)**: this is a text reader, not a vision model. It "
            "reads out the text in your pictures; it cannot describe or reason about them. The "
            "text found (confidence in grey):"
        ),
    },
    "ocr.no_pictures": {
        "zh": "请发送一张含文字的图片，我会读出其中的文字。",
        "en": "Send a picture with text in it and the text will be read out.",
    },
    "ocr.no_text": {"zh": "（未找到文字）", "en": "(no text found)"},
    "ocr.picture_heading": {"zh": "图片 {number}：{name}", "en": "Picture {number}: {name}"},
    "ocr.text_of_picture": {
        "zh": "[图片 {number} 中识别出的文字（本地 OCR，非图片本身）]",
        "en": "[Text read from picture {number} by local OCR, not the picture itself]",
    },
}
