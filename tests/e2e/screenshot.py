"""Screenshot the app as the browser tests see it: fresh server, no secrets, headless Chromium.

python tests/e2e/screenshot.py OUT.png [--locale zh-CN] [--width 1280 --height 900]
                                       [--env KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `tests.e2e` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playwright.sync_api import sync_playwright

from components.devtools.browser import AppStartError, launch_browser, open_page, start_app


def parse_env(pairs: list[str]) -> dict[str, str]:
    """Turn ``KEY=VALUE`` strings into a dict; raise ValueError on a pair without ``=``."""
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--env wants KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--locale", default="zh-CN")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    try:
        env = parse_env(args.env)
    except ValueError as exc:
        parser.error(str(exc))

    try:
        app = start_app(env)
    except AppStartError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            try:
                page = open_page(
                    browser, app, locale=args.locale, viewport=(args.width, args.height)
                )
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out), full_page=True, animations="disabled")
            finally:
                browser.close()
    finally:
        app.stop()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
