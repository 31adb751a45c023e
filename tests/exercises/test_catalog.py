"""Which exercises are there, and does each one carry its metadata in both languages?"""

from __future__ import annotations

from pathlib import Path

import pytest

from exercises import EXERCISE_IDS, get_exercise, list_exercises
from exercises.catalog import RETIRED, RetiredExercise
from gradebook import open_gradebook
from igm.i18n import LANGUAGES

EXPECTED = (
    "recognise-determinant",
    "score-case",
    "compare-clients",
    "choose-knob",
    "intervention-plan",
    "conversation",
    "model-limits",
)


def test_seven_exercises_in_course_order() -> None:
    assert tuple(ex.id for ex in list_exercises()) == EXPECTED == EXERCISE_IDS


def test_get_exercise_by_id_and_unknown_id_names_the_known_ones() -> None:
    assert get_exercise("compare-clients").id == "compare-clients"
    with pytest.raises(KeyError, match="score-case"):
        get_exercise("nope")


def test_a_retired_exercise_names_its_replacement() -> None:
    for retired, replacement in (
        ("predict", "compare-clients"),
        ("caseload-question", "model-limits"),
    ):
        with pytest.raises(RetiredExercise, match=f"retired.*{replacement}") as info:
            get_exercise(retired)
        assert isinstance(info.value, KeyError)  # callers that catch unknown ids still do
        assert info.value.replaced_by == replacement in EXERCISE_IDS
        assert retired not in EXERCISE_IDS
        for lang in LANGUAGES:
            assert get_exercise(replacement).title(lang) in info.value.message(lang)


def test_the_retired_exercises_are_the_ones_the_gradebook_knows(tmp_path: Path) -> None:
    """exercises.catalog.RETIRED and the rows of database migration 0005 say the same."""
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as gb:
        stored = {r.exercise_id: r.replaced_by for r in gb.retired_exercises().values()}
    assert stored == {ex_id: r.replaced_by for ex_id, r in RETIRED.items()}


@pytest.mark.parametrize("exercise_id", EXPECTED)
def test_metadata(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    assert ex.retry in ("best", "last")
    assert ex.max_points > 0
    for lang in LANGUAGES:
        assert ex.title(lang).strip()
        assert len(ex.instructions(lang)) > 80
    assert ex.title("nl") != ex.title("en")


def test_unknown_language_is_refused() -> None:
    ex = get_exercise("score-case")
    with pytest.raises(ValueError, match="language"):
        ex.make_variant("a").public_view("de")


def test_empty_learner_id_is_refused() -> None:
    with pytest.raises(ValueError, match="learner_id"):
        get_exercise("score-case").make_variant(" ")
