"""Pictures chosen but not sent yet."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("pending",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "pending.title": {"zh": "发送前请确认", "en": "Before this is sent"},
    "pending.small_text": {
        "zh": "{name}：按原样发送为 {width}×{height}，文字只有约 {px} 像素高，模型很可能看不清。",
        "en": "{name}: sent as it is ({width}×{height}), its text would be about {px} px tall: "
        "too small for the model to read.",
    },
    "pending.long": {
        "zh": "{name}：{owidth}×{oheight} 的长图会被缩到 {width}×{height}，文字会看不清。",
        "en": "{name}: this {owidth}×{oheight} picture would be shrunk to {width}×{height}; "
        "its text would be unreadable.",
    },
    "pending.as_is": {
        "zh": "{name}：{width}×{height}，约 {tokens} token。",
        "en": "{name}: {width}×{height}, ~{tokens} tokens.",
    },
    "pending.slices_cost": {
        "zh": "切片：{count} 片，每片 {width}×{height} 原清晰度，共约 {tokens} token（原样约 {now}）。",
        "en": "Slices: {count} parts of {width}×{height} at full resolution, ~{tokens} tokens in "
        "all (as it is: ~{now}).",
    },
    "pending.send_slices": {"zh": "切片发送", "en": "Send as slices"},
    "pending.send_all_slices": {
        "zh": "全部 {count} 片发送（约 {tokens} token）",
        "en": "Send all {count} slices (~{tokens} tokens)",
    },
    "pending.send_as_is": {"zh": "原样发送", "en": "Send as it is"},
    "pending.send": {"zh": "发送", "en": "Send"},
    "pending.cancel": {"zh": "取消", "en": "Cancel"},
    "pending.zoom": {
        "zh": "放大一个区域（整图低清 + 区域高清）：",
        "en": "Zoom into a region (whole picture at low detail + the region at high):",
    },
    "pending.zone": {"zh": "区域 {row}-{col}", "en": "Zone {row}-{col}"},
    "pending.alt": {
        "zh": "{name}（尚未发送，{width}×{height}）",
        "en": "{name} (not sent yet, {width}×{height})",
    },
}
