"""FAMILIES: one row per model-name prefix: the image token rule, the billing-only factor, and
whether the family can see pictures.

A model belongs to the family with the longest matching prefix (a ``vendor/`` prefix is ignored,
case does not matter). Each row is dated (``checked``) and says where its facts come from
(``source``); rules that could not be confirmed say so (``confirmed=False``).
"""

from __future__ import annotations

from components.catalogue.rows import Family, TokenRule


def tile(base: int, per_tile: int, checked: str, *, confirmed: bool = True) -> TokenRule:
    """Return OpenAI's tile rule: ``base`` + ``per_tile`` per 512-px tile."""
    return TokenRule(f"tile {base}+{per_tile}", "tile", base, per_tile, 1.0, checked, confirmed)


def patch(multiplier: float, checked: str, *, confirmed: bool = True) -> TokenRule:
    """Return OpenAI's patch rule: 32-px patches (at most 1536) × ``multiplier``."""
    return TokenRule(
        f"patch ×{multiplier:g}", "patch", 0, 0, multiplier, checked, confirmed, count="patch"
    )


def grid(
    name: str,
    side: int,
    max_pixels: int,
    checked: str,
    *,
    extra: int = 0,
    min_pixels: int = 0,
    low_side: int = 0,
    confirmed: bool = True,
) -> TokenRule:
    """Return a grid rule (Qwen's ``smart_resize``): one token per ``side``-px cell."""
    least = min_pixels or 4 * side * side  # Qwen: at least 4 tokens
    return TokenRule(
        name, "patch", checked=checked, confirmed=confirmed, count="grid", grid=side,
        min_pixels=least, max_pixels=max_pixels, extra=extra, low_side=low_side,
    )  # fmt: skip


def fixed(name: str, tokens: int, side: int, checked: str, *, confirmed: bool) -> TokenRule:
    """Return a fixed rule: every picture is resized to one ``side`` square of ``tokens``."""
    return TokenRule(
        name, "patch", per_tile=tokens, checked=checked, confirmed=confirmed, count="fixed",
        grid=side,
    )  # fmt: skip


QWEN_28_MAX = 1280 * 28 * 28  # DashScope's default max_pixels for 28-px models (1280 tokens)
QWEN_32_MAX = 2560 * 32 * 32  # DashScope's default max_pixels for 32-px models (2560 tokens)
QWEN_OPEN_MAX = 12845056  # 3584²: Qwen2.5-VL's own processor and SiliconFlow's cap
GLM_MAX = 28 * 28 * 15000
GLM_46_MAX = 9633792  # 28² × 12288: GLM-4.6V's preprocessor_config.json
CLAUDE = TokenRule(
    "Claude w·h/750", "patch", checked="2026-12-02", count="area", max_pixels=1600 * 750,
    max_side=1568,
)  # fmt: skip
CLAUDE_HIGH_RES = TokenRule(
    "Claude w·h/750 (high-res)", "patch", checked="2026-12-02", confirmed=False, count="area",
    max_pixels=4784 * 750, max_side=2576,
)  # fmt: skip
GEMINI = TokenRule(
    "Gemini 258/tile", "patch", per_tile=258, checked="2026-12-02", confirmed=False,
    count="gemini", max_side=3072,
)  # fmt: skip
QWEN_32 = grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2)
QWEN_32_GUESS = grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2, confirmed=False)
QWEN_28_GUESS = grid("Qwen 28px+2", 28, QWEN_28_MAX, "2026-12-02", extra=2, confirmed=False)
QWEN_OPEN = grid("Qwen 28px", 28, QWEN_OPEN_MAX, "2026-12-02", low_side=448)
GLM = grid("GLM 28px", 28, GLM_MAX, "2026-12-02", min_pixels=112 * 112, confirmed=False)
GLM_46 = grid("GLM 28px", 28, GLM_46_MAX, "2026-12-02", min_pixels=112 * 112, confirmed=False)
GEMMA_3 = fixed("Gemma 3 256", 256, 896, "2026-12-02", confirmed=True)

# Confirmation notes (2026-11-26): gpt-4o 85+170 and the 765 / 1105 worked examples, the patch rule
# with its 1024 and 1452 examples and the 1.62 / 2.46 multipliers are quoted from OpenAI's guide.
# gpt-4o-mini 2833+5667, o3 75+150 and o4-mini ×1.72 agree with measured usage published on the
# OpenAI community forum (a 128×64 image: 2845 / 8512 tokens on gpt-4o-mini, 86 / 236 on o3).
OPENAI = "OpenAI vision guide (image token costs), 2026-11-26"
FORUM = "OpenAI vision guide; measured usage on the OpenAI community forum, 2026-11-26"
# Not confirmed: no public worked example found for gpt-5 (70+140) or its mini/nano multipliers;
# one forum measurement puts gpt-5-mini at ×1.20 rather than the documented ×1.62.
GPT_5 = "OpenAI vision guide; no public worked example (a forum measurement disagrees)"
# Qwen-VL on DashScope: Alibaba Model Studio "视觉理解 → 图像 Token 计算" (checked 2026-12-02
# through a copy of the page): tokens = h_bar·w_bar / grid² + 2, sides rounded to the grid,
# at least 4 tokens, at most max_pixels; 32 px for Qwen3-VL, qwen-vl-max-2025-08-13,
# qwen-vl-plus-2025-08-15 and -07-10, 28 px for QVQ and the other Qwen2.5-VL snapshots.
# Not confirmed: the default max_pixels (1280 / 2560 tokens here) was not in the copy, and
# which snapshot the undated qwen-vl-max / qwen-vl-plus aliases point to today.
DASHSCOPE = "Alibaba Model Studio 视觉理解 → 图像 Token 计算 (a copy of the page), 2026-12-02"
# Open Qwen2-VL / Qwen2.5-VL (SiliconFlow, OpenRouter, Ollama): docs.siliconflow.cn "视觉语言
# 模型" (checked 2026-12-02): sides rounded to 28, area within 56² … 3584², no markers counted;
# detail low is 448×448 = 256 tokens; worked examples 224×448 → 128, 1024² → 1369,
# 3172×4096 → 16240.
SILICONFLOW = "docs.siliconflow.cn 视觉语言模型, 2026-12-02"
# GLM-4.1V / 4.5V / 4.6V: the open processor (Glm4vImageProcessor's smart_resize, as copied in
# zai-org's GLM-V / GLM-OCR tools, checked 2026-12-02) rounds sides to 28 px, keeps the area
# between 112² and 14²·4·15000 = 28²×15000 px; one token per 28-px cell. GLM-4.6V's shipped
# preprocessor_config caps the area lower, at 9,633,792 px (28²×12288). Not confirmed: Zhipu
# publishes no billing formula (markers, hosted caps), so the rows are marked as guesses.
GLM_V = "zai-org GLM-V processor (Glm4vImageProcessor smart_resize); no billing formula published"
# glm-4v-flash / -plus: Zhipu publishes no per-image count. GLM-4V-9B (the open sibling)
# resizes every image to 1120×1120 (1600 tokens), but the hosted models are not shown to, so
# the row keeps gpt-4o's tile rule as its guess and says it is one.
GLM_4V = "no per-image count published by Zhipu; gpt-4o's tile rule as a guess"
# Claude: Anthropic "Vision" guide (checked 2026-12-02): tokens ≈ w·h/750; a long edge over
# 1568 px or over ~1600 tokens is scaled down first; 200² → 54, 1000² → 1334, 1092² → 1590.
# Claude Opus 4.7 (2026-04) reads larger images: "high-resolution vision (3.75 MP)", up to about
# 2576 px on the long edge and ~4784 tokens (release notes and a measurement, not the vision
# guide's table). Not confirmed.
ANTHROPIC = "Anthropic Vision guide, 2026-12-02"
OPUS_47 = "Claude Opus 4.7 release notes and a measurement (not the vision guide's table)"
# Gemini: Vertex AI "image requirements" (quoted in BerriAI/litellm#3269): both sides ≤ 384 →
# 258 tokens; else tiles of (short side / 1.5, clamped 256…768), each 258 tokens. Not
# confirmed: ai.google.dev says only "tiles of 768×768", Gemini 2.5+ has media_resolution,
# and a 2026 measurement found gemini-3.5 flat per image.
VERTEX = "Vertex AI image requirements (quoted in BerriAI/litellm#3269)"
# gpt-4o-mini bills a picture at 33⅓ times gpt-4o's tokens (2833 + 5667 per tile against 85 + 170)
# so that it costs what gpt-4o charges; the model sees the same tiles, so the context window holds
# gpt-4o's count. Counting the billed figure would refuse a fifth photo on the default model.
GPT_4O_MINI_BILLING = 2833 / 85


def _family(prefix: str, rule: TokenRule, source: str, *, billing_factor: float = 1.0) -> Family:
    return Family(prefix, rule, rule.checked, source, billing_factor=billing_factor)


FAMILIES: tuple[Family, ...] = (
    _family(
        "gpt-4o-mini",
        tile(2833, 5667, "2026-11-26"),
        FORUM,
        billing_factor=GPT_4O_MINI_BILLING,
    ),
    _family("gpt-4o", tile(85, 170, "2026-11-26"), OPENAI),
    _family("chatgpt-4o", tile(85, 170, "2026-11-26"), OPENAI),
    _family("gpt-4-turbo", tile(85, 170, "2026-11-26"), OPENAI),
    _family("gpt-4.5", tile(85, 170, "2026-11-26"), OPENAI),
    _family("gpt-4.1-mini", patch(1.62, "2026-11-26"), OPENAI),
    _family("gpt-4.1-nano", patch(2.46, "2026-11-26"), OPENAI),
    _family("gpt-4.1", tile(85, 170, "2026-11-26"), OPENAI),
    # Not confirmed: the forum measured o1 at far fewer tokens (22 / 44 for 128×64) than 75+150.
    _family("o1", tile(75, 150, "2026-11-26", confirmed=False), FORUM + " (which disagrees)"),
    _family("o3", tile(75, 150, "2026-11-26"), FORUM),
    _family("o4-mini", patch(1.72, "2026-11-26"), FORUM),
    _family("gpt-5-mini", patch(1.62, "2026-11-26", confirmed=False), GPT_5),
    _family("gpt-5-nano", patch(2.46, "2026-11-26", confirmed=False), GPT_5),
    _family("gpt-5", tile(70, 140, "2026-11-26", confirmed=False), GPT_5),
    _family("qwen-vl-max", QWEN_32_GUESS, DASHSCOPE),
    _family("qwen-vl-plus", QWEN_32_GUESS, DASHSCOPE),
    _family("qwen-vl-max-latest", QWEN_32_GUESS, DASHSCOPE),
    _family("qwen-vl-max-2025-08-13", QWEN_32, DASHSCOPE),
    _family("qwen-vl-plus-2025-08-15", QWEN_32, DASHSCOPE),
    _family("qwen-vl-plus-2025-07-10", QWEN_32, DASHSCOPE),
    _family("qwen-vl-max-20", QWEN_28_GUESS, DASHSCOPE),
    _family("qwen-vl-plus-20", QWEN_28_GUESS, DASHSCOPE),
    _family("qwen3-vl", QWEN_32_GUESS, DASHSCOPE),
    _family("qvq", QWEN_28_GUESS, DASHSCOPE),
    _family("qwen2.5-vl", QWEN_OPEN, SILICONFLOW),
    _family("qwen2-vl", QWEN_OPEN, SILICONFLOW),
    # Ollama's own tag; a local model costs nothing, the figure is its context use.
    _family(
        "qwen2.5vl", grid("Qwen 28px", 28, QWEN_OPEN_MAX, "2026-12-02"), SILICONFLOW + " (Ollama)"
    ),
    _family("glm-4.1v", GLM, GLM_V),
    _family("glm-4.5v", GLM, GLM_V),
    _family("glm-4.6v", GLM_46, GLM_V + "; GLM-4.6V preprocessor_config.json"),
    _family("glm-4v", tile(85, 170, "2026-12-02", confirmed=False), GLM_4V),
    _family("claude", CLAUDE, ANTHROPIC),
    _family("claude-opus-4-7", CLAUDE_HIGH_RES, OPUS_47),
    _family("claude-opus-4.7", CLAUDE_HIGH_RES, OPUS_47),
    _family("gemini", GEMINI, VERTEX),
    # Gemma 3: Google's model card: images normalised to 896×896, 256 tokens each.
    _family("gemma3", GEMMA_3, "Gemma 3 model card (Google)"),
    _family("gemma-3", GEMMA_3, "Gemma 3 model card (Google)"),
    # Text only: pictures go to these as their read text unless the person says otherwise.
    Family(
        "gpt-3.5-turbo",
        None,
        "2026-12",
        "developers.openai.com/api/docs/models/gpt-3.5-turbo (input modalities: text)",
        sees=False,
    ),
    # LLaVA 1.6 (Ollama's llava): up to 672×672, 2880 tokens. Not confirmed from a primary source.
    _family(
        "llava",
        fixed("LLaVA 2880", 2880, 672, "2026-12-02", confirmed=False),
        "LLaVA 1.6 as commonly described; no primary source",
    ),
)
FALLBACK_PREFIX = "gpt-4o"  # an unknown model is estimated with gpt-4o's tile rule, as a guess
