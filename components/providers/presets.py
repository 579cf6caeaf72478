"""Provider presets: one table of OpenAI-compatible vision providers, each row dated.

A row says where the API lives, which vision models to offer (the catalogue's offers listed for
the preset, ``components.catalogue.offers``), and what the provider accepts
(``detail`` on images, ``stream_options``, image types and sizes). Rows age: ``checked`` is the
month the row was last compared with the provider's documentation; ``source`` says against what.
Unknown limits fall back to OpenAI's (20 MB per image, 50 MB of images per request).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.catalogue.lookup import listed_models
from components.errors import ConfigError
from components.providers.base_url import BaseURL, parse_base_url

MB = 1024 * 1024
OPENAI_MIMES: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp", "image/gif")


@dataclass(frozen=True)
class ProviderPreset:
    """An OpenAI-compatible provider: address, vision models, and what it accepts."""

    id: str
    name_zh: str
    name_en: str
    base_url: str
    default_model: str
    vision_models: tuple[str, ...]
    needs_key: bool
    accepts_detail: bool
    accepts_stream_options: bool
    image_mimes: tuple[str, ...]
    max_image_bytes: int
    max_request_image_bytes: int
    key_help_zh: str
    key_help_en: str
    key_url: str
    checked: str
    source: str = ""  # where the row's facts come from
    local: bool = False  # answered on this machine (no URL, no key, no network)

    def name(self, lang: str = "en") -> str:
        """Return the display name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


_ROWS: tuple[ProviderPreset, ...] = (
    ProviderPreset(
        id="bingcheng",
        name_zh="冰橙 API",
        name_en="Bingcheng (冰橙) API",
        base_url="https://yewu.bcwhkj.cn/v1",
        default_model="gpt-4o-mini",
        vision_models=listed_models("bingcheng"),
        needs_key=True,
        # The spec promises OpenAI compatibility and shows image_url.url only; `detail` is part of
        # that format. stream_options is not shown, so it is not sent.
        accepts_detail=True,
        accepts_stream_options=False,
        image_mimes=OPENAI_MIMES,
        max_image_bytes=20 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh=(
            "两种方式获取 token：① 微信关注公众号《冰橙云》，进入菜单“冰橙AI助手”，"
            "点右上角“API密钥”即可查看 token；② 访问 https://yewu.bcwhkj.cn → 个人 → API密钥 → "
            "Token令牌。"
        ),
        # English visitors get the website first: many have no WeChat.
        key_help_en=(
            "Sign up at https://yewu.bcwhkj.cn (the site is in Chinese), then open 个人 "
            "(Personal) → API密钥 (API key) → Token令牌 (Token) to see your token. With WeChat "
            "you can also follow the official account 冰橙云 (Bingcheng Cloud), open the menu "
            "冰橙AI助手 (Bingcheng AI Assistant) and tap API密钥 (API key) at the top right."
        ),
        key_url="https://yewu.bcwhkj.cn",
        checked="2026-11",
        source="冰橙 OpenAPI page (shared/reference/000_ca361fae4e18b6b3.txt); limits: OpenAI's",
    ),
    ProviderPreset(
        id="openai",
        name_zh="OpenAI",
        name_en="OpenAI",
        base_url="https://api.openai.com/v1",
        default_model="gpt-4o-mini",
        vision_models=listed_models("openai"),
        needs_key=True,
        accepts_detail=True,
        accepts_stream_options=True,
        image_mimes=OPENAI_MIMES,
        max_image_bytes=20 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh="在 OpenAI 平台的 API keys 页面创建密钥（以 sk- 开头）。",
        key_help_en="Create a key on the OpenAI platform's API keys page (it starts with sk-).",
        key_url="https://platform.openai.com/api-keys",
        checked="2026-11",
        source="OpenAI vision guide: PNG/JPEG/WEBP/non-animated GIF, 20 MB/image, 50 MB/request",
    ),
    ProviderPreset(
        id="openrouter",
        name_zh="OpenRouter",
        name_en="OpenRouter",
        base_url="https://openrouter.ai/api/v1",
        default_model="openai/gpt-4o-mini",
        vision_models=listed_models("openrouter"),
        needs_key=True,
        accepts_detail=True,
        accepts_stream_options=True,
        image_mimes=OPENAI_MIMES,
        max_image_bytes=20 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh="登录 openrouter.ai，在 Keys 页面创建密钥（以 sk-or- 开头）。",
        key_help_en="Sign in at openrouter.ai and create a key on the Keys page (sk-or-…).",
        key_url="https://openrouter.ai/keys",
        checked="2026-11",
        source="openrouter.ai model pages (OpenAI-compatible API); limits: OpenAI's",
    ),
    ProviderPreset(
        id="dashscope",
        name_zh="阿里云百炼（DashScope 兼容模式）",
        name_en="Alibaba Model Studio (DashScope compatible mode)",
        base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",
        default_model="qwen-vl-max",
        vision_models=listed_models("dashscope"),
        needs_key=True,
        accepts_detail=False,
        accepts_stream_options=True,
        image_mimes=OPENAI_MIMES,
        max_image_bytes=10 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh="开通阿里云百炼后，在控制台的 API-KEY 页面创建密钥（以 sk- 开头）。",
        key_help_en="Activate Alibaba Cloud Model Studio, then create a key on its API-KEY page.",
        key_url="https://bailian.console.aliyun.com/?apiKey=1",
        checked="2026-11",
        source="help.aliyun.com 'OpenAI Vision接口兼容' (Beijing region base URL, qwen-vl models)",
    ),
    ProviderPreset(
        id="siliconflow",
        name_zh="硅基流动 SiliconFlow",
        name_en="SiliconFlow",
        base_url="https://api.siliconflow.cn/v1",
        default_model="Qwen/Qwen2.5-VL-72B-Instruct",
        vision_models=listed_models("siliconflow"),
        needs_key=True,
        accepts_detail=True,
        accepts_stream_options=False,
        image_mimes=OPENAI_MIMES,
        max_image_bytes=10 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh="登录 cloud.siliconflow.cn，在“API 密钥”页面新建密钥。",
        key_help_en="Sign in at cloud.siliconflow.cn and create a key on the API keys page.",
        key_url="https://cloud.siliconflow.cn/account/ak",
        checked="2026-11",
        source="docs.siliconflow.cn vision guide (detail low/high/auto accepted)",
    ),
    ProviderPreset(
        id="zhipu",
        name_zh="智谱 BigModel",
        name_en="Zhipu BigModel",
        base_url="https://open.bigmodel.cn/api/paas/v4",
        default_model="glm-4v-flash",
        vision_models=listed_models("zhipu"),
        needs_key=True,
        accepts_detail=False,
        accepts_stream_options=False,
        image_mimes=("image/jpeg", "image/png"),
        max_image_bytes=5 * MB,
        max_request_image_bytes=20 * MB,
        key_help_zh="登录 open.bigmodel.cn，在“API Keys”页面添加新的 API Key。",
        key_help_en="Sign in at open.bigmodel.cn and add a key on the API Keys page.",
        key_url="https://open.bigmodel.cn/usercenter/apikeys",
        checked="2026-11",
        source="bigmodel.cn GLM-4V docs (jpg/png, 5 MB per image); not re-verified this month",
    ),
    ProviderPreset(
        id="ollama",
        name_zh="Ollama（本机）",
        name_en="Ollama (local)",
        base_url="http://localhost:11434/v1",
        default_model="qwen2.5vl",
        vision_models=listed_models("ollama"),
        needs_key=False,
        accepts_detail=False,
        accepts_stream_options=True,
        image_mimes=("image/jpeg", "image/png"),
        max_image_bytes=20 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh="本机 Ollama 不需要密钥。先运行 `ollama pull qwen2.5vl`。",
        key_help_en="A local Ollama needs no key. Run `ollama pull qwen2.5vl` first.",
        key_url="https://ollama.com/search?c=vision",
        checked="2026-11",
        source="docs.ollama.com OpenAI compatibility (vision, stream_options.include_usage)",
    ),
    ProviderPreset(
        id="local_ocr",
        name_zh="本地文字识别（离线）",
        name_en="Local text reading (offline)",
        base_url="",
        default_model="rapidocr-pp-ocrv6",
        vision_models=listed_models("local_ocr"),
        needs_key=False,
        accepts_detail=False,
        accepts_stream_options=False,
        image_mimes=OPENAI_MIMES,
        max_image_bytes=20 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh="在本机读出图片中的文字，不需要密钥，也不联网。它只识字，不会描述或推理图片。",
        key_help_en=(
            "Reads the text in pictures on this machine: no key, no network. It reads text only;"
            " it cannot describe or reason about a picture."
        ),
        key_url="",
        checked="2026-11",
        source="rapidocr 3.10.0 wheel: PP-OCRv6 small det/rec + PP-OCR mobile cls on onnxruntime",
        local=True,
    ),
    ProviderPreset(
        id="custom",
        name_zh="自定义（OpenAI 兼容）",
        name_en="Custom (OpenAI-compatible)",
        base_url="",
        default_model="gpt-4o-mini",
        vision_models=listed_models("custom"),
        needs_key=False,  # a self-hosted server may take none; a key is sent when given
        accepts_detail=True,
        # asked, so gateways (LiteLLM) and self-hosted servers report usage; a server that
        # refuses the field gets the request once more without it (providers.usage_option)
        accepts_stream_options=True,
        image_mimes=OPENAI_MIMES,
        max_image_bytes=20 * MB,
        max_request_image_bytes=50 * MB,
        key_help_zh="使用该服务商提供的 API 密钥；接口地址应以 /v1 结尾。",
        key_help_en="Use the key your provider gives you; the base URL usually ends in /v1.",
        key_url="",
        checked="2026-11",
        source="OpenAI's limits as a default",
    ),
)

PRESETS: dict[str, ProviderPreset] = {row.id: row for row in _ROWS}
DEFAULT_PRESET_ID = "bingcheng"
CUSTOM_PRESET_ID = "custom"
LOCAL_PRESET_ID = "local_ocr"
_BY_URL: dict[BaseURL, ProviderPreset] = {
    parse_base_url(row.base_url): row for row in _ROWS if row.base_url
}


def get_preset(preset_id: str) -> ProviderPreset:
    """Return the preset with this id. Raises KeyError for an unknown id."""
    return PRESETS[preset_id]


def preset_for_base_url(url: str | BaseURL) -> ProviderPreset:
    """Return the preset whose base URL equals ``url`` once parsed, else the custom preset."""
    if isinstance(url, str):
        try:
            url = parse_base_url(url)
        except ConfigError:
            return PRESETS[CUSTOM_PRESET_ID]
    return _BY_URL.get(url, PRESETS[CUSTOM_PRESET_ID])
