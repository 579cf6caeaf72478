"""Shared fixtures: the corpus of odd images kept in the repo, and the loopback fake upstream."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from components.devtools.upstream import FakeUpstream
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

    for name in OPERATOR_SETTINGS:
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


def pytest_report_header() -> str:
    return f"kantu: corpus {CORPUS.relative_to(ROOT)}; CI={os.environ.get('CI', '')}"
