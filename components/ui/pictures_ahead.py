"""Pictures prepared while the person types (``components.images.ahead``): told of each file the
upload guard lets in (``upload_guard``), and asked for them when the message is sent.

Put on the guard once the app is past a session's first screen (``install_pictures_ahead``): a
photo attached before that is prepared when it is sent, as one the guard never saw.
"""

from __future__ import annotations

import threading
from functools import partial

from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.images.ahead import PreparedAhead
from components.images.uploads import Preparation, Ready
from components.ui.upload_guard import installed_guard

_lock = threading.Lock()


def install_pictures_ahead() -> None:
    """Have the upload guard hand each file it stores to pictures prepared ahead: once per
    process, once the guard is installed; later calls do nothing."""
    guard = installed_guard()
    if guard is None or guard.ahead is not None:
        return
    with _lock:
        if guard.ahead is None:
            guard.ahead = PreparedAhead()


def _ahead_here() -> tuple[PreparedAhead, str] | None:
    """The process's pictures prepared ahead and this run's session id (None in AppTest)."""
    ctx = get_script_run_ctx()
    guard = installed_guard()
    ahead = guard.ahead if guard is not None else None
    if not isinstance(ahead, PreparedAhead) or ctx is None:
        return None
    return ahead, ctx.session_id


def expect_pictures(how: Preparation | None) -> None:
    """Say how this session's next attached pictures would be prepared (None: this page asks
    about none), so they are prepared while the person types (``components.images.ahead``)."""
    here = _ahead_here()
    if here is not None:
        ahead, session_id = here
        ahead.expect(session_id, how)


def pictures_ready() -> Ready | None:
    """This session's pictures prepared ahead, for ``prepare_uploads(ready=...)``."""
    here = _ahead_here()
    if here is None:
        return None
    ahead, session_id = here
    return partial(ahead.take, session_id)
