"""Saved chats in Chromium, on the real app: a chat (with its picture) is back after a reload, a
tab closed and reopened (an answer that ended after it closed included), and a server restart
(from the browser's store), with nothing sent again; New chat and delete leave an undo notice
that gives the chat back; the list searches answers, renames and deletes all; two visitors never
see each other's chats.
"""

from __future__ import annotations

import io
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect

from components.devtools.browser import (
    POLL_MS,
    STORE_LOADS_JS,
    STORE_REPORT_SENT_JS,
    App,
    assert_no_exception,
    attach_files,
    lose_first_store_report,
    open_page,
    send_prompt,
    shots_dir,
    start_app,
    wait_for_idle,
    wait_for_settled,
    wait_for_store,
)
from components.devtools.upstream import FakeUpstream, gated, sse
from components.i18n import t
from components.ui import state_keys as keys

ANSWER = ["一只", "橙色的", "圆。"]
LOADED_MS = 15_000
SHOTS = shots_dir("saved_chats")  # the store answers, the chat is asked for and drawn: a few reruns


@pytest.fixture(scope="module")
def chats_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module server's own store of chats (SQLite), to look into."""
    return tmp_path_factory.mktemp("chats") / "chats.sqlite3"


@pytest.fixture(scope="module")
def app_env(operator_env: dict[str, str], chats_path: Path) -> dict[str, str]:
    return operator_env | {"KANTU_CHATS_PATH": str(chats_path)}


def _saved_entries(path: Path, texts: tuple[str, ...], timeout_s: float) -> int:
    """Wait until the server store holds an entry containing each of ``texts``; return how many
    of them it holds then."""
    deadline = time.monotonic() + timeout_s
    while True:
        with closing(sqlite3.connect(path)) as db:
            rows = [str(row) for row in db.execute("SELECT * FROM kantu_chat_entries")]
        found = sum(any(text in row for row in rows) for text in texts)
        if found == len(texts) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.fixture(autouse=True)
def _fresh_upstream(up: FakeUpstream) -> None:
    up.reset()
    up.default = sse(ANSWER)


def _photo() -> FilePayload:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (255, 140, 0)).save(out, "JPEG")
    return {"name": "orange.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _messages(page: Page) -> Locator:
    return page.get_by_test_id("stChatMessage")


def _sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def _ask(page: Page, question: str, *, picture: bool = False) -> None:
    if picture:
        attach_files(page, _photo())
    send_prompt(page, question)
    expect(_messages(page).filter(has_text="橙色的圆。")).to_have_count(1)
    expect(_messages(page).filter(has_text=question)).to_have_count(1)
    wait_for_idle(page)
    # saved: the chat shows in the list (its title is the question)
    expect(_chat_button(page, question)).to_be_visible()


def _chat_button(page: Page, title: str) -> Locator:
    return _sidebar(page).locator('[class*="st-key-kantu_chat_open_"] button', has_text=title)


def _chat_is_back(page: Page, question: str, *, picture: bool = False) -> None:
    expect(_messages(page).filter(has_text=question)).to_have_count(1, timeout=LOADED_MS)
    expect(_messages(page).filter(has_text="橙色的圆。")).to_have_count(1)
    if picture:
        expect(_messages(page).first.locator("img").first).to_be_visible()
    assert_no_exception(page)


def test_the_chat_comes_back_after_a_reload_a_closed_tab_and_an_undone_message_delete(
    app: App, new_page, up: FakeUpstream
):
    """One visitor's chat (a question with a picture), stored in the browser, then:

    - a reload brings the chat back with its picture, nothing is asked again, and no warning
      shows in the sidebar (both stores took it);
    - the tab closed and reopened (same browser) is back in the chat;
    - a second question, then the first message deleted: the notice is in the chat (not in the
      sidebar), its turn is gone; Undo gives it back, and a reload still has all four messages,
      the first one (with its picture) on top.
    """
    page = new_page(app)
    question = "这张图里是什么？"
    _ask(page, question, picture=True)
    sent = len(up.requests)
    # A reload brings the chat back with its picture.
    page.reload()
    wait_for_idle(page)
    _chat_is_back(page, question, picture=True)
    assert len(up.requests) == sent  # nothing asked again
    expect(_sidebar(page).get_by_test_id("stAlert")).to_have_count(0)  # both stores took it
    # A tab closed and reopened is back in the chat.
    context = page.context
    page.close()
    page = context.new_page()
    page.goto(app.url)
    wait_for_idle(page)
    _chat_is_back(page, question)
    assert len(up.requests) == sent
    # A deleted message comes back on undo and stays after a reload.
    send_prompt(page, "第二个问题")
    expect(_messages(page)).to_have_count(4)
    wait_for_settled(page)
    first = _messages(page).filter(has_text=question)
    first.get_by_role("button", name=t("actions.delete", "zh"), exact=True).click()
    notice = page.locator(f".st-key-{keys.UNDO_NOTICE}")
    expect(notice).to_contain_text(t("chats.message_deleted", "zh"))  # in the chat, not the sidebar
    expect(_sidebar(page).locator(f".st-key-{keys.UNDO_NOTICE}")).to_have_count(0)
    expect(_messages(page)).to_have_count(2)
    notice.get_by_role("button", name=t("chats.undo", "zh")).click()
    expect(_messages(page)).to_have_count(4)
    expect(notice).to_have_count(0)
    wait_for_settled(page)
    page.reload()  # the stores got the message back too
    wait_for_idle(page)
    expect(_messages(page)).to_have_count(4, timeout=LOADED_MS)
    expect(_messages(page).first).to_contain_text(question)
    expect(_messages(page).first.locator("img").first).to_be_visible()
    assert_no_exception(page)


def test_an_answer_that_ends_after_its_tab_closed_is_there_when_it_reopens(
    app: App, new_page, up: FakeUpstream, chats_path: Path
):
    gate = threading.Event()
    up.enqueue(gated(sse(["答案的开头，", "关掉之后才写完的结尾。"]), gate, keep=2))  # role, 1st
    page = new_page(app)
    # The store has named the visitor to the server (a tab closed before that leaves no one to
    # keep the chat for on the server; its own session still has it).
    wait_for_store(page)
    send_prompt(page, "关掉时还在回答")
    expect(_messages(page).filter(has_text="答案的开头")).to_have_count(1)
    context = page.context
    page.close()  # the answer is still coming
    gate.set()
    # Saved on the server once the answer has ended, with no page to record it.
    assert _saved_entries(chats_path, ("关掉时还在回答", "才写完的结尾"), LOADED_MS / 1000) == 2
    again = context.new_page()
    again.goto(app.url)
    wait_for_idle(again)
    expect(_messages(again).filter(has_text="才写完的结尾")).to_have_count(1, timeout=LOADED_MS)
    expect(_messages(again).filter(has_text="关掉时还在回答")).to_have_count(1)
    assert len(up.requests) == 1  # nothing asked again
    # The browser store caught up: the next reload has the whole answer from either store.
    again.reload()
    wait_for_idle(again)
    expect(_messages(again).filter(has_text="才写完的结尾")).to_have_count(1, timeout=LOADED_MS)
    assert_no_exception(again)


def test_undo_gives_the_chat_back_after_new_chat_or_delete_and_the_list_searches_renames_deletes_all(
    app: App, new_page, up: FakeUpstream
):
    """One visitor's stored chat ("keep me please"), in English:

    - New chat: the notice says a new chat started, the page is empty; Undo gives the chat
      back and the notice goes;
    - delete (the row's ⋯ menu): the notice names the chat, it leaves the list and the page;
      Undo gives it back, in the list too; once the notice is gone, it is still there after a
      reload;
    - a second chat beside it: the list's search finds words of an answer, a rename survives a
      reload, and Delete all (one confirm) empties the list, the page and both stores.
    """
    page = new_page(app, locale="en-US")
    _ask(page, "keep me please")
    # New chat, then Undo.
    _sidebar(page).get_by_role("button", name=t("sidebar.new_chat", "en")).click()
    notice = page.locator(".st-key-kantu_undo_notice")
    expect(notice).to_contain_text(t("chats.new_started", "en"))
    expect(_messages(page)).to_have_count(0)
    notice.get_by_role("button", name=t("chats.undo", "en")).click()
    _chat_is_back(page, "keep me please")
    expect(notice).to_have_count(0)
    # Delete, then Undo.
    title = page.locator('[class*="st-key-kantu_chat_open_"]', has_text="keep me please")
    row = _sidebar(page).locator('[class*="st-key-kantu_chat_row_"]').filter(has=title)
    row.get_by_role("button", name="⋯").click()
    page.get_by_role("button", name=t("chats.delete", "en")).click()
    expect(notice).to_contain_text("keep me please")
    expect(_chat_button(page, "keep me please")).to_have_count(0)
    expect(_messages(page)).to_have_count(0)
    notice.get_by_role("button", name=t("chats.undo", "en")).click()
    _chat_is_back(page, "keep me please")
    expect(_chat_button(page, "keep me please")).to_be_visible()
    # once the notice is gone, the chat is still there after a reload
    expect(notice).to_have_count(0, timeout=LOADED_MS)
    page.reload()
    wait_for_idle(page)
    _chat_is_back(page, "keep me please")
    # The list: a second chat beside the first one.
    _sidebar(page).get_by_role("button", name=t("sidebar.new_chat", "en")).click()
    expect(_messages(page)).to_have_count(0)
    up.enqueue(sse(["Purple ", "grapes."]))
    send_prompt(page, "second about a fruit")
    expect(_messages(page).filter(has_text="Purple grapes.")).to_have_count(1)
    wait_for_idle(page)
    expect(_chat_titles(page)).to_have_count(2)
    # Search finds words of an answer (the server store searches questions and answers).
    search = _sidebar(page).get_by_placeholder(t("chats.search", "en"), exact=False)
    search.fill("grapes")
    search.press("Enter")
    expect(_chat_titles(page)).to_have_count(1)
    expect(_chat_titles(page)).to_contain_text("second about a fruit")
    search.fill("")
    search.press("Enter")
    expect(_chat_titles(page)).to_have_count(2)
    # Rename the first chat; its new title survives a reload.
    first = page.locator('[class*="st-key-kantu_chat_open_"]', has_text="keep me please")
    row = _sidebar(page).locator('[class*="st-key-kantu_chat_row_"]').filter(has=first)
    row.get_by_role("button", name="⋯").click()
    rename = page.get_by_role("textbox", name=t("chats.rename", "en"))
    rename.fill("My orange")
    page.get_by_role("button", name=t("chats.rename_save", "en")).click()
    expect(_chat_button(page, "My orange")).to_be_visible()
    wait_for_idle(page)
    page.reload()
    wait_for_idle(page)
    expect(_chat_button(page, "My orange")).to_be_visible(timeout=LOADED_MS)
    # Delete all, after one confirm: gone from the list, the page and both stores.
    _sidebar(page).get_by_role("button", name=t("chats.delete_all", "en")).click()
    page.get_by_role("button", name=t("chats.delete_all_yes", "en")).click()
    expect(_chat_titles(page)).to_have_count(0)
    expect(_messages(page)).to_have_count(0)
    wait_for_idle(page)
    page.reload()
    wait_for_idle(page)
    # the browser store has answered (and the run after it is drawn): nothing left to list
    wait_for_store(page)
    expect(page.get_by_text(t("welcome.example_1", "en"))).to_be_visible()
    expect(_chat_titles(page)).to_have_count(0)
    assert_no_exception(page)


def _chat_titles(page: Page) -> Locator:
    return _sidebar(page).locator('[class*="st-key-kantu_chat_open_"]')


def _action(page: Page, verb: str, index: int) -> Locator:
    """Entry ``index``'s ``verb`` button (``data-entry`` is "<index>:<digest>")."""
    return page.locator(f'button.kantu-act[data-verb="{verb}"][data-entry^="{index}:"]')


def test_an_earlier_question_edited_keeps_the_old_turns_as_a_version_after_a_reload(
    app: App, new_page, up: FakeUpstream
):
    page = new_page(app, locale="en-US")
    up.enqueue(sse(["An orange."]), sse(["Round."]), sse(["Bright orange."]))
    attach_files(page, _photo())
    send_prompt(page, "What is it?")
    expect(_messages(page).filter(has_text="An orange.")).to_have_count(1)
    wait_for_idle(page)
    send_prompt(page, "What shape?")
    expect(_messages(page).filter(has_text="Round.")).to_have_count(1)
    wait_for_settled(page)
    _action(page, "edit", 0).click()  # the first question, not the last
    field = page.get_by_test_id("stChatInputTextArea")
    expect(field).to_have_value("What is it?")
    field.fill("What colour is it?")
    field.press("Enter")
    expect(_messages(page).filter(has_text="Bright orange.")).to_have_count(1)
    wait_for_idle(page)
    expect(_messages(page)).to_have_count(2)  # it went on from the edited question
    expect(_messages(page).first.locator("img").first).to_be_visible()  # its picture went again
    expect(page.get_by_text("2 / 2", exact=True)).to_be_visible()
    _action(page, "older", 0).click()
    expect(_messages(page)).to_have_count(4)
    expect(_messages(page).filter(has_text="Round.")).to_have_count(1)
    expect(page.get_by_text("1 / 2", exact=True)).to_be_visible()
    page.screenshot(path=SHOTS / "versions-en.png")
    wait_for_settled(page)
    page.reload()  # both versions, and the one shown, come back from the browser store
    wait_for_idle(page)
    expect(_messages(page).filter(has_text="Round.")).to_have_count(1, timeout=LOADED_MS)
    expect(page.get_by_text("1 / 2", exact=True)).to_be_visible()
    _action(page, "newer", 0).click()
    expect(_messages(page).filter(has_text="Bright orange.")).to_have_count(1)
    expect(_messages(page)).to_have_count(2)
    expect(_messages(page).first.locator("img").first).to_be_visible()
    assert len(up.requests) == 3  # switching and reloading asked nothing
    assert_no_exception(page)


def test_two_visitors_never_see_each_others_chats(app: App, new_page):
    first = new_page(app)
    _ask(first, "只属于第一位访客")
    second = new_page(app)
    wait_for_idle(second)
    _ask(second, "第二位访客的问题")  # the list then holds this visitor's chats: only this one
    expect(_sidebar(second).locator('[class*="st-key-kantu_chat_open_"]')).to_have_count(1)
    expect(second.get_by_text("只属于第一位访客")).to_have_count(0)
    first.reload()
    wait_for_idle(first)
    _chat_is_back(first, "只属于第一位访客")


def test_a_server_restart_brings_the_chat_back_from_the_browser(
    browser: Browser, operator_env: dict[str, str], tmp_path
):
    server = start_app(operator_env | {"KANTU_CHATS_PATH": str(tmp_path / "before.sqlite3")})
    try:
        page = open_page(browser, server)
        _ask(page, "重启之后还在吗？", picture=True)
        port = server.port
        loads = page.evaluate(STORE_LOADS_JS)
        server.stop()
        # The same address (the same browser store), and a server store that lost everything,
        # as a wiped disk would.
        wiped = {"KANTU_CHATS_PATH": str(tmp_path / "after.sqlite3")}
        server = start_app(operator_env | wiped, port=port)
        # The open tab reconnects by itself (no reload): Streamlit would leave it as it was, on
        # a session that knows nothing; the browser store asks the new session for a run.
        expect(page.get_by_test_id("stApp")).to_have_attribute(
            "data-test-connection-state", "CONNECTED", timeout=60_000
        )
        # the page still shows the old run's elements: wait for the chat the new session loaded
        page.wait_for_function(
            f"({STORE_LOADS_JS})() > {loads}", timeout=LOADED_MS, polling=POLL_MS
        )
        wait_for_idle(page)
        _chat_is_back(page, "重启之后还在吗？", picture=True)
        # the next turn is kept by both stores: the server takes the chat whole, no warning
        up_question = "还能继续问吗？"
        send_prompt(page, up_question)
        expect(_messages(page).filter(has_text=up_question)).to_have_count(1)
        expect(_messages(page).filter(has_text="橙色的圆。")).to_have_count(2, timeout=LOADED_MS)
        wait_for_idle(page)
        expect(_sidebar(page).get_by_test_id("stAlert")).to_have_count(0)
        # saved on the run that follows the answer
        with closing(sqlite3.connect(tmp_path / "after.sqlite3")) as db:
            count = "SELECT COUNT(*) FROM kantu_chat_entries"
            deadline = time.monotonic() + LOADED_MS / 1000
            while db.execute(count).fetchone() != (4,) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert db.execute(count).fetchone() == (4,)
        page.context.close()
    finally:
        server.stop()


def test_a_report_left_on_the_chat_page_is_not_sent_again_from_another(app: App, new_page):
    """The browser store's report that Python never heard is sent again from the chat page only:
    sent from Batch (which has no store to take it) it cost that page two runs, and one of them
    took a click on Retry failed (seen in CI)."""
    page = new_page(app, locale="en-US")
    dropped = lose_first_store_report(page)
    page.reload()
    page.wait_for_function(STORE_REPORT_SENT_JS, polling=POLL_MS)  # left, and lost
    page.get_by_test_id("stSidebarNav").get_by_text(t("nav.batch", "en")).click()
    expect(page.get_by_role("heading", name=t("batch.title", "en"))).to_be_visible()
    wait_for_idle(page)
    page.wait_for_timeout(3500)  # a resend goes 2.3 s after the report; a second, 2.3 s later
    assert len(dropped.held) == 1
    assert page.evaluate("performance.getEntriesByName('kantu-store-resent').length") == 0
