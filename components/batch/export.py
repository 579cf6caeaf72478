"""The batch's results as files: CSV (UTF-8 with BOM, so Excel reads Chinese), JSONL, Markdown.

The Markdown report is a .zip of ``report.md`` and ``images/`` linked by relative paths, made
the way the chat's Markdown export is (``conversation.transfer.markdown_zip``: GitHub does not
show ``data:`` pictures).

One record per picture, in the order the pictures came. JSONL is also the command line's output
and resume file, so ``record`` / ``from_record`` round-trip what resuming needs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from components.batch.intake import Refused
from components.batch.job import BatchSpec, ItemResult
from components.conversation.transfer import markdown_zip, picture_path
from components.costs.prices import Money
from components.errors import KantuError
from components.i18n import Lang, t
from components.text.cells import csv_row, markdown_cell
from components.usage import Usage

BASE_COLUMNS = ("file", "status", "answer")
THUMB_MIME = "image/jpeg"  # what ``ItemResult.thumbnail`` holds
TAIL_COLUMNS = ("prompt_tokens", "completion_tokens", "cost", "currency", "seconds", "error")


def reason_text(result: ItemResult, lang: Lang = "en") -> str:
    """Return why an item failed or was refused, in ``lang`` ("" when it did not)."""
    problem = result.error if result.error is not None else result.refusal
    if isinstance(problem, KantuError):
        return problem.message(lang)
    if isinstance(problem, Refused):
        return t(f"batch.refused.{problem.reason}", lang, name=problem.name)
    return str(problem or "")


def record(result: ItemResult, spec: BatchSpec, lang: Lang = "en") -> dict[str, Any]:
    """Return one item as a JSON-ready dict (the JSONL line)."""
    usage = result.usage
    return {
        "file": result.name,
        "status": result.status,
        "answer": result.answer,
        "fields": result.fields,
        "prompt_tokens": usage.prompt_tokens if usage else None,
        "completion_tokens": usage.completion_tokens if usage else None,
        "cost": round(result.cost.amount, 8) if result.cost else None,
        "currency": result.cost.currency if result.cost else None,
        "seconds": round(result.seconds, 3) if result.seconds is not None else None,
        "attempts": result.attempts,
        "error": reason_text(result, lang) or None,
        "error_kind": _kind(result),
        "model": spec.model,
        "detail": spec.detail,
        "prompt": spec.prompt,
        "columns": list(spec.columns),
        "picture_sha256": result.picture_sha256,
        "key": result.key,
    }


def _kind(result: ItemResult) -> str | None:
    if result.error is not None:
        return result.error.kind
    if isinstance(result.refusal, KantuError):
        return result.refusal.kind
    if isinstance(result.refusal, Refused):
        return result.refusal.reason
    return None


def from_record(obj: dict[str, Any], index: int = 0) -> ItemResult:
    """Return the ItemResult a JSONL line describes (thumbnail and error object not kept)."""
    usage = None
    if obj.get("prompt_tokens") is not None:
        prompt, completion = int(obj["prompt_tokens"]), int(obj.get("completion_tokens") or 0)
        usage = Usage(prompt, completion, prompt + completion)
    cost = Money(float(obj["cost"]), obj["currency"]) if obj.get("cost") is not None else None
    return ItemResult(
        index=index,
        name=str(obj.get("file", "")),
        key=str(obj.get("key", "")),
        picture_sha256=str(obj.get("picture_sha256", "")),
        status=obj.get("status", "failed"),
        answer=str(obj.get("answer") or ""),
        fields=obj.get("fields"),
        usage=usage,
        cost=cost,
        seconds=obj.get("seconds"),
        attempts=int(obj.get("attempts") or 0),
    )


def to_jsonl(results: Iterable[ItemResult], spec: BatchSpec, lang: Lang = "en") -> str:
    """Return one JSON object per line."""
    return "".join(json.dumps(record(r, spec, lang), ensure_ascii=False) + "\n" for r in results)


def _row(result: ItemResult, spec: BatchSpec, lang: Lang) -> list[str]:
    rec = record(result, spec, lang)
    fields = result.fields or {}
    return [
        rec["file"],
        rec["status"],
        rec["answer"],
        *(fields.get(c, "") for c in spec.columns),
        *("" if rec[c] is None else str(rec[c]) for c in TAIL_COLUMNS),
    ]


def to_csv(results: Iterable[ItemResult], spec: BatchSpec, lang: Lang = "en") -> bytes:
    """Return the CSV as UTF-8 with a BOM (Excel then opens Chinese text correctly)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(csv_row([*BASE_COLUMNS, *spec.columns, *TAIL_COLUMNS]))
    for result in results:
        writer.writerow(csv_row(_row(result, spec, lang)))
    return out.getvalue().encode("utf-8-sig")


def to_markdown(results: Sequence[ItemResult], spec: BatchSpec, lang: Lang = "en") -> bytes:
    """Return the report as a .zip: ``report.md`` (the prompt, the totals, a table with small
    thumbnails) and the thumbnails under ``images/``, linked relatively."""
    pictures: dict[str, bytes] = {}
    done = sum(r.status == "done" for r in results)
    head = [
        f"# {t('batch.report.title', lang)}",
        "",
        f"- {t('batch.report.prompt', lang)}: {markdown_cell(spec.prompt)}",
        f"- {t('batch.report.model', lang)}: {markdown_cell(spec.model)} · detail {markdown_cell(spec.detail)}",
        f"- {t('batch.report.count', lang, done=done, total=len(results))}",
        "",
    ]
    labels = [
        t("batch.col.thumb", lang),
        t("batch.col.file", lang),
        t("batch.col.status", lang),
        *(spec.columns or (t("batch.col.answer", lang),)),
        t("batch.col.tokens", lang),
    ]
    lines = ["| " + " | ".join(markdown_cell(x) for x in labels) + " |", "|" + "---|" * len(labels)]
    for r in results:
        thumb = ""
        if r.thumbnail:
            path = picture_path(len(pictures) + 1, r.picture_sha256 or r.key, THUMB_MIME)
            pictures[path] = r.thumbnail
            thumb = f"![{markdown_cell(r.name)}]({path})"
        if spec.columns:
            values = [(r.fields or {}).get(c, "") for c in spec.columns]
            if r.fields is None and r.answer:
                values[0] = r.answer  # the raw text, kept when it did not parse
        else:
            values = [r.answer]
        if r.status in ("failed", "refused"):
            values[0] = reason_text(r, lang)
        tokens = str(r.usage.total_tokens) if r.usage else ""
        status = t(f"batch.status.{r.status}", lang)
        cells = [thumb, markdown_cell(r.name), status, *(markdown_cell(v) for v in values), tokens]
        lines.append("| " + " | ".join(cells) + " |")
    return markdown_zip("report.md", "\n".join(head + lines) + "\n", pictures)
