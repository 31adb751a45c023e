"""The built book, once per test session.

A build that is newer than every file it is made from is reused (set IGM_BOOK_REBUILD=1 to
force a build); otherwise ``build_book`` runs once, strict (-W -n --keep-going).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from igm.cases import TACT, Case
from igm.i18n import LANGUAGES

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
HTML = BOOK / "_build" / "html"
#: Pages every edition has besides the book's own (Sphinx adds them).
SPHINX_PAGES = {"genindex.html", "search.html"}


def _sources() -> Iterable[Path]:
    patterns = [
        (BOOK, "**/*.md"),
        (BOOK, "**/*.yml"),
        (BOOK / "_ext", "*.py"),
        (BOOK / "_templates", "*.html"),
        (BOOK / "_static", "igm-book.*"),
        (BOOK, "build.py"),
        (BOOK, "accreditation.py"),
        (REPO / "widgets", "theme.py"),
        (REPO / "igm" / "data", "*.yaml"),
        (REPO / "case_studies", "*.yaml"),
        (REPO / "case_studies" / "conversations", "*.yaml"),
    ]
    for folder, pattern in patterns:
        for path in folder.glob(pattern):
            generated = path.is_relative_to(BOOK) and "cases" in path.relative_to(BOOK).parts[:2]
            if "_build" not in path.parts and not generated:
                yield path


def _fresh() -> bool:
    stamps = [HTML / lang / "index.html" for lang in LANGUAGES]
    if not all(p.exists() for p in stamps) or not (HTML / "index.html").exists():
        return False
    built = min(p.stat().st_mtime for p in stamps)
    return all(src.stat().st_mtime < built for src in _sources())


@pytest.fixture(scope="session")
def built_book() -> Path:
    """``book/_build/html`` with both editions, built at most once per session."""
    if os.environ.get("IGM_BOOK_REBUILD") or not _fresh():
        from book.build import build_book

        build_book(strict=True)
    return HTML


def pages(html: Path, lang: str) -> list[Path]:
    """Every HTML page of one edition (not the theme's static files)."""
    root = html / lang
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)


def case_strings(case: Case, lang: str) -> list[str]:
    """Every string of a case that its book page shows (the narrative per paragraph)."""
    tb = case.target_behaviour
    strings = [case.title(lang), case.summary(lang)]
    strings += [p.strip() for p in re.split(r"\n[ \t]*\n", case.narrative(lang)) if p.strip()]
    strings += [getattr(tb, part)(lang) for part in TACT]
    strings += [case.evidence[key](lang) for key in case.evidence]
    for item in case.interventions:
        strings += [item.label(lang), item.description(lang)]
    return strings
