"""The live answer: each finished top-level block is handed out once, made safe, and only the
open tail is drawn again (issue 19, item 10: redraw work linear in the answer's length)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from components.text.live_markdown import LiveBlocks
from components.text.markdown_safety import safe_markdown
from components.ui.markdown_view import LiveMarkdown, show_growing
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


@settings(max_examples=150, deadline=None)
@given(st.lists(HOSTILE_PIECES, max_size=40).map("".join), st.integers(1, 9))
def test_every_piece_of_a_live_view_is_safe(text, step):
    blocks, live = _stream(text, step)
    for piece in [*blocks, live.tail(text)]:
        assert findings(piece) == [], (text, piece)


class Recorder:
    """Stands in for a Streamlit container: remembers what was written, in order."""

    def __init__(self) -> None:
        self.bodies: list[str] = []

    def markdown(self, body: str, **_: object) -> None:
        self.bodies.append(body)

    def container(self) -> Recorder:
        self.blocks = Recorder()
        return self.blocks

    def empty(self) -> Recorder:
        self.tail = Recorder()
        return self.tail


def test_the_live_view_sends_each_finished_block_once():
    where = Recorder()
    view = LiveMarkdown(where)
    text = ""
    for piece in ["One.\n\n", "Two", " grows.\n\n", "Three ", f"{LEAK}"]:
        text += piece
        assert view.update(text, force=True)
    assert where.blocks.bodies == ["One.\n\n", "Two grows.\n\n"]  # written once each
    assert len(where.tail.bodies) == 5  # the open tail, drawn on each update
    assert where.tail.bodies[-1].startswith("Three ") and findings(where.tail.bodies[-1]) == []


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
