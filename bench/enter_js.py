"""Benchmark the browser's main-thread work for one question (issue 24 item 2).

Run ``python bench/enter_js.py`` (``--runs N``, default 5: about two minutes). For Kantu
(``app.py``) and the naive baseline (``bench/baseline_app.py``), each a real ``streamlit run``
against its own loopback upstream that answers at once, one headless Chromium page per run (a
new context, the server warm) types a question, with a 12 MP photo attached or without, and
presses Enter. Chrome's own counters (``Performance.getMetrics`` over the DevTools protocol) are
read just before Enter and once the answer shows and the page has been idle for a second:

- ``ScriptDuration``: JavaScript run on the page's main thread;
- ``TaskDuration``: every main-thread task (script, style, layout, paint).

Target (issue 24): main-thread JavaScript per Enter ≤ 120 ms. Medians; on a shared 2-core machine
compare the two columns of one run, not figures across runs.

From Enter to the second read nothing of the measurement runs in the page but one observer of
the app's run state: Playwright's ``expect`` polls the page's DOM on its main thread, and until
stop 49 its waits counted 60-80 ms per Enter as Kantu's JavaScript (a CPU profile of the page:
its text and visibility checks over a page whose sidebar has every setting), less for the
baseline's smaller page.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, CDPSession

from bench.browser import Row, Target, make_photo, print_table, run_on_both, type_question
from components.devtools.browser import attach_files, open_page, wait_for_idle
from components.devtools.upstream import sse

ANSWER = "Zebrafinch on a branch."
SETTLE_S = 1.0  # idle after the answer: a run that follows it and its paints are counted
# Resolves once a run has ended with the answer in the page: a look at each change of the page
# once no run is under way (while one is, a look is one attribute read), nothing polled.
WATCH_JS = """(answer) => {
  window.__benchAnswered = new Promise((resolve, reject) => {
    const app = document.querySelector('[data-testid="stApp"]');
    const watch = new MutationObserver(() => {
      if (app.getAttribute("data-test-script-state") !== "notRunning") return;
      if (!document.body.textContent.includes(answer)) return;
      watch.disconnect();
      resolve(true);
    });
    // the state first, then the page's text (React draws a run's last delta after it ends)
    watch.observe(app, { attributes: true, subtree: true, childList: true, characterData: true });
    setTimeout(() => reject(new Error("no answer within 60 s")), 60000);
  });
}"""


def main_thread_ms(client: CDPSession) -> tuple[float, float]:
    """Return (script, all tasks) main-thread milliseconds since ``Performance.enable``."""
    metrics = {m["name"]: m["value"] for m in client.send("Performance.getMetrics")["metrics"]}
    return metrics["ScriptDuration"] * 1000, metrics["TaskDuration"] * 1000


def one_question(browser: Browser, target: Target, photo: bool) -> tuple[float, float]:
    """Return (script, tasks) ms of the main thread from Enter to the answer shown and settled."""
    assert target.app is not None
    target.upstream.enqueue(sse([ANSWER[:10], ANSWER[10:]]))
    page = open_page(browser, target.app, locale="en-US")
    try:
        client = page.context.new_cdp_session(page)
        client.send("Performance.enable")  # Chrome counts from here
        if photo:
            attach_files(page, make_photo())
        type_question(page)
        wait_for_idle(page)
        page.evaluate(WATCH_JS, ANSWER)  # watching from before Enter
        script_before, tasks_before = main_thread_ms(client)
        page.keyboard.press("Enter")
        page.evaluate("() => window.__benchAnswered")  # one call, resolved by the watch
        time.sleep(SETTLE_S)
        script_after, tasks_after = main_thread_ms(client)
        return script_after - script_before, tasks_after - tasks_before
    finally:
        page.context.close()


def measure(browser: Browser, targets: dict[str, Target], runs: int) -> list[Row]:
    """Time ``runs`` questions per case on each app (its server alone up meanwhile); the rows."""
    figures: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    for target in targets.values():
        target.start()
        try:
            one_question(browser, target, photo=False)  # warm-up, not counted
            for photo in (False, True):
                figures[(target.name, photo)] = [
                    one_question(browser, target, photo) for _ in range(runs)
                ]
        finally:
            target.stop()
    rows: list[Row] = []
    for photo in (False, True):
        what = "with a 12 MP photo" if photo else "text only"
        for index, name in ((0, "JavaScript"), (1, "all tasks")):
            kantu, base = (
                statistics.median(run[index] for run in figures[(app, photo)])
                for app in ("Kantu", "baseline")
            )
            limited = index == 0
            rows.append(
                Row(
                    f"main thread per Enter, {name}, {what}",
                    kantu,
                    base,
                    "ms",
                    "≤ 120 ms" if limited else "",
                    120 if limited else None,
                )
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="questions per case (median)")
    args = parser.parse_args(argv)
    rows = run_on_both(lambda browser, targets: measure(browser, targets, args.runs))
    if rows is None:
        return 2
    print_table(rows, f"The browser's main thread for one question (median of {args.runs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
