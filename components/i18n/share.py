"""Read-only share links: the Share action, the owner's list of links, and the shared page."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("share",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "share.button": {"zh": "分享只读链接", "en": "Share a read-only link"},
    "share.help": {
        "zh": "保存这段对话的快照（问题、回答、发送的图片、模型和费用），生成一个只读链接发给同事。之后的新消息不会出现在这个链接里。",
        "en": "Saves a snapshot of this chat (questions, answers, the pictures as sent, model "
        "and cost lines) behind a read-only link to send to colleagues. Later messages do not "
        "appear in it.",
    },
    "share.working": {"zh": "正在保存快照…", "en": "Saving the snapshot…"},
    "share.needs_access": {
        "zh": "请先输入访问码（或登录）后再分享。",
        "en": "Enter the access code (or sign in) before sharing.",
    },
    "share.dialog_title": {"zh": "只读链接已生成", "en": "Read-only link ready"},
    "share.link_intro": {
        "zh": "拿到这个链接的任何人都能查看这段对话的快照（只读）。关闭本页后链接无法再次查看，请现在复制：",
        "en": "Anyone with this link can see a read-only snapshot of this chat. Once you close "
        "this page it cannot be shown again, so copy it now:",
    },
    "share.expires": {"zh": "有效期至 {date}。", "en": "Valid until {date}."},
    "share.manage": {
        "zh": "可随时在“已分享的链接”中撤销。",
        "en": "You can revoke it at any time under “Shared links”.",
    },
    "share.last_link": {
        "zh": "刚生成的链接（{date} 到期）：",
        "en": "Your new link (expires {date}):",
    },
    "share.links_title": {"zh": "已分享的链接", "en": "Shared links"},
    "share.link_line": {
        "zh": "**{title}** · 创建于 {created} · {state}",
        "en": "**{title}** · made {created} · {state}",
    },
    "share.state_live": {"zh": "{date} 到期", "en": "expires {date}"},
    "share.state_revoked": {"zh": "已撤销", "en": "revoked"},
    "share.state_expired": {"zh": "已过期", "en": "expired"},
    "share.revoke": {"zh": "撤销", "en": "Revoke"},
    "share.untitled": {"zh": "（无标题）", "en": "(untitled)"},
    "share.nav": {"zh": "分享的对话", "en": "Shared chat"},
    "share.page_note": {
        "zh": "只读快照 · {date} 保存 · 由 Kantu 看图分享",
        "en": "Read-only snapshot · saved {date} · shared from Kantu",
    },
    "share.page_unavailable": {
        "zh": "这个链接打不开",
        "en": "This link cannot be opened",
    },
    "share.open_app": {"zh": "用 Kantu 问自己的图片", "en": "Ask about your own pictures in Kantu"},
    "share.show_more": {
        "zh": "显示后面的 {n} 条消息（还有 {left} 条）",
        "en": "Show the next {n} {n:message|messages} ({left} left)",
    },
}
