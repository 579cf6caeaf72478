"""What a rerun the page asks for itself may take as already in the browser (sent_cache)."""

from __future__ import annotations

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from components.ui.sent_cache import SentLog


def _element(hash_: str, *, cacheable: bool) -> ForwardMsg:
    msg = ForwardMsg()
    msg.hash = hash_
    msg.metadata.cacheable = cacheable
    msg.delta.new_element.markdown.body = "x" * 2000
    return msg


def _reference(hash_: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.ref_hash = hash_
    return msg


def test_what_was_written_and_kept_by_the_browser_is_known_and_only_that():
    written: list[ForwardMsg] = []
    log = SentLog(written.append)
    log(_element("kept", cacheable=True))
    log(_element("small", cacheable=False))  # the browser does not keep it
    log(_reference("touched"))  # one it held, referred to: it keeps it
    fragment = _element("fragment", cacheable=True)
    fragment.delta.fragment_id = "notice"
    log(fragment)  # aged by the fragment's own runs: not claimed
    assert [m.hash or m.ref_hash for m in written] == ["kept", "small", "touched", "fragment"]
    assert log.hashes() == {"kept", "touched"}
    log.restart()
    assert log.hashes() == frozenset()


def test_a_message_that_could_not_be_written_is_not_claimed():
    def gone(msg: ForwardMsg) -> None:
        raise ConnectionError("the browser left")

    log = SentLog(gone)
    with pytest.raises(ConnectionError):
        log(_element("lost", cacheable=True))
    assert log.hashes() == frozenset()
