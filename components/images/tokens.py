"""Prompt-token estimates for images, from the providers' published rules.

Two OpenAI pricing rules exist, and each model family uses one of them:

- **tile**: fit the image in 2048×2048, scale its shortest side down to 768, count 512-px tiles;
  tokens = base + tile × tiles (``detail: low`` costs the base only).
- **patch**: count 32-px patches; over 1536 patches the image is shrunk (OpenAI's rule below)
  until it fits; tokens = patches × a per-model multiplier. ``detail`` does not change the rule.

Other providers' families count differently (``TokenRule.count``):

- **grid** (Qwen-VL, GLM-4.1V+): sides rounded to a multiple of the grid (28 or 32 px), the area
  kept between ``min_pixels`` and ``max_pixels`` (Qwen's ``smart_resize``); one token per cell,
  plus ``extra`` (DashScope's two vision markers).
- **area** (Claude): the long side fitted to 1568 px and the area to about 1600 tokens, then
  w·h/750 tokens.
- **gemini**: 258 tokens when both sides are ≤ 384 px, else 258 per crop tile (the crop unit is
  the short side / 1.5, clamped to 256…768).
- **fixed**: the model resizes every picture to one square (GLM-4V, Gemma 3, LLaVA): a constant.

The rules are a table keyed by model-name prefix (longest prefix wins; a ``vendor/`` prefix is
ignored, case does not matter), each row dated with when it was checked and its source in a
comment. Rows that could not be confirmed from a public source say so (``confirmed=False``) and
their estimates are marked approximate, as are unknown models (the gpt-4o tile rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from components.images.prepared import Detail

Count = Literal["tile", "patch", "grid", "area", "gemini", "fixed"]

TILE_FIT = 2048
TILE_SHORT_SIDE = 768
TILE_SIZE = 512
PATCH_SIZE = 32
PATCH_CAP = 1536


@dataclass(frozen=True)
class TokenRule:
    """How one model family is billed for an image."""

    name: str  # shown in estimates, e.g. "tile 85+170", "patch ×1.62" or "Qwen 32px+2"
    kind: Literal["tile", "patch"]  # the OpenAI-style geometry slices and zooms are cut to
    base: int = 0  # tile rule: tokens for every image (and all of detail: low)
    per_tile: int = 0  # tile rule: tokens per 512-px tile; gemini: per crop tile; fixed: all
    multiplier: float = 1.0  # patch rule: tokens per 32-px patch
    checked: str = ""  # when the row was last checked against the published rules
    confirmed: bool = True  # False: the constant could not be confirmed from a public source
    count: Count = "tile"  # how tokens are counted (the module docstring); tile and patch: kind
    grid: int = 0  # grid: pixels per token side (28 or 32); fixed: the square every image becomes
    min_pixels: int = 0  # grid: the least area the provider scales up to
    max_pixels: int = 0  # grid, area: the most area the provider keeps (it shrinks beyond)
    extra: int = 0  # grid: tokens added to every image (vision start/end markers)
    low_side: int = 0  # grid: detail low resizes to this square (SiliconFlow), 0: no low mode
    max_side: int = 0  # area, gemini: the long side the provider fits first (0: none)


def _tile(base: int, per_tile: int, checked: str, *, confirmed: bool = True) -> TokenRule:
    return TokenRule(f"tile {base}+{per_tile}", "tile", base, per_tile, 1.0, checked, confirmed)


def _patch(multiplier: float, checked: str, *, confirmed: bool = True) -> TokenRule:
    return TokenRule(
        f"patch ×{multiplier:g}", "patch", 0, 0, multiplier, checked, confirmed, count="patch"
    )


def _grid(
    name: str,
    grid: int,
    max_pixels: int,
    checked: str,
    *,
    extra: int = 0,
    min_pixels: int = 0,
    low_side: int = 0,
    confirmed: bool = True,
) -> TokenRule:
    least = min_pixels or 4 * grid * grid  # Qwen: at least 4 tokens
    return TokenRule(
        name, "patch", checked=checked, confirmed=confirmed, count="grid", grid=grid,
        min_pixels=least, max_pixels=max_pixels, extra=extra, low_side=low_side,
    )  # fmt: skip


def _fixed(name: str, tokens: int, side: int, checked: str, *, confirmed: bool) -> TokenRule:
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


# Confirmation notes (2026-11-26): gpt-4o 85+170 and the 765 / 1105 worked examples, the patch rule
# with its 1024 and 1452 examples and the 1.62 / 2.46 multipliers are quoted from OpenAI's guide.
# gpt-4o-mini 2833+5667, o3 75+150 and o4-mini ×1.72 agree with measured usage published on the
# OpenAI community forum (a 128×64 image: 2845 / 8512 tokens on gpt-4o-mini, 86 / 236 on o3).
RULES: dict[str, TokenRule] = {
    "gpt-4o-mini": _tile(2833, 5667, "2026-11-26"),
    "gpt-4o": _tile(85, 170, "2026-11-26"),
    "chatgpt-4o": _tile(85, 170, "2026-11-26"),
    "gpt-4-turbo": _tile(85, 170, "2026-11-26"),
    "gpt-4.5": _tile(85, 170, "2026-11-26"),
    "gpt-4.1-mini": _patch(1.62, "2026-11-26"),
    "gpt-4.1-nano": _patch(2.46, "2026-11-26"),
    "gpt-4.1": _tile(85, 170, "2026-11-26"),
    # Not confirmed: the forum measured o1 at far fewer tokens (22 / 44 for 128×64) than 75+150.
    "o1": _tile(75, 150, "2026-11-26", confirmed=False),
    "o3": _tile(75, 150, "2026-11-26"),
    "o4-mini": _patch(1.72, "2026-11-26"),
    # Not confirmed: no public worked example found for gpt-5 (70+140) or its mini/nano multipliers;
    # one forum measurement puts gpt-5-mini at ×1.20 rather than the documented ×1.62.
    "gpt-5-mini": _patch(1.62, "2026-11-26", confirmed=False),
    "gpt-5-nano": _patch(2.46, "2026-11-26", confirmed=False),
    "gpt-5": _tile(70, 140, "2026-11-26", confirmed=False),
    # Qwen-VL on DashScope: Alibaba Model Studio "视觉理解 → 图像 Token 计算" (checked 2026-12-02
    # through a copy of the page): tokens = h_bar·w_bar / grid² + 2, sides rounded to the grid,
    # at least 4 tokens, at most max_pixels; 32 px for Qwen3-VL, qwen-vl-max-2025-08-13,
    # qwen-vl-plus-2025-08-15 and -07-10, 28 px for QVQ and the other Qwen2.5-VL snapshots.
    # Not confirmed: the default max_pixels (1280 / 2560 tokens here) was not in the copy, and
    # which snapshot the undated qwen-vl-max / qwen-vl-plus aliases point to today.
    "qwen-vl-max": _grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2, confirmed=False),
    "qwen-vl-plus": _grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2, confirmed=False),
    "qwen-vl-max-latest": _grid(
        "Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2, confirmed=False
    ),
    "qwen-vl-max-2025-08-13": _grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2),
    "qwen-vl-plus-2025-08-15": _grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2),
    "qwen-vl-plus-2025-07-10": _grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2),
    "qwen-vl-max-20": _grid("Qwen 28px+2", 28, QWEN_28_MAX, "2026-12-02", extra=2, confirmed=False),
    "qwen-vl-plus-20": _grid(
        "Qwen 28px+2", 28, QWEN_28_MAX, "2026-12-02", extra=2, confirmed=False
    ),
    "qwen3-vl": _grid("Qwen 32px+2", 32, QWEN_32_MAX, "2026-12-02", extra=2, confirmed=False),
    "qvq": _grid("Qwen 28px+2", 28, QWEN_28_MAX, "2026-12-02", extra=2, confirmed=False),
    # Open Qwen2-VL / Qwen2.5-VL (SiliconFlow, OpenRouter, Ollama): docs.siliconflow.cn "视觉语言
    # 模型" (checked 2026-12-02): sides rounded to 28, area within 56² … 3584², no markers counted;
    # detail low is 448×448 = 256 tokens; worked examples 224×448 → 128, 1024² → 1369,
    # 3172×4096 → 16240.
    "qwen2.5-vl": _grid("Qwen 28px", 28, QWEN_OPEN_MAX, "2026-12-02", low_side=448),
    "qwen2-vl": _grid("Qwen 28px", 28, QWEN_OPEN_MAX, "2026-12-02", low_side=448),
    # Ollama's own tag; a local model costs nothing, the figure is its context use.
    "qwen2.5vl": _grid("Qwen 28px", 28, QWEN_OPEN_MAX, "2026-12-02"),
    # GLM-4.1V / 4.5V / 4.6V: the open processor (Glm4vImageProcessor's smart_resize, as copied in
    # zai-org's GLM-V / GLM-OCR tools, checked 2026-12-02) rounds sides to 28 px, keeps the area
    # between 112² and 14²·4·15000 = 28²×15000 px; one token per 28-px cell. GLM-4.6V's shipped
    # preprocessor_config caps the area lower, at 9,633,792 px (28²×12288). Not confirmed: Zhipu
    # publishes no billing formula (markers, hosted caps), so the rows are marked as guesses.
    "glm-4.1v": _grid("GLM 28px", 28, GLM_MAX, "2026-12-02", min_pixels=112 * 112, confirmed=False),
    "glm-4.5v": _grid("GLM 28px", 28, GLM_MAX, "2026-12-02", min_pixels=112 * 112, confirmed=False),
    "glm-4.6v": _grid(
        "GLM 28px", 28, GLM_46_MAX, "2026-12-02", min_pixels=112 * 112, confirmed=False
    ),
    # glm-4v-flash / -plus: Zhipu publishes no per-image count. GLM-4V-9B (the open sibling)
    # resizes every image to 1120×1120 (1600 tokens), but the hosted models are not shown to, so
    # the row keeps gpt-4o's tile rule as its guess and says it is one.
    "glm-4v": _tile(85, 170, "2026-12-02", confirmed=False),
    # Claude: Anthropic "Vision" guide (checked 2026-12-02): tokens ≈ w·h/750; a long edge over
    # 1568 px or over ~1600 tokens is scaled down first; 200² → 54, 1000² → 1334, 1092² → 1590.
    "claude": CLAUDE,
    # Claude Opus 4.7 (2026-04) reads larger images: "high-resolution vision (3.75 MP)", up to about
    # 2576 px on the long edge and ~4784 tokens (release notes and a measurement, not the vision
    # guide's table). Not confirmed.
    "claude-opus-4-7": CLAUDE_HIGH_RES,
    "claude-opus-4.7": CLAUDE_HIGH_RES,
    # Gemini: Vertex AI "image requirements" (quoted in BerriAI/litellm#3269): both sides ≤ 384 →
    # 258 tokens; else tiles of (short side / 1.5, clamped 256…768), each 258 tokens. Not
    # confirmed: ai.google.dev says only "tiles of 768×768", Gemini 2.5+ has media_resolution,
    # and a 2026 measurement found gemini-3.5 flat per image.
    "gemini": GEMINI,
    # Gemma 3: Google's model card: images normalised to 896×896, 256 tokens each.
    "gemma3": _fixed("Gemma 3 256", 256, 896, "2026-12-02", confirmed=True),
    "gemma-3": _fixed("Gemma 3 256", 256, 896, "2026-12-02", confirmed=True),
    # LLaVA 1.6 (Ollama's llava): up to 672×672, 2880 tokens. Not confirmed from a primary source.
    "llava": _fixed("LLaVA 2880", 2880, 672, "2026-12-02", confirmed=False),
}
FALLBACK_RULE = RULES["gpt-4o"]


@dataclass(frozen=True)
class TokenEstimate:
    """The estimated prompt tokens for one image, and which rule produced them."""

    tokens: int
    approximate: bool
    rule: str


def rule_for(model: str) -> tuple[TokenRule, bool]:
    """Return the rule for ``model`` and whether it is only a guess (unknown or unconfirmed).

    A provider prefix such as ``openai/`` is ignored; the longest matching prefix wins.
    """
    name = model.strip().lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in RULES if name.startswith(prefix)]
    if not matches:
        return FALLBACK_RULE, True
    rule = RULES[max(matches, key=len)]
    return rule, not rule.confirmed


def tile_size(width: int, height: int) -> tuple[int, int]:
    """Return the size OpenAI scales a ``detail: high`` image to before counting tiles."""
    fit = min(1.0, TILE_FIT / max(width, height))
    scale = fit * min(1.0, TILE_SHORT_SIDE / (min(width, height) * fit))
    return max(1, round(width * scale)), max(1, round(height * scale))


def patch_size(width: int, height: int) -> tuple[int, int]:
    """Return the size OpenAI shrinks an image to so that it fits in 1536 patches."""
    if _patches(width, height) <= PATCH_CAP:
        return width, height
    shrink = math.sqrt(PATCH_CAP * PATCH_SIZE**2 / (width * height))
    w1, h1 = math.floor(width * shrink), math.floor(height * shrink)
    # Then shrink a little more so one side is a whole number of patches (OpenAI's 33/33.94 step).
    fit = min(
        math.floor(w1 / PATCH_SIZE) / (w1 / PATCH_SIZE),
        math.floor(h1 / PATCH_SIZE) / (h1 / PATCH_SIZE),
    )
    return max(1, math.floor(w1 * fit)), max(1, math.floor(h1 * fit))


def _patches(width: int, height: int) -> int:
    return math.ceil(width / PATCH_SIZE) * math.ceil(height / PATCH_SIZE)


def grid_size(width: int, height: int, rule: TokenRule) -> tuple[int, int]:
    """Return the size a grid-counted provider (Qwen's ``smart_resize``) turns an image into.

    Sides are rounded to the grid; an area outside ``min_pixels`` … ``max_pixels`` is scaled
    into it, keeping the aspect ratio and whole grid cells.
    """
    g = rule.grid
    w, h = max(g, round(width / g) * g), max(g, round(height / g) * g)
    if w * h > rule.max_pixels:
        beta = math.sqrt(width * height / rule.max_pixels)
        w = max(g, math.floor(width / beta / g) * g)
        h = max(g, math.floor(height / beta / g) * g)
    elif w * h < rule.min_pixels:
        beta = math.sqrt(rule.min_pixels / (width * height))
        w, h = math.ceil(width * beta / g) * g, math.ceil(height * beta / g) * g
    return w, h


def area_size(width: int, height: int, rule: TokenRule) -> tuple[int, int]:
    """Return the size Claude scales an image to: long side ≤ 1568 px, area ≤ ~1600 tokens."""
    scale = min(
        1.0,
        rule.max_side / max(width, height),
        math.sqrt(rule.max_pixels / (width * height)),
    )
    if scale >= 1.0:
        return width, height
    return max(1, math.floor(width * scale)), max(1, math.floor(height * scale))


def gemini_tiles(width: int, height: int, rule: TokenRule = GEMINI) -> int:
    """Return how many 258-token tiles Gemini cuts a ``width``×``height`` image into."""
    scale = min(1.0, rule.max_side / max(width, height))
    w, h = width * scale, height * scale
    if w <= 384 and h <= 384:
        return 1
    unit = min(768.0, max(256.0, math.floor(min(w, h) / 1.5)))
    return math.ceil(w / unit) * math.ceil(h / unit)


def rule_size(width: int, height: int, rule: TokenRule) -> tuple[int, int]:
    """Return the size the provider itself scales an image to under ``rule`` (never upscaled)."""
    if rule.count == "tile":
        w, h = tile_size(width, height)
    elif rule.count == "patch":
        w, h = patch_size(width, height)
    elif rule.count == "grid":
        w, h = grid_size(width, height, rule)
    elif rule.count == "area":
        w, h = area_size(width, height, rule)
    elif rule.count == "fixed":
        scale = min(1.0, rule.grid / max(width, height))
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
    else:  # gemini: tiles are resized to 768² whatever is sent; the cap is the pre-tile fit
        scale = min(1.0, rule.max_side / max(width, height))
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
    return min(w, width), min(h, height)


def _count(width: int, height: int, rule: TokenRule, detail: Detail) -> int:
    """Count the tokens of one image under a non-OpenAI rule."""
    if rule.count == "grid":
        if detail == "low" and rule.low_side:
            return (rule.low_side // rule.grid) ** 2 + rule.extra
        w, h = grid_size(width, height, rule)
        return (w // rule.grid) * (h // rule.grid) + rule.extra
    if rule.count == "area":
        w, h = area_size(width, height, rule)
        return math.ceil(w * h / 750)
    if rule.count == "gemini":
        return rule.per_tile * gemini_tiles(width, height, rule)
    return rule.per_tile  # fixed


def estimate_image_tokens(width: int, height: int, *, model: str, detail: Detail) -> TokenEstimate:
    """Estimate the prompt tokens one ``width``×``height`` image costs on ``model``.

    ``auto`` is estimated as ``high`` (what OpenAI bills when no detail is set) and ``max`` is
    sent as ``high``. Raises ``ValueError`` for a non-positive size.
    """
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}×{height}")
    rule, approximate = rule_for(model)
    if rule.count not in ("tile", "patch"):
        return TokenEstimate(_count(width, height, rule, detail), approximate, rule.name)
    if rule.kind == "patch":
        patches = min(PATCH_CAP, _patches(*patch_size(width, height)))
        return TokenEstimate(math.ceil(patches * rule.multiplier), approximate, rule.name)
    if detail == "low":
        return TokenEstimate(rule.base, approximate, rule.name)
    w, h = tile_size(width, height)
    tiles = math.ceil(w / TILE_SIZE) * math.ceil(h / TILE_SIZE)
    return TokenEstimate(rule.base + rule.per_tile * tiles, approximate, rule.name)
