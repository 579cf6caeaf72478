"""Settings that cannot work: keys, base URLs, prices, the site's limits."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("config",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "config.no_key": {
        "zh": "还没有 API 密钥。请在侧边栏填写密钥（{provider}）。",
        "en": "No API key yet. Enter one in the sidebar ({provider}).",
    },
    "config.bad_base_url": {
        "zh": "接口地址无效：需要以 http:// 或 https:// 开头。",
        "en": "The base URL is not valid: it must start with http:// or https://.",
    },
    "config.operator_key_withheld": {
        "zh": "接口地址已更改：站点配置的密钥只会发送到站点配置的地址。请填写你自己的密钥。",
        "en": "The base URL was changed: the site's configured key is only sent to the site's "
        "configured address. Enter your own key.",
    },
    "config.base_url_characters": {
        "zh": "接口地址无效：含有空格、控制字符或反斜杠（\\），正常的接口地址不会有这些。请重新输入，"
        "例如 `https://api.example.com/v1`。",
        "en": "The base URL is not valid: it contains spaces, control characters or backslashes "
        "(\\), which no base URL has. Retype it, e.g. `https://api.example.com/v1`.",
    },
    "config.base_url_userinfo": {
        "zh": "接口地址无效：不能包含用户名、密码或“@”。请只填写服务器地址，例如 "
        "`https://api.example.com/v1`；密钥请填在密钥输入框。",
        "en": "The base URL is not valid: it must not contain a user name, a password or '@'. "
        "Enter only the server address, e.g. `https://api.example.com/v1`; put the key in the key "
        "field.",
    },
    "config.base_url_query": {
        "zh": "接口地址无效：不能包含“?”或“#”（查询参数或片段）。请去掉“?”或“#”及其后的内容。",
        "en": "The base URL is not valid: it must not contain '?' or '#' (a query string or "
        "fragment). Remove them and what follows.",
    },
    "config.base_url_host": {
        "zh": "接口地址无效：服务器名称或 IP 地址不正确（例如含有“%”、全角字符，或写法特殊的数字地址）。"
        "请填写普通的域名或 IP 地址。",
        "en": "The base URL is not valid: its server name or IP address is not a plain one (for "
        "example it has '%', full-width characters or an unusual numeric form). Enter a normal "
        "domain name or IP address.",
    },
    "config.base_url_port": {
        "zh": "接口地址无效：端口必须是 1 到 65535 之间的数字。",
        "en": "The base URL is not valid: the port must be a number from 1 to 65535.",
    },
    "config.base_url_path": {
        "zh": "接口地址无效：路径中含有“.”/“..”段、编码过的分隔符或其他特殊字符。请填写服务商给出的地址，"
        "通常以 /v1 结尾。",
        "en": "The base URL is not valid: its path has '.' or '..' segments, encoded delimiters "
        "or other unusual characters. Enter the address your provider gives, usually ending in "
        "/v1.",
    },
    "config.bad_key": {
        "zh": "API 密钥无效：含有空格、换行、全角或其他非 ASCII 字符，无法发送。请从服务商页面重新复制密钥。",
        "en": "The API key cannot be used: it contains spaces, line breaks, full-width or other "
        "non-ASCII characters, which cannot be sent. Copy the key again from your provider.",
    },
    "config.bad_operator_key": {
        "zh": "站点配置的密钥（{name}）含有空格、换行或非 ASCII 字符，无法发送。请联系站点管理员修正；"
        "你也可以在侧边栏填写自己的密钥。",
        "en": "The site's configured key ({name}) contains spaces, line breaks or non-ASCII "
        "characters and cannot be sent. Ask the site's operator to fix it, or enter your own key "
        "in the sidebar.",
    },
    "config.private_address": {
        "zh": "此站点为公开部署，不会连接本机或内网地址（{host}）。请使用公网上的接口地址；"
        "如果这是你自己运行的 Kantu，可设置 KANTU_HOSTED=false。",
        "en": "This site is hosted publicly and does not connect to local or private network "
        "addresses ({host}). Use a public base URL; if you run Kantu yourself, set "
        "KANTU_HOSTED=false.",
    },
    "config.ocr_unavailable": {
        "zh": "本地文字识别在此不可用：{why}。请选择其他服务商。",
        "en": "Local text reading is not available here: {why}. Pick another provider.",
    },
    "config.bad_prices": {
        "zh": "价格设置（KANTU_PRICES）中“{entry}”无效：需要 input、output（每百万 tokens 的"
        "非负数）和 currency（CNY 或 USD）。",
        "en": "The price setting (KANTU_PRICES) for “{entry}” is not valid: it needs input and "
        "output (non-negative numbers per million tokens) and currency (CNY or USD).",
    },
    "config.bad_prices_text": {
        "zh": "价格设置（KANTU_PRICES）不是有效的 TOML，例如："
        '"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }',
        "en": "The price setting (KANTU_PRICES) is not valid TOML; for example: "
        '"gpt-4o-mini" = { input = 1.05, output = 4.2, currency = "CNY" }',
    },
    "config.access_code_required": {
        "zh": "本站的密钥需要访问码：请在页面顶部输入访问码后重试，或在侧边栏填入你自己的 API 密钥。",
        "en": "This site's key needs an access code: enter it at the top of the page and "
        "retry, or enter your own API key in the sidebar.",
    },
    "config.sign_in_required": {
        "zh": "请先登录（页面顶部）才能使用本站的密钥，或在侧边栏填入你自己的 API 密钥。",
        "en": "Sign in (at the top of the page) to use this site's key, or enter your own API "
        "key in the sidebar.",
    },
    "config.user_not_allowed": {
        "zh": "你登录的账号不在本站的允许名单上。请换一个账号，或填入你自己的 API 密钥。",
        "en": "The account you signed in with is not on this site's list. Use another account, "
        "or enter your own API key.",
    },
    "config.visitor_keys_off": {
        "zh": "本站不接受访客自己的 API 密钥。请清空侧边栏的密钥栏，使用本站的密钥。",
        "en": "This site does not take visitors' own API keys. Clear the key field in the "
        "sidebar to use the site's key.",
    },
    "config.model_not_allowed": {
        "zh": "本站的密钥不能用于这个模型。可用的模型：{models}。请在侧边栏换一个模型。",
        "en": "This site's key cannot be used with this model. Allowed: {models}. Pick one of "
        "them in the sidebar.",
    },
    "config.limit_daily_requests": {
        "zh": "本站今天的提问次数已用完（每天 {limit} 次）。将于 {resets}（约 {minutes} 分钟后）"
        "重置；也可以填入你自己的 API 密钥继续。",
        "en": "This site's questions for today are used up ({limit} a day). They reset at "
        "{resets} (in about {minutes} min); or enter your own API key to go on.",
    },
    "config.limit_daily_cost": {
        "zh": "本站今天的费用额度已用完（每天 {limit}）。将于 {resets}（约 {minutes} 分钟后）重置；"
        "也可以填入你自己的 API 密钥继续。",
        "en": "This site's spending for today is used up ({limit} a day). It resets at {resets} "
        "(in about {minutes} min); or enter your own API key to go on.",
    },
    "config.limit_visitor_hour_requests": {
        "zh": "你这一小时的提问次数已达上限（每小时 {limit} 次）。{resets}（约 {minutes} 分钟后）"
        "可以再问。",
        "en": "You have reached this hour's limit ({limit} questions an hour). You can ask again "
        "at {resets} (in about {minutes} min).",
    },
    "config.limit_visitor_hour_cost": {
        "zh": "你这一小时的费用已达上限（每小时 {limit}）。{resets}（约 {minutes} 分钟后）可以再问。",
        "en": "You have reached this hour's spending limit ({limit} an hour). You can ask again "
        "at {resets} (in about {minutes} min).",
    },
    "config.limit_session_requests": {
        "zh": "这次会话的提问次数已达上限（{limit} 次），在本次会话内不会重置。"
        "请稍后新开会话，或填入你自己的 API 密钥。",
        "en": "This session has used its {limit} questions; the count does not reset within the "
        "session. Come back later in a new session, or enter your own API key.",
    },
    "config.limit_session_cost": {
        "zh": "这次会话的费用已达上限（{limit}），在本次会话内不会重置。"
        "请稍后新开会话，或填入你自己的 API 密钥。",
        "en": "This session has spent its {limit}; the count does not reset within the session. "
        "Come back later in a new session, or enter your own API key.",
    },
    "config.limits_broken": {
        "zh": "本站的用量限制设置有误，密钥暂停使用。请告知运营者（KANTU_LIMITS），或填入你自己的 API 密钥。",
        "en": "This site's usage limits are misconfigured, so its key is paused. Tell the "
        "operator (KANTU_LIMITS), or enter your own API key.",
    },
    "config.money_limits_unbound": {
        "zh": "本站的密钥暂停使用：费用限额以 {currency} 计，但这些允许的模型没有 {currency} 价格，"
        "无法计入限额：{models}。请告知运营者（KANTU_PRICES 或 KANTU_ALLOWED_MODELS），"
        "或填入你自己的 API 密钥。",
        "en": "This site's key is closed: its spending limit is in {currency}, but these allowed "
        "models have no price in {currency}, so they could not be counted: {models}. Tell the "
        "operator (KANTU_PRICES or KANTU_ALLOWED_MODELS), or enter your own API key.",
    },
    "config.ledger_unavailable": {
        "zh": "本站的用量记录暂时无法写入，密钥暂停使用。请稍后重试，或填入你自己的 API 密钥。",
        "en": "This site's usage ledger cannot be written just now, so its key is paused. Retry "
        "later, or enter your own API key.",
    },
    "config.bad_setting": {
        "zh": "设置 {name} 无法读取：在 secrets.toml 中写成 TOML 值，在环境变量中写成文本"
        "（列表用逗号分隔，表格用 TOML 文本，开关用 true 或 false）。",
        "en": "The setting {name} cannot be read: give it as a TOML value in secrets.toml, or as "
        "text in the environment (a list comma-separated, a table as TOML text, a flag as true "
        "or false).",
    },
    "config.operator_key_unpaired": {
        "zh": "站点配置的密钥（{variable}）没有被使用：设置了它却没有设置 {url}，同时又设置了 {other}，"
        "无法确定这个密钥属于哪个服务器，所以它不会被发送到任何地址。运营者：请把 {url} "
        "设为该密钥所属的地址（或删除 {other}）。在此之前，请填写你自己的密钥。",
        "en": "The site's configured key ({variable}) is not used: it is set without {url} while "
        "{other} is set, so which server it belongs to is unknown and it is sent nowhere. "
        "Operator: set {url} to that key's server (or remove {other}). Until then, enter your "
        "own key.",
    },
}
