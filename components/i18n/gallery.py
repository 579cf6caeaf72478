"""The gallery of pictures in the conversation."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("gallery",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "gallery.token_rule": {"zh": "按“{rule}”规则", "en": "by the rule “{rule}”"},
    "gallery.view": {"zh": "放大查看", "en": "View large"},
    "gallery.view_title": {"zh": "发送的图片", "en": "The picture as sent"},
    "gallery.picture": {"zh": "图片", "en": "Picture"},
    "gallery.alt": {
        "zh": "{subject}（发送的图片，{width}×{height}）",
        "en": "{subject} (picture sent, {width}×{height})",
    },
    "gallery.cropped": {"zh": "只显示顶部（已裁剪）", "en": "top only (cropped)"},
    "gallery.cropped_short": {"zh": "仅顶部", "en": "top only"},
    "gallery.approximate": {"zh": "估算", "en": "approximate"},
    "gallery.overview_note": {
        "zh": "这是预览图；实际发送的是下面的几张。",
        "en": "This overview is only shown; the images below are what was sent.",
    },
    "gallery.fact_original": {"zh": "原图", "en": "Original"},
    "gallery.fact_sent": {"zh": "发送", "en": "Sent"},
    "gallery.fact_detail": {"zh": "细节", "en": "Detail"},
    "gallery.fact_tokens": {"zh": "Token 估算", "en": "Token estimate"},
    "gallery.fact_rotated": {"zh": "已按拍摄方向摆正", "en": "Turned upright"},
    "gallery.fact_metadata": {
        "zh": "已移除元数据（EXIF 等）",
        "en": "Metadata removed (EXIF etc.)",
    },
    "gallery.fact_frames": {"zh": "丢弃的帧", "en": "Frames dropped"},
    "gallery.fact_truncated": {"zh": "文件", "en": "File"},
    "gallery.sent_parts": {
        "zh": "{count} 张 · 共 {size}",
        "en": "{count} {count:image|images} · {size} in all",
    },
    "gallery.tokens": {"zh": "约 {tokens} token", "en": "≈ {tokens} tokens"},
    "gallery.tokens_approximate": {
        "zh": "估算：没有这个模型确切的计费规则",
        "en": "approximate: Kantu does not know this model's exact rule",
    },
    "gallery.frames_dropped": {
        "zh": "{dropped} 帧（共 {frames} 帧，只发送第 1 帧）",
        "en": "{dropped} (of {frames}; only the first is sent)",
    },
    "gallery.yes": {"zh": "是", "en": "yes"},
    "gallery.no": {"zh": "否", "en": "no"},
    "gallery.kb": {"zh": "{size} KB", "en": "{size} KB"},
    "gallery.mb": {"zh": "{size} MB", "en": "{size} MB"},
}
