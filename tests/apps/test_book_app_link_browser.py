"""Every "Open as app" link of the built book (both editions, case and chapter pages), followed
in Chromium against a real ``serve()`` under a base URL: each answers 200, and the explorer shows
that case (the conversation simulator that conversation) in that language.

One Chromium visit per distinct target (app, case, language); every link of the book resolves
to one of them. Each visit leaves the page, so the page script shuts its kernel down.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from igm import list_cases
from igm.conversations import list_conversations
from igm.i18n import t
from tests.apps.test_apps_browser import LOAD_TIMEOUT, READY
from tests.book.conftest import built_book  # noqa: F401  (a fixture: the pages must be built)
from tests.book.test_app_link import AppLink, open_app_links

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def shown_case(page: Any, picker_class: str = "igm-case-picker") -> str:
    picker = page.locator(f".{picker_class} select")
    text = picker.evaluate("select => select.options[select.selectedIndex].text")
    return str(text).replace("\xa0", " ")  # ipywidgets writes no-break spaces


def _app(parts: Any, server_url: str) -> str:
    """The app a link opens: ``explorer`` or ``conversation``."""
    prefix = f"{urlsplit(server_url).path}voila/render/apps/"
    assert parts.path.startswith(prefix) and parts.path.endswith(".ipynb"), parts.path
    app = str(parts.path[len(prefix) : -len(".ipynb")])
    assert app in {"explorer", "conversation"}, parts.path
    return app


@pytest.mark.usefixtures("built_book")
def test_open_as_app_on_a_case_page_opens_the_explorer_at_that_case(
    page: Any, prefixed_server_url: str
) -> None:
    """The link clicked, as a reader does: relative to the page, under the base URL."""
    # Not the first case: the explorer shows that one when it ignores ``?case=``.
    case = list_cases()[-1]
    book_page = f"{prefixed_server_url}book/en/cases/{case.id}.html"
    assert page.goto(book_page).status == 200
    link = page.get_by_role("link", name=t("book.model.open_app", "en"), exact=True)
    with page.expect_navigation(wait_until="commit", timeout=LOAD_TIMEOUT) as navigation:
        link.click()
    assert navigation.value.status == 200
    page.wait_for_selector(READY["explorer"], timeout=LOAD_TIMEOUT)
    # the address bar holds the link's address (the client-cookie redirect's mark removed)
    assert page.url == (
        f"{prefixed_server_url}voila/render/apps/explorer.ipynb?lang=en&case={case.id}"
    )
    assert shown_case(page) == case.title("en")
    assert page.blocked_requests == []


def _target(server_url: str, link: AppLink) -> str:
    return urljoin(f"{server_url}book/{link.page}", link.href)


@pytest.mark.usefixtures("built_book")
def test_every_open_as_app_link_of_the_book_answers_200_and_shows_its_case(
    page: Any, prefixed_server_url: str
) -> None:
    links = open_app_links()
    cases = {case.id: case for case in list_cases()}
    targets: dict[str, list[AppLink]] = {}
    for link in links:
        targets.setdefault(_target(prefixed_server_url, link), []).append(link)
    # Each case page of each edition, and the chapters' models (no case: the language only).
    assert {(link.lang, link.case) for link in links} >= {
        (lang, case_id) for lang in ("nl", "en") for case_id in cases
    }
    conversations = {c.id: c for c in list_conversations()}
    promised = {(lang, c) for lang in ("nl", "en") for c in conversations}
    assert {(link.lang, link.conversation) for link in links} >= promised
    first = next(iter(cases.values()))
    for target, from_pages in sorted(targets.items()):
        link = from_pages[0]
        parts = urlsplit(target)
        app = _app(parts, prefixed_server_url)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        assert query.get("lang") == link.lang, from_pages
        if app == "explorer":
            assert query.get("case") == link.case, from_pages
        else:
            assert query.get("conversation") in conversations, from_pages

        response = page.goto(target, wait_until="commit", timeout=LOAD_TIMEOUT)
        assert response is not None and response.status == 200, (target, from_pages)
        page.wait_for_selector(READY[app], timeout=LOAD_TIMEOUT)
        assert page.evaluate("document.documentElement.lang") == link.lang
        if app == "explorer":
            want = cases[link.case] if link.case else first
            assert shown_case(page) == want.title(link.lang), (target, from_pages)
            # The app's own words are in the page's language (its case picker's label).
            label = page.locator(".igm-case-picker label").inner_text().strip()
            assert label == t("ui.case", link.lang)
        else:
            wanted = conversations[query["conversation"]]
            shown = shown_case(page, "igm-conv-picker")
            assert shown == wanted.title(link.lang), (target, from_pages)
        page.goto("about:blank")  # leave: the page script shuts the kernel down
    assert page.blocked_requests == []
