"""Isolation between visitors, in one interpreter as on a server: nothing per visitor stays in
module globals or the global ``st.cache_resource``, nothing per visitor is written to disk, and a
session's pictures and history leave memory when the session ends.

The browser side (two visitors side by side, each seeing only their own) is
tests/e2e/test_isolation.py.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path

import pytest
from streamlit.runtime.caching import cache_resource_api

from components.conversation.exchange import Exchange
from components.conversation.history import Conversation
from components.devtools.image_factory import photo_jpeg
from components.images.prepared import PreparedImage
from components.ui import state_keys as keys
from components.ui.session_watch import PeriodicThread
from tests.conftest import ROOT, entry_app_test
from tests.helpers import advanced_field, assistant_text, no_exception
from tests.state_walk import walk

VISITORS = {
    "a": {
        "key": "visitor-a-key-1111111111",
        "question": "QzAlphaQuestion 甲的问题",
        "model": "m-a",
    },
    "b": {
        "key": "visitor-b-key-2222222222",
        "question": "QzBravoQuestion 乙的问题",
        "model": "m-b",
    },
}
SESSIONS = 4
PER_VISITOR_TYPES = (Conversation, PreparedImage, Exchange)


pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _visit(upstream, who: str, photo: bytes, lang: str = "en"):
    """One visitor's session: their own key, model and system prompt, a picture and a question."""
    me = VISITORS[who]
    at = entry_app_test()
    at.secrets.update({"KANTU_BASE_URL": upstream.base_url})
    at.session_state[keys.LANG] = lang
    at.run()
    at.text_input(key=keys.API_KEY).set_value(me["key"]).run()
    advanced_field(at, "text_area", keys.SYSTEM_PROMPT, lang).set_value(f"system of {who}").run()
    at.chat_input[0].upload(f"{who}.jpg", photo, "image/jpeg").set_value(me["question"]).run()
    no_exception(at)
    assert "你好" in assistant_text(at)
    return at


def _per_visitor_values(root: object, where: str) -> list[str]:
    """Return the paths under ``root`` that hold a visitor's object, key or question."""
    marks = [v[m] for v in VISITORS.values() for m in ("key", "question")]
    marks += ["QzAlphaQuestion", "QzBravoQuestion"]
    found = []
    for path, value in walk(root, where, limit=2_000_000):
        if isinstance(value, PER_VISITOR_TYPES):
            found.append(f"{path}: {type(value).__name__}")
        elif isinstance(value, str) and any(m in value for m in marks):
            found.append(f"{path}: {value[:60]!r}")
    return found


def test_nothing_per_visitor_stays_in_module_globals_or_the_shared_cache(upstream):
    photos = {who: photo_jpeg(900, 600) for who in VISITORS}
    sessions = [_visit(upstream, who, photos[who]) for who in VISITORS]
    by_key = {r.headers["Authorization"]: r.json for r in upstream.requests if r.json}
    for who, me in VISITORS.items():  # the upstream got each key only with that visitor's question
        body = by_key[f"Bearer {me['key']}"]
        assert me["question"] in str(body) and f"system of {who}" in str(body)
        other = next(v for w, v in VISITORS.items() if w != who)
        assert other["question"] not in str(body)
    found: list[str] = []
    for name, module in list(sys.modules.items()):
        if name == "components" or name.startswith(("components.", "pages")):
            found += _per_visitor_values(vars(module), name)
    shared = cache_resource_api._resource_caches._function_caches.get(None, {})
    found += _per_visitor_values(
        {key: list(cache._mem_cache.values()) for key, cache in shared.items()}, "cache_resource"
    )
    assert found == []
    assert sessions  # still alive while we looked: their state existed, just not in globals


def _snapshot(root: Path) -> dict[str, float]:
    skip = {"__pycache__", ".git", ".hypothesis", ".ruff_cache", ".pytest_cache"}
    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip]
        for name in filenames:
            path = Path(dirpath, name)
            try:
                files[str(path.relative_to(root))] = path.stat().st_mtime
            except OSError:
                continue
    return files


def test_a_session_writes_nothing_to_disk(upstream, monkeypatch, tmp_path):
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    repo_before = _snapshot(ROOT)
    at = _visit(upstream, "a", photo_jpeg(1200, 900))
    at.chat_input[0].set_value("and again").run()
    no_exception(at)
    repo_after = _snapshot(ROOT)
    changed = sorted(p for p, m in repo_after.items() if repo_before.get(p) != m)
    assert changed == []
    written = [p for p in (*home.rglob("*"), *tmp.rglob("*")) if p.is_file()]
    # Streamlit's own (a machine id, its config folder) is allowed; nothing of the visitor
    assert [p for p in written if ".streamlit" not in p.parts] == []
    for path in written:
        data = path.read_bytes()
        assert VISITORS["a"]["key"].encode() not in data and b"QzAlpha" not in data


def _alive(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, kind))


FRESH_PROCESS = "KANTU_TEST_MEMORY_IN_FRESH_PROCESS"  # KANTU_TEST_*: kept by conftest


@pytest.mark.timeout(300)
def test_pictures_and_history_leave_memory_when_sessions_end(request):
    """Four sessions each send a 6 MP photo; once they end, no picture or history is left.

    Measured in a fresh interpreter: tracemalloc counts everything the process allocates, and
    a test worker that has run hundreds of other tests has caches and threads of its own
    that fill and replace entries while this measures. Prints the figures (traced Python
    memory) for the report: ``-s`` shows them.
    """
    if not os.environ.get(FRESH_PROCESS):
        command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider"]
        run = subprocess.run(
            [*command, "-q", "-s", f"{__file__}::{request.node.name}"],
            cwd=ROOT,
            env={**os.environ, FRESH_PROCESS: "1"},
            capture_output=True,
            text=True,
            timeout=280,
        )
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        print(next((line for line in run.stdout.splitlines() if "traced memory" in line), ""))
        return
    _measure_memory(request.getfixturevalue("upstream"))


def _measure_memory(upstream) -> None:
    photo = photo_jpeg(3000, 2000)
    _visit(upstream, "a", photo)  # warm: modules and caches loaded once, for everyone
    # tracemalloc counts every thread: a warm-up (or a ledger write, a batch) that an earlier
    # test on this worker left running would be counted as this test's memory. Periodic
    # watchers never end: waiting for them would only wait out the timeout.
    for thread in threading.enumerate():
        if thread.name.startswith("kantu-") and not isinstance(thread, PeriodicThread):
            thread.join(timeout=60)
    gc.collect()
    baseline_images, baseline_convs = _alive(PreparedImage), _alive(Conversation)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    start = tracemalloc.take_snapshot()
    sessions = [_visit(upstream, "ab"[i % 2], photo) for i in range(SESSIONS)]
    during = tracemalloc.get_traced_memory()[0]
    images = [obj for obj in gc.get_objects() if isinstance(obj, PreparedImage)]
    held = sum(len(v) for _, v in walk(images, "images") if isinstance(v, bytes))
    del images
    assert _alive(PreparedImage) - baseline_images >= SESSIONS
    assert _alive(Conversation) - baseline_convs >= SESSIONS
    sessions.clear()  # the sessions end: Streamlit drops their session state
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    left = tracemalloc.take_snapshot().compare_to(start, "lineno")[:8]
    tracemalloc.stop()
    assert _alive(PreparedImage) == baseline_images
    assert _alive(Conversation) == baseline_convs
    mb = 2**20
    print(
        f"\n{SESSIONS} sessions x 6 MP photo: traced memory before {before / mb:.1f} MB, "
        f"with the sessions {during / mb:.1f} MB (prepared pictures {held / mb:.1f} MB), "
        f"after they ended {after / mb:.1f} MB"
    )
    assert after - before < (during - before) * 0.25, "\n".join(
        f"{stat.size_diff / mb:.2f} MB\n" + "\n".join(stat.traceback.format()) for stat in left
    )
