"""Copy's button carries the answer's Markdown in an HTML attribute (``copy_payload``): whatever the
answer holds comes back exactly, and nothing in it lets DOMPurify drop the attribute. The browser's
side (the clipboard holding the Markdown) is tests/e2e/test_actions.py."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote

from hypothesis import example, given, settings
from hypothesis import strategies as st

from components.ui.answer_actions import copy_payload
from tests.conftest import examples

# DOMPurify's SAFE_FOR_XML rule (on by default): an attribute whose value matches is removed.
DROPPED_BY_DOMPURIFY = re.compile(r"((--!?|])>)|<\/(style|title)", re.IGNORECASE)


class _Attribute(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.value = dict(attrs).get("data-markdown")


def carried(text: str) -> str:
    """Return what the page's HTML parser reads from Copy's attribute for ``text``."""
    parser = _Attribute()
    parser.feed(f'<button data-markdown="{html.escape(copy_payload(text), quote=True)}"></button>')
    assert parser.value is not None
    return parser.value


@settings(max_examples=examples(300), deadline=None)
@given(st.text(st.characters(codec="utf-8")))
@example("<!-- note --> </style> ]]> </TITLE>")
@example("100% sure: %3C is not <, %%, %E4%B8%AD")
@example("line\r\nnext\rlast\x00")
@example("橙子 \"quoted\" & 'single' 🍊")
def test_copy_carries_any_answer_exactly(text: str) -> None:
    value = carried(text)
    assert not DROPPED_BY_DOMPURIFY.search(value)
    assert "\r" not in value and "\x00" not in value  # the HTML parser would change both
    assert unquote(value, errors="strict") == text  # as decodeURIComponent reads it


def test_copy_sends_plain_words_as_they_are():
    """No base64: a Chinese or an English answer's attribute is about the answer's own size."""
    for text in ("这张图片是一只橙色的猫。" * 50, "The cat is orange. " * 50):
        assert copy_payload(text) == text
    code = "```python\nif a > b:\n    print(a)\n```\n" * 40  # base64: 1.33 times
    assert len(copy_payload(code).encode()) < 1.1 * len(code.encode())
