"""Accreditation: every chapter has a study load and learning goals, in both editions, and
chapter 9 lists them all (generated from the chapters); the evaluation form exists in both."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from book.accreditation import STUDY_LOAD_MINUTES, chapter_files, chapters, total_minutes
from igm.i18n import LANGUAGES, fmt_number, t


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_chapter_has_a_study_load_and_learning_goals(lang: str) -> None:
    found = chapters(lang)
    assert len(found) >= 9
    for chapter in found:
        assert chapter.minutes > 0, f"{chapter.name}: no study load in STUDY_LOAD_MINUTES"
        assert len(chapter.goals) >= 2, f"{chapter.name} ({lang}): no learning goals box"
        assert all(len(goal) > 20 for goal in chapter.goals), chapter.goals


def test_the_editions_have_the_same_chapters_goals_and_load() -> None:
    nl, en = (chapters(lang) for lang in LANGUAGES)
    assert [c.name for c in nl] == [c.name for c in en]
    for a, b in zip(nl, en, strict=True):
        assert len(a.goals) == len(b.goals), (a.name, a.goals, b.goals)
        assert a.minutes == b.minutes
    assert total_minutes("nl") == total_minutes("en") == sum(c.minutes for c in nl)


def test_no_study_load_for_a_chapter_that_is_gone() -> None:
    assert set(STUDY_LOAD_MINUTES) == set(chapter_files("nl"))


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def _squeezed(text: str) -> str:
    """Text without spaces, quotes and Markdown marks: Markdown source and rendered HTML
    (curly quotes, tags around emphasis) compare equal."""
    return re.sub(r"[\s\"'“”‘’„*`]", "", text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_chapter_9_lists_every_chapters_goals_and_the_total(built_book: Path, lang: str) -> None:
    text = _squeezed(_text(built_book / lang / "09-for-trainers.html"))
    for chapter in chapters(lang):
        assert _squeezed(chapter.title) in text
        for goal in chapter.goals:
            assert _squeezed(goal) in text, (chapter.name, goal)
    minutes = total_minutes(lang)
    total = t(
        "book.accreditation.total_time", lang, n=minutes, hours=fmt_number(minutes / 60, lang)
    )
    assert _squeezed(total) in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_evaluation_form_is_in_both_editions(built_book: Path, lang: str) -> None:
    text = _text(built_book / lang / "evaluation.html")
    statements = re.findall(r"☐ ☐ ☐ ☐ ☐|(?:☐\s*){5}", text)
    assert len(statements) == 9
    open_questions = re.findall(
        r"\b1[0-4]\.\s", (Path(__file__).parents[2] / "book" / lang / "evaluation.md").read_text()
    )
    assert len(open_questions) == 5
