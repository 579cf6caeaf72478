"""Browser-test fixtures: headless Chromium, the app server, and pages opened on it.

Fixtures (see ``harness.py`` for the helpers they use):

- ``browser`` (session): Debian's Chromium. Missing → skip locally, fail when ``CI`` is set.
- ``start_app(env=None, *, secrets_toml=None, script="app.py") -> App`` (per test): a fresh
  server; stopped at the end of the test. Only for what needs a server of its own (the first
  click after a start, a configuration one test uses): ~1.5 s each.
- ``start_module_app`` (per module): the same factory for a module-scoped fixture that several
  tests share (a second plain configuration beside ``app``).
- ``app`` (per module): one shared server built from the module-scoped ``app_env`` and
  ``app_secrets_toml`` fixtures; override those in a test module to change them.
- ``new_page(app, *, locale="zh-CN", viewport=(1280, 900), **context_args) -> Page`` (per
  test): a new browser context per page, opened on ``app.url`` and idle; closed after the test.

Every test under this directory is marked ``e2e`` (``pytest -m "not e2e"`` skips them), and
gets one retry (pytest-rerunfailures): four workers share two cores with Chromium and the
servers, and a wait that a busy machine stretches past its bound should not hide every other
result. A retried test still counts: the run's summary lists it as ``rerun``, and its first
failure is reported with what its pages showed (``page_diagnostics``), so it can be fixed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from components.devtools.browser import (
    CHROMIUM,
    App,
    AppStartError,
    launch_browser,
    open_page,
    page_diagnostics,
)
from components.devtools.browser import start_app as _start_app
from components.devtools.upstream import FakeUpstream

HERE = Path(__file__).resolve().parent

StartApp = Callable[..., App]
NewPage = Callable[..., Page]


RETRIES = 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.flaky(reruns=RETRIES))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """Attach what the test's pages show to a failed test's report (they are still open)."""
    report: pytest.TestReport = yield
    factory = getattr(item, "funcargs", {}).get("new_page")
    if report.when == "call" and report.failed and isinstance(factory, PageFactory):
        for number, page in enumerate(factory.pages):
            report.sections.append((f"page {number}", page_diagnostics(page)))
        server = item.funcargs.get("app")  # type: ignore[attr-defined]
        if isinstance(server, App):
            report.sections.append(("app server log (end)", server.logs()[-3000:]))
    return report


# Retrying assertions wait up to this long (Playwright's default is 5 s). A generous bound that
# only catches what never happens: four workers share two cores with Chromium and the servers,
# so a screen that is drawn in 1 s alone can take several under load. No test measures speed.
EXPECT_TIMEOUT_MS = 20_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium shared by the session; each page gets its own context."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing and CI is set: browser tests must run in CI "
                "(apt-get install chromium fonts-noto-cjk)",
                pytrace=False,
            )
        pytest.skip("Debian chromium not installed: apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


class _Servers:
    """Start servers and remember them, so teardown stops every one."""

    def __init__(self) -> None:
        self.apps: list[App] = []

    def start(
        self,
        env: dict[str, str] | None = None,
        *,
        secrets_toml: str | None = None,
        script: str = "app.py",
    ) -> App:
        try:
            app = _start_app(env, secrets_toml=secrets_toml, script=script)
        except AppStartError as exc:
            pytest.fail(str(exc), pytrace=False)
        self.apps.append(app)
        return app

    def stop_all(self) -> None:
        for app in self.apps:
            app.stop()


@pytest.fixture
def start_app() -> Iterator[StartApp]:
    """Factory: ``start_app(env=None, *, secrets_toml=None, script="app.py") -> App``.

    Every server it started is stopped after the test.
    """
    servers = _Servers()
    yield servers.start
    servers.stop_all()


@pytest.fixture(scope="module")
def start_module_app() -> Iterator[StartApp]:
    """Factory like ``start_app`` for a module-scoped fixture: a server in another plain
    configuration (no key, a probe script) that several tests of the module share; stopped when
    the module ends."""
    servers = _Servers()
    yield servers.start
    servers.stop_all()


@pytest.fixture(scope="module")
def app_env() -> dict[str, str]:
    """Environment overrides for the module's shared ``app``; override in a test module."""
    return {}


@pytest.fixture(scope="module")
def up() -> Iterator[FakeUpstream]:
    """The module's fake upstream: a real SSE server on 127.0.0.1."""
    with FakeUpstream() as fake:
        yield fake


@pytest.fixture(scope="module")
def operator_env(up: FakeUpstream) -> dict[str, str]:
    """An operator's configuration pointing at ``up`` with the key ``test-key``.

    A test module uses it for its shared ``app`` by overriding ``app_env`` to return it.
    """
    return {"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": "test-key"}


@pytest.fixture(scope="module")
def app_secrets_toml() -> str | None:
    """Secrets for the module's shared ``app``; ``None`` (default) writes no secrets file."""
    return None


@pytest.fixture(scope="module")
def app(app_env: dict[str, str], app_secrets_toml: str | None) -> Iterator[App]:
    """One server shared by the tests of a module (for tests that need no fresh one)."""
    servers = _Servers()
    yield servers.start(app_env, secrets_toml=app_secrets_toml)
    servers.stop_all()


class PageFactory:
    """``new_page(app, *, locale="zh-CN", viewport=(1280, 900)) -> Page``, idle; keeps its pages."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.pages: list[Page] = []

    def __call__(
        self,
        app: App,
        *,
        locale: str = "zh-CN",
        viewport: tuple[int, int] = (1280, 900),
        **context_args: object,
    ) -> Page:
        page = open_page(self.browser, app, locale=locale, viewport=viewport, **context_args)
        self.pages.append(page)
        return page


@pytest.fixture
def new_page(browser: Browser) -> Iterator[NewPage]:
    """Factory: ``new_page(app, *, locale="zh-CN", viewport=(1280, 900)) -> Page``, idle."""
    factory = PageFactory(browser)
    yield factory
    for page in factory.pages:
        page.context.close()
