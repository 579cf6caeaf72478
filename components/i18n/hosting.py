"""Hosting: the site's access, limits and the admin page."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("hosting", "admin")

MESSAGES: dict[str, dict[Lang, str]] = {
    "hosting.access_code": {"zh": "访问码", "en": "Access code"},
    "hosting.code_hint": {
        "zh": "本站的密钥需要访问码：请向分享链接的人索取。也可以在侧边栏填入你自己的 API 密钥。",
        "en": "This site's key needs an access code: ask whoever shared the link. Or enter your "
        "own API key in the sidebar.",
    },
    "hosting.unlock": {"zh": "确认", "en": "Unlock"},
    "hosting.unlocked": {"zh": "访问码正确，可以提问了。", "en": "Access code accepted."},
    "hosting.wrong_code": {"zh": "访问码不正确。", "en": "That access code is not right."},
    "hosting.try_again_in": {
        "zh": "尝试次数过多，请 {seconds} 秒后再试。",
        "en": "Too many wrong tries: try again in {seconds} s.",
    },
    "hosting.too_many_tries": {
        "zh": "最近一分钟本站收到的错误口令过多，暂停核对：请 {seconds} 秒后再试。",
        "en": "This site has had too many wrong codes in the last minute, so codes are not "
        "checked for now: try again in {seconds} s.",
    },
    "hosting.code_unavailable": {
        "zh": "暂时无法核对口令（本站的记录无法写入）：请稍后重试，或在侧边栏填入你自己的 API 密钥。",
        "en": "Codes cannot be checked just now (the site's records cannot be written): retry "
        "later, or enter your own API key in the sidebar.",
    },
    "hosting.sign_in_hint": {
        "zh": "请先登录才能使用本站的密钥，或在侧边栏填入你自己的 API 密钥。",
        "en": "Sign in to use this site's key, or enter your own API key in the sidebar.",
    },
    "hosting.sign_in": {"zh": "登录", "en": "Sign in"},
    "hosting.signed_in_as": {"zh": "已登录：{email}", "en": "Signed in as {email}"},
    "admin.title": {"zh": "运营者页面：用量与费用", "en": "Operator page: usage and spend"},
    "admin.code_label": {"zh": "运营者口令", "en": "Operator code"},
    "admin.wrong_code": {"zh": "运营者口令不正确。", "en": "That operator code is not right."},
    "admin.short_codes": {
        "zh": "{settings} 中有少于 {n} 个字符的口令，容易被猜中：请换成更长的口令。",
        "en": "{settings} holds a code shorter than {n} characters, which is easy to guess: "
        "set a longer one.",
    },
    "admin.closed": {
        "zh": "此页面未开放：请在 secrets 中设置 KANTU_ADMIN_CODE（或 KANTU_ADMIN_USERS 并配置登录）。",
        "en": "This page is closed: set KANTU_ADMIN_CODE in the secrets (or KANTU_ADMIN_USERS "
        "with sign-in configured).",
    },
    "admin.sign_in": {
        "zh": "请用运营者账号登录后查看。",
        "en": "Sign in with an operator's account to see this page.",
    },
    "admin.empty": {
        "zh": "账本里还没有记录：用本站密钥提出的问题会出现在这里。",
        "en": "The ledger has no rows yet: questions asked with this site's key appear here.",
    },
    "admin.requests_today": {"zh": "今天的请求", "en": "Requests today"},
    "admin.spend_today": {"zh": "今天的费用（估算）", "en": "Spend today (estimated)"},
    "admin.requests_30d": {"zh": "30 天内的请求", "en": "Requests, 30 days"},
    "admin.spend_per_day": {"zh": "每天的费用", "en": "Spend per day"},
    "admin.spend_per_model": {"zh": "各模型的费用", "en": "Spend per model"},
    "admin.spend_in": {"zh": "费用（{currency}）", "en": "Spend ({currency})"},
    "admin.unpriced": {
        "zh": "{count} 个请求没有价格，不计入上面的费用图。",
        "en": "{count} requests had no price and are not in the spend charts above.",
    },
    "admin.by_outcome": {"zh": "请求结果", "en": "Requests by outcome"},
    "admin.errors_hour": {
        "zh": "最近一小时的错误（按类型，每 5 分钟）",
        "en": "Errors in the last hour, by kind (per 5 minutes)",
    },
    "admin.no_errors_hour": {"zh": "最近一小时没有错误。", "en": "No errors in the last hour."},
    "admin.col_time_utc": {"zh": "时间（UTC）", "en": "Time (UTC)"},
    "admin.col_errors": {"zh": "出错的请求", "en": "Failed requests"},
    "admin.col_error_kind": {"zh": "错误类型", "en": "Error kind"},
    "admin.top_sessions": {
        "zh": "费用最高的会话（匿名编号）",
        "en": "Top sessions by cost (anonymous ids)",
    },
    "admin.limits": {"zh": "当前限制", "en": "Current limits"},
    "admin.no_limits": {
        "zh": "未设置任何限制（KANTU_LIMITS）。",
        "en": "No limits set (KANTU_LIMITS).",
    },
    "admin.limits_broken": {
        "zh": "KANTU_LIMITS 无法读取：本站密钥已暂停。",
        "en": "KANTU_LIMITS cannot be read: the site's key is paused.",
    },
    "admin.allowed_models": {"zh": "允许的模型", "en": "Allowed models"},
    "admin.csv": {"zh": "导出账本（CSV）", "en": "Export the ledger (CSV)"},
    "admin.ledger_error": {
        "zh": "无法读取账本，请检查 KANTU_LEDGER_PATH 或数据库连接。",
        "en": "The ledger cannot be read: check KANTU_LEDGER_PATH or the database connection.",
    },
    "admin.col_session": {"zh": "会话", "en": "Session"},
    "admin.col_requests": {"zh": "请求", "en": "Requests"},
    "admin.col_cost": {"zh": "费用", "en": "Cost"},
    "admin.col_limit": {"zh": "限制", "en": "Limit"},
    "admin.col_value": {"zh": "值", "en": "Value"},
    "admin.limit.session_requests": {"zh": "每个会话的请求数", "en": "Requests per session"},
    "admin.limit.session_cost": {"zh": "每个会话的费用", "en": "Spend per session"},
    "admin.limit.visitor_hour_requests": {
        "zh": "每位访客每小时的请求数",
        "en": "Requests per visitor per hour",
    },
    "admin.limit.visitor_hour_cost": {
        "zh": "每位访客每小时的费用",
        "en": "Spend per visitor per hour",
    },
    "admin.limit.daily_requests": {"zh": "每天的请求总数", "en": "Requests per day (all)"},
    "admin.limit.daily_cost": {"zh": "每天的费用总额", "en": "Spend per day (all)"},
}
