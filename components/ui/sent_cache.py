"""A rerun the page asks for itself, told what the browser already holds.

Streamlit sends an element of ``global.minCachedMessageSize`` or more as its hash when the browser
already holds it; which ones it holds, the browser says with each rerun it asks for. A rerun a
script asks for (``st.rerun``) carries what the browser held when the run began, so everything
drawn during that run went again whole: after an answer the page does not finish in place (an
error's, a photo sent), the whole answer a second time (1.1× its size for a long one,
``bench/long_answer.py``).

``watch_sent()``, first in a run, notes what this session's websocket delivers from then on;
``rerun_knowing_sent()`` reruns with those too. Only what was written to the browser counts: a
message still queued, or replaced in the queue before it went, is not claimed, and the browser
keeps what it received for two more runs (``global.maxCachedMessageAge``), so the next run may
refer to any of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NoReturn

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx


class SentLog:
    """Wraps a session's ``write_forward_msg``: the hashes of the cacheable messages it wrote
    (and of those it referred to) since the last ``restart()``. Safe from any thread."""

    def __init__(self, write: Callable[[ForwardMsg], None]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._hashes: set[str] = set()

    def __call__(self, msg: ForwardMsg) -> None:
        self._write(msg)  # raises when the browser is gone: nothing recorded then
        if msg.WhichOneof("type") == "delta" and msg.delta.fragment_id:
            return  # a fragment's own runs age it in the browser: not claimed
        if msg.WhichOneof("type") == "ref_hash":
            held = msg.ref_hash
        elif msg.metadata.cacheable and msg.hash:
            held = msg.hash
        else:
            return
        with self._lock:
            self._hashes.add(held)

    def restart(self) -> None:
        """Forget what was written so far."""
        with self._lock:
            self._hashes.clear()

    def hashes(self) -> frozenset[str]:
        """What was written since the last ``restart()``."""
        with self._lock:
            return frozenset(self._hashes)


def _session_log(*, install: bool) -> SentLog | None:
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    client = Runtime.instance().get_client(ctx.session_id)
    if client is None:
        return None
    log = client.write_forward_msg
    if isinstance(log, SentLog):
        return log
    if not install:
        return None
    log = SentLog(client.write_forward_msg)
    client.write_forward_msg = log  # type: ignore[method-assign]
    return log


def watch_sent() -> None:
    """Note, from now on, what this session's browser is sent (call it first in a run)."""
    log = _session_log(install=True)
    if log is not None:
        log.restart()


def rerun_knowing_sent() -> NoReturn:
    """``st.rerun()``, with what was written to the browser since ``watch_sent()`` added to what
    it holds."""
    ctx = get_script_run_ctx()
    log = _session_log(install=False)
    if ctx is not None and log is not None:
        ctx.cached_message_hashes = ctx.cached_message_hashes | log.hashes()
    st.rerun()
