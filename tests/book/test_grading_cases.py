"""The grader-only cases of score-case stay out of the book: no page names, lists or links
one, nor prints its title, story or evidence (the book prints a case's scores and evidence,
which would be score-case's answer key)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from igm.cases import Case, find_case, list_cases
from igm.i18n import LANGUAGES
from tests.book.conftest import REPO, case_strings, pages

GRADING_CASES = REPO / "exercises" / "grading_cases"


def page_text(path: Path) -> str:
    """The page's HTML with entities decoded and whitespace runs made single spaces."""
    return re.sub(r"\s+", " ", html.unescape(path.read_text(encoding="utf-8")))


def shown_strings(case: Case, lang: str) -> list[str]:
    """A case's id, title and every longer text its book page would show (short TACT parts
    such as "solliciteert" are ordinary words that the book uses too)."""
    own = [re.sub(r"\s+", " ", s) for s in case_strings(case, lang)]
    return [case.id, case.title(lang), *(s for s in own if len(s) >= 30)]


def test_no_grader_only_case_appears_in_the_built_book(built_book: Path) -> None:
    graded = list_cases(GRADING_CASES)
    assert len(graded) >= 3
    for lang in LANGUAGES:
        found = pages(built_book, lang)
        names = {p.stem for p in found}
        assert "marja-bijstand" in names  # the published cases have their pages
        texts = {p: page_text(p) for p in found}
        # the check sees a published case: every one of its strings is on its page
        marja = texts[built_book / lang / "cases" / "marja-bijstand.html"]
        assert all(s in marja for s in shown_strings(find_case("marja-bijstand"), lang))
        for case in graded:
            assert case.id not in names
            strings = shown_strings(case, lang)
            assert len(strings) > 20
            for path, text in texts.items():
                for string in strings:
                    assert string not in text, (case.id, string[:60], str(path))
