"""Every chapter links the graded exercises that practise it, and every link is a real exercise.

The map is one place, :data:`book.build.CHAPTER_EXERCISES`; ``{igm-exercises}`` in a chapter
shows its list. The links are relative, so they reach the exercise as ``igm serve`` serves it
(``<base_url>voila/render/exercises/<id>.ipynb``, as on the landing page) under any base URL.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from book.build import BOOK_DIR, CHAPTER_EXERCISES, exercise_href, exercise_title
from exercises import EXERCISE_IDS
from igm.i18n import LANGUAGES

CHAPTERS = sorted(p.stem for p in (BOOK_DIR / "nl").glob("0*.md"))
LINK = re.compile(r'href="([^"]*voila/render/exercises/([^"/?]+)\.ipynb\?lang=([a-z]+))"')


def test_the_map_covers_every_chapter_of_both_editions() -> None:
    for lang in LANGUAGES:
        assert sorted(p.stem for p in (BOOK_DIR / lang).glob("0*.md")) == CHAPTERS
    assert sorted(CHAPTER_EXERCISES) == CHAPTERS
    assert all(CHAPTER_EXERCISES[chapter] for chapter in CHAPTERS)


def test_every_mapped_exercise_is_an_exercise_of_the_kit() -> None:
    known = set(EXERCISE_IDS)
    for chapter, ids in CHAPTER_EXERCISES.items():
        assert set(ids) <= known, f"{chapter}: unknown exercises {set(ids) - known}"
        assert len(set(ids)) == len(ids), f"{chapter}: an exercise twice"
    # The trainers' chapter uses every exercise in its session plan.
    assert set(CHAPTER_EXERCISES["09-for-trainers"]) == set(EXERCISE_IDS)


def test_a_known_exercise_is_linked_by_its_title() -> None:
    assert exercise_title("score-case", "nl") == "Scoor de casus"
    assert exercise_title("score-case", "en") == "Score the case"


@pytest.mark.parametrize("base", ["/", "/igm/"])
def test_the_link_reaches_the_exercise_under_any_base_url(base: str) -> None:
    page = f"http://127.0.0.1:8866{base}book/nl/03-kunnen.html"
    assert urljoin(page, exercise_href("03-kunnen", "nl", "score-case")) == (
        f"http://127.0.0.1:8866{base}voila/render/exercises/score-case.ipynb?lang=nl"
    )


def test_every_chapter_uses_the_directive() -> None:
    for lang in LANGUAGES:
        for chapter in CHAPTERS:
            text = (BOOK_DIR / lang / f"{chapter}.md").read_text(encoding="utf-8")
            assert "```{igm-exercises}" in text, f"{lang}/{chapter}: no exercises"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_built_chapter_links_its_exercises(built_book: Path, lang: str) -> None:
    """In the built book: each chapter links its exercises, in its own language, and only
    exercises of the kit."""
    known = set(EXERCISE_IDS)
    for chapter in CHAPTERS:
        html = (built_book / lang / f"{chapter}.html").read_text(encoding="utf-8")
        links = LINK.findall(html)
        assert [exercise for _, exercise, _ in links] == list(CHAPTER_EXERCISES[chapter])
        assert {link_lang for _, _, link_lang in links} == {lang}
        assert {exercise for _, exercise, _ in links} <= known
        page = f"http://127.0.0.1:8866/book/{lang}/{chapter}.html"
        for href, exercise, _ in links:
            assert urljoin(page, href.replace("&amp;", "&")).startswith(
                f"http://127.0.0.1:8866/voila/render/exercises/{exercise}.ipynb"
            )
