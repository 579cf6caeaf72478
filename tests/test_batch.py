"""The batch core against the loopback upstream: sent once, failures kept apart, exports, zips."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import stat
import time
import zipfile
from collections import Counter

import pytest
from PIL import Image

from components.batch import structured
from components.batch.api import BatchAPI
from components.batch.export import from_record, to_csv, to_jsonl, to_markdown
from components.batch.intake import Source, ZipLimits, from_uploads, read_zip
from components.batch.items import prepare_items
from components.batch.job import BatchJob, BatchSpec
from components.costs.prices import Price
from components.devtools.upstream import (
    FakeBatchAPI,
    FakeUpstream,
    Reply,
    bingcheng_error,
    by_picture_width,
    drop,
    html,
    openai_error,
    picture_widths,
    sse,
)
from components.errors import ContentFilterError, ServerError
from components.images.upload import Upload
from components.providers.settings import resolve_settings

KEY = "sk-batch-0123456789abcdef"
USAGE = {"prompt_tokens": 120, "completion_tokens": 6, "total_tokens": 126}


def png(width: int, colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, 40), colour).save(out, "PNG")
    return out.getvalue()


def settings_for(up: FakeUpstream, **changes: object):
    settings = resolve_settings(
        base_url=up.base_url, api_key=KEY, model="gpt-4o-mini", environ={}, backoff_factor=0
    )
    return dataclasses.replace(settings, **changes)


def items_of(widths: list[int]):
    sources = [Source.of(Upload(f"p{w}.png", png(w))) for w in widths]
    return prepare_items(sources, detail="low", model="gpt-4o-mini")


def spec(**changes: object) -> BatchSpec:
    return dataclasses.replace(
        BatchSpec(prompt="描述这张图", model="gpt-4o-mini", detail="low"), **changes
    )


def test_every_picture_ends_answered_or_clearly_failed_none_lost_or_twice(
    upstream: FakeUpstream,
) -> None:
    widths = list(range(60, 72))  # 12 pictures, told apart by width
    upstream.default = sse(["好"], usage=USAGE)
    upstream.script = by_picture_width(
        {
            61: [openai_error(429, "slow down", headers={"Retry-After": "1"})],  # asked again
            62: [openai_error(500, "boom", "server_error")],  # the body went out: never again
            63: [drop(), drop(), drop()],
            64: [bingcheng_error(402)] * 5,  # a content refusal is final: never retried
            65: [openai_error(500, "boom", "server_error")] * 5,
        }
    )
    job = BatchJob(items_of(widths), spec(), price=Price(1.0, 2.0, "CNY"))
    job.start(settings_for(upstream), concurrency=4)
    assert job.wait(30)
    results = job.results()
    assert [r.name for r in results] == [f"p{w}.png" for w in widths]
    status = {r.name: r.status for r in results}
    for failed in ("p62.png", "p63.png", "p64.png", "p65.png"):
        assert status.pop(failed) == "failed"
    assert set(status.values()) == {"done"}
    refused = next(r for r in results if r.name == "p64.png")
    assert isinstance(refused.error, ContentFilterError) and refused.attempts == 1
    attempts = {r.name: r.attempts for r in results}
    assert attempts.pop("p61.png") == 2 and set(attempts.values()) == {1}
    done = [r for r in results if r.status == "done"]
    assert all(r.answer == "好" and r.usage and r.usage.total_tokens == 126 for r in done)
    assert all(r.cost and r.cost.amount == pytest.approx((120 + 12) / 1e6) for r in done)
    # each picture sent once, and again only when the 429 asked for it: no answer bought twice
    sent = Counter(w for r in upstream.requests for w in picture_widths(r)[:1])
    assert sent == {w: 2 if w == 61 else 1 for w in widths}
    progress = job.progress()
    assert (progress.done, progress.failed, progress.remaining) == (8, 4, 0)
    assert progress.finished and progress.eta_s == 0.0


WORKED = 0.05  # the upstream read the body and worked on it this long before failing


@pytest.mark.parametrize(
    "failure",
    [
        drop(delay=WORKED),
        html(502, delay=WORKED),
        html(504, delay=WORKED),
        sse(["字"] * 120, cut_after=100),
    ],
    ids=["dropped", "502", "504", "cut-after-100-deltas"],
)
def test_a_picture_whose_body_was_read_is_posted_once(
    upstream: FakeUpstream, failure: Reply
) -> None:
    upstream.default = failure
    job = BatchJob(items_of([60]), spec()).start(settings_for(upstream))
    assert job.wait(30)
    (result,) = job.results()
    assert result.status == "failed"
    # was 9 (the transport's 3 times the job's 3) and 3 for the cut stream: 3 answers paid
    assert len(upstream.requests) == 1
    assert result.attempts == 1


def test_retry_failed_is_the_visitors_choice_and_counts_its_post(upstream: FakeUpstream) -> None:
    upstream.script = by_picture_width({60: [html(502, delay=WORKED)]})
    job = BatchJob(items_of([60]), spec()).start(settings_for(upstream))
    assert job.wait(10) and job.results()[0].status == "failed"
    assert job.retry_failed() == 1
    assert job.wait(10)
    (result,) = job.results()
    assert result.status == "done" and result.attempts == 2
    assert len(upstream.requests) == 2


def test_the_provider_batch_upload_is_posted_once_and_a_status_poll_is_retried(
    upstream: FakeUpstream,
) -> None:
    upstream.batch_api = FakeBatchAPI()
    client = BatchAPI(settings_for(upstream))
    upstream.enqueue(html(502, delay=WORKED))  # read the upload whole, worked on it, failed
    with pytest.raises(ServerError):
        client.upload(b'{"custom_id": "a"}\n')
    assert [r.method for r in upstream.requests] == ["POST"]  # was 3 POSTs of the whole file
    batch = client.create(client.upload(b'{"custom_id": "a"}\n'))
    upstream.enqueue(html(502, delay=WORKED))  # a GET changes nothing: it may go again
    assert client.get(batch["id"])["id"] == batch["id"]
    assert [r.method for r in upstream.requests] == ["POST", "POST", "POST", "GET", "GET"]
    client.close()


def test_429_waits_as_long_as_retry_after_says(upstream: FakeUpstream) -> None:
    upstream.script = by_picture_width(
        {60: [openai_error(429, "slow down", headers={"Retry-After": "1"})]}
    )
    job = BatchJob(items_of([60]), spec()).start(settings_for(upstream))
    assert job.wait(10)
    assert len(upstream.requests) == 2
    result = job.results()[0]
    assert result.status == "done"
    assert result.seconds >= 0.9  # it waited out the Retry-After before asking again


def test_cancel_keeps_what_finished_and_retry_failed_reruns_only_failures(
    upstream: FakeUpstream,
) -> None:
    upstream.latency = 0.3
    upstream.script = by_picture_width({60: [openai_error(500, "boom", "server_error")] * 3})
    job = BatchJob(items_of(list(range(60, 70))), spec())
    job.start(settings_for(upstream), concurrency=2)
    deadline = time.monotonic() + 10
    while job.progress().done < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.cancel()
    assert job.wait(5)
    after = job.results()
    done_before = {r.name for r in after if r.status == "done"}
    assert len(done_before) >= 2
    assert {r.status for r in after} <= {"done", "failed", "cancelled"}
    assert any(r.status == "cancelled" for r in after)
    # start again: a job that is not running takes the retry; only failures go
    upstream.latency = 0.0
    sent = len(upstream.requests)
    failed = [r.name for r in after if r.status == "failed"]
    assert job.retry_failed() == len(failed)  # with the job's own settings
    assert job.wait(10)
    # Only the failures go again, each of them (a failure may take more than one request: the
    # cancel can come between the transport's retries of p60, leaving some of its errors unused).
    again = {f"p{w}.png" for r in upstream.requests[sent:] for w in picture_widths(r)}
    assert again == set(failed)
    assert {r.name for r in job.results() if r.status == "done"} >= done_before


def test_start_while_running_does_not_duplicate_the_work(upstream: FakeUpstream) -> None:
    upstream.latency = 0.2
    job = BatchJob(items_of([60, 61, 62]), spec())
    settings = settings_for(upstream)
    job.start(settings, concurrency=3)
    job.start(settings, concurrency=3)  # a rerun of the page
    assert job.wait(10)
    sent = sorted(w for r in upstream.requests for w in picture_widths(r))
    assert sent == [60, 61, 62], [(r.method, r.path) for r in upstream.requests]
    assert [r.attempts for r in job.results()] == [1, 1, 1]


def test_columns_go_as_json_schema_where_the_preset_takes_one(upstream: FakeUpstream) -> None:
    upstream.default = sse(['```json\n{"date": "2026-11-02", "total": 12.5,}\n```'])
    s = spec(columns=("date", "total", "shop"), preset_id="openai")
    job = BatchJob(items_of([60]), s).start(settings_for(upstream))
    assert job.wait(10)
    sent = upstream.requests[0].json
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["date", "total", "shop"]
    assert job.results()[0].fields == {"date": "2026-11-02", "total": "12.5", "shop": ""}
    # elsewhere: words in the prompt only, and raw text kept when nothing parses
    upstream.default = sse(["no idea, sorry"])
    s = spec(columns=("date",), preset_id="custom")
    job = BatchJob(items_of([61]), s).start(settings_for(upstream))
    assert job.wait(10)
    sent = upstream.requests[1].json
    assert "response_format" not in sent
    assert '"date"' in sent["messages"][0]["content"][0]["text"]
    result = job.results()[0]
    assert result.fields is None and result.answer == "no idea, sorry"


def test_tolerant_parser_reads_what_models_really_send() -> None:
    cols = ("a", "b")
    assert structured.parse_answer('Sure! {"a": "1", "b": ["x"]} Hope this helps.', cols) == {
        "a": "1",
        "b": '["x"]',
    }
    assert structured.parse_answer("```\n{'a': 1}\n```", cols) is None
    assert structured.parse_columns(" 日期，金额, 日期 ,, shop") == ("日期", "金额", "shop")


def test_resume_keeps_earlier_answers_and_sends_only_the_rest(upstream: FakeUpstream) -> None:
    items = items_of([60, 61, 62])
    first = BatchJob(items, spec()).start(settings_for(upstream))
    assert first.wait(10)
    kept = [
        from_record(json.loads(line)) for line in to_jsonl(first.results()[:2], spec()).splitlines()
    ]
    upstream.reset()
    again = BatchJob(items, spec(), done=kept).start(settings_for(upstream))
    assert again.wait(10)
    assert len(upstream.requests) == 1
    assert [r.status for r in again.results()] == ["done"] * 3
    # another prompt is another key: nothing is reused
    other = BatchJob(items, spec(prompt="other"), done=kept)
    assert other.progress().queued == 3


def _zip(entries: list[tuple[str, bytes]], *, symlink: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return out.getvalue()


def test_zip_with_unsafe_names_and_links_keeps_only_safe_pictures() -> None:
    data = _zip(
        [
            ("ok/a.png", png(60)),
            ("../evil.png", png(61)),
            ("/abs.png", png(62)),
            ("notes.txt", b"x"),
        ],
        symlink="link.png",
    )
    intake = from_uploads([Upload("photos.zip", data), Upload("b.png", png(63))])
    assert [s.name for s in intake.sources] == ["photos.zip/ok/a.png", "b.png"]
    assert sorted(r.reason for r in intake.refused) == [
        "zip_symlink",
        "zip_unsafe_name",
        "zip_unsafe_name",
    ]
    assert intake.sources[0].load() == png(60)


def test_zip_bombs_are_refused_before_anything_is_unpacked() -> None:
    bomb = _zip([(f"z{i}.png", b"\0" * (5 * 1024 * 1024)) for i in range(3)])
    refused = read_zip(lambda: io.BytesIO(bomb), name="bomb.zip").refused
    assert [r.reason for r in refused] == ["zip_ratio"]
    many = _zip([(f"{i}.png", b"x") for i in range(30)])
    refused = read_zip(
        lambda: io.BytesIO(many), name="m.zip", limits=ZipLimits(max_entries=20)
    ).refused
    assert [r.reason for r in refused] == ["zip_entries"]
    big = _zip([("a.png", png(60)), ("b.png", png(61))])
    limits = ZipLimits(max_total_bytes=len(png(60)) + 10)
    assert [
        r.reason for r in read_zip(lambda: io.BytesIO(big), name="t.zip", limits=limits).refused
    ] == ["zip_total"]
    assert [
        r.reason for r in read_zip(lambda: io.BytesIO(b"PK not a zip"), name="c.zip").refused
    ] == ["zip_corrupt"]


def test_odd_and_broken_pictures_are_refused_with_their_reason() -> None:
    sources = [
        Source.of(Upload("good.png", png(60))),
        Source.of(Upload("empty.png", b"")),
        Source.of(Upload("text.jpg", b"hello, not a picture")),
        Source.of(Upload("header-only.png", png(61)[:33])),
        Source.of(Upload("cut.png", png(62)[:60])),  # odd: cut short, recovered
    ]
    items = prepare_items(sources, detail="low", model="gpt-4o-mini")
    assert [i.image is not None for i in items] == [True, False, False, False, True]
    assert all(i.refusal is not None for i in items[1:4])
    assert items[4].image is not None and items[4].image.source.truncated
    assert items[0].thumbnail.startswith(b"\xff\xd8")  # a small JPEG


def test_exports_parse_back(upstream: FakeUpstream) -> None:
    upstream.default = sse(['{"名称": "橙子, \\"大\\"", "价格": "3|5"}'], usage=USAGE)
    upstream.script = by_picture_width({61: [bingcheng_error(402)]})
    s = spec(columns=("名称", "价格"))
    items = items_of([60, 61]) + prepare_items(
        [Source.of(Upload("bad.png", b"x"))], detail="low", model="gpt-4o-mini"
    )
    items[-1] = dataclasses.replace(items[-1], index=2)
    job = BatchJob(items, s, price=Price(1.0, 2.0, "CNY")).start(settings_for(upstream))
    assert job.wait(10)
    results = job.results()

    raw = to_csv(results, s, "zh")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["status"] for r in rows] == ["done", "failed", "refused"]
    assert rows[0]["名称"] == '橙子, "大"' and rows[0]["价格"] == "3|5"
    assert rows[0]["prompt_tokens"] == "120" and rows[0]["currency"] == "CNY"
    assert "内容安全" in rows[1]["error"] or rows[1]["error"]
    assert rows[2]["error"]

    lines = [json.loads(line) for line in to_jsonl(results, s).splitlines()]
    assert lines[0]["fields"] == {"名称": '橙子, "大"', "价格": "3|5"}
    assert [from_record(line).status for line in lines] == ["done", "failed", "refused"]

    archive = zipfile.ZipFile(io.BytesIO(to_markdown(results, s, "en")))
    report = archive.read("report.md").decode("utf-8")
    table = [line for line in report.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 3
    assert all(line.count(" | ") == table[0].count(" | ") for line in table[2:])  # pipes escaped
    assert "data:" not in report  # GitHub does not show data: pictures
    # each thumbnail is a file beside the report, linked relatively, and opens as a picture
    pictures = sorted(n for n in archive.namelist() if n.startswith("images/"))
    assert len(pictures) == 2 and all(f"]({name})" in report for name in pictures)  # refused: none
    assert f"]({pictures[0]})" in table[2]
    assert Image.open(io.BytesIO(archive.read(pictures[0]))).format == "JPEG"


def test_provider_batch_runner_merges_lines_and_cancel_stops_polling(
    upstream: FakeUpstream,
) -> None:
    from components.batch import api
    from components.devtools.upstream import FakeBatchAPI

    fake = FakeBatchAPI(polls_before_done=1)
    upstream.batch_api = fake
    items = items_of([60, 61])
    job = BatchJob(items, spec(columns=("a",)), price=Price(2.0, 2.0, "USD"))
    fake.fail = frozenset({job.results()[1].key})
    job.start_via(settings_for(upstream), api.runner(poll_every=0.01))
    assert job.wait(10)
    first, second = job.results()
    assert first.status == "done" and first.answer.startswith("答：")
    assert first.fields is None  # not JSON: the raw text is kept
    assert first.cost and first.cost.amount == pytest.approx(105 * 2.0 / 1e6 * api.DISCOUNT)
    assert second.status == "failed" and second.error is not None
    sent = json.loads(fake.files["file-in1"].decode().splitlines()[0])
    assert sent["body"]["messages"][0]["content"][0]["text"].endswith(
        structured.instruction(("a",))
    )

    fake.polls_before_done = 10_000
    waiting = BatchJob(items_of([62]), spec()).start_via(
        settings_for(upstream), api.runner(poll_every=0.05)
    )
    deadline = time.monotonic() + 5
    while not waiting.note and time.monotonic() < deadline:
        time.sleep(0.02)
    waiting.cancel()
    assert waiting.wait(5)
    assert waiting.results()[0].status == "cancelled" and "in_progress" in waiting.note
