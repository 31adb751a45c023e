"""Exercise intervention-plan: per weak determinant, choose an intervention and justify it.

The choice is graded (does the intervention raise that determinant?); the justification is
kept for the trainer, not graded, but must be long enough to be worth discussing. The view
shows interventions without their effects: reading the description is the exercise.
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
    OptionList,
    Paragraph,
    Variant,
    check_choice,
    check_items,
    check_text,
    item_heading,
)
from exercises._shared import (
    all_cases,
    answer_options,
    case_by_id,
    case_view,
    dname,
    join_names,
    other_case_choice,
)
from exercises._texts import exercise_text
from igm import DETERMINANTS, Case
from igm.i18n import t

__all__ = ["MIN_JUSTIFICATION", "InterventionPlan", "PlanVariant", "weak_determinants"]

EXERCISE_ID = "intervention-plan"
#: Shortest justification kept (characters, after trimming spaces).
MIN_JUSTIFICATION = 40
#: A third weak determinant is included only when it scores this low or lower.
THIRD_MAX_SCORE = 3
FIELDS = ("intervention", "justification")


def weak_determinants(case: Case) -> list[str]:
    """The case's two lowest determinants, plus a third when it scores 3 or lower.

    Ties go in the canonical order (willen first). Only determinants that at least one of the
    case's interventions raises are eligible, so every part has a right answer.
    """
    raisable = {key for item in case.interventions for key in item.effects}
    ranked = sorted(
        (key for key in DETERMINANTS if key in raisable),
        key=lambda key: (case.scores[key], DETERMINANTS.index(key)),
    )
    weak = ranked[:2]
    if len(ranked) > 2 and case.scores[ranked[2]] <= THIRD_MAX_SCORE:
        weak.append(ranked[2])
    return weak


@dataclass(frozen=True)
class PlanVariant(Variant):
    case: Case
    weak: tuple[str, ...]  # the parts, in the learner's order
    order: tuple[str, ...]  # intervention ids in the learner's order

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        view["case"] = case_view(self.case, lang, with_scores=False)
        options = [
            {
                "id": iid,
                "label": self.case.intervention(iid).label(lang),
                "description": self.case.intervention(iid).description(lang),
            }
            for iid in self.order
        ]
        view["items"] = [
            {
                "id": key,
                "determinant": dname(key, lang),
                "prompt": exercise_text(EXERCISE_ID, "prompt", lang, determinant=dname(key, lang)),
                "justification_prompt": exercise_text(
                    EXERCISE_ID, "justification_prompt", lang, min=MIN_JUSTIFICATION
                ),
                "min_length": MIN_JUSTIFICATION,
                "options": options,
            }
            for key in self.weak
        ]
        return view


class InterventionPlan(Exercise):
    id = EXERCISE_ID
    variant_type = PlanVariant

    def make_variant(self, learner_id: str) -> PlanVariant:
        seeder = self.seeder(learner_id)
        eligible = [c.id for c in all_cases() if len(weak_determinants(c)) >= 2]
        case = case_by_id(other_case_choice(seeder, learner_id, eligible))
        return PlanVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            case=case,
            weak=tuple(weak_determinants(case)),
            order=tuple(seeder.shuffle([i.id for i in case.interventions], "order")),
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """Per weak determinant: the interventions explained, a choice and a justification."""
        lang = view["lang"]
        items = []
        for item in view["items"]:
            key, name = item["id"], item["determinant"]
            intro = (
                Paragraph(item["prompt"], style="heading"),
                OptionList(tuple((o["label"], o["description"]) for o in item["options"])),
            )
            fields = (
                AnswerField.choice(
                    key,
                    t("exercise_app.intervention_for", lang, item=name),
                    answer_options(item["options"]),
                    part="intervention",
                ),
                AnswerField.text(
                    key,
                    t("exercise_app.justification_for", lang, item=name),
                    int(item["min_length"]),
                    part="justification",
                    placeholder=item["justification_prompt"],
                ),
            )
            items.append(AnswerItem(key, item_heading(key, lang), fields, intro))
        return AnswerSheet(items=tuple(items))

    def _grade(self, variant: PlanVariant, answers: Mapping[str, Any], lang: str) -> GradeResult:
        check_items(answers, variant.weak)
        parsed: dict[str, tuple[str, str]] = {}
        for key in variant.weak:
            part = answers[key]
            if not isinstance(part, Mapping):
                raise InvalidAnswer("not_a_part", item=key)
            for name in part:
                if name not in FIELDS:
                    raise InvalidAnswer(
                        "unknown_field", item=key, value=str(name), allowed=", ".join(FIELDS)
                    )
            if part.get("intervention") is None or part.get("justification") is None:
                raise InvalidAnswer("not_a_part", item=key)
            parsed[key] = (
                check_choice(part["intervention"], variant.order, key),
                check_text(part["justification"], key, MIN_JUSTIFICATION),
            )

        case = variant.case
        per_part = self.max_points / len(variant.weak)
        scores: dict[str, float] = {}
        feedback: dict[str, str] = {}
        kept: dict[str, str] = {}
        for key in variant.weak:
            iid, text = parsed[key]
            kept[key] = text
            item = case.intervention(iid)
            fitting = [i for i in case.interventions if key in i.effects]
            others = [i.label(lang) for i in fitting if i.id != iid]
            if key in item.effects:
                scores[key] = per_part
                message = exercise_text(
                    self.id,
                    "raises",
                    lang,
                    intervention=item.label(lang),
                    determinant=dname(key, lang),
                    delta=int(item.effects[key]),
                )
                if others:
                    message += " " + exercise_text(
                        self.id, "alternatives", lang, alternatives=join_names(others, lang)
                    )
            else:
                scores[key] = 0.0
                message = exercise_text(
                    self.id,
                    "not_raises",
                    lang,
                    intervention=item.label(lang),
                    determinant=dname(key, lang),
                    targets=join_names([dname(k, lang) for k in item.effects], lang),
                    alternatives=join_names(others, lang),
                )
            feedback[key] = f"{message} {exercise_text(self.id, 'kept', lang)}"
        right = sum(1 for v in scores.values() if v > 0)
        return self.result(
            scores, feedback, lang, kept_text=kept, right=right, total=len(variant.weak)
        )
