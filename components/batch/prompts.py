"""The batch's prompt presets: what most people ask of a pile of pictures."""

from __future__ import annotations

from collections.abc import Sequence

from components.i18n import Lang, t

PRESETS: tuple[str, ...] = ("describe", "extract_text", "classify", "alt_text", "own")


def preset_prompt(preset: str, lang: Lang, *, labels: Sequence[str] = ()) -> str:
    """Return the prompt of a preset in ``lang`` ("" for ``own``); ``classify`` lists ``labels``."""
    if preset == "own":
        return ""
    if preset == "classify":
        return t("batch.prompt.classify", lang, labels=", ".join(labels))
    return t(f"batch.prompt.{preset}", lang)
