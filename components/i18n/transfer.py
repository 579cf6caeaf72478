"""Exporting and importing a conversation."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("transfer",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "transfer.too_big": {
        "zh": "这个文件有 {size_mb} MB，超过了可导入的上限 {limit_mb} MB。请导入 Kantu 导出的对话 JSON 文件。",
        "en": "This file is {size_mb} MB, over the {limit_mb} MB import limit. Import a "
        "conversation JSON file exported by Kantu.",
    },
    "transfer.not_json": {
        "zh": "这个文件不是 JSON 格式，无法导入。请选择 Kantu 导出的对话 JSON 文件（不是 Markdown 压缩包）。",
        "en": "This file is not JSON, so it cannot be imported. Choose a conversation JSON file "
        "exported by Kantu (not the Markdown .zip).",
    },
    "transfer.not_kantu": {
        "zh": "这个 JSON 文件不是 Kantu 导出的对话，无法导入。",
        "en": "This JSON file is not a conversation exported by Kantu, so it cannot be imported.",
    },
    "transfer.newer_version": {
        "zh": "这个对话由更新版本的 Kantu 导出（格式版本 {version}），请更新 Kantu 后再导入。",
        "en": "This conversation was exported by a newer Kantu (format version {version}). "
        "Update Kantu, then import it again.",
    },
    "transfer.malformed": {
        "zh": "这个对话文件已损坏或被修改过，无法导入。当前对话没有任何改动。",
        "en": "This conversation file is damaged or was edited, so it cannot be imported. "
        "Your current conversation is unchanged.",
    },
    "transfer.too_many": {
        "zh": "这个对话太大：最多可导入 {entries} 条消息和 {pictures} 张图片。当前对话没有任何改动。",
        "en": "This conversation is too large: at most {entries} messages and {pictures} "
        "pictures can be imported. Your current conversation is unchanged.",
    },
    "transfer.bad_picture": {
        "zh": "对话文件中的图片 {name} 已损坏或与记录不符，无法导入。当前对话没有任何改动。",
        "en": "Picture {name} in the conversation file is damaged or does not match its record, "
        "so the file cannot be imported. Your current conversation is unchanged.",
    },
    "transfer.md.title": {"zh": "Kantu 看图对话", "en": "Kantu conversation"},
    "transfer.md.user": {"zh": "你", "en": "You"},
    "transfer.md.assistant": {"zh": "模型", "en": "Model"},
    "transfer.md.picture": {"zh": "图片", "en": "picture"},
    "transfer.md.status.interrupted": {"zh": "（回答中断）", "en": "(answer cut short)"},
    "transfer.md.status.stopped": {"zh": "（已停止）", "en": "(stopped)"},
    "transfer.md.status.error": {"zh": "（出错）", "en": "(failed)"},
    "transfer.md.status.not_sent": {"zh": "（未发送）", "en": "(not sent)"},
    "transfer.export_json": {
        "zh": "下载 JSON（可导入）",
        "en": "Download JSON (importable)",
    },
    "transfer.export_markdown": {
        "zh": "下载 Markdown（含图片）",
        "en": "Download Markdown + pictures",
    },
    "transfer.import": {"zh": "导入对话（JSON）", "en": "Import a chat (JSON)"},
    "transfer.imported": {
        "zh": "已导入对话：{entries} 条消息，{pictures} 张图片。",
        "en": "Chat imported: {entries} messages, {pictures} pictures.",
    },
}
