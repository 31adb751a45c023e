"""The counting grade: which attempt counts, per exercise, in one place.

Every exercise has its own retry policy (``best`` or ``last``, in exercises.yaml; a retired
exercise keeps the policy its attempts were made under). The exercise page ("Nu telt: …"), the
trainer dashboard, the dashboard's CSV, the grading service and ``igm grades export`` all ask
this module, so a learner is never told one grade while the LMS receives another. A trainer
may still override the policy for an export (``--policy``); that is an explicit choice, never
the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from exercises.catalog import RetiredExercise, get_exercise
from gradebook import Attempt, Gradebook
from gradebook.api import POLICIES, LearnerView
from gradebook.export import gradebook_csv

__all__ = [
    "counting_attempt",
    "counting_attempts",
    "grade_sheet",
    "retry_policies",
    "retry_policy",
]

#: The policy of an exercise id the catalogue does not know (an attempt from an old kit).
UNKNOWN_EXERCISE_POLICY = "best"


def retry_policy(exercise_id: str) -> str:
    """The exercise's own rule for which attempt counts: ``"best"`` or ``"last"``."""
    try:
        return str(get_exercise(exercise_id).retry)
    except RetiredExercise as retired:
        return retired.retry
    except KeyError:
        return UNKNOWN_EXERCISE_POLICY


def retry_policies(exercise_ids: Iterable[str], override: str | None = None) -> dict[str, str]:
    """The policy per exercise: each its own, or ``override`` for all (a trainer's choice)."""
    if override is not None and override not in POLICIES:
        raise ValueError(f"policy {override!r}: allowed: {', '.join(POLICIES)}")
    return {e: override or retry_policy(e) for e in exercise_ids}


def counting_attempts(
    gradebook: Gradebook,
    exercise_ids: Sequence[str] | None = None,
    *,
    learner_number: str | None = None,
    override: str | None = None,
) -> dict[str, dict[str, Attempt]]:
    """Per exercise, the counting attempt of each learner (learner number → attempt).

    ``exercise_ids`` defaults to every exercise with an attempt; ``learner_number`` limits it
    to one learner. An exercise nobody tried maps to an empty dict.
    """
    chosen_ids = list(exercise_ids) if exercise_ids is not None else gradebook.exercise_ids()
    out: dict[str, dict[str, Attempt]] = {}
    for exercise_id, policy in retry_policies(chosen_ids, override).items():
        chosen = gradebook.best_or_last(
            policy, learner_number=learner_number, exercise_id=exercise_id
        )
        out[exercise_id] = {number: a for (number, _), a in chosen.items()}
    return out


def counting_attempt(
    learner: LearnerView, exercise_id: str, *, override: str | None = None
) -> Attempt | None:
    """The one learner's counting attempt at one exercise (``None``: no attempt yet)."""
    policy = retry_policies([exercise_id], override)[exercise_id]
    return learner.best_or_last(policy, exercise_id=exercise_id).get(exercise_id)


def grade_sheet(
    gradebook: Gradebook,
    exercise_ids: Sequence[str] | None = None,
    *,
    lms: str = "generic",
    column_names: Mapping[str, str] | None = None,
    override: str | None = None,
) -> str:
    """The grade sheet CSV (one row per learner) with the counting grade of every exercise."""
    chosen_ids = list(exercise_ids) if exercise_ids is not None else gradebook.exercise_ids()
    return gradebook_csv(
        gradebook,
        retry_policies(chosen_ids, override),
        chosen_ids,
        lms=lms,
        column_names=column_names,
    )
