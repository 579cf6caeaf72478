"""Share links under AppTest: the Share action in the conversation's tools (made, shown once,
listed, revoked; off where no lasting store is configured or the access code is missing) and
the shared page's states (the snapshot read-only; unknown, revoked and expired links each say
so in the visitor's language)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.testing.v1 import AppTest

from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.devtools.image_factory import photo_jpeg
from components.history.ops import SavedState, diff, new_chat_id
from components.history.records import describe
from components.history.server_store import DAY_S, SQLiteChatStore, owner_key
from components.i18n import t
from components.images.prepare import prepare_image
from components.ui import chat_state, session, share
from components.ui import state_keys as keys
from components.ui.markdown_view import safe_label
from components.ui.share import TOKEN_PARAM
from components.usage import Usage
from tests.conftest import entry_app_test
from tests.helpers import no_exception, page_texts

pytestmark = pytest.mark.usefixtures("isolated_secrets")
PHOTO = prepare_image(photo_jpeg(320, 240), name="cat.jpg")
ANSWER = "这是一只橘猫，趴在窗台上。"
HOSTILE = "看 ![x](https://evil.example/t.png) 和 <b onclick=alert(1)>粗体</b>"


@pytest.fixture
def store(monkeypatch, tmp_path) -> SQLiteChatStore:
    """The app's chat store for this test (a SQLite file of its own), opened here too."""
    path = tmp_path / "chats.sqlite3"
    monkeypatch.setenv("KANTU_CHATS_PATH", str(path))
    return SQLiteChatStore(path)


def _conv(answer: str = ANSWER) -> Conversation:
    conv = Conversation()
    conv.add_user("这是什么图片？", [PHOTO])
    meta = AnswerMeta(
        "ok", "gpt-4o-mini", "gpt-4o-mini", "stop", Usage(1200, 40, 1240), total_s=2.5
    )
    conv.add_answer(answer, meta=meta)
    return conv


def _shared(store: SQLiteChatStore, conv: Conversation, now: float | None = None) -> str:
    """Save ``conv`` for some owner and return the token of a snapshot made at ``now``."""
    owner = owner_key("salt", visitor_secret="someone")
    meta = describe(conv, new_chat_id(), created=1.0, updated=2.0)
    store.apply(owner, diff(SavedState(), conv, meta))
    return store.share(owner, meta.id, time.time() if now is None else now)


def _open(token: str, lang: str = "en") -> AppTest:
    at = entry_app_test()
    at.session_state[keys.LANG] = lang
    at.query_params[TOKEN_PARAM] = token
    return at.switch_page("pages/shared.py").run()


def _chat_app(conv: Conversation, lang: str = "en", secrets: dict | None = None) -> AppTest:
    at = entry_app_test()
    at.secrets.update(secrets or {})
    at.session_state[keys.LANG] = lang
    at.session_state[keys.TOOLS_OPEN] = True  # the sidebar's 💬 section, where Share is
    session.state_in(at.session_state, chat_state.ChatState).conversation = conv
    return at.run()


def test_a_shared_chat_shows_question_answer_picture_and_meta_read_only(store):
    at = _open(_shared(store, _conv()))
    no_exception(at)
    texts = page_texts(at)
    assert ANSWER in texts and "gpt-4o-mini" in texts
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[0].text[0].value == "这是什么图片？"
    # nothing to change or send: no sidebar, no settings, no key field, no chat input
    assert not at.sidebar.children and not at.text_input and not at.chat_input
    assert not [b for b in at.button if not b.key.startswith(keys.GALLERY_VIEW)]


def test_a_hostile_answer_stays_inert_on_the_shared_page(store):
    at = _open(_shared(store, _conv(HOSTILE)))
    shown = "\n".join(md.value for md in at.chat_message[1].markdown)
    assert shown.startswith(safe_label(HOSTILE))  # the chat's own sanitiser, nothing else
    assert "![x](" not in shown and "`<b onclick=alert(1)>`" in shown  # image inert, HTML as code


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_or_malformed_link_says_so_in_the_visitors_language(store, lang):
    for token in ("A" * 32, "not a token!", ""):
        at = _open(token, lang)
        no_exception(at)
        assert at.error[0].value == t("history.share_not_found", lang)
        assert not at.chat_message


def test_a_revoked_link_says_not_found_and_an_expired_one_says_expired(store):
    conv = _conv()
    token = _shared(store, conv)
    owner = owner_key("salt", visitor_secret="someone")
    store.revoke(owner, store.list_shares(owner)[0].id, time.time())
    assert _open(token).error[0].value == t("history.share_not_found", "en")
    old = _shared(store, conv, now=time.time() - 31 * DAY_S)
    assert _open(old, "zh").error[0].value == t("history.share_expired", "zh")


def test_share_makes_a_link_that_opens_the_snapshot_and_revoke_closes_it(store):
    at = _chat_app(_conv())
    share = at.button(key=keys.SHARE)
    assert not share.disabled
    at = share.click().run()
    no_exception(at)
    links = [c.value for c in at.code if f"/shared?{TOKEN_PARAM}=" in c.value]
    assert links, "no link shown"
    token = links[0].split(f"{TOKEN_PARAM}=")[1]
    assert len(token) >= 22  # ≥ 128 random bits (the store makes 192)
    assert ANSWER in page_texts(_open(token))
    revoke = [b for b in at.button if b.key.startswith(keys.share_revoke_key.prefix)]
    assert len(revoke) == 1
    at = revoke[0].click().run()
    no_exception(at)
    assert t("share.state_revoked", "en") in page_texts(at)
    assert _open(token).error[0].value == t("history.share_not_found", "en")


def test_a_share_whose_run_is_stopped_once_made_shows_its_one_link(store, monkeypatch):
    """A newer trigger (the browser store's report after the save) stops a run at its next
    Streamlit call: here the first one after the link is made (the spinner closing). The next
    run shows that link, and no second one is made."""

    @contextlib.contextmanager
    def stopping_spinner(*args, **kwargs) -> Iterator[None]:
        yield
        raise StopException()  # what Streamlit raises at the next call of a run asked to stop

    at = _chat_app(_conv())
    real_spinner = share.st.spinner
    monkeypatch.setattr(share.st, "spinner", stopping_spinner)
    at.button(key=keys.SHARE).click().run()
    monkeypatch.setattr(share.st, "spinner", real_spinner)
    at.run()  # the newer trigger's run
    no_exception(at)
    links = {c.value for c in at.code if f"/shared?{TOKEN_PARAM}=" in c.value}
    assert len(links) == 1, links
    assert [d for d in at.get("dialog")], "the link's dialog is not open"
    revoke = [b for b in at.button if b.key.startswith(keys.share_revoke_key.prefix)]
    assert len(revoke) == 1  # one link made


def test_share_is_off_and_says_why_without_a_lasting_store(store, monkeypatch):
    monkeypatch.setenv("KANTU_CHATS_DURABLE", "false")
    at = _chat_app(_conv(), "zh")
    assert at.button(key=keys.SHARE).disabled
    assert t("history.not_durable", "zh") in page_texts(at)


def test_share_waits_for_the_access_code_on_a_gated_site(store):
    at = _chat_app(_conv(), secrets={"KANTU_ACCESS_CODE": "a-long-enough-code"})
    assert at.button(key=keys.SHARE).disabled
    assert t("share.needs_access", "en") in page_texts(at)


def test_a_share_over_the_daily_limit_says_so_in_the_visitors_language(store, monkeypatch):
    monkeypatch.setenv("KANTU_SHARES_PER_DAY", "1")
    at = _chat_app(_conv(), "zh")
    at = at.button(key=keys.SHARE).click().run()
    assert not at.error
    at = at.button(key=keys.SHARE).click().run()
    no_exception(at)
    assert at.error[0].value == t("history.share_rate", "zh", limit=1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_shared_chat_opens_on_its_first_messages_and_reads_on(store, lang):
    conv = Conversation()
    for n in range(12):
        conv.add_user(f"question {n}")
        conv.add_answer(f"answer {n}")
    at = _open(_shared(store, conv), lang)
    no_exception(at)
    assert len(at.chat_message) == 20
    assert [x.value for x in at.chat_message[0].text] == ["question 0"]  # from the top
    assert "answer 9" in [m.value for m in at.chat_message[-1].markdown]
    more = at.button(key=keys.SHARED_MORE)
    assert more.label == t("share.show_more", lang, n=4, left=4)
    more.click().run()
    no_exception(at)
    assert len(at.chat_message) == 24
    assert not [b for b in at.button if b.key == keys.SHARED_MORE]


def test_the_link_dialog_stays_open_through_another_rerun(store):
    """The browser store (a report, a problem) can rerun the page right after Share: a dialog not
    asked for again on that run would close before the visitor has read the link."""
    at = _chat_app(_conv())
    at = at.button(key=keys.SHARE).click().run()

    def links() -> list[str]:
        return [c.value for c in at.code if f"/shared?{TOKEN_PARAM}=" in c.value]

    assert len(links()) == 2  # in the dialog, and under the button
    at.run()
    no_exception(at)
    assert len(links()) == 2
