"""The local text reader: accuracy on generated pictures, the offline preset's answer through the
exchange, the CLI, reading with the network blocked, and the app without the OCR packages."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from components.conversation.clients import open_client, resolve_any
from components.conversation.exchange import Exchange
from components.devtools import image_factory as make
from components.devtools import text_pictures as tp
from components.errors import ReadFailedError
from components.i18n import t
from components.images.prepare import prepare_image
from components.ocr import engine
from components.ocr.local_client import LocalClient, LocalSettings, escape_markdown
from components.turns import ChatTurn
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    not engine.reader_status().available, reason="the OCR packages are not installed"
)
ACCURACY_FLOOR = 0.95  # mean over the generated set; each picture at least 0.85


@pytest.fixture(scope="module")
def reader() -> engine.TextReader:
    return engine.shared_reader()


def _prepared(data: bytes, name: str = "receipt.jpg"):
    return prepare_image(data, name=name, detail="high", model="gpt-4o-mini")


def test_reads_chinese_and_english_on_generated_pictures_above_the_floor(reader, record_property):
    scores = []
    for index, lines in enumerate(tp.ACCURACY_SET):
        found = reader.read(tp.text_picture(lines, photo=index % 2 == 0))
        scores.append(tp.character_accuracy("\n".join(lines), found.text))
    mean = sum(scores) / len(scores)
    record_property("character_accuracy", round(mean, 4))
    print(f"character accuracy: mean {mean:.3f}, per picture {[round(s, 3) for s in scores]}")
    assert mean >= ACCURACY_FLOOR and min(scores) >= 0.85, scores


def test_character_accuracy_counts_every_wrong_missing_or_extra_character():
    assert tp.character_accuracy("合计 16.30", "合计16.30") == 1.0
    assert tp.character_accuracy("合计 16.30", "合汁 16.30") == pytest.approx(1 - 1 / 7)
    assert tp.character_accuracy("abcd", "") == 0.0
    assert tp.character_accuracy("ab", "abXY") == 0.0


def test_lines_come_in_reading_order_with_boxes_inside_the_picture(reader):
    found = reader.read(tp.text_picture(tp.RECEIPT, width=700))
    assert [line.text.replace(" ", "") for line in found.lines] == [
        line.replace(" ", "") for line in tp.RECEIPT
    ]
    tops = [line.top for line in found.lines]
    assert tops == sorted(tops)
    for line in found.lines:
        assert 0.5 < line.confidence <= 1
        assert all(0 <= x <= found.width and 0 <= y <= found.height for x, y in line.box)


def test_a_tall_picture_is_read_in_bands_and_a_line_on_a_band_edge_is_kept_once(reader):
    # the second band starts at BAND_HEIGHT - BAND_OVERLAP: put a line across that edge
    edge = engine.BAND_HEIGHT - engine.BAND_OVERLAP
    lines = ("设置 Settings", "合计 Total 16.30", "Please try again later")
    data = tp.text_picture(lines, width=700, size=40, line_gap=(edge - 50) / 40, top=30)
    found = reader.read(data)
    assert found.height > engine.BAND_HEIGHT + engine.BAND_OVERLAP
    assert [line.text.replace(" ", "") for line in found.lines] == [
        line.replace(" ", "") for line in lines
    ]


def test_a_sliced_long_screenshot_is_read_slice_by_slice_each_line_once(reader):
    # Sent whole, a 1170×3600 screenshot shrinks to 666×2048, its text to 57 % of its size; its
    # two slices (one seam, where they overlap) go at full size to the provider and this reader.
    image, lines = make.long_screenshot_image(1170, 3600)
    sliced = prepare_image(
        make.encode(image, "PNG"), name="chat.png", detail="slices", model="gpt-4o-mini"
    )
    assert len(sliced.parts) == 2
    found = reader.read(sliced)
    expected = "\n".join(text for _, text in lines)
    assert tp.character_accuracy(expected, found.text) >= 0.95, found.text
    assert abs(len(found.lines) - len(lines)) <= 1  # the overlaps are read once, not twice
    assert [line.top for line in found.lines] == sorted(line.top for line in found.lines)


def test_an_undecodable_picture_is_refused_with_its_own_error(reader):
    with pytest.raises(ReadFailedError):
        reader.read(b"not a picture")


def test_read_text_is_shown_literally_in_markdown():
    assert escape_markdown("*bold* [link](x) $5 :red[x]") == (
        "\\*bold\\* \\[link\\](x) \\$5 \\:red\\[x\\]"
    )
    assert escape_markdown("- item") == "\\- item"
    assert escape_markdown("1. first") == "1\\. first"


def test_the_offline_preset_answers_with_the_text_says_what_it_is_and_needs_no_key():
    settings = resolve_any(preset_id="local_ocr", lang="en", environ={})
    assert isinstance(settings, LocalSettings) and settings.missing_key_error() is None
    assert isinstance(open_client(settings), LocalClient)
    picture = _prepared(tp.text_picture(tp.SCREENSHOT), "error.png")
    exchange = Exchange([ChatTurn("user", "Describe this picture", (picture,))])
    pieces = list(exchange.start(settings).follow(poll_s=0.1))
    answer = exchange.answer
    assert answer is not None and answer.error is None and answer.meta.outcome == "ok"
    assert answer.text.startswith(t("ocr.answer_intro", "en"))
    assert "not a vision model" in pieces[0]
    for line in tp.SCREENSHOT:
        assert escape_markdown(line) in answer.text.replace(" :gray", ":gray")
    assert ":gray[" in answer.text  # the confidence, quietly
    assert answer.meta.requested_model == "rapidocr-pp-ocrv6"
    assert answer.meta.image_tokens == 0  # read here: nothing billed


def test_the_offline_preset_without_a_picture_asks_for_one_in_chinese():
    settings = resolve_any(preset_id="local_ocr", lang="zh", environ={})
    exchange = Exchange([ChatTurn("user", "你好")]).start(settings)
    exchange.wait(10**9, timeout=60)
    assert exchange.answer.meta.outcome == "ok"
    assert t("ocr.no_pictures", "zh") in exchange.answer.text
    assert t("ocr.answer_intro", "zh") in exchange.answer.text


def test_stop_ends_a_local_answer_at_once_keeping_what_was_read():
    settings = LocalSettings(lang="en")
    pictures = tuple(_prepared(tp.text_picture(tp.RECEIPT), f"{i}.png") for i in range(6))
    exchange = Exchange([ChatTurn("user", "?", pictures)]).start(settings)
    assert exchange.wait(0, timeout=60)  # the heading arrived
    exchange.stop()
    assert exchange.answer.meta.outcome == "stopped"
    assert exchange.answer.text.count("Kantu Store") < 6


def test_cli_read_prints_each_picture_text_and_fails_for_a_missing_file(tmp_path):
    picture = tmp_path / "receipt.jpg"
    picture.write_bytes(tp.text_picture(tp.RECEIPT, photo=True))
    done = _run([sys.executable, "-m", "components", "read", str(picture), "--json"])
    assert done.returncode == 0, done.stderr[-2000:]
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert row["ok"] and row["file"] == str(picture)
    assert [line["text"].replace(" ", "") for line in row["lines"]] == [
        line.replace(" ", "") for line in tp.RECEIPT
    ]
    first = row["lines"][0]
    assert len(first["box"]) == 4 and 0.5 < first["confidence"] <= 1
    done = _run([sys.executable, "-m", "components", "read", str(picture), "missing.png"])
    assert done.returncode == 1
    assert "合计 Total 16.30" in done.stdout and "== missing.png ==\nerror:" in done.stdout


NO_NETWORK = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network blocked by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse
"""


def test_reading_works_with_the_network_blocked(tmp_path):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(NO_NETWORK)
    picture = tmp_path / "sign.png"
    picture.write_bytes(tp.text_picture(tp.ACCURACY_SET[2]))
    probe = "import socket; socket.getaddrinfo('pypi.org', 443)"
    blocked = _run([sys.executable, "-c", probe], hooks=hooks)
    assert "network blocked by the test" in blocked.stderr  # the hook works
    done = _run([sys.executable, "-m", "components", "read", "--json", str(picture)], hooks=hooks)
    assert done.returncode == 0, done.stderr[-2000:]
    row = json.loads(done.stdout.strip().splitlines()[-1])
    assert "禁止吸烟" in row["text"] and "EXIT" in row["text"]


NO_OCR = """
import sys
class BlockOCR:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("rapidocr", "onnxruntime"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, BlockOCR())
"""

APP_WITHOUT_OCR = """
import json, os, tempfile
from streamlit import config
from streamlit.testing.v1 import AppTest
from components.ui import state_keys as keys
config.set_option("secrets.files", [os.path.join(tempfile.mkdtemp(), "secrets.toml")])
at = AppTest.from_file(os.path.abspath("app.py"), default_timeout=30)
run_once = at._run
def run_from_entry(*args, **kwargs):  # as tests/test_page_chat.py: rerun the entry script
    at._finished_page_script_hash = ""
    return run_once(*args, **kwargs)
at._run = run_from_entry
at.session_state[keys.LANG] = "en"
at.run().run()  # the first screen, then the run it asks for (components/ui/first_screen.py)
first = at.session_state[keys.PROVIDER]
at.selectbox(key=keys.choice_key(keys.PROVIDER, "en")).set_value("local_ocr").run()
at.chat_input[0].set_value("What does it say?").run()
texts = [str(e.value) for e in [*at.warning, *at.error, *at.info]]
texts += [str(m.value) for m in at.markdown]
print(json.dumps({"exceptions": [str(e.value) for e in at.exception], "first": first,
                  "texts": texts}))
"""


def test_the_app_starts_without_the_ocr_packages_and_says_why_the_preset_is_unavailable(
    tmp_path,
):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(NO_OCR)
    environ = {"KANTU_API_KEY": "", "OPENAI_API_KEY": "", "KANTU_BASE_URL": ""}
    done = _run([sys.executable, "-c", APP_WITHOUT_OCR], hooks=hooks, extra_env=environ)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == []
    assert report["first"] == "bingcheng"  # the default provider, since the reader cannot run
    shown = "\n".join(report["texts"])
    assert "Local text reading is not available here" in shown
    assert "'rapidocr' is not installed" in shown


def _run(
    command: list[str], *, hooks: Path | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KANTU_", "OPENAI_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hooks or ""), str(ROOT)]))
    env.update({k: v for k, v in (extra_env or {}).items() if v})
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def test_the_reader_stays_available_while_its_packages_are_being_imported(monkeypatch):
    # The background load imports cv2 while a page asks whether the reader can run. Mid-import,
    # cv2 sits in sys.modules without a spec, and a bare find_spec raises "cv2.__spec__ is None":
    # the page then said the reader was not installed (seen once in CI).
    half_imported = types.ModuleType("cv2")
    half_imported.__spec__ = None
    monkeypatch.setitem(sys.modules, "cv2", half_imported)
    engine.missing_module.cache_clear()  # looked up once per process: here, mid-import
    try:
        assert engine.reader_status().available
    finally:
        engine.missing_module.cache_clear()


HOOK_PROBE = """
import importlib, socket, sys
for name in sys.argv[1:]:
    try:
        if name == "network":
            socket.create_connection(("127.0.0.1", 9), timeout=1)
        else:
            importlib.import_module(name)
        print(name, "works")
    except (OSError, ImportError) as exc:
        print(name, "blocked:", exc)
"""


@pytest.mark.parametrize(
    ("hook", "blocked", "untouched"),
    [
        (NO_NETWORK, ["network"], ["json", "PIL", "rapidocr"]),
        (NO_OCR, ["rapidocr", "onnxruntime", "rapidocr.main"], ["network", "json", "PIL"]),
    ],
    ids=["no-network", "no-ocr"],
)
def test_each_subprocess_hook_blocks_what_it_names_and_nothing_else(
    tmp_path, hook, blocked, untouched
):
    """The hooks the tests above install (as sitecustomize, plain Python run before anything
    else) block exactly their target in a fresh interpreter: a hook that blocked nothing would
    let those tests pass without proving anything."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(hook)
    done = _run([sys.executable, "-c", HOOK_PROBE, *blocked, *untouched], hooks=hooks)
    assert done.returncode == 0, done.stderr[-2000:]
    said = dict(line.split(" ", 1) for line in done.stdout.strip().splitlines())
    for name in blocked:
        assert said[name].startswith("blocked:"), (name, said[name])
    for name in untouched:  # "network": nothing listens on port 9, but the connection was tried
        assert said[name] == "works" or (
            name == "network" and "blocked by the test" not in said[name]
        ), (name, said[name])


class _SlowEngine:
    """Stands in for RapidOCR: each read takes a while and records whose picture it was."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def __call__(self, band):
        import time

        time.sleep(0.05)
        self.log.append(band.getpixel((0, 0)))
        return type("Output", (), {"boxes": None, "txts": None, "scores": None})()


def test_reads_are_served_in_turn_so_a_long_picture_cannot_starve_another():
    import threading

    from PIL import Image

    from components.devtools.image_factory import encode

    order: list = []
    reader = engine.TextReader()
    reader._engine = _SlowEngine(order)  # loaded: no models needed for the order of turns
    # a long screenshot: eight bands read back to back, the slot released between them
    long = encode(Image.new("RGB", (40, engine.BAND_HEIGHT * 8), (1, 1, 1)), "PNG")
    one = encode(Image.new("RGB", (40, 40), (2, 2, 2)), "PNG")
    first = threading.Thread(target=reader.read, args=(long,))
    first.start()
    for _ in range(10_000):  # until the long one holds the slot (at most 10 s)
        if order:
            break
        threading.Event().wait(0.001)
    reader.read(one)  # arrives while the long one is being read
    position = order.index((2, 2, 2))
    first.join()
    assert position <= 2, order  # served after at most the picture in hand and one queued
