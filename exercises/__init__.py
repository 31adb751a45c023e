"""Graded exercises for the IGM course: content, per-learner variants and grading. No UI.

Usage::

    from exercises import get_exercise, grade
    exercise = get_exercise("score-case")
    variant = exercise.make_variant("learner-42")  # same learner -> same variant
    view = variant.public_view("nl")  # JSON-ready, without any answer key
    result = grade(variant, answers, "nl")  # raises InvalidAnswer if malformed

Answer formats (``answers`` is a dict; item ids come from ``view["items"]``):

- recognise-determinant: ``{"q1": "<determinant key>", ...}``, one per quote.
- score-case: ``{"<determinant key>": 1..7, ...}``, all seven, whole numbers.
- compare-clients: ``{"q1": "first" | "second" | "same", "q2": "<reason id>",
  "q3": "much" | "somewhat" | "same"}`` (who gains more, why, how much more).
- choose-knob: ``{"interventions": ["<intervention id>", ...]}`` within the budget.
- intervention-plan: ``{"<weak determinant key>": {"intervention": "<id>",
  "justification": "<at least 40 characters>"}, ...}``.
- model-limits: ``{"q1": "<option id>", "q2": "allowed" | "forbidden", ...}``: an option
  id for q1 and the last two questions, "allowed" or "forbidden" for each use in between.
- conversation: ``{"conversation": ["b", "a", ...]}``: the path through the conversation,
  the view's response ids from the start to an ending.

Each exercise declares its form: ``exercise.answer_sheet(view)`` gives the fields
(:class:`AnswerField`: choice, scale, number, multi-select, text, dialogue) that the one generic form
in :mod:`exercises.app` renders; see exercises/README.md for adding an exercise.

A malformed answer raises :class:`InvalidAnswer` (``.key``, ``.item``, ``.messages`` in nl
and en) and nothing is graded. Retry policy per exercise: ``exercise.retry`` ("best" or
"last"); the gradebook applies it.

Texts (items, instructions, feedback, messages) live in ``exercises/items/*.yaml`` in Dutch
and English. Predictions in feedback are illustrative, not validated.
"""

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    InvalidAnswer,
    Option,
    RetryPolicy,
    Variant,
)
from exercises.catalog import EXERCISE_IDS, get_exercise, grade, list_exercises, register

__all__ = [
    "EXERCISE_IDS",
    "AnswerField",
    "AnswerItem",
    "AnswerSheet",
    "Exercise",
    "GradeResult",
    "InvalidAnswer",
    "Option",
    "RetryPolicy",
    "Variant",
    "get_exercise",
    "grade",
    "list_exercises",
    "register",
]
