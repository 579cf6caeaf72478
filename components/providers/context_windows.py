"""Context windows: how many tokens (prompt plus answer) each preset's models accept, a dated table.

A row is keyed by preset and model, because one model can have different windows at different
providers (Qwen2.5-VL-72B: 32,768 at OpenRouter, 131,072 at SiliconFlow). ``checked`` is the month
the row was compared with its ``source``; ``confirmed=False`` marks a figure that a provider's own
page did not state (taken from a model card or a third party), which is shown as approximate.

Lookup: the exact preset and model; else the same model name under any preset (a reseller or a
custom URL serving a known model), marked approximate and taking the smallest such window; else
``DEFAULT_CONTEXT_TOKENS``, marked approximate.
"""

from __future__ import annotations

from dataclasses import dataclass

# Unknown models: 32k is the smallest window among current general vision models (Qwen2-VL,
# Qwen2.5-VL at OpenRouter, LLaVA 1.6); older ones with less (deepseek-vl2, GLM-4V) are listed.
DEFAULT_CONTEXT_TOKENS = 32_768


@dataclass(frozen=True)
class ContextRow:
    """One model's context window at one provider, with where the figure comes from."""

    preset: str
    model: str
    tokens: int
    checked: str
    source: str
    confirmed: bool = True


@dataclass(frozen=True)
class ContextWindow:
    """The window used for a request; ``approximate`` when the model or figure is a guess."""

    model: str
    tokens: int
    approximate: bool
    source: str


_OPENAI = "platform.openai.com/docs/models (model pages)"
_OPENROUTER = "openrouter.ai/<model> page"
_ZHIPU = (
    "not stated on docs.bigmodel.cn for the GLM-4V generation; THUDM/glm-4v-9b model card (8192)"
)
# Ollama serves with its own num_ctx (a few thousand tokens unless the operator raises it) and
# truncates the prompt rather than refusing it, so the model's native window is the only bound
# Kantu can know; rows are from the ollama.com library pages.
_OLLAMA = "ollama.com/library/<model> (native window; the server's num_ctx may be smaller)"

_ROWS: tuple[ContextRow, ...] = (
    ContextRow("bingcheng", "gpt-4o-mini", 128_000, "2026-11", "OpenAI's window (relay)", False),
    ContextRow("bingcheng", "gpt-4o", 128_000, "2026-11", "OpenAI's window (relay)", False),
    ContextRow("openai", "gpt-4o-mini", 128_000, "2026-11", _OPENAI),
    ContextRow("openai", "gpt-4o", 128_000, "2026-11", _OPENAI),
    ContextRow("openai", "gpt-4.1", 1_047_576, "2026-11", _OPENAI),
    ContextRow("openai", "gpt-4.1-mini", 1_047_576, "2026-11", _OPENAI),
    ContextRow("openai", "gpt-4.1-nano", 1_047_576, "2026-11", _OPENAI),
    ContextRow("openrouter", "openai/gpt-4o-mini", 128_000, "2026-11", _OPENROUTER),
    ContextRow("openrouter", "google/gemini-2.5-flash", 1_048_576, "2026-11", _OPENROUTER),
    ContextRow("openrouter", "qwen/qwen2.5-vl-72b-instruct", 32_768, "2026-11", _OPENROUTER),
    ContextRow("openrouter", "anthropic/claude-sonnet-4", 200_000, "2026-11", _OPENROUTER),
    # DashScope's model list was not reachable this month; OpenRouter lists qwen-vl-max at 131,072.
    ContextRow("dashscope", "qwen-vl-max", 131_072, "2026-11", "openrouter.ai/qwen/qwen-vl-max"),
    ContextRow("dashscope", "qwen-vl-plus", 131_072, "2026-11", "as qwen-vl-max", False),
    ContextRow("dashscope", "qwen-vl-max-latest", 131_072, "2026-11", "as qwen-vl-max", False),
    ContextRow("dashscope", "qwen3-vl-plus", 262_144, "2026-11", "Qwen3-VL model cards", False),
    ContextRow(
        "siliconflow",
        "qwen/qwen2.5-vl-72b-instruct",
        131_072,
        "2026-11",
        "Qwen2.5-VL model card (128k)",
        False,
    ),
    ContextRow(
        "siliconflow",
        "qwen/qwen2.5-vl-32b-instruct",
        131_072,
        "2026-11",
        "Qwen2.5-VL model card (128k)",
        False,
    ),
    ContextRow(
        "siliconflow", "deepseek-ai/deepseek-vl2", 4_096, "2026-11", "siliconflow.com model page"
    ),
    ContextRow("zhipu", "glm-4v-flash", 8_192, "2026-11", _ZHIPU, False),
    ContextRow("zhipu", "glm-4v-plus", 8_192, "2026-11", _ZHIPU, False),
    ContextRow("zhipu", "glm-4v-plus-0111", 16_384, "2026-11", "third-party listings", False),
    ContextRow("ollama", "qwen2.5vl", 128_000, "2026-11", _OLLAMA, False),
    ContextRow("ollama", "llava", 32_768, "2026-11", _OLLAMA, False),
    ContextRow("ollama", "llama3.2-vision", 131_072, "2026-11", _OLLAMA, False),
    ContextRow("ollama", "gemma3", 131_072, "2026-11", _OLLAMA, False),
    # The local reader has no prompt window; the figure only keeps the send limits' rules whole.
    ContextRow("local_ocr", "rapidocr-pp-ocrv6", 1_000_000, "2026-11", "no window (local OCR)"),
)

CONTEXT_WINDOWS: dict[tuple[str, str], ContextRow] = {(r.preset, r.model): r for r in _ROWS}


def _bare(model: str) -> str:
    """Return the model name without a provider prefix (``openai/``) or an Ollama tag (``:7b``)."""
    return model.strip().lower().rsplit("/", 1)[-1].split(":", 1)[0]


def context_window(preset_id: str, model: str) -> ContextWindow:
    """Return the context window for ``model`` at the preset ``preset_id``; never raises."""
    name = model.strip().lower()
    row = CONTEXT_WINDOWS.get((preset_id, name)) or CONTEXT_WINDOWS.get((preset_id, _bare(model)))
    if row is not None:
        return ContextWindow(model, row.tokens, not row.confirmed, row.source)
    same_model = [r for r in _ROWS if _bare(r.model) == _bare(model)]
    if same_model:
        row = min(same_model, key=lambda r: r.tokens)
        return ContextWindow(model, row.tokens, True, f"{row.source}, at {row.preset}")
    return ContextWindow(model, DEFAULT_CONTEXT_TOKENS, True, "default for unknown models")
