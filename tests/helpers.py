"""Helpers shared by the AppTest page tests: start the app, configure it, read what it shows."""

from __future__ import annotations

import dataclasses
import io
import uuid
from html.parser import HTMLParser

from PIL import Image
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from components.devtools.upstream import FakeUpstream
from components.hosting.ledger import LedgerRow, new_row_id, visitor_hash
from components.ui import state_keys as keys
from tests.conftest import entry_app_test

OPERATOR_KEY = "operator-secret-key-123456"


def jpeg_bytes(
    color: tuple[int, int, int] = (240, 140, 40), size: tuple[int, int] = (640, 480)
) -> bytes:
    """Return a plain JPEG of ``size`` in one ``color``."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def png_bytes(width: int) -> bytes:
    """Return a blue PNG ``width`` pixels wide and 40 high."""
    out = io.BytesIO()
    Image.new("RGB", (width, 40), (30, 144, 255)).save(out, "PNG")
    return out.getvalue()


def started_app(lang: str = "zh", secrets: dict | None = None) -> AppTest:
    """Return the app after its first run, in ``lang``, with ``secrets`` as the operator's."""
    at = entry_app_test()
    if secrets:
        at.secrets.update(secrets)
    at.session_state[keys.LANG] = lang
    return at.run()


def configured_app(up: FakeUpstream, lang: str = "zh") -> AppTest:
    """Return the app started with the operator's base URL (``up``) and key."""
    return started_app(lang, {"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})


def open_section(at: AppTest, key: str) -> AppTest:
    """Open a sidebar section drawn only while open (``keys.ADVANCED_OPEN``, ``COSTS_OPEN``,
    ``TOOLS_OPEN``: components/ui/lazy_section.py) as a click on it would, and rerun."""
    at.session_state[key] = True
    return at.run()


def advanced_field(at: AppTest, kind: str, key: str, lang: str):
    """Open the advanced settings and return their field ``key`` (a ``number_input``,
    ``slider`` or ``text_area``), whose widget follows the language (``keys.choice_key``)."""
    return getattr(open_section(at, keys.ADVANCED_OPEN), kind)(key=keys.choice_key(key, lang))


def page_texts(at: AppTest) -> str:
    """Return the page's markdown, captions (an entry's quiet lines among them) and alerts, one
    per line."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + quiet_lines(at)
    parts += [e.value for e in [*at.error, *at.warning, *at.info]]
    return "\n".join(str(p) for p in parts)


def assistant_text(at: AppTest) -> str:
    """Return the markdown of the last assistant message (asserts there is one)."""
    messages = [m for m in at.chat_message if m.name == "assistant"]
    assert messages, "no assistant message on the page"
    return "\n".join(md.value for md in messages[-1].markdown)


def no_exception(at: AppTest) -> None:
    """Assert the run raised nothing."""
    assert not at.exception, [e.value for e in at.exception]


def ledger_row(started: float = 1_800_000_000.0, **changes) -> LedgerRow:
    """Return a fresh pending ledger row (gpt-4o-mini, CNY, salted ids) with ``changes``."""
    row = LedgerRow(
        id=new_row_id(),
        started=started,
        model="gpt-4o-mini",
        preset="bingcheng",
        estimated_tokens=2900,
        prompt_tokens=None,
        completion_tokens=None,
        cost=0.0031,
        currency="CNY",
        outcome="pending",
        session_id=visitor_hash("salt", "session:abc"),
        visitor_id=visitor_hash("salt", "user:someone@example.com"),
        ip_id=visitor_hash("salt", "ip:203.0.113.9"),
    )
    return dataclasses.replace(row, **changes)


@dataclasses.dataclass(frozen=True)
class EntryButton:
    """One button of an entry's row, as the page drew it (``answer_actions.render_actions``)."""

    verb: str
    entry: str  # the entry it names (``data-entry``)
    label: str
    help: str
    disabled: bool

    def click(self, at: AppTest) -> AppTest:
        """Set what the page's listener sets when this button is clicked (a new click each
        time); ``.run()`` then runs the page as the browser's click would."""
        asked = {"verb": self.verb, "entry": self.entry, "click": uuid.uuid4().hex}
        at.session_state[keys.ENTRY_ACTIONS] = {"asked": asked}
        return at


class _RowParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[EntryButton] = []
        self.spans: list[str] = []
        self.quiet: list[str] = []
        self.words: list[str] = []
        self._in_versions = False
        self._in_quiet = False
        self._in_words = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "button" and "kantu-act" in (found.get("class") or "").split():
            self.buttons.append(
                EntryButton(
                    verb=found.get("data-verb") or "",
                    entry=found.get("data-entry") or "",
                    label=found.get("aria-label") or "",
                    help=found.get("title") or "",
                    disabled="disabled" in found,
                )
            )
        self._in_versions = tag == "span" and found.get("class") == "kantu-versions"
        self._in_quiet = tag == "p" and found.get("class") == "kantu-quiet"
        self._in_words = tag == "p" and found.get("class") == "kantu-words"

    def handle_data(self, data: str) -> None:
        if self._in_versions:
            self.spans.append(data)
            self._in_versions = False
        if self._in_quiet:
            self.quiet.append(data)
            self._in_quiet = False
        if self._in_words:
            self.words.append(data)
            self._in_words = False


def _entry_rows(at: AppTest | Block) -> _RowParser:
    parser = _RowParser()
    for element in at.get("html"):
        if 'class="kantu-actions"' in element.proto.body:
            parser.feed(element.proto.body)
    return parser


def entry_buttons(at: AppTest) -> dict[tuple[str, int], EntryButton]:
    """Every entry's buttons on the page, by (verb, the entry's place in the whole chat)."""
    return {
        (b.verb, int(b.entry.partition(":")[0])): b
        for b in _entry_rows(at).buttons
        if b.verb != "copy"
    }


def entry_button(at: AppTest, verb: str, index: int) -> EntryButton:
    """The ``verb`` button of entry ``index``; fails, naming what is drawn, if there is none."""
    buttons = entry_buttons(at)
    assert (verb, index) in buttons, sorted(buttons)
    return buttons[verb, index]


def quiet_lines(at: AppTest | Block) -> list[str]:
    """The quiet lines (meta line, calibration flag) above the entries' buttons, in order (of
    the page, or of one block: a chat message)."""
    return _entry_rows(at).quiet


def question_words(message: Block) -> str:
    """A question bubble's words: its ``st.text``, or the words drawn in its button row when
    nothing stands between the two (``answer_actions.render_actions``' ``words``)."""
    texts = [x.value for x in message.text] or _entry_rows(message).words
    return str(texts[0]) if texts else ""


def answer_footer(at: AppTest) -> str:
    """The last answer's quiet lines: its captions and the lines above its buttons (asserts
    there is an answer)."""
    answers = [m for m in at.chat_message if m.name == "assistant"]
    assert answers, "no answer on the page"
    return "\n".join([c.value for c in answers[-1].caption] + quiet_lines(answers[-1]))


def versions_shown(at: AppTest) -> list[str]:
    """The ‹ n / m › counts the page shows, in order."""
    return _entry_rows(at).spans
