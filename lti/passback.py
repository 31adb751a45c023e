"""Grade passback: the counting grade of a launch's learner, to the launch's line item.

What is sent is what the learner's page says counts (:func:`exercises.grades.counting_attempt`,
the one definition), after every recorded attempt: ``scoreGiven``/``scoreMaximum`` of the
counting attempt, ``activityProgress`` Completed, ``gradingProgress`` FullyGraded, the
platform's ``userId`` (the launch's ``sub``) and the attempt's time. A failed send keeps the
attempt (it is stored before) and the next submit sends again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.grades import counting_attempt
from gradebook import Gradebook
from lti.config import LtiConfig

__all__ = ["Score", "score_for", "send_score"]

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@dataclass(frozen=True)
class Score:
    """An AGS score (https://www.imsglobal.org/spec/lti-ags/v2p0#score-publish-service)."""

    user_id: str
    given: float
    maximum: float
    timestamp: str

    def grade(self) -> Any:
        from pylti1p3.grade import Grade

        return (
            Grade()
            .set_score_given(self.given)
            .set_score_maximum(self.maximum)
            .set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_timestamp(self.timestamp)
            .set_user_id(self.user_id)
        )


def score_for(
    gradebook: Gradebook, learner_number: str, exercise_id: str, user_id: str
) -> Score | None:
    """The score to send: the counting attempt's points; None before any attempt."""
    attempt = counting_attempt(gradebook.for_learner(learner_number), exercise_id)
    if attempt is None:
        return None
    return Score(user_id, attempt.points, attempt.max_points, attempt.submitted_at.isoformat())


def send_score(
    config: LtiConfig, issuer: str, client_id: str, lineitem: str, scopes: list[str], score: Score
) -> None:
    """POST the score to ``<lineitem>/scores`` with a token from the platform's token
    endpoint (client credentials, signed with the tool key). Raises on any failure."""
    from pylti1p3.assignments_grades import AssignmentsGradesService
    from pylti1p3.service_connector import ServiceConnector

    from lti.adapters import timed_session

    if SCORE_SCOPE not in scopes:
        raise PermissionError("the platform did not grant the score scope")
    registration = config.tool_conf().find_registration_by_params(issuer, client_id)
    connector = ServiceConnector(registration, requests_session=timed_session())
    service_data: Any = {"scope": scopes, "lineitem": lineitem}
    service = AssignmentsGradesService(connector, service_data)
    service.put_grade(score.grade())
