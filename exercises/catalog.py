"""The catalogue of graded exercises: list them, get one by id, grade any variant.

The built-in exercises are :data:`BUILT_IN`, in course order: a new exercise is one line
there (see exercises/README.md). :func:`register` adds one at run time, after them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exercises._base import Exercise, GradeResult, Variant
from exercises._texts import ExerciseMeta, add_exercise_meta, remove_exercise_meta
from exercises.caseload_question import CaseloadQuestion
from exercises.choose_knob import ChooseKnob
from exercises.plan import InterventionPlan
from exercises.predict import Predict
from exercises.recognise import RecogniseDeterminant
from exercises.score_case import ScoreCase

__all__ = [
    "BUILT_IN",
    "EXERCISE_IDS",
    "get_exercise",
    "grade",
    "list_exercises",
    "register",
    "unregister",
]

#: The kit's exercises in course order.
BUILT_IN: tuple[type[Exercise], ...] = (
    RecogniseDeterminant,
    ScoreCase,
    Predict,
    ChooseKnob,
    InterventionPlan,
    CaseloadQuestion,
)

#: The ids of the built-in exercises, in course order.
EXERCISE_IDS: tuple[str, ...] = tuple(cls.id for cls in BUILT_IN)

#: Every exercise of this process by id, in course order (built-in ones first); made on
#: first use.
_registry: dict[str, Exercise] = {}


def _exercises() -> dict[str, Exercise]:
    if not _registry:
        _registry.update((cls.id, cls()) for cls in BUILT_IN)
    return _registry


def register(exercise: Exercise, meta: ExerciseMeta | None = None) -> Exercise:
    """Add an exercise after the built-in ones, for the life of this process.

    ``meta`` brings its title, instructions, retry policy, points and texts when they are
    not in exercises/items/exercises.yaml. The exercise then renders in the exercise app,
    grades and stores like any other.
    """
    known = _exercises()
    if exercise.id in known:
        raise ValueError(f"exercise {exercise.id!r} is registered already")
    if meta is not None:
        if meta.id != exercise.id:
            raise ValueError(f"texts of {meta.id!r} given for exercise {exercise.id!r}")
        add_exercise_meta(meta)
    known[exercise.id] = exercise
    return exercise


def unregister(exercise_id: str) -> None:
    """Remove an exercise added with :func:`register` (the built-in ones stay)."""
    if exercise_id in EXERCISE_IDS:
        raise ValueError(f"{exercise_id!r} is a built-in exercise")
    _exercises().pop(exercise_id, None)
    remove_exercise_meta(exercise_id)


def list_exercises() -> list[Exercise]:
    """All exercises in course order."""
    return list(_exercises().values())


def get_exercise(exercise_id: str) -> Exercise:
    """One exercise by id; ``KeyError`` naming the known ids otherwise."""
    known = _exercises()
    try:
        return known[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(known)}") from None


def grade(variant: Variant, answers: Mapping[str, Any], lang: str) -> GradeResult:
    """Grade an attempt with the variant's own exercise (raises ``InvalidAnswer``)."""
    return get_exercise(variant.exercise_id).grade(variant, answers, lang)
