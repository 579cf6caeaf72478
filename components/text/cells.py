"""Cells of the files Kantu writes (CSV, Markdown tables): nothing in them runs when opened.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab
or carriage return can hide such a start), so a model's answer ``=HYPERLINK(…)`` would become a
live link in the operator's Excel. ``csv_cell`` prefixes such a text with ``'`` (OWASP's advice:
the cell then shows as text). ``markdown_cell`` makes a text one safe GFM table cell.
"""

from __future__ import annotations

from collections.abc import Iterable

from components.text.markdown_safety import escape_markdown

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Return ``value``, with a text that a spreadsheet would read as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    """Return ``values`` with every cell passed through ``csv_cell``."""
    return [csv_cell(value) for value in values]


def markdown_cell(text: str) -> str:
    """Return ``text`` as one Markdown table cell shown literally: marks and pipes escaped,
    lines joined with " / " (a cell holds one line; no HTML is written for a break)."""
    lines = (line.strip() for line in text.splitlines())
    return " / ".join(escape_markdown(line) for line in lines if line)
