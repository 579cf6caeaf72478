"""Shared fixtures: the corpus of odd images kept in the repo, and the loopback fake upstream."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import FakeUpstream
from components.hosting.ledger import TABLE, TRIES_TABLE, Ledger, SQLAlchemyLedger, SQLiteLedger
from tests.postgres import postgres_url  # noqa: F401  (a throwaway PostgreSQL, session-wide)

# Property-based suites: a small budget in every run; KANTU_HYPOTHESIS=long for a deep search.
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("KANTU_HYPOTHESIS", "default"))

# Requests made with an operator key are recorded in the ledger: never in the developer's ~/.kantu.
os.environ.setdefault(
    "KANTU_LEDGER_PATH", str(Path(tempfile.mkdtemp(prefix="kantu-ledger-")) / "ledger.sqlite3")
)

ROOT = Path(__file__).resolve().parent.parent
# The command line reads the secrets files the app would (./.streamlit/ and ~/.streamlit/): its
# tests run it in an empty directory with an empty home, so a developer's own files never count.
CLI_CWD = Path(tempfile.mkdtemp(prefix="kantu-cli-"))


def cli_environment(**extra: str) -> dict[str, str]:
    """Return this environment for a ``python -m components`` subprocess run in ``CLI_CWD``:
    no one's keys or base URLs, an empty home, Kantu importable, UTF-8 output; then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KANTU_", "OPENAI_"))}
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env |= {"PYTHONIOENCODING": "utf-8", "PYTHONPATH": path, "HOME": str(CLI_CWD)}
    env.update(extra)
    return env


# Pillow's own odd test images (MIT-CMU licence beside them), copied so a fresh clone passes.
CORPUS = ROOT / "tests" / "corpus" / "pillow"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The directory of real odd images from Pillow's test suite, kept in ``tests/corpus``."""
    return CORPUS


@pytest.fixture
def isolated_secrets(monkeypatch, tmp_path) -> Iterator[None]:
    """Never read a developer's secrets or environment in an AppTest: no operator settings in
    the environment, and Streamlit's secrets pointed at an empty location."""
    from streamlit import config as st_config

    from components.providers.settings import OPERATOR_SETTINGS

    for name in (*OPERATOR_SETTINGS, "KANTU_PRICES"):
        monkeypatch.delenv(name, raising=False)
    old = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(tmp_path / "secrets.toml")])
    yield
    st_config.set_option("secrets.files", old)


@pytest.fixture(name="upstream")
def upstream_fixture() -> Iterator[FakeUpstream]:
    """A started loopback ``FakeUpstream``, stopped after the test."""
    with FakeUpstream() as up:
        yield up


@pytest.fixture(params=["sqlite", "sqlalchemy-sqlite", "sqlalchemy-postgres"])
def any_ledger(request, tmp_path) -> Iterator[Ledger]:
    """An empty ledger on each backend the app can be configured with: the SQLite file,
    SQLAlchemy on a SQLite file, and SQLAlchemy on a real PostgreSQL (``postgres_url``)."""
    if request.param == "sqlite":
        yield SQLiteLedger(tmp_path / "l.sqlite3")
        return
    from sqlalchemy import create_engine, text  # only these backends need SQLAlchemy
    from sqlalchemy.orm import Session

    url = (
        f"sqlite:///{tmp_path / 'sa.sqlite3'}"
        if request.param == "sqlalchemy-sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_engine(url, pool_size=16, max_overflow=16)
    with engine.begin() as db:  # each test starts from empty tables
        db.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        db.execute(text(f"DROP TABLE IF EXISTS {TRIES_TABLE}"))
    yield SQLAlchemyLedger(lambda: Session(engine))
    engine.dispose()


def entry_app_test() -> AppTest:
    """Return an AppTest of ``app.py`` that runs the entry script on every rerun, as a browser
    session does (AppTest 1.67 otherwise reruns only the page a multipage app finished on, so the
    entry's sidebar and access box go missing; the same as ``tests/test_page_chat.py``'s)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    run_once = at._run

    def run_from_entry(*args, **kwargs):
        at._finished_page_script_hash = ""
        return run_once(*args, **kwargs)

    at._run = run_from_entry
    return at


def pytest_report_header() -> str:
    return f"kantu: corpus {CORPUS.relative_to(ROOT)}; CI={os.environ.get('CI', '')}"
