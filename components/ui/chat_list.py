"""The saved chats in the sidebar (newest first: title, date, picture count; open, rename,
delete; search), where they are kept, "Delete all my chats", and the undo notice that New chat
and delete leave for a few seconds instead of asking first."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import streamlit as st

from components.i18n import Lang, t
from components.ui import chat_state, session
from components.ui import state_keys as keys
from components.ui.chat_store import durable, server_store, store_owner
from components.ui.lazy_section import open_menu
from components.ui.markdown_view import safe_label
from components.ui.saved_chats import UndoNotice, listed

SHOWN = 30  # chats drawn at once; search finds the others
# With a single chat there is nothing to search among and "Delete all" is its own ⋯ → Delete:
# both come with the second chat (a visitor's first question draws neither).
TOOLS_FROM = 2
_SCROLL_SCRIPT = """<script>
setTimeout(() => {
  const messages = document.querySelectorAll('[data-testid="stChatMessage"]');
  messages[messages.length - 1]?.scrollIntoView({block: "end"});
}, 300);
</script>"""


# A row keeps its ⋯ beside the title on any width (a horizontal container would wrap it below).
# While an answer streams, opening or deleting a chat rests and "Delete all" is away
# (``saved_chats.handle`` lets such a click go undone): drawn so, the list needs no run of its
# own when the answer ends.
_ROW_STYLE = (
    "<style>[class*='st-key-kantu_chat_row_']{flex-wrap:nowrap}"
    "[class*='st-key-kantu_chat_row_'] > div:first-child{flex:1 1 auto;min-width:0}"
    f"{keys.ANSWERING} :is([class*='st-key-{keys.chat_open_key.prefix}'],"
    f"[class*='st-key-{keys.chat_delete_key.prefix}']) button{{pointer-events:none;opacity:0.4}}"
    f"{keys.ANSWERING} .st-key-{keys.DELETE_ALL_MENU}{{display:none}}</style>"
)


def _line(meta: dict[str, Any], lang: Lang) -> str:
    try:
        date = datetime.fromtimestamp(float(meta.get("updated", 0))).strftime("%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError, OSError):
        date = ""
    return t("chats.line", lang, date=date, pictures=meta.get("pictures", 0))


def _where(lang: Lang) -> str:
    store = server_store()
    if store is None:
        return t("chats.where_browser", lang)
    where = t("chats.where_server" if durable() else "chats.where_server_brief", lang)
    return where


def _problems(lang: Lang) -> None:
    hist = chat_state.history()
    shown = hist.browser
    for problem in getattr(shown, "problems", ()):
        st.warning(problem.message(lang), icon="⚠️")
    if hist.problem is not None:
        st.warning(hist.problem.message(lang), icon="⚠️")


def _row(meta: dict[str, Any], lang: Lang, *, current: bool) -> None:
    chat_id = str(meta.get("id"))
    title = str(meta.get("title") or "") or t("chats.untitled", lang)
    # a horizontal container, not columns: columns stack on a phone, putting ⋯ under the title
    row = st.container(
        horizontal=True, vertical_alignment="center", gap="small", key=keys.chat_row_key(chat_id)
    )
    row.button(
        safe_label(title) + "  \n" + _line(meta, lang),
        key=keys.chat_open_key(chat_id),
        on_click=session.requester(session.OpenChat(chat_id)),
        type="primary" if current else "secondary",
        width="stretch",
    )
    menu = open_menu(
        "⋯", keys.chat_menu_key(chat_id), parent=row, help=t("chats.manage", lang), width="content"
    )
    if menu is None:
        return
    with menu:
        field = keys.chat_title_key(chat_id)
        st.text_input(t("chats.rename", lang), value=title, key=field, max_chars=200)
        st.button(
            t("chats.rename_save", lang),
            key=keys.chat_rename_key(chat_id),
            on_click=lambda: session.request(
                session.RenameChat(chat_id, str(session.widget(field, "")))
            ),
        )
        st.button(
            t("chats.delete", lang),
            icon="🗑️",
            key=keys.chat_delete_key(chat_id),
            on_click=session.requester(session.DeleteChat(chat_id)),
        )


def _delete_all(count: int, lang: Lang) -> None:
    menu = open_menu(t("chats.delete_all", lang), keys.DELETE_ALL_MENU, icon="🗑️", width="stretch")
    if menu is None:
        return
    with menu:
        on_server = server_store() is not None and store_owner() is not None
        server = t("chats.delete_all_server", lang) if on_server else ""
        st.write(t("chats.delete_all_confirm", lang, count=count, server=server))
        st.button(
            t("chats.delete_all_yes", lang),
            type="primary",
            key=keys.DELETE_ALL,
            on_click=session.requester(session.DeleteAllChats()),
        )


def render_chat_list(lang: Lang) -> None:
    """Draw the saved chats in the sidebar slot kept for them (``sidebar.open_sidebar``)."""
    slot = session.layout().chat_list_slot
    if slot is None:
        return
    hist = chat_state.history()
    with slot:
        render_undo_notice(lang, in_chat=False)
    words = str(session.widget(keys.CHAT_SEARCH, "") or "")
    chats = listed(words)
    with slot:
        _problems(lang)
    if not chats and not words:
        return  # nothing saved yet: the settings stay in view
    with slot, st.expander(t("chats.title", lang), icon="🗂️", expanded=True):
        if words or len(chats) >= TOOLS_FROM:
            st.text_input(
                t("chats.search", lang),
                key=keys.CHAT_SEARCH,
                help=t("chats.search_help", lang),
                label_visibility="collapsed",
                placeholder="🔍 " + t("chats.search", lang),
            )
        st.html(_ROW_STYLE)
        for meta in chats[:SHOWN]:
            _row(meta, lang, current=meta.get("id") == hist.chat_id)
        if not chats:
            st.caption(t("chats.no_match", lang))
        elif len(chats) > SHOWN:
            st.caption(t("chats.more", lang, count=len(chats) - SHOWN))
        st.caption(_where(lang))
        if store_owner() is not None and _signed_in():
            st.caption(t("chats.where_signed_in", lang))
        if len(chats) >= TOOLS_FROM and not words:
            _delete_all(len(chats), lang)


def _signed_in() -> bool:
    try:
        return bool(st.user.to_dict().get("is_logged_in"))
    except Exception:  # no script context
        return False


def render_undo_notice(lang: Lang, *, in_chat: bool) -> None:
    """Show the undo notice while it lasts (it hides itself when its time is up): a message's
    in the conversation (``in_chat``), where it was deleted and where a phone shows it; a
    chat's in the sidebar, beside the list."""
    notice: UndoNotice | None = chat_state.history().undo
    if notice is None or (notice.kind == "delete_message") != in_chat:
        return
    st.fragment(_notice, run_every=1.0)(lang)


def _notice(lang: Lang) -> None:
    notice: UndoNotice | None = chat_state.history().undo
    if notice is None or time.time() >= notice.deadline:
        st.rerun(scope="app")  # the notice ends: a deleted chat leaves the stores
        return
    if isinstance(session.asks().action, session.Undo):
        st.rerun(scope="app")
        return
    if notice.kind == "new":
        text = t("chats.new_started", lang)
    elif notice.kind == "delete_message":
        text = t("chats.message_deleted", lang)
    else:
        text = t("chats.deleted", lang, title=_title_of(notice.hidden))
    with st.container(border=True, key=keys.UNDO_NOTICE):
        st.markdown(safe_label(text))
        st.button(
            t("chats.undo", lang),
            icon="↩️",
            key=keys.UNDO,
            on_click=session.requester(session.Undo()),
        )


def _title_of(chat_id: str | None) -> str:
    for meta in getattr(chat_state.history().browser, "chats", ()):
        if meta.get("id") == chat_id:
            return str(meta.get("title", ""))
    return ""


def render_scroll() -> None:
    """Scroll to the end of a chat just opened (once)."""
    hist = chat_state.history()
    if hist.scroll:
        hist.scroll = False
        st.html(_SCROLL_SCRIPT, unsafe_allow_javascript=True)
