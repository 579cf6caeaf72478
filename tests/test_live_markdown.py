"""The live answer: each finished top-level block is handed out once, made safe, and only the
open tail is drawn again (issue 19, item 10: redraw work linear in the answer's length)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from components.text.live_markdown import LiveBlocks, redraw_interval
from components.text.markdown_safety import MadeSafe, safe_markdown
from components.ui.markdown_view import LiveMarkdown, show_answer, show_growing
from tests.conftest import examples
from tests.markdown_oracle import findings
from tests.test_markdown_safety import HOSTILE_PIECES, LEAK


def _stream(text: str, step: int) -> tuple[list[str], LiveBlocks]:
    live, blocks = LiveBlocks(), []
    for end in range(step, len(text) + step, step):
        blocks += live.advance(text[:end])
    return blocks, live


def test_finished_blocks_come_once_in_order_and_the_tail_is_the_rest():
    text = "# Title\n\nFirst paragraph.\n\n- a\n- b\n\n```py\nx = 1\n```\n\nLast, still open"
    blocks, live = _stream(text, 3)
    assert blocks == [
        "# Title\n\n",
        "First paragraph.\n\n",
        "- a\n- b\n\n",
        "```py\nx = 1\n```\n\n",
    ]
    assert text[live.done :] == "Last, still open"
    assert live.tail(text) == "Last, still open"


def test_a_block_is_not_handed_out_while_it_can_still_grow():
    live = LiveBlocks()
    assert live.advance("para\n\n- one\n") == ["para\n\n"]
    assert live.advance("para\n\n- one\n\n  more of one\n") == []  # the list goes on
    assert live.advance("para\n\n- one\n\n  more of one\n\n```\nopen fence\n\nstill") == [
        "- one\n\n  more of one\n\n"
    ]
    assert live.advance("para\n\n- one\n\n  more of one\n\n```\nopen fence\n\nstill in") == []


def test_finished_blocks_and_tail_are_made_safe():
    text = f"Intro {LEAK}\n\n[source](http://x/`){LEAK}` \n\n```a`b\n{LEAK}\n"
    blocks, live = _stream(text, 7)
    assert blocks and all(findings(block) == [] for block in blocks)
    assert findings(live.tail(text)) == []
    assert blocks[0] == safe_markdown(f"Intro {LEAK}\n\n")


def test_the_split_follows_only_the_tail():
    """Each call parses from the first unfinished block, so finished text is never read again."""
    paragraphs = [f"Paragraph {i} with a [link](https://e.org/{i}).\n\n" for i in range(200)]
    text = "".join(paragraphs)
    blocks, live = _stream(text, 50)
    assert len(blocks) == 199 and live.done == len(text) - len(paragraphs[-1])


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(HOSTILE_PIECES, max_size=40).map("".join), st.integers(1, 9))
def test_every_piece_of_a_live_view_is_safe(text, step):
    blocks, live = _stream(text, step)
    for piece in [*blocks, live.tail(text)]:
        assert findings(piece) == [], (text, piece)


class Recorder:
    """Stands in for a Streamlit container: remembers what was written, in order, and the
    elements it holds."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        self.elements: list[Recorder] = []

    def markdown(self, body: str, **_: object) -> None:
        self.bodies.append(body)

    def empty(self) -> Recorder:
        self.elements.append(Recorder())
        return self.elements[-1]

    container = empty  # what is written in a container is kept as in an empty slot


def test_the_live_view_sends_each_finished_block_once():
    where = Recorder()
    view = LiveMarkdown(where)
    text = ""
    for piece in ["One.\n\n", "Two", " grows.\n\n", "Three ", f"{LEAK}"]:
        text += piece
        assert view.update(text, force=True)
    *pieces, tail = where.elements
    assert [p.bodies[-1] for p in pieces] == ["One.\n\n", "Two grows.\n\n"]
    for piece in pieces:  # each written once as finished, after its drafts as the tail
        assert piece.bodies.count(piece.bodies[-1]) == 1
    # one draw per update: a finished block that the tail already showed whole is not sent again
    assert sum(len(e.bodies) for e in where.elements) == 5
    assert tail.bodies[-1].startswith("Three ") and findings(tail.bodies[-1]) == []


def test_a_finished_block_is_never_on_the_page_twice():
    """Between any two sends the page shows each finished block once (issue 24's long-answer
    test saw "Part 10" twice when a block went to an element above before the tail's redraw)."""
    page = Page()
    view = LiveMarkdown(page)
    text = ""
    for piece in ["One.", "\n\nTwo", ".\n\nThree", " and more.\n\n", "Four"]:
        text += piece
        view.update(text, force=True)
        for shown in page.history:
            assert shown.count("One.") <= 1 and shown.count("Two.") <= 1, page.history


def test_a_redraw_waits_for_its_turn_unless_forced():
    view = LiveMarkdown(Recorder(), min_interval=3600)
    assert view.update("a", force=True)
    assert not view.update("ab")
    assert view.update("abc", force=True)


def test_a_view_drawn_afresh_each_run_makes_finished_blocks_safe_once():
    store: dict[str, object] = {}
    first, second = Recorder(), Recorder()
    show_growing(first, f"One {LEAK}\n\nTwo", store, "col")
    kept = store["col"]
    show_growing(second, f"One {LEAK}\n\nTwo and more", store, "col")
    assert store["col"] is kept and second.bodies[0] == first.bodies[0]
    assert second.bodies[-1] == "Two and more"
    assert all(findings(body) == [] for body in second.bodies)
    show_growing(Recorder(), "A new answer", store, "col")
    assert store["col"] is not kept  # another text: nothing of the old one is reused


# --- issue 24: a long answer that stays fast ------------------------------------------------


class Element:
    """One element on the page: its body now (None once emptied) and every body sent to it;
    each send noted on its ``page``, if any."""

    def __init__(self, page: Page | None = None) -> None:
        self.body: str | None = None
        self.sent: list[str] = []
        self.page = page

    def markdown(self, body: str, **_: object) -> Element:
        self.body = body
        self.sent.append(body)
        if self.page is not None:
            self.page.history.append(self.page.shown())
        return self

    def empty(self) -> Element:
        self.body = None
        return self


class Page:
    """Stands in for the live bubble: the elements it holds, in order (the last is the tail's
    slot), and what it showed after each send."""

    def __init__(self) -> None:
        self.elements: list[Element] = []
        self.history: list[str] = []

    def empty(self) -> Element:
        self.elements.append(Element(self))
        return self.elements[-1]

    @property
    def pieces(self) -> list[Element]:
        return self.elements[:-1]

    @property
    def tail(self) -> Element:
        return self.elements[-1]

    def shown(self) -> str:
        return "".join(e.body or "" for e in self.elements)

    def sent(self) -> list[str]:
        return [body for e in self.elements for body in e.sent]


class Clock:
    """A clock that moves only when told: each delta of a simulated stream advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _stream_view(text: str, step: int, *, clock: Clock | None = None, rate: float = 0.0) -> Page:
    page = Page()
    view = LiveMarkdown(page, min_interval=0.12, clock=clock or Clock())
    for end in range(step, len(text) + step, step):
        if clock is not None:
            clock.now += step / rate
        view.update(text[:end], force=clock is None)
    view.finish(text)
    return page


def test_blocks_finished_between_two_redraws_go_out_once_in_one_element():
    page = Page()
    view = LiveMarkdown(page)
    assert view.update("One.\n\nTwo.\n\nThree", force=True)
    assert [e.body for e in page.pieces] == ["One.\n\nTwo.\n\n"]
    assert not view.update("One.\n\nTwo.\n\nThree", force=False)  # nothing new: nothing sent
    view.finish("One.\n\nTwo.\n\nThree.")
    assert [e.sent for e in page.pieces] == [["One.\n\nTwo.\n\n"]]  # not sent again
    assert page.tail.body == "Three." and page.shown() == "One.\n\nTwo.\n\nThree."


@pytest.mark.parametrize(
    "text",
    [
        "1. first\n\n2. second goes on the same list\n",  # a list continued after a blank line
        "See [the menu][m].\n\nMore.\n\n[m]: https://e.org/menu\n",  # a later definition
        "See [m] here.\n\n> [m]: http://e.example/\n\nMore.\n",  # one in a later quote
        # without math, one paragraph whose link spans what math reads as two blocks
        "Text [a\n$$\nx](http://e.example/) y\n$$\n\nEnd.\n",
    ],
)
def test_the_end_redraws_the_whole_answer_when_a_later_line_changes_a_finished_block(text):
    page = _stream_view(text, 1)
    assert page.shown() == safe_markdown(text)
    assert [e.body for e in page.pieces][1:] == [None] * (len(page.pieces) - 1)


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(HOSTILE_PIECES, max_size=40).map("".join), st.integers(1, 9))
def test_the_final_view_reads_as_the_whole_answer_made_safe(text, step):
    """Finished pieces + the last block, kept or redrawn, are exactly ``safe_markdown`` of the
    whole, and nothing ever sent on the way could load or run anything."""
    page = _stream_view(text, step)
    assert page.shown() == safe_markdown(text), text
    for body in page.sent():
        assert findings(body) == [], (text, body)


BLOCKS = st.sampled_from(
    [
        "Para [link](http://e.example/a) and **bold**.",
        "- a\n- b ![i](http://e.example/i.png)",
        "1. x\n2. y",
        "```\ncode\n\nmore\n```",
        "> quote <b>x</b>",
        "# Head",
        "Setext\n===",
        "| a | b |\n|---|---|\n| <img src=x> | www.e.example |",
        "<div>\nhtml\n</div>",
        "    indented code",
        "text\n    lazy line",
        "* * *",
    ]
)


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.one_of(BLOCKS, HOSTILE_PIECES, st.just("\n\n")), max_size=40).map("".join),
    st.integers(1, 9),
)
def test_pieces_said_to_read_as_the_whole_are_the_whole_made_safe(text, step):
    """Where the split says its pieces read as the whole (no definition, no ``$``, the split
    held), the pieces made safe one by one and joined are ``safe_markdown`` of the whole: the
    live view's end keeps them as that without parsing the whole answer again."""
    live, pieces = LiveBlocks(), []
    for end in range(step, len(text) + step, step):
        pieces.append(live.take(text[:end]))
    pieces.append(live.take(text))
    assume(live.pieces_read_as_whole(text))
    assert "".join(pieces) + safe_markdown(text[live.done :]) == safe_markdown(text), text


def test_the_end_of_a_live_answer_is_kept_as_the_whole_made_safe():
    """The history draws the answer next, through the session's ``MadeSafe``: it finds the
    answer there already, whether the end kept the pieces or made the whole safe again."""
    for text in ["One [a](http://e.example/a).\n\n- two\n- three\n\nFour.", "Costs $5.\n\nOK."]:
        made = MadeSafe()
        view = LiveMarkdown(Page(), made_safe=made)
        for end in range(3, len(text) + 3, 3):
            view.update(text[:end], force=True)
        view.finish(text)
        assert len(made) == 1 and made(text) == safe_markdown(text)


def test_the_history_draws_a_live_answer_as_the_live_view_left_it():
    """Element by element, in a container as the live view's: the page keeps each piece it
    already shows. An answer that was never live is one element, as before."""
    text = "One [a](http://e.example/a).\n\n- two\n- three\n\nFour `x`.\n\nFive."
    made, live = MadeSafe(), Page()
    view = LiveMarkdown(live, made_safe=made)
    for end in range(3, len(text) + 3, 3):
        view.update(text[:end], force=True)
    view.finish(text)
    bubble = Recorder()
    show_answer(bubble, text, made)
    assert bubble.bodies == [] and len(bubble.elements) == 1
    box = bubble.elements[0]
    assert box.bodies == [e.body for e in live.elements if e.body]
    assert len(box.bodies) > 1 and "".join(box.bodies) == made(text)
    other, never = Recorder(), "Never live.\n\nTwo blocks, ![x](http://e.example/x.png)."
    show_answer(other, never, made)
    assert other.elements == [] and other.bodies == [safe_markdown(never)]


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Para one.", "- a\n- b", "1. x\n2. y", "```\ncode\n\nmore\n```", "> quote", "# Head"]
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 12),
)
def test_finished_pieces_are_kept_at_the_end_when_nothing_later_changes_them(blocks, step):
    text = "\n\nBetween.\n\n".join(blocks) + "\n"  # two lists in a row would be one list
    page = _stream_view(text, step)
    assert page.shown() == safe_markdown(text)
    # each finished piece sent once (after its drafts as the tail), never again
    assert all(e.sent.count(e.body) == 1 and e.sent[-1] == e.body for e in page.pieces)


def test_a_huge_single_block_is_redrawn_less_often_as_it_grows():
    """A 283,000-character paragraph (no blank line) at 15,700 characters a second: the tail's
    redraws and the final one send it about 2.5 times in all, not its square."""
    text = "".join(f"word{i} " for i in range(40_000))[:283_000]
    page = _stream_view(text, 50, clock=Clock(), rate=15_700)
    tail_bytes = sum(len(body) for body in page.tail.sent)
    assert page.shown() == safe_markdown(text)
    assert tail_bytes < 3 * len(text)
    assert len(page.tail.sent) < 200


def test_a_long_markdown_answer_sends_little_more_than_itself():
    text = "".join(
        f"## Part {i}\n\nThe receipt shows item {i} and a [link](https://e.org/{i}).\n\n"
        f"- coffee: 4.50\n- cake: {i}.00\n\n```py\ntotal = {i}\n```\n\n"
        for i in range(2_500)
    )
    page = _stream_view(text, 50, clock=Clock(), rate=15_700)
    assert page.shown() == safe_markdown(text)
    assert sum(map(len, page.sent())) < 1.5 * len(safe_markdown(text))
    assert len(page.pieces) < 400  # one element per redraw at most, not one per block


def test_the_redraw_interval_grows_with_the_tail_and_with_its_cost():
    assert redraw_interval(100, 0.0, 0.12) == 0.12
    assert redraw_interval(80_000, 0.0, 0.12) == pytest.approx(10.0)
    assert redraw_interval(100, 0.1, 0.12) == pytest.approx(0.5)
