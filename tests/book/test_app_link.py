"""The book's "Open as app" link: relative to the page, so it reaches the served app under any
base URL of ``igm serve`` (``/``, ``/igm/``), with the page's language and case; in the built
book every such link carries the note that the apps need ``igm serve``."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from markupsafe import escape

from book.build import app_href, model_html
from igm.cases import find_case, list_cases
from igm.i18n import LANGUAGES, t
from tests.book.conftest import HTML

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


@dataclass(frozen=True)
class AppLink:
    """One "Open as app" link of the built book: the page it is on (relative to the book's
    root, e.g. ``nl/cases/marja-bijstand.html``), its href, the page's language, the case the
    href asks for, and the note that stands beside it."""

    page: str
    lang: str
    href: str
    note: str

    @property
    def case(self) -> str | None:
        return parse_qs(urlsplit(self.href).query).get("case", [None])[0]

    @property
    def conversation(self) -> str | None:
        return parse_qs(urlsplit(self.href).query).get("conversation", [None])[0]


class _AppLinks(HTMLParser):
    """The links whose text is ``label`` and the text of the note in the same paragraph."""

    def __init__(self, label: str) -> None:
        super().__init__(convert_charrefs=True)
        self.label = label
        self.found: list[tuple[str, str]] = []  # (href, note)
        self._href: str | None = None
        self._text: list[str] = []
        self._paragraph: list[str] | None = None  # note text of the open paragraph
        self._in_note = False
        self._pending: list[str] = []  # hrefs in the open paragraph

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "p":
            self._close_paragraph()
            self._paragraph = []
        elif tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []
        elif tag == "span" and "igm-book-app-note" in classes:
            self._in_note = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            if "".join(self._text).strip() == self.label:
                self._pending.append(self._href)
            self._href = None
        elif tag == "span":
            self._in_note = False
        elif tag == "p":
            self._close_paragraph()

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._in_note and self._paragraph is not None:
            self._paragraph.append(data)

    def _close_paragraph(self) -> None:
        note = "".join(self._paragraph or []).strip()
        self.found += [(href, note) for href in self._pending]
        self._pending, self._paragraph = [], None

    def close(self) -> None:
        super().close()
        self._close_paragraph()


def open_app_links() -> list[AppLink]:
    """Every "Open as app" link of the built book (``book/_build/html``), both editions."""
    links = []
    for lang in LANGUAGES:
        for path in sorted((HTML / lang).rglob("*.html")):
            parser = _AppLinks(t("book.model.open_app", lang))
            parser.feed(path.read_text(encoding="utf-8"))
            parser.close()
            page = path.relative_to(HTML).as_posix()
            links += [AppLink(page, lang, href, note) for href, note in parser.found]
    return links


@pytest.mark.usefixtures("built_book")
def test_every_open_as_app_link_in_the_built_book_says_the_apps_need_igm_serve() -> None:
    links = open_app_links()
    for lang in LANGUAGES:
        ours = [link for link in links if link.lang == lang]
        # Every case page has one; so do the chapters with a model.
        case_pages = {link.page for link in ours if "/cases/" in link.page}
        assert case_pages == {f"{lang}/cases/{case.id}.html" for case in list_cases()}
        assert any("/cases/" not in link.page for link in ours)
        for link in ours:
            assert link.note == t("book.model.open_app_note", lang), link
            query = parse_qs(urlsplit(link.href).query)
            assert query.get("lang") == [lang], link
            if "/cases/" in link.page:
                assert link.case == link.page.rsplit("/", 1)[1].removesuffix(".html"), link
