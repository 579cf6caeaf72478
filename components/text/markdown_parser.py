"""The CommonMark parser Kantu reads Markdown with, set up as Streamlit's renderer reads it.

Streamlit renders with remark: CommonMark plus GFM (tables, strikethrough, literal autolinks)
and remark-math (``$…$`` and ``$$`` blocks, parsed like code spans and fences). Two parsers
are built here on markdown-it-py: ``PLAIN`` without math and ``MATH`` with a math rule that
follows micromark's (a run of ``$`` closed by the next run of the same length). Anything that
either of them reads as an image, a link or HTML is treated as such, so a disagreement about
``$`` cannot hide one. Links are parsed whatever their scheme (``javascript:`` included) and
their destinations are kept as written, so the caller sees, and judges, every one.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block.fence import make_fence_rule
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

__all__ = ["MATH", "PLAIN", "MarkdownParseError", "Token", "parse", "parse_blocks"]


def _math_inline(state: StateInline, silent: bool) -> bool:
    """Read ``$…$`` as micromark does: a run of dollars closed by the next run of that length."""
    src, start = state.src, state.pos
    if src[start] != "$":
        return False
    pos = start
    while pos < state.posMax and src[pos] == "$":
        pos += 1
    marker = src[start:pos]
    search = pos
    while (found := src.find("$", search, state.posMax)) != -1:
        end = found
        while end < state.posMax and src[end] == "$":
            end += 1
        if end - found == len(marker):
            if not silent:
                token = state.push("math_inline", "math", 0)
                token.markup = marker
                token.content = src[pos:found]
            state.pos = end
            return True
        search = end
    if not silent:
        state.pending += marker
    state.pos = pos
    return True


class _AsWritten(MarkdownIt):
    """Every destination is parsed and kept as written: the sanitiser decides what is allowed."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link


def _build(*, math: bool) -> MarkdownIt:
    md = _AsWritten("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"])
    if math:
        md.inline.ruler.before("backticks", "math_inline", _math_inline)
        md.block.ruler.before(
            "fence",
            "math_block",
            make_fence_rule(
                markers=("$",), token_type="math_block", min_markers=2, disallow_marker_in_info=()
            ),
            {"alt": ["paragraph", "reference", "blockquote", "list"]},
        )
    return md


PLAIN = _build(math=False)
MATH = _build(math=True)


class MarkdownParseError(Exception):
    """The parser failed on this text: nothing can be said about how it reads."""


def parse(text: str, *, math: bool = False) -> list[Token]:
    """Return the token stream of ``text`` (block tokens, inline ones as their children).

    Raises ``MarkdownParseError`` where markdown-it-py fails (``IndexError`` at the end of the
    text, where the JavaScript it was ported from reads ``NaN``: its issues 190, 415; still in
    4.3, e.g. ``"> - <!--x\\n> "``)."""
    try:
        return (MATH if math else PLAIN).parse(text)
    except IndexError as exc:
        raise MarkdownParseError(str(exc)) from exc


def parse_blocks(text: str, *, math: bool = False) -> list[Token]:
    """Return ``text``'s block tokens only, as ``parse`` has them but without inline children:
    where each block starts and ends, for a fraction of the work. ``text`` must be normalised
    already (``\\n`` line breaks, no NUL), which ``parse`` does itself. Raises as ``parse``."""
    md = MATH if math else PLAIN
    tokens: list[Token] = []
    try:
        md.block.parse(text, md, {}, tokens)
    except IndexError as exc:  # as in ``parse``
        raise MarkdownParseError(str(exc)) from exc
    return tokens
