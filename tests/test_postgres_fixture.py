"""The throwaway PostgreSQL of ``tests/postgres.py``: skipped on a laptop without it, never in CI."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.postgres import unavailable


def test_a_missing_server_skips_locally_and_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        unavailable("PostgreSQL is not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run under CI"):
        unavailable("PostgreSQL is not installed")


def test_the_server_listens_on_loopback_and_is_postgres(postgres_url):
    assert "@127.0.0.1:" in postgres_url
    engine = create_engine(postgres_url)
    with engine.connect() as db:
        assert db.execute(text("SELECT inet_server_addr()::text")).scalar() in (
            "127.0.0.1/32",
            "127.0.0.1",
        )
        assert db.execute(text("SHOW listen_addresses")).scalar() == "127.0.0.1"
    engine.dispose()
