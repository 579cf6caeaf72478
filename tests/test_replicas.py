"""Two replicas behind a load balancer on one PostgreSQL ledger, as compose.yaml runs them.

The setup of docs/scaling.md without Docker: a real PostgreSQL (``tests/postgres.py``), two
``streamlit run app.py`` servers on free ports with the same cookie secret, ledger salt and
``[connections.kantu_ledger]``, and HAProxy in front with ``deploy/haproxy.cfg`` (the file
compose.yaml mounts: round robin, no stickiness). Each replica gets its own loopback upstream
whose answer names the replica, so a page shows which replica served it.

HAProxy reaches the replicas from 127.0.0.2 (``LB_SOURCE``: Streamlit reports 127.0.0.1 as no
address), which they trust (``KANTU_TRUSTED_PROXIES``) to say who it serves. Every browser here
connects from 127.0.0.1, so that address is trusted too, standing for an outer proxy (a CDN) in
front of the balancer: the ``X-Forwarded-For`` a test's browser sends plays the CDN's. Uvicorn's
own trust of loopback (``FORWARDED_ALLOW_IPS``) is turned off, as a replica's visitors are not on
its machine in production.

HAProxy and Chromium are Debian packages (``.ci/run`` installs them): without them the tests are
skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import contextlib
import ctypes
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine, inspect, text

from components.devtools.browser import (
    CHROMIUM,
    POLL_MS,
    STORE_LOADS_JS,
    App,
    launch_browser,
    send_prompt,
    start_app,
    wait_for_idle,
)
from components.devtools.upstream import FakeUpstream, sse
from components.hosting.ledger import TABLE, TRIES_TABLE
from components.i18n import t
from components.settings_source import read_secrets_files, secrets_files
from components.ui.access import SQL_CONNECTION
from tests.postgres import unavailable

# Starting PostgreSQL, two servers and the balancer, then several pages: more than the default.
pytestmark = pytest.mark.timeout(600)

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
HOST = "127.0.0.1"
DAILY = 2
COOKIE_SECRET = "replica-test-cookie-secret-0123456789abcdef"
SALT = "replica-test-ledger-salt-0123456789"
ADMIN_CODE = "replica-test-operator-code"
LB_SOURCE = "127.0.0.2"
OUTER_PROXY = HOST  # where every browser comes from: trusted like a CDN in front of HAProxy
USED_UP = re.compile("questions for today are used up")
ANSWER = re.compile(r"Answer from replica ([AB])\.")
ANSWER_TIMEOUT_MS = 90_000
IDLE_TIMEOUT_MS = 90_000  # two replicas, HAProxy and Chromium share a busy machine
LB_START_TIMEOUT_S = 30.0
# Records that the page lost its connection, however quickly it reconnects afterwards.
WATCH_DISCONNECT = """() => {
  window.kantuDisconnected = false;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute("data-test-connection-state") !== "CONNECTED") {
      window.kantuDisconnected = true;
    }
  }).observe(app, {attributes: true, attributeFilter: ["data-test-connection-state"]});
}"""


@dataclass
class Site:
    """The replicas (A, B), their upstreams, and the load balancer's address and runtime API."""

    apps: dict[str, App]
    upstreams: dict[str, FakeUpstream]
    lb_url: str
    admin_socket: Path

    def admin(self, command: str) -> str:
        """Send one command to HAProxy's runtime API; return its answer."""
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(10)
            conn.connect(str(self.admin_socket))
            conn.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """Have the kernel stop HAProxy if the test process dies without its teardown (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "_stcore/health", timeout=2) as reply:
            return reply.read().strip() == b"ok"
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(postgres_url: str) -> Iterator[Site]:
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if haproxy is None:
        unavailable("HAProxy is not installed (apt-get install haproxy)")
    assert haproxy is not None
    secrets = f'[KANTU_LIMITS]\ndaily_requests = {DAILY}\n[connections.kantu_ledger]\nurl = "{postgres_url}"\n'
    upstreams: dict[str, FakeUpstream] = {}
    apps: dict[str, App] = {}
    lb: subprocess.Popen[bytes] | None = None
    scratch = Path(tempfile.mkdtemp(prefix="kantu-lb-"))  # short: a Unix socket path is < 108
    try:
        for name in "AB":
            upstreams[name] = FakeUpstream(default=sse([f"Answer from replica {name}."])).start()
        for name in "AB":
            env = {
                "KANTU_BASE_URL": upstreams[name].base_url,
                "KANTU_API_KEY": "test-key",
                "KANTU_LEDGER_SALT": SALT,
                "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
                "KANTU_ADMIN_CODE": ADMIN_CODE,
                "KANTU_TRUSTED_PROXIES": f"{LB_SOURCE}, {OUTER_PROXY}",
                # Streamlit's server (uvicorn) believes X-Forwarded-For from 127.0.0.1 itself;
                # a replica's visitors are not on its loopback in production (compose.yaml)
                "FORWARDED_ALLOW_IPS": "",
            }
            apps[name] = start_app(env, secrets_toml=secrets)
        port = _free_port()
        lb_env = {
            **os.environ,
            "LB_BIND": f"{HOST}:{port}",
            "APP1_ADDR": f"{HOST}:{apps['A'].port}",
            "APP2_ADDR": f"{HOST}:{apps['B'].port}",
            "LB_ADMIN_SOCKET": str(scratch / "admin.sock"),
            "LB_SOURCE": LB_SOURCE,
        }
        log = open(scratch / "haproxy.log", "w+b")  # noqa: SIM115 - closed with the scratch dir
        lb = subprocess.Popen(
            [haproxy, "-db", "-f", str(HAPROXY_CONFIG)],
            env=lb_env,
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        lb_url = f"http://{HOST}:{port}/"
        deadline = time.monotonic() + LB_START_TIMEOUT_S
        while not _healthy(lb_url):
            if lb.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"HAProxy did not come up: {log.read().decode(errors='replace')}")
            time.sleep(0.1)
        yield Site(apps, upstreams, lb_url, scratch / "admin.sock")
    finally:
        if lb is not None:
            lb.terminate()
            lb.wait(timeout=10)
        for app in apps.values():
            app.stop()
        for upstream in upstreams.values():
            upstream.stop()
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def empty_ledger(site: Site, postgres_url: str) -> None:
    """Start the test with no rows in the shared ledger (the day's count at zero)."""
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as db:
            for table in (TABLE, TRIES_TABLE):
                if inspect(db).has_table(table):
                    db.execute(text(f"DELETE FROM {table}"))
    finally:
        engine.dispose()


def ledger_outcomes(postgres_url: str) -> list[str]:
    """Return the outcomes of the shared ledger's rows, oldest first."""
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as db:
            result = db.execute(text(f"SELECT outcome FROM {TABLE} ORDER BY started"))
            return [str(outcome) for (outcome,) in result]
    finally:
        engine.dispose()


def open_at(browser: Browser, url: str, forwarded_for: str | None = None) -> Page:
    """Open the app at ``url`` in a fresh browser context (a new visitor), idle; the visitor
    sends ``X-Forwarded-For: forwarded_for`` when given."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}, extra_http_headers=headers
    )
    page = context.new_page()
    page.goto(url)
    wait_for_idle(page, IDLE_TIMEOUT_MS)
    return page


def _text_of(content: str | list[dict]) -> str:
    """Return a request message's text (its content is a string or a list of parts)."""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if part.get("type") == "text")


def answering_replica(page: Page) -> str:
    """Wait for an answer on ``page``; return the replica ("A" or "B") whose upstream gave it."""
    answer = page.get_by_text(ANSWER).last
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    found = ANSWER.search(answer.inner_text())
    assert found is not None
    return found.group(1)


def test_the_balancer_gzips_the_pages_scripts_for_a_browser_that_asks(site: Site) -> None:
    """Streamlit sends its scripts uncompressed; through the balancer a browser that asks gets
    them gzipped (about half the bytes), and the same script once unpacked."""
    with urllib.request.urlopen(site.lb_url, timeout=10) as reply:
        index = reply.read().decode()
    found = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', index)
    assert found is not None, index[:500]
    script = found.group(1)
    with urllib.request.urlopen(site.apps["A"].url + script, timeout=10) as reply:
        assert reply.headers.get("Content-Encoding") is None  # Streamlit's own: uncompressed
        plain = reply.read()
    asked = urllib.request.Request(site.lb_url + script, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(asked, timeout=10) as reply:
        assert reply.headers.get("Content-Encoding") == "gzip"
        packed = reply.read()
    assert gzip.decompress(packed) == plain
    assert len(packed) < 0.6 * len(plain)  # Debian's HAProxy (libslz, fast): about 0.47


def test_the_daily_limit_counts_requests_through_every_replica(
    site: Site, browser: Browser, empty_ledger: None, postgres_url: str
) -> None:
    pages = []
    try:
        for name in "AB":  # the day's two questions: one on each replica
            page = open_at(browser, site.apps[name].url)
            pages.append(page)
            send_prompt(page, "What is this?")
            assert answering_replica(page) == name
        # The next is refused on either replica, and through the load balancer.
        pages.append(open_at(browser, site.lb_url))
        for page in pages:
            send_prompt(page, "And this?")
            expect(page.get_by_text(USED_UP)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    finally:
        for page in pages:
            page.context.close()
    assert [len(site.upstreams[name].requests) for name in "AB"] == [1, 1]
    assert len(ledger_outcomes(postgres_url)) == DAILY  # one ledger holds both replicas' rows
    # one salt for both (KANTU_LEDGER_SALT): neither replica made one of its own
    assert not [salt for app in site.apps.values() for salt in app.home.rglob("*.salt")]


def test_a_visitor_reconnects_to_the_other_replica_and_the_chat_goes_on_there(
    site: Site, browser: Browser, empty_ledger: None
) -> None:
    page = open_at(browser, site.lb_url)
    drained = ""
    try:
        send_prompt(page, "What is this?")
        first = answering_replica(page)
        other = "B" if first == "A" else "A"
        drained = f"replicas/app{'AB'.index(first) + 1}"
        # the replica goes out of rotation and its connections are cut (a redeploy, a crash)
        site.admin(f"disable server {drained}")
        loads_before = page.evaluate(STORE_LOADS_JS)
        page.evaluate(WATCH_DISCONNECT)
        site.admin(f"shutdown sessions server {drained}")
        page.wait_for_function("window.kantuDisconnected === true", polling=POLL_MS)
        wait_for_idle(
            page, IDLE_TIMEOUT_MS
        )  # reconnected through the load balancer: to the other replica
        # The chat came back from the visitor's browser store: the other replica shows it and
        # sends it as the history of the next question (no sticky sessions needed for that).
        page.wait_for_function(
            f"({STORE_LOADS_JS})() > {loads_before}", timeout=IDLE_TIMEOUT_MS, polling=POLL_MS
        )
        wait_for_idle(page, IDLE_TIMEOUT_MS)
        messages = page.get_by_test_id("stChatMessage")
        expect(messages.filter(has_text=f"Answer from replica {first}.")).to_have_count(
            1, timeout=ANSWER_TIMEOUT_MS
        )
        send_prompt(page, "And now?")
        expect(page.get_by_text(f"Answer from replica {other}.")).to_be_visible(
            timeout=ANSWER_TIMEOUT_MS
        )
        sent = site.upstreams[other].requests[-1].json["messages"]
        texts = [_text_of(message["content"]) for message in sent if message["role"] != "system"]
        assert texts == ["What is this?", f"Answer from replica {first}.", "And now?"]
    finally:
        if drained:
            site.admin(f"enable server {drained}")
        page.context.close()


WRONG_CODE = t("admin.wrong_code", "en")  # the operator page names its own code (issue 21, point 5)
MUST_WAIT = re.compile(re.escape(t("hosting.try_again_in", "en")).replace(r"\{seconds\}", r"\d+"))


def wrong_operator_code(page: Page) -> None:
    """Type a wrong operator code on the operator page and wait for it to be judged."""
    field = page.get_by_label(t("admin.code_label", "en"), exact=True)
    field.fill("not-the-operator-code")
    form = page.get_by_test_id("stForm").filter(has=field)
    form.get_by_role("button", name=t("hosting.unlock", "en")).click()
    wait_for_idle(page, IDLE_TIMEOUT_MS)


def test_visitors_behind_the_balancer_are_throttled_by_their_own_address(
    site: Site, browser: Browser, empty_ledger: None
) -> None:
    first, second = "203.0.113.7", "198.51.100.9"
    guesser = open_at(browser, site.lb_url + "admin", forwarded_for=first)
    pages = [guesser]
    try:
        for _ in range(2):  # the free tries; the next must wait
            wrong_operator_code(guesser)
        # The wait shows while it lasts: 1 s after the free tries, then 2, 4, 8 s after each
        # wrong code. On busy cores the page can be drawn after a 1-s wait is over; a few more
        # wrong codes make it long enough to be seen (how many are free: tests/test_throttle.py).
        for _ in range(4):
            if guesser.get_by_text(MUST_WAIT).count():
                break
            wrong_operator_code(guesser)
        expect(guesser.get_by_text(MUST_WAIT)).to_be_visible()
        # another address through the balancer (the guesser's written left of it does not win):
        # its first wrong code is compared, no wait
        other = open_at(browser, site.lb_url + "admin", forwarded_for=first + ", " + second)
        pages.append(other)
        wrong_operator_code(other)
        expect(other.get_by_text(WRONG_CODE)).to_be_visible()
        expect(other.get_by_text(MUST_WAIT)).to_have_count(0)
        # the guesser's address sent straight to a replica (not through the trusted balancer):
        # not believed, so not the guesser's bucket (else this third wrong code would wait)
        spoofer = open_at(browser, site.apps["A"].url + "admin", forwarded_for=first)
        pages.append(spoofer)
        wrong_operator_code(spoofer)
        expect(spoofer.get_by_text(WRONG_CODE)).to_be_visible()
        expect(spoofer.get_by_text(MUST_WAIT)).to_have_count(0)
    finally:
        for page in pages:
            page.context.close()


# The container setup (checked without Docker: the files it reads, and the entrypoint run here).
COMPOSE = ROOT / "compose.yaml"
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
SHARED_BY_REPLICAS = ("KANTU_LEDGER_URL", "KANTU_LEDGER_SALT", "STREAMLIT_SERVER_COOKIE_SECRET")


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_runs_two_identical_replicas_behind_the_load_balancer() -> None:
    services = _compose()["services"]
    apps = {name: s for name, s in services.items() if s.get("build")}
    assert len(apps) >= 2
    environments = [s["environment"] for s in apps.values()]
    assert all(env == environments[0] for env in environments)  # one configuration everywhere
    assert set(SHARED_BY_REPLICAS) <= set(environments[0])
    assert "@db:" in environments[0]["KANTU_LEDGER_URL"]  # the compose file's PostgreSQL
    # every secret comes from the environment, never written in the file
    for name in ("KANTU_API_KEY", "KANTU_LEDGER_SALT", "STREAMLIT_SERVER_COOKIE_SECRET"):
        assert environments[0][name].startswith("${"), name
    lb = services["lb"]
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in lb["volumes"]
    addresses = {lb["environment"]["APP1_ADDR"], lb["environment"]["APP2_ADDR"]}
    assert {address.split(":")[0] for address in addresses} == set(list(apps)[:2])
    assert services["db"]["image"].startswith("postgres:")


def test_the_image_runs_as_a_user_with_a_health_check_on_the_lock() -> None:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    assert next(line for line in lines if line.startswith("FROM ")) == "FROM python:3.11-slim"
    assert "RUN pip install -r requirements.txt" in lines
    # the app's own modules compiled while building: the app's user cannot write their bytecode
    assert any("python -m compileall -q components" in line for line in lines)
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    start = next(i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK"))
    health = "\n".join(lines[start : start + 2])  # the instruction and its continued line
    assert "/_stcore/health" in health
    assert ".streamlit/secrets.toml" in (ROOT / ".dockerignore").read_text().splitlines()


def test_the_containers_ledger_url_becomes_the_kantu_ledger_connection(tmp_path: Path) -> None:
    url = 'postgresql+psycopg2://kantu:p"a\\ss é@db:5432/kantu'
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "KANTU_LEDGER_URL": url}
    done = subprocess.run(
        [str(ENTRYPOINT), sys.executable, "-c", "print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "started"  # the command runs after the secrets are written
    written = tmp_path / ".streamlit" / "secrets.toml"
    assert written.stat().st_mode & 0o077 == 0  # owner-only: it holds the database password
    # read the way the app's secrets are read (Streamlit's default user secrets file)
    secrets = read_secrets_files(secrets_files(tmp_path / "elsewhere", tmp_path))
    assert secrets["connections"][SQL_CONNECTION]["url"] == url
