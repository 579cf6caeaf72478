"""Saved chats and share links: what the store says when it cannot do what was asked."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("history",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "history.full_bytes": {
        "zh": "已保存的对话已达 {limit_mb} MB 上限，这次改动没有保存（之前保存的都还在）。请删除一些旧对话后再试。",
        "en": "Your saved chats have reached the {limit_mb} MB limit, so this change was not "
        "saved (everything saved before is still there). Delete some old chats, then try again.",
    },
    "history.full_count": {
        "zh": "已保存的对话已达 {limit} 个上限，新对话没有保存（之前保存的都还在）。请删除一些旧对话后再试。",
        "en": "You have reached the limit of {limit} saved chats, so this new chat was not saved "
        "(everything saved before is still there). Delete some old chats, then try again.",
    },
    "history.unavailable": {
        "zh": "暂时无法连接到保存对话的数据库，这次改动没有保存（之前保存的都还在）。请稍后再试。",
        "en": "The database that keeps your chats cannot be reached right now, so this change "
        "was not saved (everything saved before is still there). Try again in a moment.",
    },
    "history.damaged": {
        "zh": "保存的对话数据已损坏或被修改过，无法读取。其他对话不受影响。",
        "en": "This saved chat is damaged or was edited, so it cannot be read. Your other chats "
        "are not affected.",
    },
    "history.not_found": {
        "zh": "找不到这个对话，它可能已被删除。",
        "en": "This chat cannot be found; it may have been deleted.",
    },
    "history.share_not_found": {
        "zh": "这个分享链接不存在或已被撤销。请向分享者要一个新链接。",
        "en": "This share link does not exist or was revoked. Ask whoever shared it for a new "
        "link.",
    },
    "history.share_expired": {
        "zh": "这个分享链接已过期。请向分享者要一个新链接。",
        "en": "This share link has expired. Ask whoever shared it for a new link.",
    },
    "history.share_rate": {
        "zh": "每天最多可创建 {limit} 个分享链接，今天的已用完。请明天再试。",
        "en": "You can make at most {limit} share links a day, and today's are used up. Try "
        "again tomorrow.",
    },
    "history.share_too_big": {
        "zh": "分享的内容合计不能超过 {limit_mb} MB。请撤销一些旧的分享链接后再试。",
        "en": "Shared chats may take at most {limit_mb} MB in all. Revoke some old share links, "
        "then try again.",
    },
    "history.not_durable": {
        "zh": "这里没有配置长期保存的数据库，分享链接无法保留，因此不能分享。请让管理员配置数据库。",
        "en": "No lasting database is configured here, so a share link would not survive; "
        "sharing is off. Ask the operator to configure a database.",
    },
}
