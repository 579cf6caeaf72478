"""The request log (``components.observability.request_log``): one JSON line per request sent
upstream, with how it went, and never its content nor its key."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.batch.intake import Source
from components.batch.items import prepare_items
from components.batch.job import BatchJob, BatchSpec
from components.conversation.exchange import Exchange
from components.conversation.history import Conversation
from components.costs.prices import Price, PriceBook
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, by_picture_width, openai_error, sse
from components.hosting.access import Visitor
from components.hosting.config import HostingConfig, hosting_config
from components.hosting.gate import Asker, Gate, Route
from components.hosting.ledger import SQLiteLedger, visitor_hash
from components.images.prepare import prepare_image
from components.images.upload import Upload
from components.observability.request_log import (
    JsonLineFormatter,
    RequestStart,
    build_record,
    configure_request_log,
    outcome_kind,
    write_request,
)
from components.providers.settings import ClientSettings, resolve_settings
from tests.helpers import png_bytes

MARKER = "zq7MARKERx9"  # in the question, the answer, the file name and the key
OPERATOR_KEY = f"sk-operator-{MARKER}-key"
CNY = Price(1.0, 4.0, "CNY")
USAGE = {"prompt_tokens": 900, "completion_tokens": 12, "total_tokens": 912}
SESSION = visitor_hash("salt", "session:abc")


@pytest.fixture(autouse=True)
def quiet_afterwards() -> Iterator[None]:
    """Each test says where lines go; none leaves the logger pointing at its files."""
    yield
    configure_request_log("off")


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    configure_request_log(str(path))
    return path


def lines(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [json.loads(line) for line in text.splitlines()]


def settings(up: FakeUpstream, retries: int = 0) -> ClientSettings:
    return resolve_settings(
        model="gpt-4o-mini",
        secrets={"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY},
        hosted=False,
        backoff_factor=0,
        max_retries=retries,
    )


def site_gate(ledger: SQLiteLedger, destination: str) -> Gate:
    return Gate(
        config=HostingConfig(request_log=destination),
        visitor=Visitor(),
        ledger=ledger,
        prices=PriceBook(operator={"gpt-4o-mini": CNY}),
        allowed=("gpt-4o-mini",),
        unpriced=(),
        asker=Asker(SESSION, "visitor-a", None, began=0.0),
    )


def ask(route: Route, question: str) -> Exchange:
    """Send ``question`` with a picture named after the marker, the way chat does; wait."""
    conv = Conversation()
    picture = prepare_image(photo_jpeg(640, 480), name=f"{MARKER}.jpg")
    conv.add_user(question, [picture])
    plan = conv.next_request(model="gpt-4o-mini")
    exchange = route.send(plan, lambda s, ex: ex.start(s))
    for _ in exchange.follow():
        pass
    return exchange


def wait_lines(path: Path, n: int, timeout: float = 10.0) -> list[dict]:
    """Return the log's lines once there are ``n`` (the ticket's watcher thread writes them)."""
    deadline = time.monotonic() + timeout
    while len(found := lines(path)) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def test_a_chat_request_logs_one_line_without_its_question_answer_file_name_or_key(
    upstream, tmp_path
):
    log = tmp_path / "requests.jsonl"
    upstream.enqueue(sse([f"The answer holds {MARKER}."], usage=USAGE))
    route = Route(settings(upstream), site_gate(SQLiteLedger(tmp_path / "l.db"), str(log)), "chat")
    ask(route, f"What does {MARKER} mean?")
    (line,) = wait_lines(log, 1)
    raw = log.read_text(encoding="utf-8") + "".join(
        p.read_text(errors="replace") for p in tmp_path.glob("l.db*")
    )
    assert MARKER not in raw
    sent = upstream.requests[0]
    assert MARKER in sent.body.decode() and MARKER in sent.headers["Authorization"]  # it went
    assert line["session"] == SESSION and line["feature"] == "chat"
    assert (line["model"], line["host"], line["outcome"]) == ("gpt-4o-mini", "127.0.0.1", "ok")
    assert (line["prompt_tokens"], line["completion_tokens"], line["attempts"]) == (900, 12, 1)
    assert line["cost"] == pytest.approx(900 / 1e6 + 12 * 4 / 1e6) and line["currency"] == "CNY"
    assert 0 <= line["first_token_ms"] <= line["total_ms"]
    assert line["time"].endswith("+00:00")


def test_a_failed_request_logs_its_error_kind_and_the_ledger_row_keeps_it(upstream, tmp_path):
    log = tmp_path / "requests.jsonl"
    ledger = SQLiteLedger(tmp_path / "l.db")
    upstream.enqueue(openai_error(401, "Incorrect API key provided", code="invalid_api_key"))
    route = Route(settings(upstream), site_gate(ledger, str(log)), "compare")
    ask(route, "Why?")
    (line,) = wait_lines(log, 1)
    assert (line["feature"], line["outcome"], line["cost"]) == ("compare", "auth", 0.0)
    assert line["first_token_ms"] is None and line["prompt_tokens"] is None
    assert [(r.outcome, r.error_kind) for r in ledger.rows()] == [("error", "auth")]


def test_a_visitors_own_key_is_logged_but_not_recorded_in_the_ledger(upstream, tmp_path):
    log = tmp_path / "requests.jsonl"
    ledger = SQLiteLedger(tmp_path / "l.db")
    upstream.enqueue(sse(["Fine."], usage=USAGE))
    own = resolve_settings(
        model="gpt-4o-mini",
        base_url=upstream.base_url,
        api_key=f"sk-visitor-{MARKER}",
        hosted=False,
        backoff_factor=0,
        max_retries=0,
    )
    assert own.key_source != "operator"
    ask(Route(own, site_gate(ledger, str(log)), "chat"), f"{MARKER}?")
    (line,) = wait_lines(log, 1)
    assert line["outcome"] == "ok" and line["session"] == SESSION
    assert MARKER not in log.read_text() and ledger.rows() == []


def test_a_check_that_is_never_settled_writes_nothing(upstream, tmp_path):
    log = tmp_path / "requests.jsonl"
    route = Route(settings(upstream), site_gate(SQLiteLedger(tmp_path / "l.db"), str(log)))
    route.admit(None)  # the access check before anything starts
    assert lines(log) == []


@pytest.mark.parametrize(
    "model", ['gpt-4o"}\n{"x":1', "模型\u2028名\n", "bad\udc80surrogate", "\x00\x1b[31m"]
)
def test_each_line_is_one_valid_json_object_whatever_the_model_name(log_file, model):
    start = RequestStart(feature="batch", model=model, host="api.example.com", session=None)
    write_request(build_record(start, outcome="error", error_kind="server", cost=float("nan")))
    (line,) = lines(log_file)  # one line: a newline in the name is escaped
    assert line["model"] == model and line["outcome"] == "server"
    assert line["cost"] is None and line["currency"] is None  # NaN is no JSON number


def test_the_setting_chooses_stderr_a_file_or_nothing(tmp_path, capsys):
    def dest(**env: str) -> str:
        return hosting_config({}, env).request_log

    assert dest() == "stderr"  # the default: Community Cloud shows stderr in its logs
    assert dest(KANTU_REQUEST_LOG="OFF") == "off"
    assert dest(KANTU_REQUEST_LOG=str(tmp_path / "r.jsonl")) == str(tmp_path / "r.jsonl")
    start = RequestStart(feature="chat", model="m", host="h", session="s")
    for destination in ("stderr", "off"):
        configure_request_log(destination)
        write_request(build_record(start, outcome="ok"))
    err = capsys.readouterr().err.splitlines()
    assert [json.loads(e)["model"] for e in err] == ["m"]  # one line, from stderr only


def test_a_file_that_cannot_be_opened_sends_lines_to_stderr(tmp_path, capsys):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    configure_request_log(str(blocker / "requests.jsonl"))
    start = RequestStart(feature="chat", model="m", host="h", session="s")
    write_request(build_record(start, outcome="stopped"))
    configure_request_log("off")
    assert json.loads(capsys.readouterr().err.splitlines()[-1])["outcome"] == "stopped"


def test_the_formatter_is_the_one_owner_of_the_line_shape():
    start = RequestStart(feature="chat", model="m", host="h", session=None, at=0.0, clock=1.0)
    record = build_record(start, outcome="ok", first_token_s=0.25, now=2.5)
    assert (record.first_token_ms, record.total_ms) == (250, 1500)
    assert record.time == "1970-01-01T00:00:00.000+00:00"
    formatted = JsonLineFormatter().format(
        logging.LogRecord("kantu.requests", logging.INFO, "", 0, "request", None, None)
    )
    assert json.loads(formatted) == {"msg": "request"}


def test_each_batch_picture_leaves_its_own_line_with_its_attempts(upstream, tmp_path):
    log = tmp_path / "requests.jsonl"
    upstream.default = sse(["A photo."], usage=USAGE)
    upstream.script = by_picture_width(
        {
            61: [openai_error(429, "slow down", headers={"Retry-After": "0"})],  # asked again
            62: [openai_error(500, "boom", "server_error")],
        }
    )
    sources = [Source.of(Upload(f"{MARKER}-{w}.png", png_bytes(w))) for w in (60, 61, 62)]
    items = prepare_items(sources, detail="low", model="gpt-4o-mini")
    job = BatchJob(items, BatchSpec(prompt=f"Describe {MARKER}", model="gpt-4o-mini"))
    ledger = SQLiteLedger(tmp_path / "l.db")
    route = Route(settings(upstream, retries=2), site_gate(ledger, str(log)), "batch")
    job.start(route, concurrency=2)
    assert job.wait(30)
    found = wait_lines(log, 3)
    assert sorted((x["feature"], x["outcome"], x["attempts"]) for x in found) == [
        ("batch", "ok", 1),
        ("batch", "ok", 2),
        ("batch", "server", 1),
    ]
    assert MARKER not in log.read_text()


def test_outcomes_read_as_ok_stopped_or_the_errors_kind():
    assert outcome_kind("ok", None) == "ok"
    assert outcome_kind("stopped", None) == outcome_kind("cancelled", None) == "stopped"
    assert outcome_kind("failed", "server") == outcome_kind("error", "server") == "server"
    assert outcome_kind("interrupted", "network") == "network"
    assert outcome_kind("error", None) == "error"  # a row closed before kinds were recorded
