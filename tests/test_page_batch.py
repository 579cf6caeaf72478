"""The Batch page under AppTest, against the loopback fake upstream."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.testing.v1 import AppTest

from components.devtools.upstream import (
    FakeBatchAPI,
    FakeUpstream,
    bingcheng_error,
    by_picture_width,
    sse,
)
from components.i18n import t
from components.ui import batch, session
from components.ui import state_keys as keys
from components.ui.batch import field_key
from tests.conftest import ROOT
from tests.helpers import OPERATOR_KEY, png_bytes

USAGE = {"prompt_tokens": 100, "completion_tokens": 4, "total_tokens": 104}


pytestmark = pytest.mark.usefixtures("isolated_secrets")


def batch_page(up: FakeUpstream, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.session_state[keys.LANG] = lang
    at.run()
    at.switch_page("pages/batch.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def switch_language(at: AppTest, lang: str) -> None:
    """Switch to ``lang`` as the sidebar would, and come back to Batch: AppTest runs a page it
    switched to on its own, with the choices the app's last run made (no sidebar)."""
    at.session_state[keys.LANG] = lang
    at.switch_page("app.py").run()
    at.switch_page("pages/batch.py").run()
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in [*at.error, *at.warning, *at.info, *at.success]]
    return "\n".join(str(p) for p in parts)


def finish(at: AppTest) -> AppTest:
    job = session.state_in(at.session_state, session.BatchState).job
    assert job.wait(30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_mixed(at: AppTest) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("z/in-zip.png", png_bytes(63))
        zf.writestr("../escape.png", png_bytes(64))
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [
            ("a.png", png_bytes(60), "image/png"),
            ("b.png", png_bytes(61), "image/png"),
            ("broken.jpg", b"not a picture", "image/jpeg"),
            ("c.png", png_bytes(62), "image/png"),
            ("more.zip", archive.getvalue(), "application/zip"),
        ]
    ).run()


def test_a_run_stopped_as_the_job_starts_leaves_the_job_on_the_page_and_runs_it_once(
    upstream: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer trigger stops a run at its next Streamlit call: here the first one after Run's
    job has started. The next run shows that job (its pictures each sent once), not a second."""
    upstream.default = sse(["蓝色方块"], usage=USAGE)
    at = batch_page(upstream)
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [("a.png", png_bytes(60), "image/png"), ("b.png", png_bytes(61), "image/png")]
    ).run()
    real_send = batch.send

    def stopped_after(*args, **kwargs):
        real_send(*args, **kwargs)
        raise StopException()  # what Streamlit raises at the next call of a run asked to stop

    monkeypatch.setattr(batch, "send", stopped_after)
    at.button(key=keys.BATCH_RUN).click().run()
    monkeypatch.setattr(batch, "send", real_send)
    at = finish(at)  # the newer trigger's run, once the job has ended
    assert len(upstream.requests) == 2
    assert t("batch.finished", "en", done=2, failed=0, cancelled=0) in texts(at)
    at.run()
    assert len(upstream.requests) == 2  # started once


def test_a_retry_whose_run_was_stopped_before_the_page_did_it_is_done_once_on_the_next(
    upstream: FakeUpstream,
) -> None:
    """Retry's callback keeps the click (``BatchState.asked``); a newer trigger that stops its
    run before the page reaches the button leaves it there, and the next run sends the failed
    picture again, once. A click meant for a finished job is not kept for the next job."""
    upstream.default = sse(["蓝色方块"], usage=USAGE)
    upstream.script = by_picture_width({61: [bingcheng_error(402)]})
    at = batch_page(upstream)
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [("a.png", png_bytes(60), "image/png"), ("b.png", png_bytes(61), "image/png")]
    ).run()
    at.button(key=keys.BATCH_RUN).click().run()
    at = finish(at)
    assert len(upstream.requests) == 2
    state = session.state_in(at.session_state, session.BatchState)
    state.asked = "retry"  # the click's callback ran; the run it started was stopped
    at = finish(at.run())  # the newer trigger's run
    assert len(upstream.requests) == 3
    at.run()
    assert len(upstream.requests) == 3  # once
    state.asked = "cancel"  # a Cancel that came after the job ended: not kept
    at.run()
    assert state.asked is None


def test_mixed_upload_runs_end_to_end_with_summary_table_and_exports(
    upstream: FakeUpstream,
) -> None:
    upstream.default = sse(["蓝色方块"], usage=USAGE)
    upstream.script = by_picture_width({61: [bingcheng_error(402)]})
    at = batch_page(upstream, "zh")
    upload_mixed(at)
    shown = texts(at)
    assert "4 张图片可以发送" in shown  # a, b, c and the zip's picture
    assert "broken.jpg" in shown and "escape" in shown  # refusals named with reasons
    assert not upstream.requests  # nothing is sent before Run
    at.button(key=keys.BATCH_RUN).click().run()
    at = finish(at)
    assert len(upstream.requests) == 4
    assert upstream.requests[0].headers["Authorization"] == f"Bearer {OPERATOR_KEY}"
    assert "完成 3，失败 1" in texts(at)
    table = at.dataframe[0].value
    assert list(table["file"]) == [
        "a.png",
        "b.png",
        "broken.jpg",
        "c.png",
        "more.zip/z/in-zip.png",
        "more.zip/../escape.png",
    ]
    assert list(table["status"]) == ["完成", "失败", "未发送", "完成", "完成", "未发送"]
    assert table["answer"][0] == "蓝色方块" and table["tokens"][0] == "104"
    assert str(table["thumb"][0]).startswith("data:image/jpeg;base64,")
    # a rerun draws the job; it does not start it again
    at.run()
    assert len(upstream.requests) == 4
    # retry failed reruns only the failure
    at.button(key=keys.BATCH_RETRY).click().run()
    at = finish(at)
    assert len(upstream.requests) == 5
    assert list(at.dataframe[0].value["status"]).count("完成") == 4
    assert OPERATOR_KEY not in texts(at)
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        t("batch.download_csv", "zh"),
        t("batch.download_jsonl", "zh"),
        t("batch.download_md", "zh"),
    ]


def test_columns_and_cancel_keep_what_finished(upstream: FakeUpstream) -> None:
    upstream.default = sse(['{"colour": "blue", "shape": "square"}'])
    upstream.latency = 0.4
    at = batch_page(upstream)
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [(f"p{w}.png", png_bytes(w), "image/png") for w in range(60, 70)]
    ).run()
    at.text_input(key=keys.BATCH_COLUMNS).set_value("colour, shape").run()
    assert t("batch.columns_prompt", "en") in texts(at)  # a custom URL: words, not a schema
    at.slider(key=keys.BATCH_CONCURRENCY).set_value(2).run()
    at.button(key=keys.BATCH_RUN).click().run()
    job = session.state_in(at.session_state, session.BatchState).job
    upstream.wait_for_requests(2)
    at.button(key=keys.BATCH_CANCEL).click().run()
    assert job.wait(10)
    at.run()
    table = at.dataframe[0].value
    assert field_key("colour") in table.columns and field_key("shape") in table.columns
    statuses = list(table["status"])
    assert "cancelled" in statuses and set(statuses) <= {"done", "cancelled"}
    done = table[table["status"] == "done"]
    assert all(done[field_key("colour")] == "blue")
    assert len(upstream.requests) < 10


def test_classify_needs_labels_and_own_prompt_is_sent(upstream: FakeUpstream) -> None:
    at = batch_page(upstream)
    at.file_uploader(key=keys.BATCH_FILES).set_value([("a.png", png_bytes(60), "image/png")]).run()
    at.segmented_control(key=keys.choice_key(keys.BATCH_PRESET, "en")).set_value("own").run()
    at.button(key=keys.BATCH_RUN).click().run()
    assert t("batch.no_prompt", "en") in texts(at) and not upstream.requests
    at.text_area(key=keys.BATCH_PROMPT).set_value("Count the squares.").run()
    at.button(key=keys.BATCH_RUN).click().run()
    finish(at)
    assert upstream.requests[0].json["messages"][0]["content"][0]["text"] == "Count the squares."
    at.button(key=keys.BATCH_NEW).click().run()
    assert session.state_in(at.session_state, session.BatchState).job is None and at.file_uploader(
        key=keys.BATCH_FILES
    )


def test_the_preset_and_the_engine_chosen_stay_after_a_language_switch(
    upstream: FakeUpstream,
) -> None:
    """Their labels follow the language (one widget per language): a switch keeps what was
    chosen, instead of going back to "describe" and "direct"."""
    upstream.batch_api = FakeBatchAPI(polls_before_done=1, answer=lambda custom_id, body: "")
    at = batch_page(upstream)
    at.segmented_control(key=keys.choice_key(keys.BATCH_PRESET, "en")).set_value("own").run()
    at.radio(key=keys.choice_key(keys.BATCH_VIA, "en")).set_value("batch_api").run()
    switch_language(at, "zh")
    assert not at.exception, [e.value for e in at.exception]
    preset = at.segmented_control(key=keys.choice_key(keys.BATCH_PRESET, "zh"))
    via = at.radio(key=keys.choice_key(keys.BATCH_VIA, "zh"))
    assert (preset.value, via.value) == ("own", "batch_api")
    assert via.label == t("batch.via", "zh")
    switch_language(at, "en")
    assert at.radio(key=keys.choice_key(keys.BATCH_VIA, "en")).value == "batch_api"


def test_csv_download_opens_with_chinese(upstream: FakeUpstream) -> None:
    upstream.default = sse(["橙色的猫"])
    at = batch_page(upstream, "zh")
    at.file_uploader(key=keys.BATCH_FILES).set_value([("猫.png", png_bytes(60), "image/png")]).run()
    at.button(key=keys.BATCH_RUN).click().run()
    at = finish(at)
    from components.batch.export import to_csv

    job = session.state_in(at.session_state, session.BatchState).job
    data = to_csv(job.results(), job.spec, "zh")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["file"] == "猫.png" and rows[0]["answer"] == "橙色的猫"


def test_provider_batch_engine_from_the_page(upstream: FakeUpstream) -> None:
    fake = FakeBatchAPI(polls_before_done=2, answer=lambda custom_id, body: "批量回答")
    upstream.batch_api = fake
    at = batch_page(upstream)
    session.state_in(at.session_state, session.BatchState).poll_s = 0.05
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [(f"p{w}.png", png_bytes(w), "image/png") for w in (60, 61, 62)]
    ).run()
    at.radio(key=keys.choice_key(keys.BATCH_VIA, "en")).set_value("batch_api").run()
    at.button(key=keys.BATCH_RUN).click().run()
    at = finish(at)
    assert (fake.uploads, fake.created) == (1, 1)
    assert not any(r.path.endswith("/chat/completions") for r in upstream.requests)
    table = at.dataframe[0].value
    assert list(table["status"]) == ["done"] * 3 and set(table["answer"]) == {"批量回答"}
    assert "batch_1: completed (3/3)" in texts(at)


def test_operator_key_batch_counts_each_picture_against_the_limits(upstream, tmp_path) -> None:
    """With the site's key, each picture is one request: the session limit stops the batch
    after two pictures, the rest fail saying why, and the ledger holds one row per picture."""
    from components.hosting.ledger import SQLiteLedger

    ledger = tmp_path / "ledger.sqlite3"
    upstream.default = sse(["蓝色方块"], usage=USAGE)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets.update(
        {
            "KANTU_BASE_URL": upstream.base_url,
            "KANTU_API_KEY": OPERATOR_KEY,
            "KANTU_LEDGER_PATH": str(ledger),
            "KANTU_LIMITS": {"session_requests": 2},
        }
    )
    at.session_state[keys.LANG] = "en"
    at.run()
    at.switch_page("pages/batch.py").run()
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [(f"p{i}.png", png_bytes(60 + i), "image/png") for i in range(5)]
    ).run()
    at.slider(key=keys.BATCH_CONCURRENCY).set_value(1).run()
    at.button(key=keys.BATCH_RUN).click().run()
    at = finish(at)
    assert len(upstream.requests) == 2
    statuses = list(at.dataframe[0].value["status"])
    assert statuses.count("done") == 2 and statuses.count("failed") == 3
    table = at.dataframe[0].value
    said = " ".join(str(v) for v in table.astype(str).to_numpy().ravel())
    assert t("config.limit_session_requests", "en", limit=2).split("2")[0] in said
    rows = SQLiteLedger(ledger).rows()
    assert len(rows) == 2 and all(row.outcome == "ok" for row in rows)
