"""Shared fixtures: the public corpus of odd images, and where it lives."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "pillow-tests"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The directory of real odd images from Pillow's test suite (``../shared/corpus``)."""
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing: {CORPUS}")
    return CORPUS
