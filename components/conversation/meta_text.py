"""The quiet line under an answer, in words: model, tokens in and out, time, and cost.

Streamlit-free, so the page (``components.ui.chat.meta_line``) and anything else can share it.
"""

from __future__ import annotations

import re

from components.conversation.exchange import AnswerMeta
from components.i18n import Lang, t

# A dated build: gpt-4o-mini-2024-07-18, claude-3-5-sonnet-20240620, claude-3-5-sonnet@20240620.
# Only a full date goes: qwen-vl-max-latest or gpt-4-0613 keep their names.
_BUILD_DATE = re.compile(r"[-@](?:(?:19|20)\d\d-[01]\d-[0-3]\d|(?:19|20)\d\d[01]\d[0-3]\d)$")
SEPARATOR = " · "


def short_model_name(name: str) -> str:
    """Return ``name`` without a trailing build date (``-YYYY-MM-DD`` or ``-YYYYMMDD``)."""
    name = name.strip()
    short = _BUILD_DATE.sub("", name)
    return short or name


def format_seconds(seconds: float, lang: Lang) -> str:
    """Return a duration as people say it: "0.4", "12", or "1 min 5" (unit words from i18n)."""
    if seconds < 10:
        return f"{max(seconds, 0.1):.1f}"
    if seconds < 60:
        return f"{round(seconds)}"
    minutes, rest = divmod(round(seconds), 60)
    return t("meta.minutes", lang, minutes=minutes, seconds=rest)


def _tokens(meta: AnswerMeta, lang: Lang) -> str | None:
    if meta.usage is not None:
        return t(
            "meta.tokens",
            lang,
            prompt=f"{meta.usage.prompt_tokens:,}",
            completion=f"{meta.usage.completion_tokens:,}",
        )
    if meta.image_tokens:
        key = "meta.estimated_approx" if meta.image_tokens_approximate else "meta.estimated"
        return t(key, lang, tokens=f"{meta.image_tokens:,}")
    return None


def _time(meta: AnswerMeta, lang: Lang) -> str | None:
    total = None if meta.total_s is None else format_seconds(meta.total_s, lang)
    first = None if meta.ttft_s is None else format_seconds(meta.ttft_s, lang)
    if total is not None and first is not None:
        return t("meta.time", lang, total=total, first=first)
    if total is not None:
        return t("meta.total", lang, seconds=total)
    if first is not None:
        return t("meta.ttft", lang, seconds=first)
    return None


def meta_text(meta: AnswerMeta, lang: Lang, cost: str | None = None) -> str:
    """Return the quiet line for ``meta``: model, tokens, pictures sent as text, time, cost.

    ``cost`` is appended as given (already formatted, in ``lang``). Raises nothing.
    """
    model = short_model_name(meta.model or meta.requested_model or "")
    parts = [
        model or None,
        _tokens(meta, lang),
        t("chat.sent_as_text", lang) if meta.pictures_as_text else None,
        _time(meta, lang),
        cost or None,
    ]
    return SEPARATOR.join(part for part in parts if part)
