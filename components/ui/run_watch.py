"""What a page script uses to notice that Streamlit never heard what it sent.

``WHEN_NOT_TAKEN_JS`` (``frontend/when_not_taken.js``) defines ``whenNotTaken(taken, act)``,
``whenIdle(act, settle)``, the script state's readings ``scriptIdle()`` and ``runUnderWay()``,
``untilStill()`` (what the page sends by itself waits for the person), and ``QUESTION_SENT`` (the
reading script's signal that a question goes now); the browser store (a report sent again, a
problem it met, its acknowledgement carried with a question) and the reading script (a question
put back in the input) prepend it to their own scripts. ``QUESTION_ECHO_JS`` (``frontend/question_echo.js``)
defines ``echoQuestion`` and ``dropEcho``: the question drawn the moment it is sent, until
Streamlit's own message for it is there (the reading script's).
"""

from __future__ import annotations

from pathlib import Path

from components.ui import state_keys as keys

_FRONTEND = Path(__file__).with_name("frontend")
WHEN_NOT_TAKEN_JS = _FRONTEND.joinpath("when_not_taken.js").read_text("utf-8")
QUESTION_ECHO_JS = (
    _FRONTEND.joinpath("question_echo.js")
    .read_text("utf-8")
    .replace("{chat_input}", keys.CHAT_INPUT_SELECTOR)
)
