"""The book's "Open as app" link, clicked in Chromium on a built case page that a real
``serve()`` serves under a base URL: it opens the explorer (no 404) showing that case."""

from __future__ import annotations

from typing import Any

import pytest

from igm import list_cases
from igm.i18n import t
from tests.apps.test_apps_browser import LOAD_TIMEOUT, READY
from tests.book.conftest import built_book  # noqa: F401  (a fixture: the page must be built)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.usefixtures("built_book")
def test_open_as_app_on_a_case_page_opens_the_explorer_at_that_case(
    page: Any, prefixed_server_url: str
) -> None:
    # Not the first case: the explorer shows that one when it ignores ``?case=``.
    case = list_cases()[-1]
    book_page = f"{prefixed_server_url}book/en/cases/{case.id}.html"
    assert page.goto(book_page).status == 200
    link = page.get_by_role("link", name=t("book.model.open_app", "en"), exact=True)
    with page.expect_navigation(wait_until="commit", timeout=LOAD_TIMEOUT) as navigation:
        link.click()
    assert navigation.value.status == 200
    assert page.url == (
        f"{prefixed_server_url}voila/render/apps/explorer.ipynb?lang=en&case={case.id}"
    )
    page.wait_for_selector(READY["explorer"], timeout=LOAD_TIMEOUT)
    picker = page.locator(".igm-case-picker select")
    shown = picker.evaluate("select => select.options[select.selectedIndex].text")
    assert shown.replace("\xa0", " ") == case.title("en")  # ipywidgets writes no-break spaces
    assert page.blocked_requests == []
