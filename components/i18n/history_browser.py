"""Saved chats kept in the visitor's browser (IndexedDB): what the page says when the store
cannot do something."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("history_browser",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "history_browser.quota": {
        "zh": "浏览器的存储空间已满，最新的对话内容还没有保存（本页仍保留着，不会丢）。"
        "请删除一些旧对话，或先下载这段对话。",
        "en": "Your browser's storage is full, so the latest part of this chat is not saved yet "
        "(this page still holds it). Delete some old chats, or download this one.",
    },
    "history_browser.unavailable": {
        "zh": "这个浏览器不能保存对话（可能是无痕模式，或站点存储被禁用）。"
        "关闭页面后对话会消失；需要保留请先下载。",
        "en": "This browser cannot keep chats (private mode, or site storage is blocked). The chat "
        "is gone once the page closes: download it to keep it.",
    },
    "history_browser.version": {
        "zh": "浏览器里保存的对话来自更新版本的看图，这个版本无法读取。已保存的内容保持原样，"
        "本次对话不会写入浏览器；请使用最新版本的页面。",
        "en": "The chats saved in this browser come from a newer Kantu that this version cannot "
        "read. They are left untouched and nothing new is saved; open the latest version.",
    },
    "history_browser.damaged": {
        "zh": "浏览器里保存的对话 {chat} 已损坏，无法打开；其他对话不受影响。",
        "en": "The chat {chat} saved in this browser is damaged and cannot be opened; the other "
        "chats are fine.",
    },
    "history_browser.missing": {
        "zh": "浏览器里找不到对话 {chat}（可能已在另一个标签页中删除）。",
        "en": "The chat {chat} is not in this browser any more (perhaps deleted in another tab).",
    },
}
