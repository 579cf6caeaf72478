"""Benchmark the first screen and the first question in headless Chromium: Kantu against the naive
baseline (``bench/baseline_app.py``), in the same run.

Run ``python bench/first_screen.py`` (``--runs N``, default 5: about 3 minutes). Both apps run as
real ``streamlit run`` servers (``components.devtools.browser.start_app``), each against its own
loopback fake upstream (``bench/timed_upstream.py``) that answers at once. Measured for each app:

1. Page load to a usable chat input: from the navigation's start (``performance.timeOrigin``) to
   the chat input's textarea being in the page and enabled, noted in the page by a
   MutationObserver (with an animation-frame check as a backstop) installed before any of the
   page's own scripts. A new browser context (empty cache) each load; the first load after the
   server starts is a cold one (``--colds K``: K servers started afresh, the apps in turn, the
   median; one start alone moved the ratio by ±0.3), the next N loads of the last server (median)
   the warm one. With each: the requests
   and the bytes transferred (``performance`` navigation and resource entries) up to that
   moment, and once the page is idle. Target: Kantu ≤ 1.2 s warm.
2. Enter to the question drawn, and to its thumbnails decoded, with 1 and with 3 12 MP JPEG
   photos attached (made with Pillow, each different): a capture-phase ``keydown`` listener notes
   Enter; a MutationObserver and an animation-frame check note when the question's text first
   shows as a message (Kantu's stand-in, drawn by the page at Enter, or Streamlit's own chat
   message), and when it shows one thumbnail per photo with its pixels (the stand-in's copies of
   the input's loaded previews, or Streamlit's ``<img>`` elements, complete); and,
   within each run, the time from the question to its thumbnails. Streamlit's own message (the
   server has run the page for it) is timed on a row of its own. The baseline draws no
   thumbnails: only its question is timed. Target: Kantu ≤ 100 ms after Enter.
3. Enter to the first word of the answer, with 1 and with 3 photos, noted the same way; and the
   3-photo figure's excess over the 1-photo one of the same round (a round sends both, a few
   seconds apart). Target: Kantu with 3 photos ≤ its 1-photo figure + 150 ms.

Each question goes from a new browser session (a new context) on a warm server (one exchange per
app is sent and dropped first); the apps take turns, so both meet the same noise. All times are
``performance.now()`` in the page. Timings on a shared 2-core machine are noisy: compare the two
columns (and the 1- and 3-photo rows) of one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page, expect
from playwright.sync_api import Error as PlaywrightError

from bench.browser import (
    BenchError,
    Row,
    Target,
    close_page,
    log,
    median,
    press_enter,
    print_table,
    run_on_both,
    type_question,
)
from components.devtools.browser import attach_files, open_page, wait_for_idle
from components.devtools.image_factory import encode, photo
from components.devtools.upstream import sse

PHOTO_SIZE = (4000, 3000)  # 12 MP
PICTURE_COUNTS = (1, 3)
WAIT_MS = 60_000  # any single wait in the browser
# A person attaches the photos, then types the question: the time between (``--typing-s``). With
# none, Enter came while the page still decoded the chips' previews, which no typed question meets.
TYPING_S = 1.0
USABLE_TARGET_MS = 1200
SHOWN_TARGET_MS = 100
MORE_PICTURES_MS = 150  # the 3-photo answer may start this much later than the 1-photo one

# Installed before the page's own scripts (top frame only): notes when the chat input's textarea
# is first present and enabled, and what had been fetched by then.
USABLE_JS = """
(() => {
  if (window !== window.top) return;
  const fetched = () => {
    const entries = [...performance.getEntriesByType("navigation"),
                     ...performance.getEntriesByType("resource")];
    return {requests: entries.length,
            bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0)};
  };
  window.__fetched = fetched;
  const check = () => {
    if (window.__usable) return true;
    const box = document.querySelector('[data-testid="stChatInputTextArea"]');
    if (box && !box.disabled) {
      window.__usable = {at: performance.now(), ...fetched()};
      return true;
    }
    return false;
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["disabled"],
  });
  const frame = () => { if (!check()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();
"""

# Installed once the page is idle, before Enter: notes Enter, the question in a chat message, its
# thumbnails decoded, and the answer's first word.
SENT_JS = """
(spec) => {
  const seen = window.__sent = {enter: null, question: null, thumbs: null, answer: null,
                                drawn: null};
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && seen.enter === null) seen.enter = performance.now();
  }, true);
  const done = () => seen.question !== null && seen.answer !== null && seen.drawn !== null
    && (spec.pictures === 0 || seen.thumbs !== null);
  seen.done = done;
  const check = () => {
    if (seen.enter === null) return;
    const now = performance.now();
    const messages = [...document.querySelectorAll('[data-testid="stChatMessage"]')];
    const asked = messages.find((m) => m.textContent.includes(spec.question));
    const echo = document.querySelector('[data-testid="kantuEcho"]');
    const echoed = echo?.textContent.includes(spec.question) ? echo : null;
    if ((asked || echoed) && seen.question === null) seen.question = now;
    if (asked && seen.drawn === null) seen.drawn = now;
    if (spec.pictures > 0 && seen.thumbs === null) {
      const pictures = asked ? [...asked.querySelectorAll('[data-testid="stImage"] img')] : [];
      const drawn = echoed ? echoed.querySelectorAll('[data-drawn]').length : 0;
      if (drawn >= spec.pictures || (pictures.length >= spec.pictures
          && pictures.every((img) => img.complete && img.naturalWidth > 0))) seen.thumbs = now;
    }
    if (seen.answer === null
        && messages.some((m) => m !== asked && m.textContent.includes(spec.answer))) {
      seen.answer = now;
    }
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, characterData: true, attributes: true,
    attributeFilter: ["src"],
  });
  const frame = () => { check(); if (!done()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}
"""


@dataclass(frozen=True)
class Load:
    """One page load: ms to a usable chat input, and what was fetched by then and once idle."""

    usable_ms: float
    requests: int
    kb: float
    idle_requests: int
    idle_kb: float


@dataclass(frozen=True)
class Sent:
    """One question: ms from Enter to the question shown, its thumbnails decoded (None when the
    app draws none), Streamlit's own message for it, and the answer's first word."""

    question_ms: float
    thumbs_ms: float | None
    drawn_ms: float
    answer_ms: float


class FigureRow(Row):
    """A row whose baseline may be missing (NaN: the baseline has no such thing), and whose
    figures may be counts or kilobytes."""

    def cells(self) -> list[str]:
        cells = super().cells()
        if math.isnan(self.baseline):
            cells[2], cells[3] = "—", "—"
        return cells


# ---------------------------------------------------------------------------------------------
# Inputs


def make_photos(count: int) -> list[FilePayload]:
    """Return ``count`` different 12 MP JPEG photos (about 4 MB each, as a phone's): gradients
    turned a different way for each, and fresh sensor-like noise in every channel."""
    width, height = PHOTO_SIZE
    photos: list[FilePayload] = []
    for i in range(count):
        bands = photo(width, height, noise=False).split()
        bands = bands[i % 3 :] + bands[: i % 3]
        grainy = [
            Image.blend(band, Image.effect_noise((width, height), 40 + 10 * n), 0.35)
            for n, band in enumerate(bands)
        ]
        image = Image.merge("RGB", grainy)
        if i % 2:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        name = f"photo-{i + 1}.jpg"
        photos.append({"name": name, "mimeType": "image/jpeg", "buffer": jpeg(image)})
    return photos


def jpeg(image: Image.Image) -> bytes:
    return encode(image, "JPEG", quality=85)


def image_parts(target: Target) -> int:
    """Return how many pictures the last chat request at the target's upstream carried."""
    posts = [r for r in target.upstream.requests if r.method == "POST"]
    if not posts:
        raise BenchError(f"{target.name}: no request reached the upstream")
    messages = (posts[-1].json or {}).get("messages") or []
    return sum(
        1
        for message in messages
        if isinstance(message.get("content"), list)
        for part in message["content"]
        if part.get("type") == "image_url"
    )


# ---------------------------------------------------------------------------------------------
# Measures


def load_page(browser: Browser, target: Target) -> Load:
    """Load the target's app in a new context; return when its chat input became usable."""
    assert target.app is not None
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        context.add_init_script(USABLE_JS)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(target.app.url, wait_until="commit")
        page.wait_for_function("() => window.__usable !== undefined")
        usable = page.evaluate("window.__usable")
        wait_for_idle(page, timeout=WAIT_MS)
        idle = page.evaluate("window.__fetched()")
    except PlaywrightError as exc:
        raise BenchError(f"{target.name}: the chat input never became usable: {exc}") from exc
    finally:
        context.close()
    return Load(
        usable_ms=float(usable["at"]),
        requests=int(usable["requests"]),
        kb=usable["bytes"] / 1024,
        idle_requests=int(idle["requests"]),
        idle_kb=idle["bytes"] / 1024,
    )


def ask(
    browser: Browser, target: Target, photos: list[FilePayload], tag: str, typing_s: float
) -> Sent:
    """Ask one question with ``photos`` from a new session, typed ``typing_s`` after they were
    attached; return what the page saw when."""
    assert target.app is not None
    question = f"What do these show? Qz{tag}q"
    answer = f"Az{tag}a"
    up = target.upstream
    up.clear()
    up.default = sse([f" {answer}", " it", " shows", " light."])
    page: Page = open_page(browser, target.app, locale="en-US")
    try:
        page.set_default_timeout(WAIT_MS)
        attach_files(page, photos)
        time.sleep(typing_s)
        type_question(page, question)
        thumbs = len(photos) if target.name == "Kantu" else 0
        page.evaluate(SENT_JS, {"question": question, "answer": answer, "pictures": thumbs})
        press_enter(page)
        try:
            page.wait_for_function("() => window.__sent.done()")
        except PlaywrightError as exc:
            seen = page.evaluate("JSON.stringify(window.__sent)")
            raise BenchError(f"{target.name}: the exchange did not show ({seen}): {exc}") from exc
        seen = page.evaluate("window.__sent")
        wait_for_idle(page, timeout=WAIT_MS)
    finally:
        close_page(page)
    if (carried := image_parts(target)) != len(photos):
        raise BenchError(f"{target.name}: the request carried {carried} of {len(photos)} photos")
    enter = float(seen["enter"])
    return Sent(
        question_ms=seen["question"] - enter,
        thumbs_ms=None if seen["thumbs"] is None else seen["thumbs"] - enter,
        drawn_ms=seen["drawn"] - enter,
        answer_ms=seen["answer"] - enter,
    )


# ---------------------------------------------------------------------------------------------
# The run


def measure(
    browser: Browser, targets: dict[str, Target], runs: int, colds: int, typing_s: float
) -> list[Row]:
    """Start both apps, time their loads and questions turn by turn; return the table's rows."""
    cold: dict[str, list[Load]] = {name: [] for name in targets}
    warm: dict[str, list[Load]] = {name: [] for name in targets}
    sent: dict[tuple[str, int], list[Sent]] = {}
    photos = make_photos(max(PICTURE_COUNTS))
    sizes = ", ".join(f"{len(p['buffer']) / 1e6:.1f} MB" for p in photos)
    log(f"photos: {sizes}")
    for start in range(colds):  # each a server started afresh, the apps in turn
        for name, target in targets.items():
            log(f"{name}: start, cold load {start + 1}/{colds}")
            target.start()
            cold[name].append(load_page(browser, target))
    for run in range(runs):
        for name, target in targets.items():
            log(f"{name}: warm load {run + 1}/{runs}")
            warm[name].append(load_page(browser, target))
    for name, target in targets.items():
        log(f"{name}: one question to warm up (dropped)")
        ask(browser, target, photos[:1], f"{name[0]}w", typing_s)
    for run in range(runs):
        for count in PICTURE_COUNTS:
            for name, target in targets.items():
                log(f"{name}: question {run + 1}/{runs} with {count} photo(s)")
                tag = f"{name[0]}{count}r{run}"
                result = ask(browser, target, photos[:count], tag, typing_s)
                log(f"  {result}")
                sent.setdefault((name, count), []).append(result)

    def figure(rows: Sequence[float | None]) -> float:
        values = [v for v in rows if v is not None]
        return median(values) if values else math.nan

    def load_row(
        label: str, pick: str, unit: str, target: str = "", limit: float | None = None
    ) -> Row:
        k, b = (median([getattr(load, pick) for load in warm[n]]) for n in ("Kantu", "baseline"))
        return FigureRow(label, k, b, unit, target, limit)

    rows: list[Row] = [
        FigureRow(
            f"1. load → chat input usable, cold (a new server's first load, median of {colds})",
            median([load.usable_ms for load in cold["Kantu"]]),
            median([load.usable_ms for load in cold["baseline"]]),
            "ms",
        ),
        load_row(
            f"1. load → chat input usable, warm (median of {runs})",
            "usable_ms",
            "ms",
            target=f"≤ {USABLE_TARGET_MS} ms",
            limit=USABLE_TARGET_MS,
        ),
        load_row("1.   requests until usable", "requests", "req"),
        load_row("1.   transferred until usable", "kb", "KB"),
        load_row("1.   requests once idle", "idle_requests", "req"),
        load_row("1.   transferred once idle", "idle_kb", "KB"),
    ]
    answers: dict[str, float] = {}
    for count in PICTURE_COUNTS:
        k, b = sent[("Kantu", count)], sent[("baseline", count)]
        photo_s = f"{count} photo{'s' if count > 1 else ''}"
        answers[photo_s] = figure([s.answer_ms for s in k])
        rows += [
            FigureRow(
                f"2. Enter → question shown, {photo_s}",
                figure([s.question_ms for s in k]),
                figure([s.question_ms for s in b]),
                "ms",
                f"≤ {SHOWN_TARGET_MS} ms",
                SHOWN_TARGET_MS,
            ),
            FigureRow(
                f"2. Enter → thumbnails decoded, {photo_s}",
                figure([s.thumbs_ms for s in k]),
                math.nan,
                "ms",
                f"≤ {SHOWN_TARGET_MS} ms",
                SHOWN_TARGET_MS,
            ),
            FigureRow(
                f"2.   Enter → Streamlit's own message, {photo_s}",
                figure([s.drawn_ms for s in k]),
                figure([s.drawn_ms for s in b]),
                "ms",
            ),
            FigureRow(
                f"2.   question → its thumbnails decoded, {photo_s}",
                figure([None if s.thumbs_ms is None else s.thumbs_ms - s.question_ms for s in k]),
                math.nan,
                "ms",
            ),
        ]
    for count in PICTURE_COUNTS:
        photo_s = f"{count} photo{'s' if count > 1 else ''}"
        one = answers["1 photo"]
        limit = one + MORE_PICTURES_MS if count > 1 else None
        rows.append(
            FigureRow(
                f"3. Enter → first word of the answer, {photo_s}",
                answers[photo_s],
                figure([s.answer_ms for s in sent[("baseline", count)]]),
                "ms",
                f"≤ 1 photo + {MORE_PICTURES_MS} ms" if limit is not None else "",
                limit,
            )
        )

    def more(name: str) -> float:
        """The 3-photo answer's delay over the 1-photo one of the same round (median)."""
        pairs = zip(sent[(name, 1)], sent[(name, max(PICTURE_COUNTS))], strict=True)
        return median([many.answer_ms - one.answer_ms for one, many in pairs])

    rows.append(
        FigureRow(
            "3.   3 photos − 1 photo, round by round",
            more("Kantu"),
            more("baseline"),
            "ms",
            f"≤ {MORE_PICTURES_MS} ms",
            MORE_PICTURES_MS,
        )
    )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm loads and questions per case")
    parser.add_argument(
        "--colds", type=int, default=3, help="cold loads, each on a server started afresh"
    )
    parser.add_argument(
        "--typing-s",
        type=float,
        default=TYPING_S,
        help="seconds from the photos attached to the question typed (default %(default)s)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    expect.set_options(timeout=WAIT_MS)  # uploads of 12 MP photos on a busy machine
    rows = run_on_both(
        lambda browser, targets: measure(browser, targets, args.runs, args.colds, args.typing_s)
    )
    if rows is None:
        return 2
    print_table(
        rows,
        f"First screen and first question, Kantu vs the naive baseline "
        f"({args.runs} runs, {args.typing_s:g} s typing, {time.monotonic() - started:.0f} s)",
    )
    print(
        "\nTimes: performance.now() in each page (MutationObserver and animation frames; Enter "
        "from a capture-phase keydown listener). Medians; ratios compare the two apps within "
        "this run. Requests and bytes: the page's navigation and resource entries."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
