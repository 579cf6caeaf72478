"""Answers as columns: the JSON schema sent where a provider takes one, and a tolerant parser.

Where the preset is known to accept OpenAI's ``response_format`` with a JSON schema, the columns
become a strict schema; everywhere else the prompt asks for one JSON object and the parser finds
it in whatever came back (a code fence, words around it, trailing commas). When nothing parses,
the raw text stays the answer and the columns stay empty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

# Presets whose API accepts response_format json_schema for vision chat (checked 2026-11 against
# OpenAI's "Structured Outputs" guide; others treat it as unknown or reject it).
JSON_SCHEMA_PRESETS: frozenset[str] = frozenset({"openai"})
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def parse_columns(text: str) -> tuple[str, ...]:
    """Return the column names in ``"a, b,c"`` (blank and repeated names dropped, order kept)."""
    seen: list[str] = []
    for name in re.split(r"[,，]", text or ""):
        name = name.strip()
        if name and name not in seen:
            seen.append(name)
    return tuple(seen)


def supports_schema(preset_id: str) -> bool:
    """Return True when the preset takes ``response_format`` with a JSON schema."""
    return preset_id in JSON_SCHEMA_PRESETS


def response_format(columns: Sequence[str]) -> dict[str, Any]:
    """Return the ``response_format`` asking for an object with a string for every column."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "kantu_batch",
            "strict": True,
            "schema": {
                "type": "object",
                "properties": {name: {"type": "string"} for name in columns},
                "required": list(columns),
                "additionalProperties": False,
            },
        },
    }


def instruction(columns: Sequence[str]) -> str:
    """Return the words added to the prompt asking for the columns as one JSON object."""
    keys = ", ".join(json.dumps(c, ensure_ascii=False) for c in columns)
    return (
        f"\n\nAnswer with one JSON object only, with exactly these keys: {keys}. Every value is "
        f"a string (empty when unknown). 只回答一个 JSON 对象，键为：{keys}，值都是字符串。"
    )


def parse_answer(text: str, columns: Sequence[str]) -> dict[str, str] | None:
    """Return the columns found in ``text``, or None when no JSON object can be read from it.

    Tolerates a code fence, words before and after the object, and trailing commas; a missing
    key comes back as "", a non-string value as its JSON text.
    """
    for candidate in _candidates(text):
        try:
            obj = json.loads(candidate)
        except ValueError:
            try:
                obj = json.loads(_TRAILING_COMMA.sub(r"\1", candidate))
            except ValueError:
                continue
        if isinstance(obj, dict):
            return {name: _as_text(obj.get(name)) for name in columns}
    return None


def _candidates(text: str) -> list[str]:
    found = [m.group(1).strip() for m in _FENCE.finditer(text)]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        found.append(text[start : end + 1])
    found.append(text.strip())
    return found


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
