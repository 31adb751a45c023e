"""One attempt, start to end, in one place: local grading (:class:`exercises.app.LocalGrading`)
and the grading service (:class:`exercises.grading_service.AttemptHandler`) both call
:func:`take_attempt`, so a limit, a deadline or withheld answers mean the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exercises._base import Exercise, GradeResult, Variant
from exercises.settings import (
    Refusal,
    answers_released,
    next_attempt_is_new,
    quiz_settings,
    refusal,
)

__all__ = ["Taken", "take_attempt"]


@dataclass(frozen=True)
class Taken:
    """A stored attempt: its number, the result as the learner may read it now (the full
    feedback once the answers are released, else :meth:`GradeResult.withheld`), and whether
    the next attempt gets a new variant."""

    attempt_no: int
    result: GradeResult
    released: bool
    next_is_new: bool


def take_attempt(
    exercise: Exercise,
    learner_key: str,
    attempts_used: int,
    answers: Mapping[str, Any],
    lang: str,
    record: Callable[[Variant, GradeResult], int],
    *,
    shown_fingerprint: str | None = None,
    at: datetime | None = None,
) -> Taken | Refusal:
    """Check the settings, grade the variant of this attempt, store it, release or withhold.

    ``attempts_used``: the learner's stored attempts; ``record`` stores the attempt and
    returns its number (it may raise, e.g. :class:`gradebook.GradebookError`); a malformed
    answer raises :class:`exercises.InvalidAnswer`. Nothing is graded or stored when a
    :class:`Refusal` is returned: the exercise is not open, has closed, the attempts are used
    up, or ``shown_fingerprint`` (the variant on the learner's page) is not the variant of this
    attempt (another tab stored one in between).
    """
    settings = quiz_settings(exercise.id)
    refused = refusal(settings, attempts_used, at)
    if refused is not None:
        return refused
    variant = exercise.variant_for(learner_key, attempts_used + 1)
    if shown_fingerprint is not None and shown_fingerprint != variant.fingerprint:
        return Refusal("stale_variant", {})
    result = exercise.grade(variant, answers, lang)
    attempt_no = record(variant, result)
    released = answers_released(settings, attempt_no, at)
    return Taken(
        attempt_no,
        result.as_released(released, lang),
        released,
        next_is_new=next_attempt_is_new(settings, attempt_no, at),
    )
