"""Which exercises are there, and does each one carry its metadata in both languages?"""

from __future__ import annotations

import pytest

from exercises import EXERCISE_IDS, get_exercise, list_exercises
from igm.i18n import LANGUAGES

EXPECTED = (
    "recognise-determinant",
    "score-case",
    "predict",
    "choose-knob",
    "intervention-plan",
    "caseload-question",
)


def test_six_exercises_in_course_order() -> None:
    assert tuple(ex.id for ex in list_exercises()) == EXPECTED == EXERCISE_IDS


def test_get_exercise_by_id_and_unknown_id_names_the_known_ones() -> None:
    assert get_exercise("predict").id == "predict"
    with pytest.raises(KeyError, match="score-case"):
        get_exercise("nope")


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
