"""Shared fixtures: the corpus of odd images kept in the repo, and the loopback fake upstream.

How the suite is organised (README's test command runs all of it, in parallel):

- ``tests/test_<module>.py`` test the core in-process; ``tests/test_page_<page>.py`` drive pages
  with Streamlit's AppTest; ``tests/e2e/test_<feature>.py`` drive headless Chromium against real
  ``streamlit run`` servers (``tests/e2e/conftest.py`` says which fixtures share a server).
- pytest-xdist runs the tests on several worker processes (``-n 4 --dist loadgroup``): tests
  mostly wait on servers, sockets and the browser, so four workers keep two cores busy. The
  tests of a module that share a module-scoped fixture (a server, an upstream) run in chunks of
  eight on one worker each, so it is started once a chunk; so do the tests that need PostgreSQL; every other test goes to
  whichever worker is free (``xdist_group_of`` below), so no slow module bounds the run. Tests
  never depend on each other's order.
- Nothing is shared between workers: each worker process gets, at import of this file, its own
  ``HOME``, ledger path and request log in a fresh temporary directory, and none of a developer's ``KANTU_*``
  settings (only the test knobs ``KANTU_HYPOTHESIS``, ``KANTU_SHOTS`` and ``KANTU_TEST_*`` are
  kept); temporary files go to pytest's per-worker ``tmp_path``; every server, upstream and
  browser binds port 0 on 127.0.0.1; session-scoped fixtures (Chromium, upstreams, a database
  server) are one per worker. Hypothesis keeps its example database in ``.hypothesis/`` (its
  writes are atomic renames, so workers can share it).
- No test asserts on wall-clock speed: waits are bounded by generous timeouts that only catch a
  hang; how fast things are is measured in ``bench/`` (baseline and Kantu in the same run).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

# Before anything reads the environment or the home directory: this worker's own HOME and
# ledger, and no developer's key, base URL or ledger path (a real ~/.kantu is never touched).
# Once per process: an xdist worker inherits the controller's environment, then gets its own.
TEST_KNOBS = ("KANTU_HYPOTHESIS", "KANTU_SHOTS", "KANTU_TEST_")  # kept: they steer the tests
if os.environ.get("KANTU_TESTS_PID") != str(os.getpid()):
    _scratch = Path(tempfile.mkdtemp(prefix="kantu-tests-"))
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
    for _name in [n for n in os.environ if n.startswith("KANTU_") and not n.startswith(TEST_KNOBS)]:
        del os.environ[_name]
    (_scratch / "home").mkdir()
    os.environ["HOME"] = str(_scratch / "home")
    os.environ["KANTU_LEDGER_PATH"] = str(_scratch / "ledger.sqlite3")
    # request log lines written after their test ended would land in pytest's own output
    os.environ["KANTU_REQUEST_LOG"] = str(_scratch / "requests.jsonl")
    os.environ["KANTU_TESTS_PID"] = str(os.getpid())

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from streamlit.components.v2 import manifest_scanner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from components.devtools.upstream import FakeUpstream  # noqa: E402
from components.hosting.ledger import (  # noqa: E402
    READER_TABLE,
    TABLE,
    TRIES_TABLE,
    Ledger,
    SQLAlchemyLedger,
    SQLiteLedger,
)
from components.ui import state_keys as keys  # noqa: E402
from tests.postgres import postgres_url  # noqa: E402, F401  (a throwaway PostgreSQL, session-wide)

# Property-based suites: a small budget in every run; KANTU_HYPOTHESIS=long for a deep search.
settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("KANTU_HYPOTHESIS", "default"))


def examples(n: int) -> int:
    """The examples a property test that sets its own budget draws: ``n``, or the loaded
    profile's when that is larger (``KANTU_HYPOTHESIS=long`` searches the sanitiser deeply too;
    its holes of stop 38 were found only past a few thousand examples)."""
    return max(n, settings.default.max_examples)


# Each new AppTest scans every installed distribution for component manifests (0.3-1.5 s, the
# larger part of a short page test); what is installed does not change during a test run.
manifest_scanner.scan_component_manifests = functools.cache(  # type: ignore[method-assign]
    manifest_scanner.scan_component_manifests
)

ROOT = Path(__file__).resolve().parent.parent
# The command line reads the secrets files the app would (./.streamlit/ and ~/.streamlit/): its
# tests run it in an empty directory with an empty home, so a developer's own files never count.
CLI_CWD = Path(tempfile.mkdtemp(prefix="kantu-cli-"))
atexit.register(shutil.rmtree, CLI_CWD, ignore_errors=True)


def cli_environment(**extra: str) -> dict[str, str]:
    """Return this environment for a ``python -m components`` subprocess run in ``CLI_CWD``:
    no one's keys or base URLs, an empty home, Kantu importable, UTF-8 output, an English
    locale (the CLI speaks the locale's language); then ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KANTU_", "OPENAI_"))}
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env |= {"PYTHONIOENCODING": "utf-8", "PYTHONPATH": path, "HOME": str(CLI_CWD)}
    env |= {"LC_ALL": "C.UTF-8"}
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

    for name in (*OPERATOR_SETTINGS, "KANTU_PRICES", "KANTU_HOLD_ABOVE"):
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
        db.execute(text(f"DROP TABLE IF EXISTS {READER_TABLE}"))
    yield SQLAlchemyLedger(lambda: Session(engine))
    engine.dispose()


def opened_as_a_browser_does(at: AppTest) -> AppTest:
    """Run ``at`` (an AppTest of ``app.py``) as a browser opens the app: the first screen, then
    the run its timer asks for a moment later (components/ui/first_screen.py: the rest of the page
    comes with it); both from the entry script, which AppTest otherwise runs only first."""
    at.run()
    at._finished_page_script_hash = ""
    return at.run()


def entry_app_test() -> AppTest:
    """Return an AppTest of ``app.py`` that runs the entry script on every rerun, as a browser
    session does (AppTest 1.67 otherwise reruns only the page a multipage app finished on, so the
    entry's sidebar and access box go missing; the same as ``tests/test_page_chat.py``'s)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    run_once = at._run
    runs = 0

    def run_from_entry(*args, **kwargs):
        nonlocal runs
        at._finished_page_script_hash = ""
        # A browser sends an open section's state (an expander's) with every run; AppTest does not
        # (its tree has no expander widgets), so the section would close on the next run.
        for key in keys.SECTIONS:
            if at.session_state.get(key):
                at.session_state[key] = True
        runs += 1
        if runs == 1:  # a browser's first screen asks for the next run (first_screen.py)
            run_once(*args, **kwargs)
            at._finished_page_script_hash = ""
        return run_once(*args, **kwargs)

    at._run = run_from_entry
    return at


# Tests that use one of these share a costly per-worker server (a PostgreSQL cluster: initdb and
# start take seconds under load), reached directly or through a parametrised fixture that asks for
# it at run time; they run on one worker so it starts once.
SHARED_SERVERS = {"postgres_url": ("postgres_url", "any_ledger", "server_chats")}


# A module's tests that share a fixture run in chunks of this many, in their written order, each
# chunk on one worker: the fixture is built once per chunk (an app server in ~1.5 s, an upstream
# in milliseconds) and a module of many slow tests is spread over several workers.
MODULE_CHUNK = 8


def xdist_group_of(item: pytest.Item) -> str | None:
    """Return the xdist group ``item`` must run in, or ``None`` if any worker may run it alone.

    A test that uses a fixture wider than one test (module-, class- or package-scoped: a shared
    app server, upstream or prepared corpus) runs with the rest of its module, so that fixture is
    built once; a test that needs a costly per-worker server (``SHARED_SERVERS``) runs with the
    other tests that need it. Every other test is independent and goes to whichever worker is
    free, so a module of many slow tests is spread over all workers instead of bounding the run.
    """
    names = set(getattr(item, "fixturenames", ()))
    for group, fixtures in SHARED_SERVERS.items():
        if names.intersection(fixtures):
            return group
    # pytest exposes a test's resolved fixture definitions only on this attribute.
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for defs in definitions.values():
        if any(d.scope in ("module", "class", "package") for d in defs):
            return item.nodeid.split("::")[0]
    return None


def expected_cost(item: pytest.Item) -> int:
    """Rank ``item`` by how long it is expected to take: 0 for a test given a longer timeout
    than the default, 1 for a browser test, 2 for an AppTest page, 3 for the rest."""
    marker = item.get_closest_marker("timeout")
    default = float(item.config.getoption("timeout", None) or 0)  # pytest-timeout's --timeout
    if marker and marker.args and float(marker.args[0]) > default:
        return 0
    if item.get_closest_marker("e2e"):
        return 1
    return 2 if Path(item.path).name.startswith("test_page_") else 3


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Iterator[None]:
    """Give each test its xdist group (``--dist loadgroup``, see ``xdist_group_of``, a module's
    in chunks of ``MODULE_CHUNK``; an explicit ``@pytest.mark.xdist_group`` wins), and put the
    slow tests first: xdist hands out groups of many tests first, then single tests in this
    order, so no long test starts last.

    A wrapper, because of the order: the groups must be marked before xdist's own hook turns
    them into node ids (``…@group``, what its scheduler reads: marked after it, no group is
    kept together), and the sort needs the ``e2e`` marks that tests/e2e/conftest.py adds.
    """
    counts: dict[str, int] = {}
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        group = xdist_group_of(item)
        if group is None:
            continue
        if group not in SHARED_SERVERS:
            index = counts[group] = counts.get(group, -1) + 1
            group = f"{group}#{index // MODULE_CHUNK}"
        item.add_marker(pytest.mark.xdist_group(group))
    yield
    items.sort(key=_rank_keeping_groups_whole(items))


def _rank_keeping_groups_whole(items: list[pytest.Item]) -> Callable[[pytest.Item], tuple]:
    """Return a sort key by ``expected_cost`` under which a group's tests stay side by side in
    their written order (ranked by their group's slowest), so a worker runs a group's tests one
    after another and builds its shared fixture once."""
    costs = {item.nodeid: expected_cost(item) for item in items}
    group_cost: dict[str, int] = {}
    for item in items:
        group = _group_name(item)
        if group:
            group_cost[group] = min(group_cost.get(group, costs[item.nodeid]), costs[item.nodeid])

    def key(item: pytest.Item) -> tuple[int, str]:
        group = _group_name(item)
        return (group_cost[group], group) if group else (costs[item.nodeid], "")

    return key


def _group_name(item: pytest.Item) -> str:
    mark = item.get_closest_marker("xdist_group")
    return str(mark.args[0]) if mark and mark.args else ""


def pytest_report_header() -> str:
    return f"kantu: corpus {CORPUS.relative_to(ROOT)}; CI={os.environ.get('CI', '')}"


# Browser tests get one retry (tests/e2e/conftest.py). A retry that passes is still a fault to
# fix: the summary prints each retried test's first failure, with what its pages showed.
_retried: list[pytest.TestReport] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.outcome == "rerun":  # type: ignore[comparison-overlap]  (pytest-rerunfailures')
        _retried.append(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for report in _retried:
        terminalreporter.write_sep("_", f"RETRIED {report.nodeid}: its first failure")
        terminalreporter.line(report.longreprtext)
        for title, text in report.sections:
            terminalreporter.write_sep("-", title)
            terminalreporter.line(text)
