"""The landing page of ``igm serve`` (apps/templates/landing.html), without a server.

Its texts come from the catalogue and the exercises; its links from the base URL, which an
``igm.toml`` sets. Whatever they hold reaches the page as text and as attribute values,
never as markup or as template code.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from apps.server import APPS, landing_page, language_query
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t


class _Page(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.texts: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def test_every_language_has_its_column_of_links() -> None:
    page = _Page(landing_page("/", book_built=True))
    text = " ".join(page.texts)
    for lang in LANGUAGES:
        assert t("landing.title", lang) in text
        assert t("notice.illustrative", lang) in text
        assert f"/book/{lang}/index.html" in page.hrefs
        for path, key in APPS:
            assert f"/voila/render/{path}{language_query(lang)}" in page.hrefs
            assert t(f"{key}.title", lang) in text
    assert page.hrefs.count("/live/trainer") == len(LANGUAGES)


def test_the_default_language_needs_no_query_and_others_name_theirs() -> None:
    assert language_query(DEFAULT_LANGUAGE) == ""
    for lang in LANGUAGES:
        if lang != DEFAULT_LANGUAGE:
            assert language_query(lang) == f"?lang={lang}"


def test_without_a_built_book_the_page_says_so() -> None:
    page = _Page(landing_page("/", book_built=False))
    assert not [href for href in page.hrefs if "/book/" in href]
    for lang in LANGUAGES:
        assert t("landing.book.missing", lang) in " ".join(page.texts)


@pytest.mark.parametrize(
    "hostile",
    ['/"><script>alert(1)</script>/', "/{{ 7*7 }}/", "/{% if true %}x{% endif %}/"],
)
def test_a_hostile_base_url_stays_an_attribute_value(hostile: str) -> None:
    page = _Page(landing_page(hostile, book_built=True))
    assert "script" not in page.tags
    assert f"{hostile}live/join" in page.hrefs  # exactly as given, not rendered
    assert all(href.startswith(hostile) for href in page.hrefs if href != "data:,")


def test_a_retired_exercise_page_names_and_links_its_replacement() -> None:
    """The old address of a retired exercise says so in every language and links the new one."""
    from apps.server import retired_page
    from exercises.catalog import RETIRED, get_exercise

    for exercise_id, retired in RETIRED.items():
        page = _Page(retired_page("/igm/", exercise_id))
        text = " ".join(page.texts)
        replacement = get_exercise(retired.replaced_by)
        for lang in LANGUAGES:
            assert t("retired.heading", lang) in text
            assert replacement.title(lang) in text
            assert f"/igm/voila/render/exercises/{replacement.id}.ipynb{language_query(lang)}" in (
                page.hrefs
            )
        assert "script" not in page.tags


def test_the_retired_page_points_to_its_own_link_not_to_the_start_page() -> None:
    """The message stands beside a direct link: it says to follow that link."""
    from apps.server import retired_page
    from exercises.catalog import RETIRED

    page = " ".join(_Page(retired_page("/", next(iter(RETIRED)))).texts)
    assert "startpagina" not in page and "start page" not in page
    assert "link hieronder" in page and "link below" in page


PHONE = {"width": 390, "height": 844}


def _phone_fit(page: Any, html: str) -> None:
    """The page at 390×844: no sideways scrolling, every link a 44 px target, axe-clean."""
    from tests.browser_helpers import assert_accessible

    page.set_viewport_size(PHONE)
    page.set_content(html, wait_until="load")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    heights = page.evaluate(
        "[...document.querySelectorAll('a')].map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights
    assert_accessible(page)


@pytest.mark.browser
def test_the_landing_page_fits_a_phone(page: Any, artifacts_dir: Path) -> None:
    _phone_fit(page, landing_page("/", book_built=True))
    page.screenshot(path=str(artifacts_dir / "landing_390.png"), full_page=True)


@pytest.mark.browser
def test_the_retired_page_fits_a_phone(page: Any, artifacts_dir: Path) -> None:
    from apps.server import retired_page
    from exercises.catalog import RETIRED

    _phone_fit(page, retired_page("/", next(iter(RETIRED))))
    page.screenshot(path=str(artifacts_dir / "retired_390.png"), full_page=True)
