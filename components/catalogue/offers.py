"""OFFERS: one row per provider and model: offered in the provider's preset, its list price and
its context window, each fact dated with its source.

Prices are per million tokens in the provider's own currency: ¥ for the Chinese providers and
resellers, $ for OpenAI and OpenRouter. A window counts prompt plus answer tokens. Within a
provider, rows are in the order its preset offers them (the first is not the default: presets
name their default model). Unknown models are not here: ``components.costs.prices`` says
"unknown", ``components.providers.context_windows`` falls back to 32k, both as approximate.
"""

from __future__ import annotations

from functools import partial
from typing import Literal

from components.catalogue.rows import EVERY_MODEL, ListPrice, Offer, PriceTier, Window

# -- price sources, checked 2026-12-02 ------------------------------------------------------------
# 冰橙 (bingcheng): its API page (shared/reference/000_ca361fae4e18b6b3.txt) names no price, and no
# public price list was found. NOT CONFIRMED: OpenAI's list price at ¥7.2 per $, a placeholder
# until the operator sets KANTU_PRICES with the reseller's real rate.
RELAY_PRICE = "not published; OpenAI's list price at ¥7.2 per $ (placeholder)"
# OpenAI list prices (standard tier): platform pricing page as republished 2026-11
# (api-evangelist "OpenAI API pricing", 2026-11-06), cross-checked with aipricing.guru and
# pricepertoken.com (2026-05).
OPENAI_PRICE = "OpenAI pricing page as republished 2026-11; aipricing.guru, pricepertoken.com"
# OpenRouter passes the upstream's price through.
OPENROUTER_PRICE = "openrouter.ai model pages"
# Anthropic bills a Claude Sonnet 4 request whose prompt is over 200k tokens at $6 / $22.5 whole
# (the 1M-token context); LiteLLM's price table has the same tier.
CLAUDE_LONG = (PriceTier(200_000, 6.00, 22.50),)
QWEN3_VL_PLUS_TIERS = (PriceTier(32_000, 1.5, 15.0), PriceTier(128_000, 3.0, 30.0))
# DashScope (阿里云百炼), 元/千tokens × 1000, mainland region, from the model pages' pricing blocks
# (qwen-vl-max 0.0016 / 0.004; qwen-vl-plus 0.0008 / 0.002; qwen3-vl-plus tiered by the
# request's input: <=32K 0.001 / 0.01, 32K-128K 0.0015 / 0.015, 128K-256K 0.003 / 0.03; LiteLLM's
# price table has the same boundaries and the same 1 : 1.5 : 3 steps for the international $ price).
DASHSCOPE_PRICE = "DashScope model pages' pricing blocks (mainland, 元/千tokens × 1000)"
# NOT CONFIRMED: SiliconFlow's model square could not be read; figures as last seen there.
SILICONFLOW_PRICE = "SiliconFlow model square as last seen (could not be read this month)"
ZHIPU_FREE = "bigmodel.cn (free model), republished by freemodels.net"
ZHIPU_PRICE = "bigmodel.cn/pricing as last seen (0.004 元/千tokens)"
LOCAL = "answered on this machine: nothing is billed"

# -- window sources, checked 2026-11 ---------------------------------------------------------------
OPENAI_WINDOW = "platform.openai.com/docs/models (model pages)"
RELAY_WINDOW = "OpenAI's window (relay)"
OPENROUTER_WINDOW = "openrouter.ai/<model> page"
QWEN_CARD = "Qwen2.5-VL model card (128k)"
ZHIPU_WINDOW = (
    "not stated on docs.bigmodel.cn for the GLM-4V generation; THUDM/glm-4v-9b model card (8192)"
)
# Ollama serves with its own num_ctx (a few thousand tokens unless the operator raises it) and
# truncates the prompt rather than refusing it, so the model's native window is the only bound
# Kantu can know; rows are from the ollama.com library pages.
OLLAMA_WINDOW = "ollama.com/library/<model> (native window; the server's num_ctx may be smaller)"


def _price(
    currency: Literal["CNY", "USD"],
    inp: float,
    out: float,
    source: str,
    *,
    confirmed: bool = True,
    tiers: tuple[PriceTier, ...] = (),
) -> ListPrice:
    return ListPrice(inp, out, currency, "2026-12", source, confirmed, tiers)


_cny = partial(_price, "CNY")
_usd = partial(_price, "USD")


def _window(tokens: int, source: str, *, confirmed: bool = True) -> Window:
    return Window(tokens, "2026-11", source, confirmed)


OFFERS: tuple[Offer, ...] = (
    Offer(
        "bingcheng",
        "gpt-4o-mini",
        _cny(1.08, 4.32, RELAY_PRICE, confirmed=False),
        _window(128_000, RELAY_WINDOW, confirmed=False),
    ),
    Offer(
        "bingcheng",
        "gpt-4o",
        _cny(18.0, 72.0, RELAY_PRICE, confirmed=False),
        _window(128_000, RELAY_WINDOW, confirmed=False),
    ),
    Offer(
        "openai",
        "gpt-4o-mini",
        _usd(0.15, 0.60, OPENAI_PRICE),
        _window(128_000, OPENAI_WINDOW),
    ),
    Offer(
        "openai",
        "gpt-4.1-mini",
        _usd(0.40, 1.60, OPENAI_PRICE),
        _window(1_047_576, OPENAI_WINDOW),
    ),
    Offer("openai", "gpt-4o", _usd(2.50, 10.00, OPENAI_PRICE), _window(128_000, OPENAI_WINDOW)),
    Offer("openai", "gpt-4.1", _usd(2.00, 8.00, OPENAI_PRICE), _window(1_047_576, OPENAI_WINDOW)),
    Offer(
        "openai",
        "gpt-4.1-nano",
        _usd(0.10, 0.40, OPENAI_PRICE),
        _window(1_047_576, OPENAI_WINDOW),
    ),
    Offer(
        "openrouter",
        "openai/gpt-4o-mini",
        _usd(0.15, 0.60, OPENROUTER_PRICE),
        _window(128_000, OPENROUTER_WINDOW),
    ),
    Offer(
        "openrouter",
        "google/gemini-2.5-flash",
        # NOT CONFIRMED: Google's GA price as remembered; one gateway still lists the preview's.
        _usd(
            0.30, 2.50, "Google's GA price as remembered ($0.15 / $0.60 preview)", confirmed=False
        ),
        _window(1_048_576, OPENROUTER_WINDOW),
    ),
    Offer(
        "openrouter",
        "qwen/qwen2.5-vl-72b-instruct",
        # NOT CONFIRMED: the cheapest OpenRouter route varies by host; no page with a figure found.
        _usd(0.25, 0.75, "cheapest OpenRouter route, varies by host", confirmed=False),
        _window(32_768, OPENROUTER_WINDOW),
    ),
    Offer(
        "openrouter",
        "anthropic/claude-sonnet-4",
        _usd(3.00, 15.00, OPENROUTER_PRICE, tiers=CLAUDE_LONG),
        _window(200_000, OPENROUTER_WINDOW),
    ),
    # DashScope's model list was not reachable in 2026-11; OpenRouter lists qwen-vl-max at 131,072.
    Offer(
        "dashscope",
        "qwen-vl-max",
        _cny(1.6, 4.0, DASHSCOPE_PRICE),
        _window(131_072, "openrouter.ai/qwen/qwen-vl-max"),
    ),
    Offer(
        "dashscope",
        "qwen-vl-plus",
        _cny(0.8, 2.0, DASHSCOPE_PRICE),
        _window(131_072, "as qwen-vl-max", confirmed=False),
    ),
    Offer(
        "dashscope",
        "qwen-vl-max-latest",
        # NOT CONFIRMED: -latest assumed to cost what qwen-vl-max costs.
        _cny(1.6, 4.0, "as qwen-vl-max (assumed)", confirmed=False),
        _window(131_072, "as qwen-vl-max", confirmed=False),
    ),
    Offer(
        "dashscope",
        "qwen3-vl-plus",
        _cny(1.0, 10.0, DASHSCOPE_PRICE, tiers=QWEN3_VL_PLUS_TIERS),
        _window(262_144, "Qwen3-VL model cards", confirmed=False),
    ),
    Offer(
        "siliconflow",
        "Qwen/Qwen2.5-VL-72B-Instruct",
        _cny(4.13, 4.13, SILICONFLOW_PRICE, confirmed=False),
        _window(131_072, QWEN_CARD, confirmed=False),
    ),
    Offer(
        "siliconflow",
        "Qwen/Qwen2.5-VL-32B-Instruct",
        _cny(1.89, 1.89, SILICONFLOW_PRICE, confirmed=False),
        _window(131_072, QWEN_CARD, confirmed=False),
    ),
    Offer(
        "siliconflow",
        "deepseek-ai/deepseek-vl2",
        _cny(0.99, 0.99, SILICONFLOW_PRICE, confirmed=False),
        _window(4_096, "siliconflow.com model page"),
    ),
    Offer(
        "zhipu",
        "glm-4v-flash",
        _cny(0.0, 0.0, ZHIPU_FREE),
        _window(8_192, ZHIPU_WINDOW, confirmed=False),
    ),
    Offer(
        "zhipu",
        "glm-4v-plus",
        _cny(4.0, 4.0, ZHIPU_PRICE, confirmed=False),
        _window(8_192, ZHIPU_WINDOW, confirmed=False),
    ),
    Offer(
        "zhipu",
        "glm-4v-plus-0111",
        _cny(4.0, 4.0, ZHIPU_PRICE, confirmed=False),
        _window(16_384, "third-party listings", confirmed=False),
    ),
    Offer("ollama", "qwen2.5vl", None, _window(128_000, OLLAMA_WINDOW, confirmed=False)),
    Offer("ollama", "llava", None, _window(32_768, OLLAMA_WINDOW, confirmed=False)),
    Offer("ollama", "llama3.2-vision", None, _window(131_072, OLLAMA_WINDOW, confirmed=False)),
    Offer("ollama", "gemma3", None, _window(131_072, OLLAMA_WINDOW, confirmed=False)),
    Offer("ollama", EVERY_MODEL, _cny(0.0, 0.0, LOCAL), listed=False),
    # The local reader has no prompt window; the figure only keeps the send limits' rules whole.
    Offer(
        "local_ocr",
        "rapidocr-pp-ocrv6",
        None,
        Window(1_000_000, "2026-11", "no window (local OCR)"),
    ),
    Offer("local_ocr", EVERY_MODEL, _cny(0.0, 0.0, LOCAL), listed=False),
)
