"""Deep links: each page opened first on a freshly started server shows that page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components.devtools.browser import assert_no_exception, open_page
from components.i18n import t

# url path -> the title the page shows
PAGES = {"admin": "admin.title", "batch": "batch.title", "compare": "compare.title"}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_bookmarked_page_opened_first_on_a_fresh_server_shows_that_page(
    browser, start_app, path: str
) -> None:
    app = start_app()  # nobody has opened "/" on this server
    page = open_page(browser, app, path=path)
    try:
        expect(page.get_by_role("heading", name=t(PAGES[path], "zh"))).to_be_visible()
        assert_no_exception(page)
        assert page.url.rstrip("/").endswith("/" + path)  # the link was kept, not sent to "/"
        assert "KeyError" not in app.logs()
    finally:
        page.context.close()
