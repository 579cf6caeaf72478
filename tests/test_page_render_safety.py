"""Strings from outside (an imported file, a provider's words, a model id, a picture's name,
a Batch column's name) reach the page as text: the renderer's own parser finds no image, no
HTML and no link to anywhere but the web in anything the page shows (issue 19, item 5)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.conversation.transfer import export_json, import_json
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, sse
from components.errors import AuthError, ImageError
from components.images.prepare import prepare_image
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.usage import Usage
from tests.conftest import ROOT
from tests.helpers import OPERATOR_KEY, png_bytes, question_words
from tests.markdown_oracle import findings
from tests.test_page_batch import batch_page, finish

pytestmark = pytest.mark.usefixtures("isolated_secrets")

EVIL = "![](http://evil.example/x.png)<img src=http://evil.example/y.png>"


def shown_strings(at: AppTest) -> list[str]:
    """Every string an element of the page renders as Markdown: bodies, labels, captions."""
    out: list[str] = []

    def visit(node) -> None:
        proto = getattr(node, "proto", None)
        if type(proto).__name__ in ("Html", "Text"):  # style sheets; st.text is never Markdown
            proto = None
        for field in ("body", "label", "caption", "text", "help", "title"):
            value = getattr(proto, field, None) if proto is not None else None
            if isinstance(value, str) and value:
                out.append(value)
        for img in getattr(proto, "imgs", []) if proto is not None else []:
            out.append(img.caption)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return out


def chat_app(up: FakeUpstream) -> AppTest:
    """The app as a browser session runs it: the entry script on every rerun (AppTest 1.67
    would otherwise re-run only the page it finished on, without the sidebar)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    run_once = at._run

    def run_from_entry(*args, **kwargs):
        at._finished_page_script_hash = ""
        return run_once(*args, **kwargs)

    at._run = run_from_entry
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.session_state[keys.LANG] = "en"
    return at.run()


def hostile_conversation() -> Conversation:
    """A conversation whose every outside string carries an image and a tag."""
    photo = prepare_image(photo_jpeg(320, 240), name=f"cat{EVIL}.jpg", model="gpt-4o")
    conv = Conversation()
    conv.add_user(f"what {EVIL}", [photo], refusals=[ImageError("too_many_bytes", f"x{EVIL}.png")])
    meta = AnswerMeta("ok", f"gpt-4o{EVIL}", f"real{EVIL}", f"stop{EVIL}", Usage(10, 2, 12))
    conv.add_answer(f"An answer {EVIL}\n\n[source](http://x/`){EVIL}` ", meta=meta)
    conv.add_user(f"again {EVIL}", [])
    conv.add_answer("", status="error", error=AuthError(f"Incorrect key {EVIL}"))
    return conv


def test_imported_conversation_shows_no_image_html_or_odd_link(upstream: FakeUpstream):
    imported = import_json(export_json(hostile_conversation()))
    at = chat_app(upstream)
    session.state_in(at.session_state, chat_state.ChatState).imported = imported
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    strings = shown_strings(at)
    joined = "\n".join(strings)
    assert "evil.example" in joined  # the hostile strings are on the page, as text
    assert {s: findings(s) for s in strings if findings(s)} == {}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


def test_a_question_drawn_in_its_button_row_stays_text(upstream: FakeUpstream):
    """A question with nothing between its words and its buttons shows them in the row's HTML
    (answer_actions.render_actions): there too, an outside string is text, never a tag."""
    at = chat_app(upstream)
    session.state_in(at.session_state, chat_state.ChatState).imported = import_json(
        export_json(hostile_conversation())
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    question = [m for m in at.chat_message if m.name == "user"][-1]
    assert not question.text  # in the row, not an st.text of its own
    assert question_words(question) == f"again {EVIL}"
    parser = _Tags()
    for element in at.get("html"):
        parser.feed(element.proto.body)
    assert parser.tags <= {"style", "p", "div", "button", "span"}, parser.tags


def test_a_batch_column_named_like_kantus_own_stays_a_text_column(upstream: FakeUpstream):
    upstream.default = sse(
        ['{"thumb": "http://evil.example/t.png", "file": "http://evil.example/f"}']
    )
    at = batch_page(upstream)
    at.file_uploader(key=keys.BATCH_FILES).set_value([("a.png", png_bytes(60), "image/png")]).run()
    at.text_input(key=keys.BATCH_COLUMNS).set_value("thumb, file").run()
    at.button(key=keys.BATCH_RUN).click().run()
    finish(at)
    config = json.loads(at.dataframe[0].proto.columns)
    table = at.dataframe[0].value
    # The model's "thumb" is text under a key of its own; Kantu's picture column keeps its key.
    user = {key: config[key] for key in table.columns if str(table[key][0]).startswith("http://")}
    assert len(user) == 2, config
    assert all(c["type_config"]["type"] == "text" for c in user.values()), user
    assert config["thumb"]["type_config"]["type"] == "image"
    assert str(table["thumb"][0]).startswith("data:image/")
