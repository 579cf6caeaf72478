"""Benchmark the chat page itself bringing a long chat back (issue 20): a 30-turn chat with 30
photos, kept in the browser store, drawn again after a reload, in headless Chromium, against a
real ``streamlit run app.py``.

Run ``python bench/history_page.py`` (``--turns N``, ``--runs R``, ``--side PX``). It builds the
chat in code (``history_browser.build_chat``), imports its JSON through the sidebar as a visitor
would (the chat then lands in the list and the browser store keeps it), and reloads the page R
times. Each run times, in the page, from ``domInteractive`` to the moment every message shown is
drawn (the last ``SHOWN_ENTRIES``; earlier ones are a click away) and every picture in them
decoded (a check on each animation frame). The baseline is the empty chat page
on the same server: from ``domInteractive`` to its input being usable. Target: the chat back and
drawn ≤ 1 s after the page becomes interactive.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, expect, sync_playwright

from bench.history_browser import build_chat, chat_arguments
from components.conversation.transfer import export_json
from components.devtools.browser import (
    CHAT_INPUT_SELECTOR,
    launch_browser,
    open_page,
    start_app,
    wait_for_settled,
)
from components.i18n import t
from components.ui.chat import SHOWN_ENTRIES

TIMEOUT_MS = 120_000
# Resolves, in the page, with ms from domInteractive to the first animation frame at which
# ``count`` messages are drawn and every picture in them is decoded (0 messages: the input).
DRAWN_JS = """(count) => new Promise((resolve) => {
  const since = performance.timing.domInteractive - performance.timeOrigin;
  const check = () => {
    const messages = document.querySelectorAll('[data-testid="stChatMessage"]');
    const pictures = [...document.querySelectorAll('[data-testid="stChatMessage"] img')];
    const input = document.querySelector('[data-testid="stChatInputTextArea"]');
    const ready = count === 0 ? input !== null && !input.disabled
      : messages.length === count && pictures.length > 0
        && pictures.every((img) => img.complete && img.naturalWidth > 0);
    if (ready) resolve(performance.now() - since);
    else requestAnimationFrame(check);
  };
  check();
})"""


def import_chat(page: Page, export: Path) -> None:
    """Import a chat's JSON export through the sidebar's import field, as a visitor would (the
    conversation tools opened first: their section is drawn only while open)."""
    side = page.get_by_test_id("stSidebar")
    field = side.get_by_test_id("stFileUploader").filter(has_text=t("transfer.import", "en"))
    if not field.count():
        side.locator("summary").filter(has_text=t("tools.title", "en")).click()
    field.locator("input[type=file]").set_input_files(str(export))


def drawn_after_reload(page: Page, count: int) -> float:
    """Reload and return ms from domInteractive to ``count`` messages drawn with their pictures."""
    page.reload(wait_until="commit")
    return float(page.evaluate(DRAWN_JS, count))


def main() -> None:
    args = chat_arguments(__doc__)

    export = Path(tempfile.mkdtemp(prefix="kantu-bench-")) / "chat.json"
    export.write_bytes(export_json(build_chat(args.turns, args.side)))
    messages = min(2 * args.turns, SHOWN_ENTRIES)  # the page draws the last ones
    print(
        f"chat: {args.turns} turns, {args.turns} photos, export {export.stat().st_size / 1e6:.2f} MB"
    )

    app = start_app({}, timeout=60)
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            page = open_page(browser, app, locale="en-US", viewport=(1280, 900))
            page.set_default_timeout(TIMEOUT_MS)
            empty = [drawn_after_reload(page, 0) for _ in range(args.runs)]
            import_chat(page, export)
            expect(page.get_by_test_id("stChatMessage")).to_have_count(messages, timeout=TIMEOUT_MS)
            wait_for_settled(page)
            page.wait_for_timeout(2000)  # the browser store's write of the whole chat
            drawn = [drawn_after_reload(page, messages) for _ in range(args.runs)]
            expect(page.locator(CHAT_INPUT_SELECTOR)).to_be_visible()
            browser.close()
    finally:
        app.stop()

    def row(name: str, values: list[float]) -> str:
        cells = (statistics.median(values), min(values), max(values))
        return f"| {name:<44} | " + " | ".join(f"{v:9.0f}" for v in cells) + " |"

    print()
    print(
        f"| after a reload, {args.runs} runs, ms from page interactive | median    |       min |       max |"
    )
    print("|" + "-" * 46 + "|" + "-----------|" * 3)
    print(row("empty chat page: input usable (baseline)", empty))
    print(row(f"{messages} messages drawn, pictures decoded", drawn))
    target = statistics.median(drawn) <= 1000
    print(f"target ≤ 1000 ms: {'met' if target else 'NOT met'}")


if __name__ == "__main__":
    main()
