"""What a reader sees on a sample of screens, in Chinese and English, written out literally.

The other page tests compare with ``t(key)``, which cannot see a text missing on both sides;
these name the expected words themselves: the chat page's heading and input, a hosting refusal,
the batch summary and a Compare column's heading.
"""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from components.conversation.compare import CompareRun
from components.devtools import image_factory as make
from components.devtools.upstream import FakeUpstream, sse
from components.ui import session
from components.ui import state_keys as keys
from tests.conftest import ROOT, entry_app_test
from tests.helpers import OPERATOR_KEY

LANGS = ["zh", "en"]

pytestmark = pytest.mark.usefixtures("isolated_secrets")


def _opened(at: AppTest, lang: str, secrets: dict[str, object]) -> AppTest:
    at.secrets.update(secrets)
    at.session_state[keys.LANG] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in [*at.error, *at.warning, *at.info, *at.success]]
    return "\n".join(str(p) for p in parts)


def _png(width: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, 40), (30, 144, 255)).save(out, "PNG")
    return out.getvalue()


HEADING = {"zh": "Kantu 看图 · 问问你的图片", "en": "Kantu 看图 · Ask about any picture"}
PLACEHOLDER = {"zh": "问一个关于图片的问题…", "en": "Ask about a picture…"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_chat_page_greets_and_asks_in_the_readers_language(lang):
    at = _opened(entry_app_test(), lang, {})
    assert [h.value for h in at.title] == [HEADING[lang]]
    assert at.chat_input[0].proto.placeholder == PLACEHOLDER[lang]


ACCESS_CODE_REQUIRED = {
    "zh": "本站的密钥需要访问码：请在页面顶部输入访问码后重试，或在侧边栏填入你自己的 API 密钥。",
    "en": "This site's key needs an access code: enter it at the top of the page and retry, "
    "or enter your own API key in the sidebar.",
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_sites_key_refuses_a_question_without_the_access_code(upstream, tmp_path, lang):
    secrets = {
        "KANTU_BASE_URL": upstream.base_url,
        "KANTU_API_KEY": OPERATOR_KEY,
        "KANTU_LEDGER_PATH": str(tmp_path / "ledger.sqlite3"),
        "KANTU_ACCESS_CODE": ["open-sesame"],
    }
    at = _opened(entry_app_test(), lang, secrets)
    at.chat_input[0].set_value("What is this?").run()
    assert not at.exception, [e.value for e in at.exception]
    assert upstream.requests == []
    assert ACCESS_CODE_REQUIRED[lang] in _shown(at)


BATCH_SUMMARY = {
    "zh": (
        "2 张图片可以发送，预计提示词 ",
        "1 个文件不会发送：",
        "- broken.jpg：不是可识别的图片。",
    ),
    "en": (
        "2 pictures to send, about ",
        "1 file will not be sent:",  # singular (issue 21 point 8)
        "- broken.jpg: not a recognised image.",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_batch_summary_counts_what_will_be_sent_and_names_what_will_not(upstream, lang):
    secrets = {"KANTU_BASE_URL": upstream.base_url, "KANTU_API_KEY": OPERATOR_KEY}
    at = _opened(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), lang, secrets)
    at.switch_page("pages/batch.py").run()
    at.file_uploader(key=keys.BATCH_FILES).set_value(
        [
            ("a.png", _png(60), "image/png"),
            ("b.png", _png(61), "image/png"),
            ("broken.jpg", b"not a picture", "image/jpeg"),
        ]
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _shown(at)
    for words in BATCH_SUMMARY[lang]:
        assert words in shown, (words, shown)
    assert not upstream.requests


COLUMN_HEADINGS = {"zh": ("**回答 A**", "**回答 B**"), "en": ("**Answer A**", "**Answer B**")}
MODEL_LABELS = {"zh": ["模型 1", "模型 2"], "en": ["Model 1", "Model 2"]}


def _settle(at: AppTest, run: CompareRun, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not run.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.finished
    at.run()
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("lang", LANGS)
def test_compare_columns_are_headed_in_the_readers_language(upstream: FakeUpstream, lang):
    upstream.by_model = {m: sse(["好"], model=m) for m in ("alpha", "beta")}
    secrets = {
        "KANTU_BASE_URL": upstream.base_url,
        "KANTU_API_KEY": OPERATOR_KEY,
        "KANTU_ALLOWED_MODELS": ["gpt-4o-mini", "alpha", "beta"],
    }
    at = _opened(AppTest.from_file(str(ROOT / "app.py"), default_timeout=30), lang, secrets)
    at.switch_page("pages/compare.py")
    at.session_state[keys.COMPARE_COUNT] = 2
    for i, model in enumerate(("alpha", "beta")):
        at.session_state[keys.compare_model_key(i)] = model
    at.run()
    assert [
        s.label for s in at.selectbox if s.key in {keys.compare_model_key(i) for i in (0, 1)}
    ] == MODEL_LABELS[lang]
    at.toggle(key=keys.COMPARE_BLIND).set_value(True)
    at.file_uploader(key=keys.COMPARE_FILES).upload(
        "photo.jpg", make.photo_jpeg(64, 48), "image/jpeg"
    )
    at.text_input(key=keys.COMPARE_QUESTION).input("What is this?")
    at.button(key=keys.COMPARE_RUN_BUTTON).click().run()
    run = session.state_in(at.session_state, session.CompareState).run
    _settle(at, run)
    headings = [m.value for m in at.markdown]
    for heading in COLUMN_HEADINGS[lang]:
        assert heading in headings, headings
