"""A throwaway PostgreSQL server for tests: the ``postgres_url`` fixture (a pytest plugin).

The server is Debian's ``postgresql`` package, started once per test session: ``initdb`` into a
temporary directory, listening on 127.0.0.1 on a free port only (no Unix socket outside that
directory), one database, stopped and deleted at the end. Postgres refuses to run as root, so as
root the directory is handed to the ``postgres`` user and the binaries run through ``runuser``.

``postgres_url`` yields a SQLAlchemy URL (``postgresql+psycopg2://…``). Set
``KANTU_TEST_POSTGRES_URL`` to use a server of your own instead (its database must be
disposable). Without the binaries the tests that use it are skipped, except under ``CI=true``,
where they fail: CI must run them (``.ci/run`` installs the package).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

DATABASE = "kantu_test"
USER = "kantu"
START_TIMEOUT_S = 60


def postgres_bin() -> Path | None:
    """Return the directory of the newest installed server's binaries, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    on_path = shutil.which("initdb")
    if found:
        return Path(found[-1]).parent
    return Path(on_path).parent if on_path else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    """Run ``argv`` as ``postgres`` when we are root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], **kwargs) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed: {done.stderr[-2000:]}")


def unavailable(reason: str) -> None:
    """Skip the test for ``reason``, or fail it under CI (where the server must be there)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL tests must run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL to a fresh PostgreSQL database on 127.0.0.1, for the whole session."""
    given = os.environ.get("KANTU_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = postgres_bin()
    if bin_dir is None:
        unavailable("PostgreSQL is not installed (apt-get install postgresql)")
    try:
        import psycopg2  # noqa: F401  (the driver the URL names)
    except ImportError:
        unavailable("psycopg2 is not installed (pip install -r requirements.txt)")
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="kantu-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    root.chmod(0o700)
    port = _free_port()
    try:
        _run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"],
            timeout=START_TIMEOUT_S,
        )
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
             "-w", "-t", str(START_TIMEOUT_S), "start"],
            timeout=START_TIMEOUT_S + 10,
        )  # fmt: skip
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        unavailable(f"the PostgreSQL test server did not start: {exc}")
    try:
        _run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE])
        yield f"postgresql+psycopg2://{USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
            timeout=START_TIMEOUT_S,
        )
        shutil.rmtree(root, ignore_errors=True)
