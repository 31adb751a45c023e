"""The catalogue of graded exercises: list them, get one by id, grade any variant.

The built-in exercises are :data:`BUILT_IN`, in course order: a new exercise is one line
there (see exercises/README.md). :func:`register` adds one at run time, after them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exercises._base import Exercise, GradeResult, Variant
from exercises._texts import (
    ExerciseMeta,
    add_exercise_meta,
    exercise_meta,
    message,
    remove_exercise_meta,
)
from exercises.choose_knob import ChooseKnob
from exercises.compare_clients import CompareClients
from exercises.conversation import ConversationExercise
from exercises.model_limits import ModelLimits
from exercises.plan import InterventionPlan
from exercises.recognise import RecogniseDeterminant
from exercises.score_case import ScoreCase

__all__ = [
    "BUILT_IN",
    "EXERCISE_IDS",
    "RETIRED",
    "Retired",
    "RetiredExercise",
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
    CompareClients,
    ChooseKnob,
    InterventionPlan,
    ConversationExercise,
    ModelLimits,
)

#: The ids of the built-in exercises, in course order.
EXERCISE_IDS: tuple[str, ...] = tuple(cls.id for cls in BUILT_IN)


@dataclass(frozen=True)
class Retired:
    """An exercise the course no longer has: the one that replaced it, and the retry policy
    its stored attempts were counted by (the gradebook keeps and exports them)."""

    replaced_by: str
    retry: str


#: Exercises taken out of the course, by id. Their attempts stay in the gradebook, marked
#: as retired in every export; database migration 0005 records the same pairs in the
#: ``retired_exercises`` table (tests/exercises/test_catalog.py holds them equal).
RETIRED: dict[str, Retired] = {
    # graded learners on their distance to the kit's arbitrary constants (issue 13)
    "predict": Retired(replaced_by="compare-clients", retry="last"),
    # rehearsed choosing target groups with a model (issue 13)
    "caseload-question": Retired(replaced_by="model-limits", retry="best"),
}


class RetiredExercise(KeyError):
    """The exercise was retired: :attr:`replaced_by` names the one that took its place."""

    def __init__(self, exercise_id: str) -> None:
        self.exercise_id = exercise_id
        self.replaced_by = RETIRED[exercise_id].replaced_by
        self.retry = RETIRED[exercise_id].retry
        super().__init__(
            f"exercise {exercise_id!r} was retired; it is replaced by {self.replaced_by!r}"
        )

    def __str__(self) -> str:  # KeyError would show the repr of its argument
        return str(self.args[0])

    def message(self, lang: str) -> str:
        """What a learner reads: the exercise is gone, which one replaced it, nothing lost."""
        try:
            replacement = exercise_meta(self.replaced_by).title(lang)
        except KeyError:
            replacement = self.replaced_by
        return message("retired_exercise", lang, exercise=self.exercise_id, replacement=replacement)


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
    """One exercise by id; :class:`RetiredExercise` for a retired one, ``KeyError`` naming
    the known ids for any other unknown id."""
    known = _exercises()
    try:
        return known[exercise_id]
    except KeyError:
        if exercise_id in RETIRED:
            raise RetiredExercise(exercise_id) from None
        raise KeyError(f"no exercise {exercise_id!r}; known: {', '.join(known)}") from None


def grade(variant: Variant, answers: Mapping[str, Any], lang: str) -> GradeResult:
    """Grade an attempt with the variant's own exercise (raises ``InvalidAnswer``)."""
    return get_exercise(variant.exercise_id).grade(variant, answers, lang)
