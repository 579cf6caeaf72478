"""The command line's own texts: the errors whose UI wording points at the page (the sidebar, the
key field) say the flag or the environment variable instead, and the CLI's own refusals."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("cli",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "cli.config.no_key": {
        "zh": "还没有 API 密钥（{provider}）：请设置环境变量 KANTU_API_KEY（或 OPENAI_API_KEY），"
        "或使用 --api-key 参数。",
        "en": "No API key yet ({provider}): set KANTU_API_KEY (or OPENAI_API_KEY), or pass "
        "--api-key.",
    },
    "cli.config.operator_key_withheld": {
        "zh": "配置的密钥只会发送到它自己的接口地址（KANTU_BASE_URL / OPENAI_BASE_URL），而 --base-url "
        "指向另一个服务器：请用 --api-key 给出你自己在该服务器的密钥。",
        "en": "The configured key is only sent to its own base URL (KANTU_BASE_URL / "
        "OPENAI_BASE_URL), and --base-url names another server: pass your own key for it with "
        "--api-key.",
    },
    "cli.config.bad_operator_key": {
        "zh": "配置的密钥（{name}）含有空格、换行或非 ASCII 字符，无法发送。请修正 {name}，"
        "或使用 --api-key 参数。",
        "en": "The configured key ({name}) contains spaces, line breaks or non-ASCII characters "
        "and cannot be sent. Fix {name}, or pass --api-key.",
    },
    "cli.config.operator_key_unpaired": {
        "zh": "配置的密钥（{variable}）没有被使用：设置了它却没有设置 {url}，同时又设置了 {other}，"
        "无法确定它属于哪个服务器，所以不会发送到任何地址。请把 {url} 设为该密钥所属的地址"
        "（或删除 {other}），或使用 --api-key 参数。",
        "en": "The configured key ({variable}) is not used: it is set without {url} while "
        "{other} is set, so which server it belongs to is unknown and it is sent nowhere. Set "
        "{url} to that key's server (or unset {other}), or pass --api-key.",
    },
    "cli.config.base_url_userinfo": {
        "zh": "接口地址无效：不能包含用户名、密码或“@”。--base-url（或 KANTU_BASE_URL）只填服务器地址，"
        "例如 `https://api.example.com/v1`；密钥请用 --api-key 或 KANTU_API_KEY。",
        "en": "The base URL is not valid: it must not contain a user name, a password or '@'. "
        "Give --base-url (or KANTU_BASE_URL) only the server address, e.g. "
        "`https://api.example.com/v1`; pass the key with --api-key or KANTU_API_KEY.",
    },
    "cli.error.model_not_found": {
        "zh": "服务商不认识模型 “{model}”。请用 --model（或 KANTU_MODEL）换一个支持图片的模型；"
        "`probe --list` 列出服务商的模型。",
        "en": "The provider does not know the model “{model}”. Pass a vision model with --model "
        "(or KANTU_MODEL); `probe --list` lists the provider's models.",
    },
    "cli.cancelled": {
        "zh": "已中断（Ctrl-C）。",
        "en": "Interrupted (Ctrl-C).",
    },
    "cli.stdin_twice": {
        "zh": "“-”（标准输入）只能用在一个地方：问题或一张 --image，不能同时使用。",
        "en": "'-' (stdin) can stand in one place only: the question or one --image, not both.",
    },
    "cli.stdin_empty": {
        "zh": "从标准输入读到的问题是空的。",
        "en": "The question read from stdin is empty.",
    },
}
