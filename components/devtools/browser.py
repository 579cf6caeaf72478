"""Start the Kantu app and a headless Chromium for browser tests and screenshots.

Shared by ``conftest.py`` (pytest fixtures) and ``screenshot.py`` (a command-line tool), so it
never imports pytest. Everything here stays on loopback: the server listens on 127.0.0.1 and
Chromium runs with its background networking switched off.

Isolation: every server gets its own temporary directory holding a fresh ``HOME`` (so a
developer's ``~/.streamlit`` config and secrets, and ``~/.kantu``'s ledger, are never read or
written) and the only secrets location Streamlit is given (``--secrets.files``). By default no
secrets file is written at all, so the app's "no secrets" path is what runs. Inherited
``STREAMLIT_*`` and ``KANTU_*`` variables are dropped for the same reason (a developer's key or
ledger path never reaches a test server: only what the caller passes in ``env`` does), and
``NO_PROXY=*`` keeps the server's calls to a fake upstream on 127.0.0.1 off any proxy the
developer has configured.

Ports: the server binds port 0 (the kernel picks a free one, so servers started at once by
parallel test workers never race for a port) and its printed URL says which it got.
"""

from __future__ import annotations

import base64
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from playwright.sync_api import (
    Browser,
    BrowserType,
    ConsoleMessage,
    FilePayload,
    Locator,
    Page,
    Playwright,
    WebSocket,
    WebSocketRoute,
    expect,
)

from components.i18n import Lang, t
from components.ui import state_keys as keys
from components.ui.sidebar import LANG_LABELS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium keeps calling home on a closed network.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
IDLE_TIMEOUT_MS = 30_000
# How often a page-side wait looks. Playwright's default looks every frame, which keeps a page
# drawing frames while it waits: 8 % of a core, against 1.5 % at 100 ms.
POLL_MS = 100
STOP_GRACE_S = 5.0
# what ``streamlit run`` prints once it listens (with --server.port 0: the port it was given)
LISTENING = re.compile(r"URL: http://127\.0\.0\.1:(\d+)")
APP_SELECTOR = '[data-testid="stApp"]'
EXCEPTION_SELECTOR = '[data-testid="stException"]'
# Chromium's built-in test camera (a moving pattern) and an automatic "allow" for it.
FAKE_CAMERA_ARGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
SKELETON_SELECTOR = '[data-testid="stSkeleton"]'
# st.chat_input(accept_file=...) renders a hidden <input type=file> inside its upload button;
# set_input_files() on it attaches files exactly as the file chooser does.
CHAT_INPUT_SELECTOR = keys.CHAT_INPUT_SELECTOR
FIRST_SCREEN_SELECTOR = f".st-key-{keys.FIRST_SCREEN}"  # gone once the settings are drawn
# A run has started and ended on this page (Streamlit marks each change of its script-run state
# on the page's performance timeline): before it, the page holds none of its elements yet.
RAN_JS = """() => {
  const runs = performance.getEntriesByType("mark")
    .filter((m) => m.name === "running" || m.name === "notRunning");
  const started = runs.findIndex((m) => m.name === "running");
  return started >= 0 && runs.slice(started).some((m) => m.name === "notRunning");
}"""
CHAT_FILE_INPUT_SELECTOR = keys.CHAT_FILE_INPUT_SELECTOR


class AppStartError(RuntimeError):
    """Raised when the Streamlit server exits or is not healthy within the timeout.

    The message ends with everything the server printed.
    """


def launch_browser(playwright: Playwright | BrowserType, extra_args: Sequence[str] = ()) -> Browser:
    """Launch Debian's headless Chromium; raise FileNotFoundError when it is not installed.

    ``extra_args`` are added to the usual switches (e.g. ``FAKE_CAMERA_ARGS``). A ``BrowserType``
    (``browser.browser_type``) launches a second Chromium from a Playwright already running.
    """
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} not found: apt-get install chromium fonts-noto-cjk")
    chromium = playwright if isinstance(playwright, BrowserType) else playwright.chromium
    return chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


@dataclass
class App:
    """A running ``streamlit run app.py`` server; ``stop()`` ends it and removes its temp dir."""

    url: str
    port: int
    home: Path
    secrets_file: Path
    env: dict[str, str] = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False)
    _log: IO[bytes] = field(repr=False)
    _tmp: Path = field(repr=False)

    def logs(self) -> str:
        """Return everything the server has printed so far (stdout and stderr interleaved)."""
        self._log.flush()
        with open(self._log.name, "rb") as log:
            return log.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 5 s) and delete its temp dir."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self._log.closed:
            self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


def _die_with_parent() -> None:
    """Linux: have the kernel SIGTERM the server if the test process dies without teardown."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _server_env(home: Path, overrides: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "KANTU_"))}
    env.update(HOME=str(home), PYTHONUNBUFFERED="1", NO_PROXY="*", no_proxy="*")
    env.update(overrides or {})
    return env


def _is_healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=1) as resp:
            return resp.read().strip() == b"ok"
    except (OSError, urllib.error.URLError):
        return False


def start_app(
    env: dict[str, str] | None = None,
    *,
    secrets_toml: str | None = None,
    script: str = "app.py",
    timeout: float = START_TIMEOUT_S,
    port: int = 0,
) -> App:
    """Start ``streamlit run <script>`` from the repo root on a free port and wait for health.

    ``env`` adds to (or overrides) the server's environment. ``secrets_toml`` is written to the
    server's only secrets location; ``None`` writes nothing. ``port`` 0 picks a free one; give
    a stopped server's port to start it again at the same address (the same browser origin).
    Raises AppStartError.
    """
    tmp = Path(tempfile.mkdtemp(prefix="kantu-e2e-"))
    home = tmp / "home"
    home.mkdir()
    secrets_file = tmp / "secrets.toml"
    if secrets_toml is not None:
        secrets_file.write_text(secrets_toml, encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        HOST,
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--global.developmentMode",
        "false",
        "--secrets.files",
        str(secrets_file),
    ]
    server_env = _server_env(home, env)
    # A file, not a pipe: a chatty server could fill a pipe nobody reads and hang.
    log = open(tmp / "server.log", "w+b")  # noqa: SIM115 - closed by App.stop()
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=server_env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    app = App(
        url="",
        port=0,
        home=home,
        secrets_file=secrets_file,
        env=server_env,
        process=process,
        _log=log,
        _tmp=tmp,
    )
    deadline = time.monotonic() + timeout
    while not (app.port and _is_healthy(app.port)):
        if process.poll() is not None or time.monotonic() > deadline:
            why = (
                f"exited with code {process.returncode}"
                if process.poll() is not None
                else f"not healthy after {timeout:g} s"
            )
            output = app.logs()
            app.stop()
            raise AppStartError(
                f"streamlit server {why}\n$ {' '.join(cmd)}\n--- output ---\n{output}"
            )
        if not app.port and (listening := LISTENING.search(app.logs())):
            app.port = int(listening.group(1))
            app.url = f"http://{HOST}:{app.port}/"
        time.sleep(0.05)
    return app


def shots_dir(name: str) -> Path:
    """Return where browser tests save screenshots of ``name`` for a person to look at.

    ``$KANTU_SHOTS/<name>`` when that is set (to keep them), else ``~/shots/<name>``: under the
    test run, ``HOME`` is each worker's own temporary directory (tests/conftest.py), so parallel
    workers and parallel runs never write the same file. Created when missing.
    """
    root = Path(os.environ.get("KANTU_SHOTS") or Path.home() / "shots")
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


_console_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


def watch_console(page: Page) -> list[str]:
    """Start recording the page's console errors and uncaught exceptions; return the live list."""
    errors = _console_errors.setdefault(page, [])

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return errors


def console_errors(page: Page) -> list[str]:
    """Return the console errors recorded for a page opened by ``open_page`` (live list)."""
    return _console_errors.setdefault(page, [])


# What a failed browser test's page showed: where it was, Streamlit's connection and run state,
# the marks Kantu sets on <html>, what the browser keeps, and the end of the visible text.
DIAGNOSTICS_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const kept = {};
  try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i);
    kept[k] = (localStorage.getItem(k) || "").slice(0, 80); } } catch (e) { kept.error = String(e); }
  const marks = performance.getEntriesByType("mark").slice(-12)
    .map((m) => `${m.name}@${Math.round(m.startTime)}`);
  return JSON.stringify({
    url: location.href, connection: app?.dataset.testConnectionState,
    script: app?.dataset.testScriptState, html: {...document.documentElement.dataset},
    background: app ? getComputedStyle(app).backgroundColor : null, localStorage: kept, marks,
    text: document.body.innerText.slice(-1500),
  }, null, 1);
}"""


def page_diagnostics(page: Page) -> str:
    """Describe the state of ``page`` for a failed test's report (never raises)."""
    try:
        if page.is_closed():
            return "(closed)"
        errors = console_errors(page)
        return f"{page.evaluate(DIAGNOSTICS_JS)}\nconsole errors: {errors[-10:]}"
    except Exception as exc:  # a crashed page or browser: say so, keep the original failure
        return f"(could not read the page: {exc!r})"


def wait_for_idle(page: Page, timeout: float = IDLE_TIMEOUT_MS) -> None:
    """Wait until the app is connected, no script run is in progress and nothing is loading.

    Streamlit lazy-loads some widgets (the chat input among them): the script can be finished
    while such a widget is still a grey ``stSkeleton`` box, so wait for those to go too. A new
    session's first screen asks for the run that draws the settings (components/ui/
    first_screen.py): wait until that run has replaced it. Content that changes later (a
    stream, a toast) still needs its own ``expect()``.
    """
    app = page.locator(APP_SELECTOR)
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    page.wait_for_function(RAN_JS, timeout=timeout, polling=POLL_MS)  # the page's first run
    expect(page.locator(FIRST_SCREEN_SELECTOR)).to_have_count(0, timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.locator(SKELETON_SELECTOR)).to_have_count(0, timeout=timeout)


# How many chats the page's browser store has loaded (components/ui/frontend/browser_store.js
# marks each on the performance timeline).
STORE_LOADS_JS = "() => performance.getEntriesByName('kantu-store-loaded').length"
SETTLED_QUIET_MS = 500
# Streamlit marks each change of its script-run state on the page's performance timeline.
QUIET_JS = """
(quiet) => {
  const runs = performance.getEntriesByType("mark")
    .filter((m) => m.name === "running" || m.name === "notRunning");
  const last = runs.length ? runs[runs.length - 1] : null;
  return last !== null && last.name === "notRunning" && performance.now() - last.startTime > quiet;
}
"""


def wait_for_settled(page: Page, timeout: float = IDLE_TIMEOUT_MS) -> None:
    """Wait for idle (``wait_for_idle``), then until no run has started or ended for 0.5 s.

    A run can follow an idle page unasked: the browser store's report, a widget's late
    value. Before a click whose target a rerun replaces (a download button's deferred file is
    registered again on each run, and the old one dropped), wait for this instead.
    """
    wait_for_idle(page, timeout)
    page.wait_for_function(QUIET_JS, arg=SETTLED_QUIET_MS, timeout=timeout, polling=POLL_MS)
    wait_for_idle(page, timeout)


# Python has heard the browser store's last report (it names the reports it heard in the store's
# data; a report it never heard is sent again).
STORE_ANSWERED_JS = """() => {
  const store = document.querySelector('[data-testid="stApp"]')?.__kantuStore;
  return Boolean(store?.reports) && store.heard.includes(store.reports);
}"""


# The browser store has written every batch Python sent it (its acknowledgement is owed until a
# question or a click carries it).
STORE_APPLIED_JS = """() => {
  const status = document.querySelector('[data-testid="stApp"]')?.__kantuStore?.status;
  return Boolean(status) && status.acked === status.seq;
}"""


def wait_for_store(page: Page) -> None:
    """Wait until Python has heard the browser store's last report to this page's session (its
    list or a loaded chat) and the run that took it is drawn.

    A report Python never heard is sent again 2 s later (browser_store.js): a page that was
    merely quiet for half a second may still have that run to come.
    """
    page.wait_for_function(STORE_ANSWERED_JS, polling=POLL_MS)
    wait_for_settled(page)


ANIMATIONS_WAIT_MS = 3000
FINITE_ANIMATIONS_JS = """
(limit) => Promise.race([
  Promise.all(
    document.getAnimations()
      .filter((a) => a.playState === "running" && a.effect?.getTiming().iterations !== Infinity)
      .map((a) => a.finished.catch(() => null))
  ),
  new Promise((done) => setTimeout(done, limit)),
])
"""


def wait_for_animations(page: Page) -> None:
    """Wait until every finite CSS transition and animation on the page has finished.

    Streamlit fades elements while a run redraws them; a colour measured mid-fade (axe's
    contrast check, a screenshot) is neither the old nor the new one. Endless animations (a
    spinner, the thinking dots) are not waited for, and nothing longer than 3 s (one that a
    busy page keeps restarting).
    """
    page.evaluate(FINITE_ANIMATIONS_JS, ANIMATIONS_WAIT_MS)


def assert_no_exception(page: Page) -> None:
    """Assert that no Streamlit exception box (a traceback shown to the user) is on the page."""
    expect(page.locator(EXCEPTION_SELECTOR)).to_have_count(0)


def wait_for_store_report(page: Page) -> None:
    """On a page whose browser store has not been heard yet, wait until it has (``wait_for_store``);
    once it has, wait for nothing."""
    store = page.locator(f".st-key-{keys.BROWSER_STORE}")
    if store.count() and not page.evaluate(STORE_ANSWERED_JS):
        wait_for_store(page)


def attach_files(page: Page, files: FilePayload | Path | list[FilePayload] | list[Path]) -> None:
    """Attach files to the chat input and wait until each has a chip and none is uploading.

    First, as ``send_prompt`` does, the browser store's first report is let through
    (``wait_for_store_report``): once under CI load, a photo attached in the moment that
    report's run redrew the page showed no chip in 20 s (not reproduced since).
    ``files`` are paths or Playwright payloads ``{"name", "mimeType", "buffer"}``. A chip that
    failed to upload shows ``stFileChipIconError``; the caller asserts on that if it matters.
    """
    wait_for_store_report(page)
    chat = page.locator(CHAT_INPUT_SELECTOR)
    chips = chat.get_by_test_id("stFileChip")
    before = chips.count()
    page.locator(CHAT_FILE_INPUT_SELECTOR).set_input_files(files)
    added = len(files) if isinstance(files, list) else 1
    expect(chips).to_have_count(before + added)
    # The send button stays disabled (and Enter does nothing) while any upload is running.
    expect(chat.get_by_test_id("stFileChipIconSpinner")).to_have_count(0)


# Files built in the page from base64, then the events a person's drag or paste would send, each
# in a task of its own (as a real drag's are: the page redraws between them) and, for a drag, to
# whatever is under the pointer at the element's centre then (the page may change under a drag).
_FILE_EVENTS_JS = """
async (element, { files, events }) => {
  const transfer = new DataTransfer();
  for (const file of files) {
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], file.name, { type: file.mimeType }));
  }
  const box = element.getBoundingClientRect();
  const at = { clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
  const init = { bubbles: true, cancelable: true, composed: true };
  for (const type of events) {
    const under = type === "paste" ? element : document.elementFromPoint(at.clientX, at.clientY);
    (under || element).dispatchEvent(
      type === "paste"
        ? new ClipboardEvent(type, { ...init, clipboardData: transfer })
        : new DragEvent(type, { ...init, ...at, dataTransfer: transfer })
    );
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  }
}
"""


def _file_events(target: Locator, files: list[FilePayload], events: Sequence[str]) -> None:
    payload = [
        {
            "name": f["name"],
            "mimeType": f["mimeType"],
            "data": base64.b64encode(f["buffer"]).decode("ascii"),
        }
        for f in files
    ]
    target.evaluate(_FILE_EVENTS_JS, {"files": payload, "events": list(events)})


def drag_files_over(target: Locator, files: list[FilePayload]) -> None:
    """Drag ``files`` over ``target``'s centre (dragenter, dragover) without dropping them."""
    _file_events(target, files, ("dragenter", "dragover"))


def drop_files(target: Locator, files: list[FilePayload]) -> None:
    """Drag ``files`` onto ``target``'s centre and drop them there, as a person dragging from a
    folder would (the events go to what is under the pointer there)."""
    _file_events(target, files, ("dragenter", "dragover", "drop"))


def paste_files(target: Locator, files: list[FilePayload]) -> None:
    """Paste ``files`` (a clipboard holding them, as after copying a picture) into ``target``."""
    _file_events(target, files, ("paste",))


def send_prompt(page: Page, text: str) -> None:
    """Type ``text`` into the chat input and send it once the send button is enabled.

    On a page whose browser store has not answered yet, first wait until it has
    (``wait_for_store``): under load, a question sent while Streamlit loses the store's report
    can be lost with it, and it then comes back to the input instead of being asked (that
    recovery is tests/e2e/test_reading.py's own subject). Once it has, nothing is waited for (a
    question typed while an answer streams).
    """
    wait_for_store_report(page)
    chat = page.locator(CHAT_INPUT_SELECTOR)
    chat.get_by_test_id("stChatInputTextArea").fill(text)
    send = chat.get_by_test_id("stChatInputSubmitButton")
    expect(send).to_be_enabled()
    send.click()


def chat_messages(page: Page, role: str) -> Locator:
    """Return the page's chat messages of ``role`` ("user" or "assistant"), by their avatars."""
    avatar = "stChatMessageAvatarUser" if role == "user" else "stChatMessageAvatarAssistant"
    return page.get_by_test_id("stChatMessage").filter(has=page.get_by_test_id(avatar))


def stop_button(page: Page, name: str) -> Locator:
    """Return the Stop button (labelled ``name``) by the chat input, where the send button is
    while an answer streams."""
    return page.get_by_test_id("stBottom").get_by_role("button", name=name)


def wait_for_pictures(pictures: Locator) -> None:
    """Wait until there is at least one ``<img>`` that ``pictures`` matches, then until each
    one there has its pixels (loaded, decoded, not broken). Check a count first to wait for
    more than one."""
    expect(pictures.first).to_be_attached()
    for i in range(pictures.count()):
        pictures.page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0",
            arg=pictures.nth(i).element_handle(),
            polling=POLL_MS,
        )


def switch_language(page: Page, lang: Lang) -> None:
    """Pick ``lang`` in the sidebar's language switch and wait until the page is redrawn in it.

    The page is left as a page opened in ``lang`` shows it: on a phone the sidebar (closed at
    first) is opened for the click, then closed and slid out of view; the pointer goes back to
    (0, 0), where a fresh page has it, so nothing stays hovered (the picked segment's hover tint
    fails axe's contrast check: #A84800 on #E8D5C6 is 4.11:1).
    """
    expand = page.get_by_test_id("stExpandSidebarButton")
    closed = expand.is_visible()
    if closed:
        expand.click()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("radio", name=LANG_LABELS[lang]).click()
    expect(sidebar.get_by_text(t("sidebar.settings", lang), exact=True)).to_be_visible()
    wait_for_idle(page)
    if closed:
        sidebar.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        expect(expand).to_be_visible()
        expect(sidebar).not_to_be_in_viewport()
    page.mouse.move(0, 0)


def open_page(
    browser: Browser,
    app: App,
    *,
    locale: str = "zh-CN",
    viewport: tuple[int, int] = (1280, 900),
    path: str = "",
    **context_args: object,
) -> Page:
    """Open the app in a new browser context (no shared cookies or storage) and wait for idle.

    ``context_args`` go to ``browser.new_context`` (e.g. ``is_mobile=True``). Close the page's
    context when done: ``page.context.close()``.
    """
    width, height = viewport
    context = browser.new_context(
        locale=locale, viewport={"width": width, "height": height}, **context_args
    )
    page = context.new_page()
    watch_console(page)
    page.goto(app.url + path.lstrip("/"))
    wait_for_idle(page)
    return page


def watch_websocket(page: Page) -> list[bytes]:
    """Record every websocket frame the page receives from the server, as bytes."""
    frames: list[bytes] = []

    def on_socket(socket: WebSocket) -> None:
        socket.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, bytes) else payload.encode()
            ),
        )

    page.on("websocket", on_socket)
    return frames


# The browser store's report has left the page (browser_store.js marks each it sends).
STORE_REPORT_SENT_JS = """() => ['kantu-store-report', 'kantu-store-loaded']
  .some((name) => performance.getEntriesByName(name).length)"""


# What a router holds back: the messages that carry a string (a question's words, a report's key),
# or those a test picks with a function of its own.
Catch = str | Callable[[bytes], bool]


class HeldOnTheWay:
    """The page's websockets to Streamlit, routed so that the first message each of ``catches``
    picks (``Catch``) is held back: the server hears it on ``release``, or never. ``held`` maps
    each catch to its message, once caught. A later message a catch picks goes on as usual, or,
    with ``drop_repeats``, is dropped until that catch's release (a timer that asks again).

    With ``reload`` (a page already open), the page is reloaded onto the route and left idle;
    without, route first, then load the page (``goto`` or ``reload``).
    """

    def __init__(
        self, page: Page, *catches: Catch, reload: bool = True, drop_repeats: bool = False
    ) -> None:
        self.catches = catches
        self.drop_repeats = drop_repeats
        self.held: dict[Catch, str | bytes] = {}
        self.released: set[Catch] = set()
        self.servers: list[WebSocketRoute] = []
        page.route_web_socket(lambda url: url.endswith("/_stcore/stream"), self._route)
        if reload:
            page.reload()  # a new websocket, through the route
            wait_for_idle(page)

    def _route(self, socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        self.servers.append(server)

        def to_server(message: str | bytes) -> None:
            data = message if isinstance(message, bytes) else message.encode()
            for catch in self.catches:
                if not _caught(catch, data):
                    continue
                if catch not in self.held:
                    self.held[catch] = message
                    return
                if self.drop_repeats and catch not in self.released:
                    return
            server.send(message)

        socket.on_message(to_server)

    def wait(self, page: Page, catch: Catch, timeout_ms: float = IDLE_TIMEOUT_MS) -> None:
        """Wait until ``catch`` has caught its message; AssertionError if it has not in time."""
        deadline = time.monotonic() + timeout_ms / 1000
        while catch not in self.held:
            if time.monotonic() > deadline:
                raise AssertionError(f"no message caught by {catch!r} in {timeout_ms:.0f} ms")
            page.wait_for_timeout(50)

    def release(self, catch: Catch) -> None:
        """Let the message held for ``catch`` go on to the server."""
        self.released.add(catch)
        self.servers[-1].send(self.held[catch])


def _caught(catch: Catch, data: bytes) -> bool:
    return catch.encode() in data if isinstance(catch, str) else catch(data)


def lose_first_store_report(page: Page) -> HeldOnTheWay:
    """Route the page's websockets so that the first message carrying the browser store's report
    (its ``ready`` part) never reaches the server; its ``held`` has it once it went.

    Call before the page loads (``goto`` or ``reload``); ``STORE_REPORT_SENT_JS`` says when the
    report has left.
    """
    return HeldOnTheWay(page, '"ready"', reload=False)
