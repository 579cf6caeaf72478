"""Read-only share links on the page: the Share action and the owner's list of links (in the
conversation's tools), and opening a link's snapshot for the shared page.

Sharing saves the chat to the server store (``chat_store``) with the ops it lacks, then freezes
it there (``ChatStore.share``); the token is shown to its owner in a dialog and under the button
for the rest of the session (the store keeps only its hash), and never logged. Only a store that outlives a restart shares, and on
a hosted site only a visitor who passed the access rules.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from components.conversation.history import Conversation
from components.errors import HistoryError
from components.history.records import LoadedChat, conversation_of
from components.history.server_store import DAY_S, ChatStore, ShareInfo
from components.hosting.access import refusal
from components.i18n import Lang, t
from components.ui import session
from components.ui import state_keys as keys
from components.ui.chat_store import durable, server_store, share_owner, store_owner
from components.ui.markdown_view import literal, safe_label
from components.ui.navigation import SHARED_URL_PATH
from components.ui.saved_chats import saved_on_server
from components.ui.visitor import current_visitor, hosting_settings

TOKEN_PARAM = "s"  # /shared?s=TOKEN
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{22,128}")
_clock = time.time  # tests move it on instead of waiting 30 days


def share_address(page_url: str, token: str) -> str:
    """Return the full address of the shared page for ``token``, on the site of ``page_url``
    (the owner's page: the app may live under a base path)."""
    parts = urlsplit(page_url)
    base = parts.path.rsplit("/", 1)[0] if parts.path else ""
    return urlunsplit(
        (parts.scheme, parts.netloc, f"{base}/{SHARED_URL_PATH}", f"{TOKEN_PARAM}={token}", "")
    )


def when(ts: float) -> str:
    """Return a time as the share lines show it (the server's local time, to the minute)."""
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def why_not(lang: Lang) -> str | None:
    """Return why this visitor cannot share here, or None when they can."""
    if not durable():
        return t("history.not_durable", lang)
    config = hosting_settings()
    if config.gated and refusal(config, "operator", current_visitor()) is not None:
        return t("share.needs_access", lang)
    return None


def render_share(conv: Conversation, lang: Lang) -> None:
    """The Share button (disabled, saying why, where sharing is off), the link just made, and
    the owner's list of links."""
    state = session.share()
    if not conv.entries:
        state.asked = False  # a click from before New chat is not a share of the next chat
    else:
        reason = why_not(lang)
        st.button(
            t("share.button", lang),
            icon="🔗",
            key=keys.SHARE,
            disabled=reason is not None,
            help=t("share.help", lang),
            on_click=_ask_share,  # kept in the session until done (session.asked_action)
        )
        if reason is not None:
            state.asked = False
            st.caption(safe_label("⚠️ " + reason))
        elif state.asked:  # let go by _share_now, just before the link is made
            _share_now(state, lang)
    if state.showing and state.link is not None:
        # Drawn again on every run until dismissed: a dialog not asked for on a run closes, and
        # the browser store (a report, a problem) can rerun the page right after the click.
        title = t("share.dialog_title", lang)
        st.dialog(title, on_dismiss=_dismissed)(_link_dialog)(*state.link, lang)
    link = state.link
    if link is not None:
        st.caption(t("share.last_link", lang, date=when(link[1])))
        st.code(link[0], language=None, wrap_lines=True)
    render_links(lang)


def _share_now(state: session.ShareState, lang: Lang) -> None:
    """Save the chat, freeze it, and have the dialog show its link; a refusal says why.

    The click is let go right before the link is made and the link kept right after, with no
    Streamlit call or session read in between: a newer trigger (the browser store's report
    after the save) that stops this run before that point leaves the click for the next run,
    and one that stops it after finds the link made and shown (before, the link could be made
    and never shown: the click looked lost).
    """
    store, owner = server_store(), share_owner()
    address = st.context.url or ""
    try:
        if store is None:
            raise HistoryError("unavailable", "no store or owner")
        days = store.settings.share_days
        with st.spinner(t("share.working", lang)):
            chat_id = saved_on_server(store, owner)  # brought up to date: done again, harmless
            now = _clock()
            state.asked = False
            token = store.share(owner, chat_id, now)
            state.link = (share_address(address, token), now + days * DAY_S)
            state.showing = True
    except HistoryError as err:
        state.asked = False
        st.error(safe_label(err.message(lang)), icon="⚠️")
    except Exception:
        state.asked = False  # not a stop (that is no Exception): not tried again every run
        raise


def _dismissed() -> None:
    session.share().showing = False


def _ask_share() -> None:
    session.share().asked = True


def _ask_revoke(share_id: str) -> None:
    session.share().revoke = share_id


def _link_dialog(address: str, expires: float, lang: Lang) -> None:
    st.write(t("share.link_intro", lang))
    st.code(address, language=None, wrap_lines=True)
    st.caption(t("share.expires", lang, date=when(expires)) + " " + t("share.manage", lang))


def render_links(lang: Lang) -> None:
    """The owner's share links, newest first, each with its state and a Revoke while live
    (for a signed-in visitor or this browser's, or once this session made a link)."""
    store = server_store()
    owner = store_owner() or (share_owner() if session.share().link is not None else None)
    if store is None or owner is None:
        return
    state = session.share()
    revoke, state.revoke = state.revoke, None
    if revoke is not None:  # done before the list is drawn, so the list shows it revoked
        _revoke(store, owner, revoke, lang)
    try:
        links = store.list_shares(owner)
    except HistoryError as err:
        st.caption(safe_label("⚠️ " + err.message(lang)))
        return
    if not links:
        return
    st.markdown("**" + t("share.links_title", lang) + "**")
    now = _clock()
    for link in links:
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            st.caption(safe_label(_line(link, now, lang)))
            if link.live(now):
                st.button(
                    t("share.revoke", lang),
                    key=keys.share_revoke_key(link.id),
                    type="tertiary",
                    on_click=_ask_revoke,
                    args=(link.id,),
                )


def _line(link: ShareInfo, now: float, lang: Lang) -> str:
    if link.revoked is not None:
        state = t("share.state_revoked", lang)
    elif not link.live(now):
        state = t("share.state_expired", lang)
    else:
        state = t("share.state_live", lang, date=when(link.expires))
    title = literal(link.title) if link.title.strip() else t("share.untitled", lang)
    return t("share.link_line", lang, title=title, created=when(link.created), state=state)


def _revoke(store: ChatStore, owner: str, share_id: str, lang: Lang) -> None:
    try:
        store.revoke(owner, share_id, _clock())
    except HistoryError as err:
        st.error(safe_label(err.message(lang)), icon="⚠️")


def open_shared(token: str) -> tuple[LoadedChat, Conversation]:
    """Return the snapshot ``token`` opens, checked as an imported file is.

    Raises HistoryError: share_not_found (also for a token of the wrong shape), share_expired,
    damaged, unavailable.
    """
    if not TOKEN_SHAPE.fullmatch(token):
        raise HistoryError("share_not_found")
    store = server_store()
    if store is None:
        raise HistoryError("unavailable", "no store")
    loaded = store.open_share(token, _clock())
    return loaded, conversation_of(loaded)
