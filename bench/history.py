"""Benchmark the server's saved chats: a 30-photo chat saved and loaded, one new turn saved, a
list of 500 chats and a search over them, on SQLite and PostgreSQL.

Run ``python bench/history.py`` (``--turns N``, ``--chats N``; ``--postgres URL`` or
``KANTU_TEST_POSTGRES_URL`` for a server of your own, else a throwaway one is started as the
tests start it, when PostgreSQL is installed; ``--dir`` for where the SQLite file goes). It builds, in code, N different photos (1600×1200
JPEGs, gradients plus noise) prepared as the chat page does, and a chat of N questions with one
photo each and an answer of a few hundred characters with its meta record. For each database
it prints medians of:

- **load**: the whole chat read back (``load``), and then checked and rebuilt into a
  ``Conversation`` through the export's validators (``conversation_of``);
- **save a new turn**: ``diff`` against the last save plus ``apply`` of a question and its
  answer (text only, and with a new photo), and the bytes that moved; the baseline is saving
  the whole chat again (its bytes, and the time of a full save);
- **list / search**: ``list_chats`` and ``search`` (a word, a CJK word, two words) over an owner
  with 500 chats of three turns.

Targets (issue 20): a new turn adds ≤ 20 ms; the list and a search answer in ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.devtools.image_factory import photo_jpeg
from components.history.ops import SavedState, diff, new_chat_id, ops_size
from components.history.records import conversation_of, describe
from components.history.server_store import ChatStore, SQLAlchemyChatStore, SQLiteChatStore
from components.images.prepare import prepare_image
from components.usage import Usage

NOW = 1_800_000_000.0
ANSWER = "这张照片里是一只橘猫，趴在窗台上晒太阳。" * 6 + " The cat looks relaxed. " * 8
TARGET_SAVE_MS = 20.0
TARGET_LIST_MS = 200.0


def median_ms(run: Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``run`` in milliseconds over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def add_turn(conv: Conversation, n: int, photo: object | None) -> None:
    """Record question ``n`` (with ``photo`` when given) and its answer."""
    conv.add_user(f"第 {n} 张：这是什么？ What is in photo {n}?", [photo] if photo else [])
    meta = AnswerMeta(
        "ok", "gpt-4o-mini", "gpt-4o-mini", "stop", Usage(1200, 180, 1380), 1105, False, 0.6, 3.1
    )
    conv.add_answer(f"{n}: {ANSWER}", meta=meta)


class Saver:
    """What the UI does on each rerun: diff against the last save, apply, remember."""

    def __init__(self, store: ChatStore, owner: str) -> None:
        self.store, self.owner, self.chat = store, owner, new_chat_id()
        self.state = SavedState()
        self.bytes = 0

    def save(self, conv: Conversation) -> None:
        ops = diff(self.state, conv, describe(conv, self.chat, created=NOW, updated=time.time()))
        self.store.apply(self.owner, ops)
        self.state = self.state.after(ops, conv)
        self.bytes = ops_size(ops)


def measure(store: ChatStore, photos: list, chats: int) -> dict[str, str]:
    """Return the figures for one store."""
    row: dict[str, str] = {}
    conv = Conversation()
    for n, picture in enumerate(photos):
        add_turn(conv, n, picture)
    full = Saver(store, "bench-full")
    start = time.perf_counter()
    full.save(conv)
    row["full save ms"] = f"{(time.perf_counter() - start) * 1000:.0f}"
    row["full save KB"] = f"{full.bytes / 1024:.0f}"
    row["load ms"] = f"{median_ms(lambda: store.load('bench-full', full.chat), 7):.1f}"
    loaded = store.load("bench-full", full.chat)
    row["check+rebuild ms"] = f"{median_ms(lambda: conversation_of(loaded), 7):.1f}"

    text_times, photo_times, text_bytes, photo_bytes = [], [], 0, 0
    extra = [prepare_image(photo_jpeg(1600, 1200), name="new.jpg") for _ in range(5)]
    for n in range(10):
        picture = extra[n // 2] if n % 2 else None
        add_turn(conv, len(photos) + n, picture)
        start = time.perf_counter()
        full.save(conv)
        elapsed = (time.perf_counter() - start) * 1000
        (photo_times if picture else text_times).append(elapsed)
        if picture:
            photo_bytes = full.bytes
        else:
            text_bytes = full.bytes
    row["new turn ms (text)"] = f"{statistics.median(text_times):.1f}"
    row["moved B (text)"] = f"{text_bytes}"
    row["new turn ms (photo)"] = f"{statistics.median(photo_times):.1f}"
    row["moved KB (photo)"] = f"{photo_bytes / 1024:.0f}"

    many = "bench-many"
    for n in range(chats):
        small = Conversation()
        topic = "receipt 收据" if n % 10 == 0 else "cat 猫咪"
        for k in range(3):
            small.add_user(f"Chat {n} question {k} about a {topic}")
            small.add_answer(f"Answer {k}: {ANSWER[: 80 + n % 40]}")
        Saver(store, many).save(small)
    row[f"list {chats} ms"] = f"{median_ms(lambda: store.list_chats(many), 7):.1f}"
    for label, words in (
        ("search word", "receipt"),
        ("search 中文", "收据"),
        ("2 words", "cat 猫咪"),
    ):
        row[f"{label} ms"] = f"{median_ms(lambda w=words: store.search(many, w), 7):.1f}"
    return row


@contextlib.contextmanager
def postgres(url: str | None) -> Iterator[str | None]:
    """Yield a PostgreSQL URL: the one given, else a throwaway server (None when unavailable)."""
    if url:
        yield url
        return
    from tests.postgres import postgres_url  # the tests' own throwaway server

    server = contextlib.contextmanager(postgres_url.__wrapped__)()
    try:
        started = server.__enter__()
    except BaseException as exc:  # pytest's skip outcome when PostgreSQL is not installed
        print(f"PostgreSQL skipped: {exc}")
        yield None
        return
    try:
        yield started
    finally:
        server.__exit__(None, None, None)


def sqlalchemy_store(url: str) -> SQLAlchemyChatStore:
    """Return a store on ``url`` with empty tables."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from components.history import server_store

    engine = create_engine(url)
    with engine.begin() as db:
        for table in (server_store.CHATS, server_store.ENTRIES, server_store.PICTURES):
            db.execute(text(f"DROP TABLE IF EXISTS {table}"))
        for table in (server_store.REFS, server_store.SHARES):
            db.execute(text(f"DROP TABLE IF EXISTS {table}"))
    return SQLAlchemyChatStore(lambda: Session(engine))


def main(argv: list[str] | None = None) -> int:
    """Print the figures for SQLite and PostgreSQL; return 0."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("KANTU_TEST_POSTGRES_URL"))
    parser.add_argument("--dir", default=None, help="where the SQLite file goes (e.g. /dev/shm)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    photos = [prepare_image(photo_jpeg(1600, 1200), name=f"{n}.jpg") for n in range(args.turns)]
    size = sum(len(p.data) for p in photos)
    print(f"{args.turns} turns, {args.turns} photos 1600×1200 prepared ({size / 2**20:.1f} MB) "
          f"in {time.perf_counter() - start:.1f} s; {args.chats} chats for list and search")  # fmt: skip
    rows: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        rows["SQLite"] = measure(SQLiteChatStore(Path(tmp) / "c.sqlite3"), photos, args.chats)
    with postgres(args.postgres) as url:
        if url:
            rows["PostgreSQL"] = measure(sqlalchemy_store(url), photos, args.chats)
    names = list(next(iter(rows.values())))
    width = max(map(len, names))
    print("\n" + "figure".ljust(width) + "".join(f"{name:>12}" for name in rows))
    for name in names:
        print(name.ljust(width) + "".join(f"{row[name]:>12}" for row in rows.values()))
    print(
        f"\ntargets: a new turn ≤ {TARGET_SAVE_MS:.0f} ms; list and search ≤ "
        f"{TARGET_LIST_MS:.0f} ms (baseline: the whole chat again, 'full save')"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
