"""The sidebar: provider, model, key, language and reading settings."""

from __future__ import annotations

from components.i18n.language import Lang

PREFIXES: tuple[str, ...] = ("sidebar",)

MESSAGES: dict[str, dict[Lang, str]] = {
    "sidebar.language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "sidebar.settings": {"zh": "设置", "en": "Settings"},
    "sidebar.provider": {"zh": "服务商", "en": "Provider"},
    "sidebar.model": {"zh": "模型", "en": "Model"},
    "sidebar.model_help": {
        "zh": "可从建议中选择，也可直接输入模型名称。",
        "en": "Pick a suggestion or type any model name.",
    },
    "sidebar.api_key": {"zh": "API 密钥", "en": "API key"},
    "sidebar.api_key_help": {
        "zh": "只保存在本次浏览器会话中，不会显示、记录或导出。",
        "en": "Kept only in this browser session; never shown, logged or exported.",
    },
    "sidebar.using_configured_key": {
        "zh": "正在使用站点配置的密钥（不会显示）。填写上面的输入框可改用你自己的密钥。",
        "en": "Using the configured key (never shown). Fill in the field above to use your own.",
    },
    "sidebar.no_key_needed": {
        "zh": "这个服务商不需要密钥。",
        "en": "This provider needs no key.",
    },
    "sidebar.base_url": {"zh": "接口地址（Base URL）", "en": "Base URL"},
    "sidebar.base_url_help": {
        "zh": "OpenAI 兼容接口的地址，通常以 /v1 结尾。",
        "en": "The OpenAI-compatible address, usually ending in /v1.",
    },
    "sidebar.detail": {"zh": "图片清晰度", "en": "Image detail"},
    "sidebar.detail_help": {
        "zh": "低：缩到 512 像素内，最省 token；自动：与服务商自己的缩放一致，清晰度不变、体积最小；"
        "高：同样大小并要求高清识别；最大：最长边 2048，适合 Qwen-VL 等用更多像素的模型。",
        "en": "Low: fits 512 px, fewest tokens. Auto: exactly what the provider would downscale to, "
        "so quality is unchanged and uploads are small. High: same size, high-detail reading. "
        "Max: up to 2048 px, for models that use more pixels (e.g. Qwen-VL).",
    },
    "sidebar.advanced": {"zh": "高级选项", "en": "Advanced"},
    "sidebar.max_tokens": {"zh": "最多输出 token 数", "en": "Max output tokens"},
    "sidebar.temperature": {"zh": "温度（随机性）", "en": "Temperature"},
    "sidebar.read_timeout": {"zh": "等待回答的超时（秒）", "en": "Answer timeout (seconds)"},
    "sidebar.read_timeout_help": {
        "zh": "服务商多久没有任何回应就放弃（第一个字之前，以及两段之间）。",
        "en": "How long to wait for the provider before giving up (before the first words, "
        "and between parts of the answer).",
    },
    "sidebar.system_prompt": {"zh": "系统提示词", "en": "System prompt"},
    "sidebar.system_prompt_placeholder": {
        "zh": "例如：请用简体中文回答。",
        "en": "For example: answer in one paragraph.",
    },
    "sidebar.new_chat": {"zh": "新对话", "en": "New chat"},
    "sidebar.detail_help_slices": {
        "zh": "切片：长截图按顺序切成互相重叠的几段，每段都以原清晰度发送（token 按段相加）。",
        "en": "Slices: a long screenshot is cut into overlapping parts, in order, each sent at "
        "full resolution (tokens add up per part).",
    },
    "sidebar.max_slices": {"zh": "切片上限", "en": "Slice cap"},
    "sidebar.max_slices_help": {
        "zh": "一张图最多切成几片；更长的图会先询问。",
        "en": "The most slices one picture is cut into; a longer one asks first.",
    },
    "sidebar.review": {
        "zh": "发送前先看看（切片、放大）",
        "en": "Look before sending (slices, zoom)",
    },
    "sidebar.ocr_local": {
        "zh": "💻 在本服务器上识别，不需要密钥，图片不会发往任何地方。",
        "en": "💻 Read on this server: no key needed, the pictures go nowhere.",
    },
    "sidebar.text_only": {
        "zh": "此模型看不到图片（在本地识别文字后发送文字）",
        "en": "This model cannot see pictures (read them locally, send their text)",
    },
    "sidebar.text_only_help": {
        "zh": "开启后，图片在本机识别为文字，只发送文字；模型无法看到图片本身。",
        "en": "When on, pictures are read here and only their text is sent; the model never sees the picture.",
    },
    "sidebar.text_only_suggested": {
        "zh": "该模型似乎拒绝了图片。可以开启“此模型看不到图片”，改为发送识别出的文字。",
        "en": "This model seems to refuse pictures. Turn on “This model cannot see pictures” to send their text instead.",
    },
}
