"""Exercise score-case: read a case and score the seven determinants (1–7).

The case comes from the grader-only cases (:func:`exercises._shared.grading_cases_dir`), never
from the published ones: the book prints a published case's scores and evidence, which are
this exercise's answer key. Where that folder is missing or empty (a learner image built
without it), the exercise says so and grades nothing: it is graded by the grading service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    InvalidAnswer,
    Paragraph,
    Variant,
    check_items,
    check_number,
    item_heading,
)
from exercises._shared import (
    SCORE_CASE_ID,
    GradingCasesMissing,
    case_view,
    determinant_options,
    dname,
    grading_case_by_id,
    grading_cases,
    score_case_choice,
)
from exercises._texts import exercise_text
from igm import DETERMINANTS, Case
from igm.determinants import SCALE_MAX, SCALE_MIN
from igm.i18n import t

__all__ = ["FULL_WITHIN", "HALF_WITHIN", "ScoreCase", "ScoreCaseVariant", "score_points"]

#: A full point when the score is at most this far from the reference score...
FULL_WITHIN = 1
#: ... and half a point when it is at most this far.
HALF_WITHIN = 2


def score_points(given: float, reference: float) -> float:
    """Points for one determinant: 1 within ±1 of the reference, 0.5 within ±2, else 0."""
    diff = abs(given - reference)
    if diff <= FULL_WITHIN:
        return 1.0
    if diff <= HALF_WITHIN:
        return 0.5
    return 0.0


def unavailable_text(lang: str) -> str:
    """What a learner reads where there are no grader-only cases."""
    return t("exercise_app.score_case.unavailable", lang)


@dataclass(frozen=True)
class ScoreCaseVariant(Variant):
    """The learner's grader-only case; ``None`` where no grader-only case is installed (the
    view then says so, holds no items, and every submit is refused)."""

    case: Case | None

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        if self.case is None:
            view["instructions"] = unavailable_text(lang)
            view["unavailable"] = unavailable_text(lang)
            view["items"] = []
            return view
        view["case"] = case_view(self.case, lang, with_scores=False)
        view["scale"] = {
            "min": int(SCALE_MIN),
            "max": int(SCALE_MAX),
            "label": exercise_text(SCORE_CASE_ID, "scale", lang),
        }
        view["items"] = determinant_options(list(DETERMINANTS), lang)
        return view


class ScoreCase(Exercise):
    id = SCORE_CASE_ID
    variant_type = ScoreCaseVariant

    def available(self) -> bool:
        return bool(grading_cases())

    def unavailable_text(self, lang: str) -> str:
        return unavailable_text(lang)

    def make_variant(self, learner_id: str) -> ScoreCaseVariant:
        seeder = self.seeder(learner_id)
        try:
            case: Case | None = grading_case_by_id(score_case_choice(learner_id))
        except GradingCasesMissing:
            case = None
        return ScoreCaseVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            case=case,
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """The scale explained once; per determinant its description and a score 1–7."""
        lang = view["lang"]
        if view.get("unavailable"):
            return AnswerSheet(intro=(Paragraph(str(view["unavailable"])),), items=())
        scale = view["scale"]
        return AnswerSheet(
            intro=(Paragraph(scale["label"]),),
            items=tuple(
                AnswerItem(
                    id=item["id"],
                    label=item_heading(item["id"], lang),
                    intro=(
                        Paragraph(f"({item['block']}): {item['description']}", lead=item["label"]),
                    ),
                    fields=(
                        AnswerField.scale(
                            item["id"],
                            t("exercise_app.score_for", lang, item=item["label"]),
                            int(scale["min"]),
                            int(scale["max"]),
                        ),
                    ),
                )
                for item in view["items"]
            ),
        )

    def _grade(
        self, variant: ScoreCaseVariant, answers: Mapping[str, Any], lang: str
    ) -> GradeResult:
        case = variant.case
        if case is None:
            raise InvalidAnswer("exercise_unavailable")
        check_items(answers, DETERMINANTS)
        given = {
            key: check_number(answers[key], SCALE_MIN, SCALE_MAX, key, integer=True)
            for key in DETERMINANTS
        }
        scores: dict[str, float] = {}
        feedback: dict[str, str] = {}
        hints: dict[str, str] = {}
        for key in DETERMINANTS:
            reference = case.scores[key]
            diff = given[key] - reference
            scores[key] = score_points(given[key], reference)
            if diff == 0:
                verdict = "exact"
            elif abs(diff) <= FULL_WITHIN:
                verdict = "close"
            elif abs(diff) <= HALF_WITHIN:
                verdict = "near"
            else:
                verdict = "far"
            parts = [
                exercise_text(
                    self.id,
                    verdict,
                    lang,
                    given=int(given[key]),
                    reference=int(reference),
                    diff=int(abs(diff)),
                )
            ]
            if abs(diff) > FULL_WITHIN:
                direction = "too_high" if diff > 0 else "too_low"
                parts.append(exercise_text(self.id, direction, lang, name=dname(key, lang)))
            parts.append(
                exercise_text(self.id, "evidence", lang, evidence=case.evidence[key](lang))
            )
            feedback[key] = " ".join(parts)
            # before the answers are released: how far off, in words only, and where to
            # look in the case; never the reference, the difference, the direction or the
            # evidence (with the points they would give the reference away)
            hints[key] = exercise_text(
                self.id,
                f"hint_{verdict}",
                lang,
                given=int(given[key]),
                name=dname(key, lang),
                about=t(f"determinant.{key}.description", lang),
            )
        return self.result(scores, feedback, lang, hints=hints)
