"""The book's "Open as app" link: relative to the page, so it reaches the served app under any
base URL of ``igm serve`` (``/``, ``/igm/``), with the page's language and case."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

import pytest
from markupsafe import escape

from book.build import app_href, model_html
from igm.cases import find_case
from igm.i18n import t

BASES = ("/", "/igm/")


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_from_a_case_page_the_link_opens_the_explorer_with_that_case(base: str, lang: str) -> None:
    page = f"http://127.0.0.1:8866{base}book/{lang}/cases/marja-bijstand.html"
    href = app_href("cases/marja-bijstand", lang, "marja-bijstand")
    assert urljoin(page, href) == (
        f"http://127.0.0.1:8866{base}voila/render/apps/explorer.ipynb"
        f"?lang={lang}&case=marja-bijstand"
    )


@pytest.mark.parametrize("base", BASES)
def test_from_a_chapter_page_the_link_opens_the_explorer_in_its_language(base: str) -> None:
    page = f"http://127.0.0.1:8866{base}book/en/02-willen.html"
    assert urljoin(page, app_href("02-willen", "en")) == (
        f"http://127.0.0.1:8866{base}voila/render/apps/explorer.ipynb?lang=en"
    )
    with_case = urljoin(page, app_href("02-willen", "en", "lotte-na-burn-out"))
    assert with_case.endswith(
        f"{base}voila/render/apps/explorer.ipynb?lang=en&case=lotte-na-burn-out"
    )


def test_the_model_block_links_to_the_app_and_says_it_needs_igm_serve() -> None:
    case = find_case("marja-bijstand")
    block = model_html(
        domain=case.domain,
        scores=case.scores,
        lang="nl",
        element_id="m",
        case_id=case.id,
        docname="cases/marja-bijstand",
    )
    hrefs = re.findall(r'<a href="([^"]+)">' + re.escape(t("book.model.open_app", "nl")), block)
    assert [html.unescape(h) for h in hrefs] == [
        "../../../voila/render/apps/explorer.ipynb?lang=nl&case=marja-bijstand"
    ]
    assert escape(t("book.model.open_app_note", "nl")) in block
    assert "igm serve" in t("book.model.open_app_note", "nl")
    assert "igm serve" in t("book.model.open_app_note", "en")
