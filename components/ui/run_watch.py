"""What a page script uses to notice that Streamlit ran nothing for what it sent.

``WHEN_NOTHING_RAN_JS`` (``frontend/when_nothing_ran.js``) defines ``whenNothingRan(since, act)``;
the browser store (a report sent again) and the reading script (a question put back in the
input) prepend it to their own scripts.
"""

from __future__ import annotations

from pathlib import Path

WHEN_NOTHING_RAN_JS = (
    Path(__file__).with_name("frontend").joinpath("when_nothing_ran.js").read_text("utf-8")
)
