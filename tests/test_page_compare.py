"""The Compare page under Streamlit's AppTest, against the loopback fake upstream: a run with
figures under each column, blind mode's reveal and tally, Stop in one column only, exports."""

from __future__ import annotations

import time

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.testing.v1 import AppTest

from components.conversation.compare import CompareRun
from components.costs.prices import Price
from components.devtools import image_factory as make
from components.devtools.upstream import FakeUpstream, openai_error, sse
from components.i18n import t
from components.ocr.engine import reader_status
from components.providers.presets import PRESETS
from components.ui import chat_state, compare, session
from components.ui import state_keys as keys
from tests.conftest import ROOT
from tests.helpers import OPERATOR_KEY, answer_footer

USAGE = {"prompt_tokens": 140, "completion_tokens": 9, "total_tokens": 149}


pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _page(
    up: FakeUpstream, lang: str, models: list[str], secrets: dict[str, object] | None = None
) -> AppTest:
    """Open the Compare page with the operator's key on ``up`` and ``models`` in the columns."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.secrets.update(secrets or {})
    # the operator lets its key ask the fake models (issue 11's allow-list)
    at.secrets["KANTU_ALLOWED_MODELS"] = ["gpt-4o-mini", *models]
    at.session_state[keys.LANG] = lang
    at.run()
    at.switch_page("pages/compare.py")
    at.session_state[keys.COMPARE_COUNT] = len(models)
    for i, model in enumerate(models):
        at.session_state[keys.compare_model_key(i)] = model
    at.run()
    _no_exception(at)
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _run(at: AppTest, question: str = "图里是什么?") -> CompareRun:
    at.file_uploader(key=keys.COMPARE_FILES).upload(
        "photo.jpg", make.photo_jpeg(640, 480), "image/jpeg"
    )
    at.text_input(key=keys.COMPARE_QUESTION).input(question)
    at.button(key=keys.COMPARE_RUN_BUTTON).click().run()
    _no_exception(at)
    run = session.state_in(at.session_state, session.CompareState).run
    assert isinstance(run, CompareRun)
    return run


def _settle(at: AppTest, run: CompareRun, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not run.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.finished
    at.run()
    _no_exception(at)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in [*at.error, *at.warning, *at.success, *at.info]]
    return "\n".join(str(p) for p in parts)


def test_three_models_answer_side_by_side_with_figures(upstream):
    upstream.by_model = {
        "fast-model": sse(["一只", "橙色的猫"], model="fast-model", usage=USAGE),
        "slow-model": sse(["也许", "是狐狸"], model="slow-model", delay=0.2, usage=USAGE),
        "broken-model": openai_error(404, "The model does not exist", code="model_not_found"),
    }
    at = _page(upstream, "zh", ["fast-model", "slow-model", "broken-model"])
    run = _run(at)
    _settle(at, run)

    texts = _texts(at)
    assert "一只橙色的猫" in texts and "也许是狐狸" in texts
    assert "custom/fast-model" in texts  # open mode: names shown
    assert texts.count("⏱ 首字") == 3  # the failed column says how long it took to fail
    assert texts.count("💰") == 2  # a failed request has no cost line
    assert texts.count("服务商：输入 140 · 输出 9 tokens") == 2
    assert texts.count("Kantu 估算输入 ≈") == 3
    # billed 140 against an estimate of several hundred: flagged, in both answered columns
    assert texts.count("⚑ 服务商计费 140 个输入 tokens") == 2
    assert texts.count("结束原因：stop") == 2
    assert texts.count("看图检查：未检查") == 3
    # The failure stays in its own column (the form's columns come first).
    first, second, third = at.columns[-3:]
    assert not first.error and not second.error
    assert [e.value for e in third.error] == [
        t("error.model_not_found", "zh", model="broken-model")
    ]
    assert "一只橙色的猫" in [m.value for m in first.markdown]
    # All three requests carried the question and the picture, with the operator's key.
    sent = upstream.requests
    assert {r.json["model"] for r in sent} == {"fast-model", "slow-model", "broken-model"}
    for request in sent:
        content = request.json["messages"][-1]["content"]
        assert any(part.get("type") == "image_url" for part in content)
        assert request.headers["Authorization"] == f"Bearer {OPERATOR_KEY}"
    assert OPERATOR_KEY not in texts
    # The exports are offered once the run is over.
    labels = [b.label for b in at.get("download_button")]
    assert labels == [t("compare.export_md", "zh"), t("compare.export_json", "zh")]


def test_a_vision_check_in_the_session_shows_under_its_column(upstream):
    upstream.by_model = {m: sse(["好"], model=m) for m in ("seeing", "blind-model")}
    at = _page(upstream, "en", ["seeing", "blind-model"])
    session.state_in(at.session_state, chat_state.ToolsState).vision_checks = {
        "custom/seeing": True,
        "custom/blind-model": False,
    }
    run = _run(at)
    _settle(at, run)
    texts = _texts(at)
    assert "vision check: sees pictures" in texts
    assert "vision check: does not see pictures" in texts


def test_blind_mode_hides_names_until_the_vote_then_counts_it(upstream):
    upstream.by_model = {
        "alpha": sse(["阿尔法的回答"], model="alpha"),
        "beta": sse(["贝塔的回答"], model="beta"),
        "gamma": openai_error(404, "The model `gamma` does not exist", code="model_not_found"),
    }
    at = _page(upstream, "en", ["alpha", "beta", "gamma"])
    at.toggle(key=keys.COMPARE_BLIND).set_value(True)
    run = _run(at)
    _settle(at, run)
    texts = _texts(at)
    assert "Answer A" in texts and "Answer B" in texts and "Answer C" in texts
    for name in ("alpha", "beta", "gamma"):  # not even in the failed column's error
        assert name not in texts, name
    assert not at.get("download_button"), "an export would reveal the names"

    winner = next(c for c in run.columns if c.model == "beta")
    at.button(key=keys.compare_column_key("vote", winner.label)).click().run()
    _no_exception(at)
    texts = _texts(at)
    assert f"You picked {winner.label}: {winner.name}" in texts
    assert "custom/alpha" in texts and "custom/gamma" in texts
    assert "custom/beta: picked best 1 of 1 times" in texts
    assert "custom/alpha: picked best 0 of 1 times" in texts
    assert at.get("download_button")

    # A second blind run adds to the same tally.
    run = _run(at)
    _settle(at, run)
    at.button(key=keys.compare_column_key("vote", "A")).click().run()
    assert "custom/alpha: picked best 0 of 1 times" not in _texts(at)
    assert _texts(at).count("of 2 times") == 3


def test_stop_ends_one_column_and_the_others_finish(upstream):
    slow = [f"第{i}段 " for i in range(30)]
    upstream.by_model = {
        "stoppable": sse(slow, model="stoppable", delay=0.2),
        "steady": sse(["稳稳地", "答完了"], model="steady", delay=0.3),
    }
    at = _page(upstream, "zh", ["stoppable", "steady"])
    run = _run(at)
    stoppable, steady = run.columns
    assert stoppable.exchange.wait(0, 5)
    at.button(key=keys.compare_column_key("stop", "A")).click().run()
    _no_exception(at)
    assert stoppable.finished and stoppable.answer.meta.outcome == "stopped"
    assert stoppable.error is None
    _settle(at, run)
    assert steady.answer.meta.outcome == "ok"
    texts = _texts(at)
    assert "稳稳地答完了" in texts
    assert t("compare.stopped", "zh") in texts
    assert slow[-1].strip() not in texts


def test_a_run_stopped_while_its_columns_are_admitted_shows_what_it_sent(upstream, monkeypatch):
    """A newer trigger stops a run at its next session read: here while the second column is
    admitted (the gate reads the session). The first column, admitted, still goes and the
    comparison is kept and shown on the next run; nothing is sent unseen, and Run is not done
    a second time."""
    upstream.by_model = {"fast-model": sse(["一只猫"], model="fast-model", usage=USAGE)}
    at = _page(upstream, "zh", ["fast-model", "slow-model"])
    real_gate = compare.send_exchange
    admitted: list[object] = []

    def stopped_at_the_second(*args, **kwargs):
        if admitted:
            raise StopException()  # what Streamlit raises at the read of a run asked to stop
        admitted.append(real_gate(*args, **kwargs))

    monkeypatch.setattr(compare, "send_exchange", stopped_at_the_second)
    at.file_uploader(key=keys.COMPARE_FILES).upload(
        "photo.jpg", make.photo_jpeg(640, 480), "image/jpeg"
    )
    at.button(key=keys.COMPARE_RUN_BUTTON).click().run()
    monkeypatch.setattr(compare, "send_exchange", real_gate)
    run = session.state_in(at.session_state, session.CompareState).run
    assert isinstance(run, CompareRun)  # kept: its answer is shown, not sent unseen
    _settle(at, run)
    assert "一只猫" in _texts(at)
    at.run()
    assert [r.json["model"] for r in upstream.requests] == ["fast-model"]  # and Run done once


def test_run_without_a_picture_says_what_is_missing(upstream):
    at = _page(upstream, "en", ["a", "b"])
    at.button(key=keys.COMPARE_RUN_BUTTON).click().run()
    _no_exception(at)
    assert t("compare.need_picture", "en") in [w.value for w in at.warning]
    assert session.state_in(at.session_state, session.CompareState).run is None
    assert upstream.requests == []


def test_the_operator_key_stays_home_and_a_column_key_goes_to_its_column_only(upstream):
    """A column on another provider gets neither the operator's key nor a request without a
    key: it says why, in its own column, while the others answer. A key typed for one column
    goes with that column's request only."""
    upstream.by_model = {m: sse(["好的"], model=m) for m in ("home-a", "home-b")}
    at = _page(upstream, "en", ["home-a", "home-x", "home-b"])
    at.selectbox(key=keys.choice_key(keys.compare_preset_key(1), "en")).set_value("openai").run()
    # its default: column 2 takes the provider's best (dearest) vision model, column 1 its cheapest
    assert at.selectbox(key=keys.compare_model_key(1)).value == "gpt-4o"
    at.text_input(key=keys.compare_api_key(2)).input("column-three-key-555")
    run = _run(at)
    _settle(at, run)
    home_a, openai, home_b = run.columns
    assert openai.refused is not None and openai.exchange is None
    assert home_a.answer.meta.outcome == "ok" and home_b.answer.meta.outcome == "ok"
    by_model = {r.json["model"]: r.headers["Authorization"] for r in upstream.requests}
    assert by_model == {
        "home-a": f"Bearer {OPERATOR_KEY}",
        "home-b": "Bearer column-three-key-555",
    }
    second = at.columns[-2]
    assert [e.value for e in second.error] == [t("config.operator_key_withheld", "en")]
    assert t("compare.key_hint", "en") in "\n".join(c.value for c in second.caption)
    assert OPERATOR_KEY not in _texts(at) and "column-three-key-555" not in _texts(at)


PRICES = {
    "fast-model": {"input": 1.0, "output": 4.0, "currency": "CNY"},
    "slow-model": {"input": 1.0, "output": 4.0, "currency": "CNY"},
}
PRICES_TEXT = "\n".join(
    f'"{model}" = {{ input = 1.0, output = 4.0, currency = "CNY" }}' for model in PRICES
)
BILL = "¥0.00018"  # 140 prompt tokens at ¥1 and 9 answer tokens at ¥4 per million


def _chat_bill(up: FakeUpstream, secrets: dict[str, object]) -> str:
    """Ask fast-model once on the chat page with these operator secrets; return the answer's
    captions."""
    up.enqueue(sse(["猫"], model="fast-model", usage=USAGE))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update({"KANTU_BASE_URL": up.base_url, "KANTU_API_KEY": OPERATOR_KEY})
    at.secrets.update({"KANTU_MODEL": "fast-model", **secrets})
    at.session_state[keys.LANG] = "en"
    at.run()
    photo = make.photo_jpeg(640, 480)
    at.chat_input[0].upload("a.jpg", photo, "image/jpeg").set_value("What is it?").run()
    _no_exception(at)
    return answer_footer(at)


@pytest.mark.parametrize("where", ["secrets", "environment"])
def test_compare_shows_the_price_chat_shows_for_the_operators_kantu_prices(
    upstream, monkeypatch, where
):
    secrets: dict[str, object] = {"KANTU_PRICES": PRICES} if where == "secrets" else {}
    if where == "environment":
        monkeypatch.setenv("KANTU_PRICES", PRICES_TEXT)
    assert BILL in _chat_bill(upstream, secrets)

    upstream.by_model = {m: sse(["猫"], model=m, usage=USAGE) for m in PRICES}
    at = _page(upstream, "en", list(PRICES), secrets)
    _settle(at, _run(at, "What is it?"))
    texts = _texts(at)
    assert texts.count(BILL) == 2
    assert t("money.price_unknown", "en") not in texts


def test_a_visitors_own_price_shows_in_compare_as_in_chat(upstream):
    """Prices are read one way on every page: a price the visitor set for themselves (sidebar →
    cost) is the one Compare bills at, as Chat does, never "price unknown"."""
    upstream.by_model = {m: sse(["猫"], model=m, usage=USAGE) for m in ("own-a", "own-b")}
    at = _page(upstream, "en", ["own-a", "own-b"])
    tools = session.state_in(at.session_state, chat_state.ToolsState)
    tools.visitor_prices = {m: Price(1.0, 4.0, "CNY") for m in ("own-a", "own-b")}
    _settle(at, _run(at, "What is it?"))
    texts = _texts(at)
    assert texts.count(BILL) == 2
    assert t("money.price_unknown", "en") not in texts


def _form_targets(at: AppTest) -> list[tuple[str, str]]:
    count = at.session_state[keys.COMPARE_COUNT]
    return [
        (at.session_state[keys.compare_preset_key(i)], at.session_state[keys.compare_model_key(i)])
        for i in range(count)
    ]


def _open_compare(lang: str, secrets: dict[str, object] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets.update(secrets or {})
    at.session_state[keys.LANG] = lang
    at.run()
    at.switch_page("pages/compare.py").run()
    _no_exception(at)
    return at


def test_columns_start_on_the_providers_cheapest_and_best_vision_models():
    at = _open_compare("en", {"KANTU_API_KEY": OPERATOR_KEY})
    assert _form_targets(at) == [("bingcheng", "gpt-4o-mini"), ("bingcheng", "gpt-4o")]
    assert t("compare.needs_key", "en", provider="BingCheng") not in _texts(at)


def test_columns_start_on_the_models_the_operator_allows():
    allowed = ["qwen-vl-plus", "qwen-vl-max", "qwen3-vl-plus"]
    secrets = {
        "KANTU_BASE_URL": "https://dashscope.aliyuncs.com/compatible-mode/v1",
        "KANTU_API_KEY": OPERATOR_KEY,
        "KANTU_ALLOWED_MODELS": allowed,
    }
    at = _open_compare("zh", secrets)
    targets = _form_targets(at)
    assert [p for p, _ in targets] == ["dashscope"] * 3
    # cheapest (¥0.8 in) first, then the dearest, then the rest: three different models
    assert [m for _, m in targets] == ["qwen-vl-plus", "qwen-vl-max", "qwen3-vl-plus"]


@pytest.mark.skipif(not reader_status().available, reason="the OCR packages are not installed")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_without_a_key_the_reader_is_one_column_and_the_others_say_what_a_key_adds(lang):
    at = _open_compare(lang)
    targets = _form_targets(at)
    assert [p for p, _ in targets].count("local_ocr") == 1
    assert targets[0] == ("local_ocr", "rapidocr-pp-ocrv6")
    assert targets[1:] == [("bingcheng", "gpt-4o-mini"), ("bingcheng", "gpt-4o")]
    hint = "🔑 " + t("compare.needs_key", lang, provider=PRESETS["bingcheng"].name(lang))
    assert [c.value for c in at.caption].count(hint) == 2
