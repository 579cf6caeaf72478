"""A small page around the browser store, for tests/e2e/test_browser_store.py and the bench.

Buttons add a turn (a question and an answer, optionally with a picture) to this session's chat,
load a chat by id, delete one, or only look (a run); a form names nothing but itself; the page prints what the store said as JSON in a code block
(``#report``), with the visitor secret only as a short hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

import streamlit as st

from components.i18n import Lang
from components.ui.browser_store import BrowserStore

state = st.session_state
lang: Lang = "en" if st.query_params.get("lang") == "en" else "zh"
store = BrowserStore(state)
chat_id: str = state.setdefault("chat_id", secrets.token_urlsafe(16))
turns: int = state.setdefault("turns", 0)
ops: list[dict[str, Any]] = []


def _meta(turns: int, pictures: int) -> dict[str, Any]:
    now = time.time()
    return {
        "id": chat_id,
        "title": f"chat {chat_id[:6]}",
        "title_edited": False,
        "created": state.setdefault("created", now),
        "updated": now,
        "pictures": pictures,
        "turns": turns,
    }


with_picture = st.checkbox("With a picture", key="with_picture")
if st.button("Add turn", key="add"):
    text = state.get("text", "x" * 2000)
    index = 2 * turns
    shas = [f"sha-{chat_id}-{turns}"] if with_picture else []
    ops.extend({"op": "picture", "sha": sha, "picture": {"data": "AAAA"}} for sha in shas)
    ops.append(
        {
            "op": "entry",
            "chat": chat_id,
            "index": index,
            "entry": {
                "role": "user",
                "text": f"question {turns}",
                "status": "ok",
                "image_ids": shas,
            },
        }
    )
    ops.append(
        {
            "op": "entry",
            "chat": chat_id,
            "index": index + 1,
            "entry": {
                "role": "assistant",
                "text": f"answer {turns} {text}",
                "status": "ok",
                "image_ids": [],
            },
        }
    )
    turns += 1
    state["turns"] = turns
    ops.append({"op": "chat", "chat": _meta(turns, 0)})

# The bench's chat: ops made beforehand (a JSON list), saved in one batch.
bench_ops = os.environ.get("KANTU_BENCH_OPS")
if bench_ops and st.button("Save bench chat", key="bench"):
    ops.extend(json.loads(Path(bench_ops).read_text(encoding="utf-8")))
if "load" in st.query_params and not state.get("asked"):
    state["asked"] = True
    store.request_load(st.query_params["load"])

# A click that asks for a run and nothing more: the store's acknowledgement goes with it.
st.button("Look", key="look")
load_id = st.text_input("Chat to load", key="load_id")
if st.button("Load", key="load") and load_id:
    store.request_load(load_id)
if st.button("Delete", key="delete") and load_id:
    ops.append({"op": "delete", "chat": load_id})

with st.form("naming"):
    name = st.text_input("Name")
    if st.form_submit_button("Name it"):
        state["name"] = name

started = time.perf_counter()
shown = store.sync(ops)
sync_ms = (time.perf_counter() - started) * 1000
store.mount()
if shown.sent_bytes:
    state["last_move"] = {"sync_ms": round(sync_ms, 2), "bytes": shown.sent_bytes}
if shown.loaded is not None:
    state["loaded"] = {
        "at": time.time(),
        "id": shown.loaded.chat.get("id"),
        "texts": [entry.get("text", "")[:40] for entry in shown.loaded.entries],
        "pictures": len(shown.loaded.pictures),
    }
report = {
    "ready": shown.ready,
    "visitor": hashlib.sha256(shown.visitor.encode()).hexdigest()[:12] if shown.visitor else None,
    "chat": chat_id,
    "turns": turns,
    "chats": [meta["id"] for meta in shown.chats],
    "damaged": list(shown.damaged),
    "pending": shown.pending,
    "problem": shown.problems[0].kind if shown.problems else None,
    "message": shown.problems[0].message(lang) if shown.problems else None,
    "problems": [problem.kind for problem in shown.problems],
    "loaded": state.get("loaded"),
    "sent_bytes": shown.sent_bytes,
    "last_move": state.get("last_move"),
    "name": state.get("name"),
}
st.code(json.dumps(report, ensure_ascii=False), language=None)
