"""The chat's own state objects: the conversation and its answer, the money and model tools, the
saved chats. Each is made with its defaults on first use, under its key (``session.state_of``).

Apart from ``session`` because of what they hold: a conversation, a request session, the Markdown
memo and the stores' ledger import the machinery a session's first screen does without.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import requests

from components.conversation.exchange import Exchange
from components.conversation.history import Conversation, Entry
from components.costs.calibration import Calibration
from components.costs.prices import Price
from components.errors import KantuError
from components.history.ops import Op, SavedState
from components.providers.probe import ProbeResult
from components.text.markdown_safety import MadeSafe
from components.ui.session import state_of


@dataclass
class ChatState:
    """The conversation and what the chat page carries from one run to the next."""

    conversation: Conversation = field(default_factory=Conversation)
    http: requests.Session = field(default_factory=requests.Session, repr=False)  # pooled
    exchange: Exchange | None = None  # the answer being fetched, until recorded
    pending: Any = None  # pending.PendingMessage: a message held for a look before sending
    editing: Entry | None = None  # the question being edited in the chat input, until sent
    restore_input: str | None = None  # text to put back in the chat input on the next run
    # A question recorded whose answer has not started yet (chat.ask_last): the next run starts it
    to_answer: Entry | None = None
    made_safe: MadeSafe = field(default_factory=MadeSafe, repr=False)  # answers, meta lines
    view_open: str | None = None  # the picture whose large view is open (gallery's 🔍 key)
    focus_field: str | None = None  # a sidebar widget key an error's action asked to focus
    display_copies: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # by sha256
    imported: Conversation | None = None  # imported on the last click, put in place once
    import_round: int = 0  # bumps to empty the import field after a file was read
    import_outcome: tuple[str, str] | None = None  # ("ok" | "error", message), shown once
    # Earlier messages the visitor asked to see (chat.render_history), for that conversation only
    revealed: tuple[Conversation | None, int] = (None, 0)
    # Nothing asked yet in this session: the hidden picture is drawn (picture_code.py)
    on_first_screen: bool = True


@dataclass
class ToolsState:
    """Money and model tools: this visitor's prices, limits, checks and what the bills taught."""

    visitor_prices: dict[str, Price] = field(default_factory=dict)
    calibration: Calibration = field(default_factory=Calibration)
    # this visitor's own hold limits (``components.costs.hold`` has the operator's and defaults)
    confirm_above: dict[str, float] = field(default_factory=dict)  # by currency
    confirm_tokens: int | None = None  # in prompt tokens, when no price is known
    vision_checks: dict[str, ProbeResult] = field(default_factory=dict)  # by "preset/model"
    connection_result: tuple[str, Any] | None = None  # ("preset/model", ConnectionResult)
    model_lists: dict[str, list[str]] = field(default_factory=dict)  # {preset id: model ids}
    text_only_models: frozenset[str] = frozenset()  # "preset/model": models that cannot see
    text_only_unmarked: frozenset[str] = frozenset()  # … unticked by the person
    check: str | None = None  # "probe" or "test": a sidebar check clicked, until it runs


@dataclass
class HistoryState:
    """Saved chats: the open chat's id and what the stores hold of it, the browser store's
    ledger and last answer, and the undo notice."""

    book: dict[str, Any] = field(default_factory=dict)  # browser_store.BrowserStore's mapping
    browser: Any = None  # browser_store.BrowserState: what the browser store said this run
    chat_id: str | None = None  # the open chat, once it has something to keep
    created: float = 0.0
    title: str | None = None  # the visitor's own title for the open chat, if they gave one
    saved: SavedState = field(default_factory=SavedState)  # what the stores hold of it
    server_pending: list[Op] = field(default_factory=list)  # ops the server has yet to take
    problem: KantuError | None = None  # the server store's last refusal, shown until it heals
    restored: bool = False  # the last chat was asked for once the browser store answered
    opening: str | None = None  # a chat asked of the browser store, put in place on arrival
    scroll: bool = False  # a chat was just opened: the page scrolls to its end once
    undo: Any = None  # chat_list.UndoNotice: what Undo would take back, until it expires
    # Held while the stores' state above changes: an answer that ends after its tab has gone is
    # saved from a thread of its own (saved_chats.save_when_left).
    watched: Exchange | None = field(default=None, repr=False)  # saved even if the tab goes
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @property
    def visitor(self) -> str | None:
        """The browser store's visitor secret, once it has answered."""
        return getattr(self.browser, "visitor", None)


# This session's object of each kind, e.g. ``chat_state.chat().conversation``
chat = partial(state_of, ChatState)
tools = partial(state_of, ToolsState)
history = partial(state_of, HistoryState)
