"""``-`` for stdin: the question as text, or one picture as bytes (binary-safe), never both."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from components.cli.commands import UsageError
from components.i18n import Lang, t

STDIN = "-"


def takes_stdin(question: str, images: Sequence[str], *, lang: Lang) -> None:
    """Raise UsageError when ``-`` stands for stdin in more than one place."""
    if [question, *images].count(STDIN) > 1:
        raise UsageError(None, t("cli.stdin_twice", lang))


def read_question(lang: Lang) -> str:
    """Return the question on stdin (UTF-8, its ends stripped); UsageError when it is empty."""
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace").strip()
    if not text:
        raise UsageError(None, t("cli.stdin_empty", lang))
    return text


def read_picture(limit: int) -> bytes:
    """Return the bytes on stdin, at most ``limit + 1`` (so a larger picture can be refused by
    its size without being read whole)."""
    return sys.stdin.buffer.read(limit + 1)
