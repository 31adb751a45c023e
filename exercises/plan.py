"""Exercise intervention-plan: per weak determinant an intervention, and one justification.

What is graded automatically, and what is not:

* **The choices**: does the chosen intervention work on that weak determinant? That is a
  fact of the case (its interventions' effects, the case author's estimate), so the grader
  can check it. The view shows the interventions without their effects: reading the
  description is the exercise.
* **The justification**: one text for the whole plan. Its criteria (the rubric)
  are shown *before* answering, right above the text field: what the client wants; the
  knelpunt, or why steps are combined; a willen and a kunnen step, or why not; how you will
  check with the client whether it works; behaviour and determinants, no labels. Its points
  are given for a text of at least :data:`MIN_JUSTIFICATION` characters. Its content is
  **not** graded: no keyword match can judge reasoning, and the grader does not pretend to.
  After submitting, the feedback shows a model answer for the case
  (``items/intervention-plan.yaml``) and the rubric again as a self-check list. The text is
  stored with the attempt (``kept_text`` and the answers), so the trainer reads it in the
  gradebook's export of all attempts and discusses it with the learner.

Every part, the justification included, is worth the same share of the 3 points (1 point
each with two weak determinants, 0.75 with three), so the trainer dashboard's "share with
full points" reads the same for every part.
Only cases with a model answer take part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Block,
    Exercise,
    GradeResult,
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
from exercises._texts import exercise_text, plan_model_answers
from igm import DETERMINANTS, Case
from igm.i18n import t
from igm.report import lever_name

__all__ = [
    "JUSTIFICATION",
    "MIN_JUSTIFICATION",
    "RUBRIC",
    "InterventionPlan",
    "PlanVariant",
    "weak_determinants",
]

EXERCISE_ID = "intervention-plan"
#: The item id of the justification of the whole plan.
JUSTIFICATION = "justification"
#: Shortest justification accepted (characters, after trimming spaces): a few sentences.
MIN_JUSTIFICATION = 150
#: A third weak determinant is included only when it scores this low or lower.
THIRD_MAX_SCORE = 3
#: The rubric's criteria, in order (texts ``rubric_<key>`` and ``rubric_<key>_label``).
RUBRIC = ("wish", "knelpunt", "willen_kunnen", "check", "words")


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


def rubric(name: str, lang: str) -> list[dict[str, str]]:
    """The justification's criteria: a short label and what it asks, for client ``name``."""
    return [
        {
            "label": exercise_text(EXERCISE_ID, f"rubric_{key}_label", lang, name=name),
            "text": exercise_text(EXERCISE_ID, f"rubric_{key}", lang, name=name),
        }
        for key in RUBRIC
    ]


@dataclass(frozen=True)
class PlanVariant(Variant):
    case: Case
    weak: tuple[str, ...]  # the parts, in the learner's order
    order: tuple[str, ...]  # intervention ids in the learner's order

    @property
    def item_ids(self) -> list[str]:
        return [*self.weak, JUSTIFICATION]

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
        parts: list[dict[str, Any]] = [
            {
                "id": key,
                "determinant": dname(key, lang),
                "prompt": exercise_text(
                    EXERCISE_ID, "prompt", lang, determinant=lever_name(key, lang).lower()
                ),
                "options": options,
            }
            for key in self.weak
        ]
        name = self.case.name
        parts.append(
            {
                "id": JUSTIFICATION,
                "label": exercise_text(EXERCISE_ID, "justification_label", lang),
                "prompt": exercise_text(EXERCISE_ID, "justification_heading", lang, name=name),
                "rubric_intro": exercise_text(
                    EXERCISE_ID, "rubric_intro", lang, name=name, min=MIN_JUSTIFICATION
                ),
                "rubric": rubric(name, lang),
                "placeholder": exercise_text(
                    EXERCISE_ID, "justification_prompt", lang, min=MIN_JUSTIFICATION
                ),
                "min_length": MIN_JUSTIFICATION,
            }
        )
        view["items"] = parts
        return view


class InterventionPlan(Exercise):
    id = EXERCISE_ID
    variant_type = PlanVariant

    def make_variant(self, learner_id: str) -> PlanVariant:
        seeder = self.seeder(learner_id)
        answers = plan_model_answers()
        eligible = [c.id for c in all_cases() if c.id in answers and len(weak_determinants(c)) >= 2]
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
        """Per weak determinant: the interventions explained and a choice. Then the rubric,
        shown before the learner writes, and one justification for the whole plan."""
        lang = view["lang"]
        items = []
        for item in view["items"]:
            key = item["id"]
            intro: tuple[Block, ...]
            if key == JUSTIFICATION:
                intro = (
                    Paragraph(item["prompt"], style="heading"),
                    Paragraph(item["rubric_intro"]),
                    OptionList(tuple((c["label"], c["text"]) for c in item["rubric"])),
                )
                field = AnswerField.text(
                    key, item["label"], int(item["min_length"]), placeholder=item["placeholder"]
                )
                items.append(AnswerItem(key, item["label"], (field,), intro))
                continue
            name = item["determinant"]
            intro = (
                Paragraph(item["prompt"], style="heading"),
                OptionList(tuple((o["label"], o["description"]) for o in item["options"])),
            )
            choice = AnswerField.choice(
                key,
                t("exercise_app.intervention_for", lang, item=name),
                answer_options(item["options"]),
            )
            items.append(AnswerItem(key, item_heading(key, lang), (choice,), intro))
        return AnswerSheet(items=tuple(items))

    def _grade(self, variant: PlanVariant, answers: Mapping[str, Any], lang: str) -> GradeResult:
        check_items(answers, variant.item_ids)
        chosen = {key: check_choice(answers[key], variant.order, key) for key in variant.weak}
        text = check_text(answers[JUSTIFICATION], JUSTIFICATION, MIN_JUSTIFICATION)

        case = variant.case
        per_part = self.max_points / len(variant.item_ids)
        scores: dict[str, float] = {}
        feedback: dict[str, str] = {}
        hints: dict[str, str] = {}
        for key in variant.weak:
            scores[key], feedback[key] = self._grade_choice(case, key, chosen[key], per_part, lang)
            hints[key] = self._choice_hint(case, key, chosen[key], lang)
        scores[JUSTIFICATION] = per_part
        feedback[JUSTIFICATION] = self._justification_feedback(case, per_part, lang)
        hints[JUSTIFICATION] = self._justification_feedback(case, per_part, lang, model=False)
        right = sum(1 for key in variant.weak if scores[key] > 0)
        return self.result(
            scores,
            feedback,
            lang,
            hints=hints,
            kept_text={JUSTIFICATION: text},
            right=right,
            total=len(variant.weak),
        )

    def _grade_choice(
        self, case: Case, key: str, iid: str, points: float, lang: str
    ) -> tuple[float, str]:
        item = case.intervention(iid)
        fitting = [i for i in case.interventions if key in i.effects]
        others = [i.label(lang) for i in fitting if i.id != iid]
        if key in item.effects:
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
            return points, message
        message = exercise_text(
            self.id,
            "not_raises",
            lang,
            intervention=item.label(lang),
            determinant=dname(key, lang),
            targets=join_names([dname(k, lang) for k in item.effects], lang),
            alternatives=join_names(others, lang),
        )
        return 0.0, message

    def _choice_hint(self, case: Case, key: str, iid: str, lang: str) -> str:
        """Before the answers are released: whether the learner's own choice works on the
        determinant, and what it does work on; never the interventions that fit."""
        item = case.intervention(iid)
        if key in item.effects:
            return exercise_text(
                self.id,
                "raises",
                lang,
                intervention=item.label(lang),
                determinant=dname(key, lang),
                delta=int(item.effects[key]),
            )
        return exercise_text(
            self.id,
            "hint_not_raises",
            lang,
            intervention=item.label(lang),
            determinant=dname(key, lang),
            targets=join_names([dname(k, lang) for k in item.effects], lang),
        )

    def _justification_feedback(
        self, case: Case, points: float, lang: str, *, model: bool = True
    ) -> str:
        """What the grader can honestly say: the point is for the length; then the model
        answer (``model``: only once the answers are released) and the rubric as a
        self-check list, one paragraph per line."""
        answer = plan_model_answers()[case.id]
        checklist = [f"– {c['text']}" for c in rubric(case.name, lang)]
        example = [exercise_text(self.id, "model_answer", lang, answer=answer.text(lang))]
        return "\n".join(
            [
                exercise_text(self.id, "justification_points", lang),
                *(example if model else []),
                exercise_text(self.id, "self_check", lang),
                *checklist,
            ]
        )
