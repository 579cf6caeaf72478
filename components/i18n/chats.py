"""The sidebar's saved chats: the list, search, rename, delete, undo and where chats are kept."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("chats",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "chats.title": {"zh": "对话记录", "en": "Chats"},
    "chats.search": {"zh": "搜索对话", "en": "Search chats"},
    "chats.search_help": {
        "zh": "按标题查找；有服务器存储时也查找问题和回答里的字词。",
        "en": "Finds words in titles, and in questions and answers where the server keeps chats.",
    },
    "chats.no_match": {"zh": "没有符合的对话。", "en": "No chat matches."},
    "chats.more": {
        "zh": "还有 {count} 个更早的对话，可用搜索查找。",
        "en": "{count} older chats not shown: search to find them.",
    },
    "chats.untitled": {"zh": "（无标题）", "en": "(untitled)"},
    "chats.line": {"zh": "{date} · 🖼️ {pictures}", "en": "{date} · 🖼️ {pictures}"},
    "chats.manage": {"zh": "重命名或删除", "en": "Rename or delete"},
    "chats.rename": {"zh": "标题", "en": "Title"},
    "chats.rename_save": {"zh": "保存标题", "en": "Save title"},
    "chats.delete": {"zh": "删除这个对话", "en": "Delete this chat"},
    "chats.deleted": {"zh": "已删除对话“{title}”。", "en": "Deleted “{title}”."},
    "chats.message_deleted": {"zh": "已删除这条消息。", "en": "Message deleted."},
    "chats.new_started": {
        "zh": "已开始新对话，之前的对话已保存在列表中。",
        "en": "New chat started; the previous one is saved in the list.",
    },
    "chats.undo": {"zh": "撤销", "en": "Undo"},
    "chats.delete_all": {"zh": "删除我的全部对话", "en": "Delete all my chats"},
    "chats.delete_all_confirm": {
        "zh": "这会删除这个浏览器{server}里你的全部 {count} 个对话，无法撤销。",
        "en": "This deletes all {count} of your chats in this browser{server}. It cannot be "
        "undone.",
    },
    "chats.delete_all_server": {"zh": "和服务器上", "en": " and on the server"},
    "chats.delete_all_yes": {"zh": "确认全部删除", "en": "Yes, delete them all"},
    "chats.where_browser": {
        "zh": "对话只保存在这个浏览器里（IndexedDB），直到你删除；清除网站数据也会删除它们。",
        "en": "Chats are kept in this browser only (IndexedDB) until you delete them; clearing "
        "the site's data deletes them too.",
    },
    "chats.where_server": {
        "zh": "对话保存在这个浏览器里，也保存在本站服务器上，直到你删除。",
        "en": "Chats are kept in this browser and on this site's server until you delete them.",
    },
    "chats.where_server_brief": {
        "zh": "对话保存在这个浏览器里，本站服务器也暂存一份（服务器重启后会清空），直到你删除。",
        "en": "Chats are kept in this browser until you delete them; this site's server keeps "
        "a copy only until it restarts.",
    },
    "chats.where_signed_in": {
        "zh": "你已登录：对话也保存在服务器上，在其他设备登录后可以看到。",
        "en": "You are signed in: chats are also kept on the server, so your other devices see "
        "them.",
    },
}
