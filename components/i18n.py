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
}

TEXTS: dict[str, dict[str, str]] = {**_ERRORS, **_IMAGES, **_CONFIG, **_UI}


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
