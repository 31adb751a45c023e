"""The catalogue of graded exercises: list them, get one by id, grade any variant."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from exercises._base import Exercise, GradeResult, Variant
from exercises.caseload_question import CaseloadQuestion
from exercises.choose_knob import ChooseKnob
from exercises.plan import InterventionPlan
from exercises.predict import Predict
from exercises.recognise import RecogniseDeterminant
from exercises.score_case import ScoreCase

__all__ = ["EXERCISE_IDS", "get_exercise", "grade", "list_exercises"]


@cache
def _exercises() -> dict[str, Exercise]:
    items: list[Exercise] = [
        RecogniseDeterminant(),
        ScoreCase(),
        Predict(),
        ChooseKnob(),
        InterventionPlan(),
        CaseloadQuestion(),
    ]
    return {ex.id: ex for ex in items}


#: The exercises in course order.
EXERCISE_IDS: tuple[str, ...] = (
    "recognise-determinant",
    "score-case",
    "predict",
    "choose-knob",
    "intervention-plan",
    "caseload-question",
)


def list_exercises() -> list[Exercise]:
    """All exercises in course order."""
    return [_exercises()[ex_id] for ex_id in EXERCISE_IDS]


def get_exercise(exercise_id: str) -> Exercise:
    """One exercise by id; ``KeyError`` naming the known ids otherwise."""
    try:
        return _exercises()[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(EXERCISE_IDS)}") from None


def grade(variant: Variant, answers: Mapping[str, Any], lang: str) -> GradeResult:
    """Grade an attempt with the variant's own exercise (raises ``InvalidAnswer``)."""
    return get_exercise(variant.exercise_id).grade(variant, answers, lang)
