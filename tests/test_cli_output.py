"""What the command line prints carries no terminal escapes, whoever wrote the text.

Provider text (answers, error words, model ids) and file text (zip entry names) pass
``cli.output``'s one filter: subprocesses against the loopback upstream, and a property of
``strip_controls``.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

from hypothesis import given
from hypothesis import strategies as st

from components.cli.output import CleanText, redraw, strip_controls
from components.devtools.upstream import FakeUpstream, model_list, openai_error, sse
from tests.conftest import CLI_CWD, cli_environment
from tests.helpers import png_bytes

KEY = "sk-cliout-0123456789abcdef"
TITLE = "\x1b]0;pwned\x07"  # retitles the terminal window
CLEAR = "\x1b[2J"  # clears the screen
CONTROL = {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {
    chr(c) for c in range(0x7F, 0xA0)
}


def run(up: FakeUpstream, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "components", *args, "--base-url", up.base_url, "--api-key", KEY],
        cwd=CLI_CWD,
        env=cli_environment(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    for text in (done.stdout, done.stderr):
        assert not set(text) & CONTROL, repr(text)
        assert "pwned" not in text


def test_an_answer_prints_without_its_escapes_keeping_lines_and_tabs(upstream):
    upstream.enqueue(sse([f"前{TITLE}半", f"{CLEAR}后\n\t尾\r"]))
    done = run(upstream, "ask", "hi")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "前半后\n\t尾\n"
    assert_clean(done)


def test_a_providers_error_words_print_without_their_escapes(upstream):
    upstream.enqueue(openai_error(400, f"bad {TITLE}request{CLEAR}", "invalid_request_error"))
    done = run(upstream, "ask", "hi")
    assert done.returncode == 1 and "bad request" in done.stderr
    assert_clean(done)


def test_model_ids_print_without_their_escapes(upstream):
    upstream.models = model_list([f"gpt-4o{CLEAR}", f"{TITLE}evil-model"])
    done = run(upstream, "probe", "--list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["evil-model", "gpt-4o"]
    assert_clean(done)


def test_zip_entry_names_print_without_their_escapes(upstream, tmp_path):
    with zipfile.ZipFile(tmp_path / "in.zip", "w") as archive:
        archive.writestr("good.png", png_bytes(60))
        archive.writestr(f"bad{CLEAR}{TITLE}.png", b"not a picture")
    out = tmp_path / "r.jsonl"
    done = run(upstream, "batch", str(tmp_path / "in.zip"), "--prompt", "描述", "--out", str(out))
    assert done.returncode == 1  # the bad entry was refused
    assert "bad.png" in done.stderr
    assert_clean(done)


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(st.lists(st.one_of(texts, st.sampled_from([TITLE, CLEAR, "\x1b", "\x9b2J", "\r"]))))
def test_nothing_stripped_can_act_and_plain_text_is_untouched(pieces):
    text = "".join(pieces)
    shown = strip_controls(text)
    assert not set(shown) & CONTROL
    if not set(text) & CONTROL:
        assert shown == text


@given(texts, st.lists(st.integers(0, 40), max_size=5))
def test_a_sequence_split_between_writes_cannot_act(text, cuts):
    text = f"{text}{TITLE}{CLEAR}{text}"
    sink = io.StringIO()
    stream = CleanText(sink)
    points = sorted({min(c, len(text)) for c in cuts})
    for a, b in zip([0, *points], [*points, len(text)], strict=True):
        stream.write(text[a:b])
    assert not set(sink.getvalue()) & CONTROL


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_keeps_its_own_redraw_and_only_that():
    terminal = _Terminal()
    redraw(f"[###] {CLEAR}1/2", CleanText(terminal))
    assert terminal.getvalue() == "\r[###] 1/2\x1b[K"
