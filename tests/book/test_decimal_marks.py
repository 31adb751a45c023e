"""The built book writes numbers with its edition's decimal mark: "2,4" in Dutch, "2.4" in English.

Text of every page, without code blocks, formulas (MathJax/LaTeX), scripts and styles; URLs and
version strings are not numbers (see :data:`tests.igm_kit.test_decimal_marks.WRONG_DECIMAL`).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from igm.i18n import LANGUAGES
from tests.igm_kit.test_decimal_marks import wrong_decimals

#: Elements whose text is not prose: code, formulas, scripts.
SKIPPED = {"pre", "code", "script", "style", "math", "svg", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _ProseText(HTMLParser):
    """The page's prose in ``lang``: text outside :data:`SKIPPED` elements, MathJax (class
    "math") and parts marked as another language (the sources, ``lang="en"``)."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: is it skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        other_language = tag != "html" and attributes.get("lang") not in (None, self.lang)
        self._stack.append(
            tag in SKIPPED or "math" in classes or "highlight" in classes or other_language
        )

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self._stack):
            self.parts.append(data)


def prose(page: Path, lang: str) -> str:
    parser = _ProseText(lang)
    parser.feed(page.read_text(encoding="utf-8"))
    text = " ".join(parser.parts)
    # inline TeX that MathJax typesets in the browser: \( ... \) and \[ ... \], $$ ... $$
    for start, end in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$")):
        while start in text and end in text[text.index(start) + len(start) :]:
            i = text.index(start)
            j = text.index(end, i + len(start))
            text = text[:i] + " " + text[j + len(end) :]
    return text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_book_pages_write_the_editions_decimal_mark(built_book: Path, lang: str) -> None:
    pages = sorted((built_book / lang).rglob("*.html"))
    assert pages
    found = {
        str(page.relative_to(built_book)): bad
        for page in pages
        if "_static" not in page.parts and (bad := wrong_decimals(prose(page, lang), lang))
    }
    assert not found, found
