"""The oracle of the Markdown safety tests: the renderer's own parser (markdown-it-py set up as
Streamlit's remark reads Markdown, with and without math) says what a text would load or run."""

from __future__ import annotations

from collections.abc import Iterator

from components.text.markdown_parser import Token, parse

WEB = ("http://", "https://", "mailto:")


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Yield every token, inline children included."""
    for token in tokens:
        yield token
        yield from walk(token.children or [])


def findings(markdown: str, *, own_images: tuple[str, ...] = ()) -> list[str]:
    """Return what either parse of ``markdown`` reads as an image (other than one whose source
    starts with one of ``own_images``), raw HTML, or a link to anything but the web or mail."""
    found = []
    for math in (False, True):
        for token in walk(parse(markdown, math=math)):
            if token.type == "image":
                src = str(token.attrs.get("src", ""))
                if not (own_images and src.startswith(own_images)):
                    found.append(f"image {src}")
            elif token.type in ("html_inline", "html_block"):
                found.append(f"{token.type} {token.content}")
            elif token.type == "link_open" and not str(token.attrs["href"]).startswith(WEB):
                found.append(f"link {token.attrs['href']}")
    return found
