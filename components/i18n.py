"""The one translation table: every UI string and every error message, in Chinese and English.

``t(key, lang, **fmt)`` looks a key up and fills ``{placeholders}``; a placeholder with no value
stays as written rather than raising, so a missing fact never breaks an error message.
"""

from __future__ import annotations

import string
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

SUPPORTED_IMAGES = "JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF, AVIF, MPO"

# Error messages by kind: short, and each says what to do next.
_ERRORS: dict[str, dict[str, str]] = {
    "error.auth": {
        "zh": "API 密钥错误或已过期。请检查密钥，或获取新的密钥后重试。",
        "en": "The API key is wrong or has expired. Check it, or get a new key, then try again.",
    },
    "error.quota": {
        "zh": "额度不足：账户余额或配额已用完。请充值后继续使用。",
        "en": "Quota exhausted: the account's balance or quota is used up. Top up, then retry.",
    },
    "error.content_filter": {
        "zh": "服务商的内容安全检查拒绝了这个问题。请修改问题或换一张图片后重试。",
        "en": "The provider's content-safety check refused this request. Rephrase the question "
        "or use another picture.",
    },
    "error.invalid_input": {
        "zh": "服务商拒绝了这个请求（内容不合法或格式不被接受）。请修改问题后重试。",
        "en": "The provider rejected the request as invalid. Change the question and try again.",
    },
    "error.rate_limited": {
        "zh": "请求太频繁，服务商暂时限流。请稍等片刻再试。",
        "en": "Too many requests: the provider is rate-limiting. Wait a moment and try again.",
    },
    "error.model_not_found": {
        "zh": "服务商不认识模型 “{model}”。请在侧边栏换一个支持图片的模型。",
        "en": "The provider does not know the model “{model}”. Pick a vision model in the sidebar.",
    },
    "error.too_large": {
        "zh": "图片太大，超过了服务商的限制。请减少图片数量，或把清晰度调到“省钱”。",
        "en": "The images are larger than the provider accepts. Send fewer images, or set the "
        "detail to “low”.",
    },
    "error.server": {
        "zh": "服务商暂时出错（服务器或网关故障）。请稍后重试。",
        "en": "The provider had a server or gateway error. Try again in a little while.",
    },
    "error.network": {
        "zh": "无法连接到服务商。请检查网络和接口地址（Base URL）。",
        "en": "Could not reach the provider. Check the network and the base URL.",
    },
    "error.timeout": {
        "zh": "服务商太久没有响应。请稍后重试，或在设置中调大超时时间。",
        "en": "The provider took too long to respond. Try again, or raise the timeout.",
    },
    "error.interrupted": {
        "zh": "回答在中途被打断，已保留收到的部分。可以点“重试”重新提问。",
        "en": "The answer was cut off; the part that arrived is kept. You can retry.",
    },
    "error.protocol": {
        "zh": "服务商返回了无法识别的内容。请检查接口地址是否是 OpenAI 兼容的 /v1 地址。",
        "en": "The provider sent a reply Kantu cannot read. Check that the base URL is an "
        "OpenAI-compatible /v1 address.",
    },
    "error.unknown": {
        "zh": "出现了意外错误，已保留你的问题和图片，请重试。",
        "en": "Something unexpected went wrong; your question and pictures are kept. Try again.",
    },
    "error.provider_said": {
        "zh": "服务商原话：{detail}",
        "en": "The provider said: {detail}",
    },
}

# Image refusals: each names the file and says what is accepted.
_IMAGES: dict[str, dict[str, str]] = {
    "image.unreadable": {
        "zh": "{name}：无法读取文件（{why}）。",
        "en": "{name}: the file cannot be read ({why}).",
    },
    "image.empty": {
        "zh": "{name}：文件是空的。支持的格式：" + SUPPORTED_IMAGES + "。",
        "en": "{name}: the file is empty. Supported: " + SUPPORTED_IMAGES + ".",
    },
    "image.not_image": {
        "zh": "{name}：不是可识别的图片。支持的格式：" + SUPPORTED_IMAGES + "。",
        "en": "{name}: not a recognised image. Supported: " + SUPPORTED_IMAGES + ".",
    },
    "image.unsupported_format": {
        "zh": "{name}：不支持 {format} 文件，请先导出为图片。支持的格式："
        + SUPPORTED_IMAGES
        + "。",
        "en": "{name}: {format} files are not supported; export it as a picture first. "
        "Supported: " + SUPPORTED_IMAGES + ".",
    },
    "image.too_many_bytes": {
        "zh": "{name}：文件 {size_mb} MB，超过上限 {limit_mb} MB。请压缩或换一张。",
        "en": "{name}: the file is {size_mb} MB, over the {limit_mb} MB limit. "
        "Compress it or use another.",
    },
    "image.too_many_pixels": {
        "zh": "{name}：{width}×{height} 像素（{megapixels} MP），超过 {format} 的上限 "
        "{limit_mp} MP。请缩小后再发送。",
        "en": "{name}: {width}×{height} pixels ({megapixels} MP) is over the {limit_mp} MP "
        "limit for {format}. Scale it down and send it again.",
    },
    "image.too_many_pixels_claimed": {
        "zh": "{name}：文件声称有 {megapixels} MP 像素，超过 {format} 的上限 {limit_mp} MP；"
        "它可能已损坏或被恶意构造，已拒绝。",
        "en": "{name}: the file claims {megapixels} MP, over the {limit_mp} MP limit for "
        "{format}; it is refused as damaged or hostile.",
    },
    "image.corrupt": {
        "zh": "{name}：图片已损坏，无法解码。请重新导出或换一张。",
        "en": "{name}: the image is damaged and cannot be decoded. Re-export it or use another.",
    },
}

_CONFIG: dict[str, dict[str, str]] = {
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
}

_UI: dict[str, dict[str, str]] = {
    "app.title": {"zh": "Kantu 看图", "en": "Kantu 看图"},
    "nav.chat": {"zh": "对话", "en": "Chat"},
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
        "zh": "省钱：缩到 512 像素内，最省 token；自动：与服务商自己的缩放一致，清晰度不变、体积最小；"
        "高清：同样大小并要求高清识别；最大：最长边 2048，适合 Qwen-VL 等用更多像素的模型。",
        "en": "Low: fits 512 px, fewest tokens. Auto: exactly what the provider would downscale to, "
        "so quality is unchanged and uploads are small. High: same size, high-detail reading. "
        "Max: up to 2048 px, for models that use more pixels (e.g. Qwen-VL).",
    },
    "detail.low": {"zh": "省钱", "en": "Low"},
    "detail.auto": {"zh": "自动", "en": "Auto"},
    "detail.high": {"zh": "高清", "en": "High"},
    "detail.max": {"zh": "最大", "en": "Max"},
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
    "chat.placeholder": {
        "zh": "问一个关于图片的问题…",
        "en": "Ask about a picture…",
    },
    "chat.default_question": {"zh": "这是什么图片?", "en": "What is in this picture?"},
    "chat.camera_toggle": {"zh": "📷 拍照", "en": "📷 Camera"},
    "chat.camera_label": {
        "zh": "拍一张照片，随下一条消息发送",
        "en": "Take a photo to send with your next message",
    },
    "chat.send_photo": {"zh": "直接发送这张照片", "en": "Send this photo now"},
    "chat.image_caption": {
        "zh": "{width}×{height} · 约 {tokens} tokens",
        "en": "{width}×{height} · ~{tokens} tokens",
    },
    "chat.refused": {"zh": "未发送的图片", "en": "Not sent"},
    "chat.not_sent": {
        "zh": "没有可以发送的图片，这条消息没有发出。换一张图片再试，你的文字已保留在上面。",
        "en": "No picture could be sent, so this message was not sent. Try another picture; "
        "your text is kept above.",
    },
    "chat.retry": {"zh": "重试", "en": "Retry"},
    "chat.stop": {"zh": "停止", "en": "Stop"},
    "chat.status_interrupted": {
        "zh": "回答在中途断开，以上是已收到的部分。",
        "en": "The answer was cut off; above is the part that arrived.",
    },
    "chat.status_stopped": {
        "zh": "已停止，以上是已收到的部分。",
        "en": "Stopped; above is the part that arrived.",
    },
    "chat.status_length": {
        "zh": "回答达到了最多输出 token 数，可在高级选项中调大。",
        "en": "The answer hit the max output tokens; raise it under Advanced.",
    },
    "chat.get_key": {"zh": "如何获取 {provider} 的密钥", "en": "How to get a {provider} key"},
    "meta.tokens": {
        "zh": "输入 {prompt} / 输出 {completion} tokens",
        "en": "{prompt} in / {completion} out tokens",
    },
    "meta.estimated": {"zh": "图片约 {tokens} tokens", "en": "images ~{tokens} tokens"},
    "meta.ttft": {"zh": "首字 {seconds} 秒", "en": "first token {seconds} s"},
    "meta.total": {"zh": "共 {seconds} 秒", "en": "total {seconds} s"},
    "source.rotated": {"zh": "已按拍摄方向摆正", "en": "turned upright"},
    "source.frames": {
        "zh": "动图/多页，只发送第 1 帧（共 {frames} 帧）",
        "en": "animated/multi-page: first of {frames} frames sent",
    },
    "source.truncated": {"zh": "文件不完整，已尽量恢复", "en": "file was cut short; recovered"},
    "welcome.title": {"zh": "看图，问图。", "en": "Ask about any picture."},
    "welcome.body": {
        "zh": "把照片或截图拖进下面的输入框（也可以粘贴、点输入框左边的 ＋ 附加，或打开 📷 拍照），"
        "再问一个问题，回答会实时显示。",
        "en": "Drop photos or screenshots into the box below (or paste, attach with the + button, or "
        "turn on 📷 Camera), ask a question, and watch the answer stream in.",
    },
    "welcome.no_key": {
        "zh": "还没有 API 密钥：先在左侧边栏填写 {provider} 的密钥。",
        "en": "No API key yet: enter your {provider} key in the sidebar first.",
    },
    "welcome.examples": {"zh": "可以这样问：", "en": "Try asking:"},
    "welcome.example_1": {"zh": "这是什么图片?", "en": "What is in this picture?"},
    "welcome.example_2": {
        "zh": "这张截图里哪里出错了？怎么修？",
        "en": "What is wrong in this screenshot, and how do I fix it?",
    },
    "welcome.example_3": {
        "zh": "把图片里的文字提取出来，并翻译成英文。",
        "en": "Extract the text in this picture and translate it into Chinese.",
    },
    "welcome.example_4": {
        "zh": "这两张照片有什么不同？",
        "en": "What is different between these two photos?",
    },
}

# Stream caps (components.providers.reader): a hostile or broken upstream's endless answer.
_STREAM: dict[str, dict[str, str]] = {
    "error.oversized": {
        "zh": "服务商返回的内容超出了 Kantu 能读取的大小，已停止读取并保留收到的部分。"
        "请重试，或请模型回答得简短一些。",
        "en": "The provider sent more than Kantu will read, so reading stopped; the part that "
        "arrived is kept. Try again, or ask for a shorter answer.",
    },
}

TEXTS: dict[str, dict[str, str]] = {**_ERRORS, **_IMAGES, **_CONFIG, **_UI, **_STREAM}


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, lang: Lang = DEFAULT_LANG, **fmt: object) -> str:
    """Return the text for ``key`` in ``lang`` with ``fmt`` filled in; unknown keys show as-is."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    if not fmt:
        return text
    return string.Formatter().vformat(text, (), _KeepMissing(fmt))


def lang_from_locale(locale: str | None) -> Lang:
    """Return ``"zh"`` for Chinese browser locales, ``"en"`` for others, the default if unknown."""
    if not locale:
        return DEFAULT_LANG
    return "zh" if locale.lower().startswith("zh") else "en"
