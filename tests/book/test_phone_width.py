"""Every page of the built book, both editions, on a phone (390×844) in Chromium.

The document never scrolls sideways: a long word (a Dutch compound in a heading, a URL or a
DOI in the references) breaks, and a table, code block or chart that is wider than the
screen scrolls inside its own box (book/_static/igm-book.css). Offline: the page fixture
refuses every request off this machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from igm.i18n import LANGUAGES
from tests.book.conftest import pages

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

#: The elements that stick out of the screen on the right, for a readable failure.
STICKING_OUT = """() => [...document.querySelectorAll('.bd-main *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5)
  .map(e => e.tagName.toLowerCase() + '.' + String(e.className).slice(0, 40)
            + ' ' + (e.textContent || '').trim().slice(0, 50))"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_book_page_scrolls_sideways_on_a_phone(
    built_book: Path, page: Any, lang: str, artifacts_dir: Path
) -> None:
    page.set_viewport_size(PHONE)
    too_wide: dict[str, tuple[int, list[str]]] = {}
    checked = pages(built_book, lang)
    assert len(checked) > 20  # every chapter, case page and appendix
    for path in checked:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(100)  # the charts and checks draw after load
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        if width > PHONE["width"]:
            too_wide[path.relative_to(built_book).as_posix()] = (
                width,
                page.evaluate(STICKING_OUT),
            )
    assert not too_wide, too_wide
    for name in ("references.html", "index.html"):
        page.goto((built_book / lang / name).as_uri(), wait_until="load")
        page.screenshot(path=str(artifacts_dir / f"book-{lang}-{name[:-5]}-390.png"))
