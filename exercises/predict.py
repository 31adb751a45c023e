"""Exercise predict: estimate intention and behaviour probability before the model shows its view.

The public view never calls the model: what is to be predicted cannot leak into it.
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
    Paragraph,
    Variant,
    check_items,
    check_number,
    fmt,
    item_heading,
    percent,
    points_text,
)
from exercises._shared import all_cases, case_by_id, case_view, dname, other_case_choice
from exercises._texts import exercise_text
from igm import Case, Prediction, model_for
from igm.determinants import block_of
from igm.i18n import t

__all__ = ["BANDS", "ITEMS", "Predict", "PredictVariant", "band_points"]

EXERCISE_ID = "predict"
ITEMS = ("intention", "behaviour")
#: Distance to the model (in points on 0–100) → share of the item's point, closest band first.
BANDS: tuple[tuple[float, float, str], ...] = (
    (5.0, 1.0, "band_full"),
    (10.0, 0.75, "band_most"),
    (15.0, 0.5, "band_half"),
    (25.0, 0.25, "band_little"),
)
#: A bottleneck scoring this or lower is explained by its low score, higher by its weight.
LOW_SCORE = 3
#: Intention and ability this far apart (0–100) make one block "the" brake.
BLOCK_GAP = 10.0


def band_points(distance: float) -> tuple[float, str]:
    """Points (0–1) and the feedback key for an estimate ``distance`` points from the model."""
    for limit, share, key in BANDS:
        if distance <= limit:
            return share, key
    return 0.0, "band_none"


@dataclass(frozen=True)
class PredictVariant(Variant):
    case: Case

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        view["case"] = case_view(self.case, lang, with_scores=True)
        view["items"] = [
            {
                "id": "intention",
                "prompt": exercise_text(EXERCISE_ID, "intention_prompt", lang),
                "label": t("output.intention", lang),
                "min": 0,
                "max": 100,
            },
            {
                "id": "behaviour",
                "prompt": exercise_text(EXERCISE_ID, "behaviour_prompt", lang, name=self.case.name),
                "label": t("output.behaviour", lang),
                "min": 0,
                "max": 100,
                "unit": "%",
            },
        ]
        return view


def explain(case: Case, prediction: Prediction, lang: str) -> str:
    """The model's view in words: the numbers, which block brakes, and why the bottleneck."""
    intention = fmt(prediction.intention, lang)
    ability = fmt(prediction.ability, lang)
    low, high = prediction.behaviour_interval
    parts = [
        exercise_text(
            EXERCISE_ID,
            "model_view",
            lang,
            intention=intention,
            ability=ability,
            behaviour=percent(prediction.behaviour_probability, lang),
            low=percent(low, lang),
            high=percent(high, lang),
        )
    ]
    if prediction.intention - prediction.ability > BLOCK_GAP:
        why = "why_kunnen"
    elif prediction.ability - prediction.intention > BLOCK_GAP:
        why = "why_willen"
    else:
        why = "why_both"
    parts.append(
        exercise_text(EXERCISE_ID, why, lang, name=case.name, intention=intention, ability=ability)
    )
    lever = prediction.levers[0]
    block = block_of(lever.key)
    other_value = prediction.ability if block == "willen" else prediction.intention
    reason = exercise_text(
        EXERCISE_ID,
        "reason_low" if lever.score <= LOW_SCORE else "reason_weight",
        lang,
        score=int(lever.score),
    )
    parts.append(
        exercise_text(
            EXERCISE_ID,
            "bottleneck",
            lang,
            bottleneck=dname(lever.key, lang),
            gain=fmt(100 * lever.gain, lang, 1),
            reason=reason,
            block=exercise_text(EXERCISE_ID, f"block_{block}", lang),
            other_value=fmt(other_value, lang),
        )
    )
    return " ".join(parts)


class Predict(Exercise):
    id = EXERCISE_ID
    variant_type = PredictVariant

    def make_variant(self, learner_id: str) -> PredictVariant:
        seeder = self.seeder(learner_id)
        case_id = other_case_choice(seeder, learner_id, [c.id for c in all_cases()])
        return PredictVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            case=case_by_id(case_id),
        )

    def model_view(self, variant: PredictVariant) -> Prediction:
        """What the model says about the variant's case (shown only after grading)."""
        return model_for(variant.case.domain).predict(variant.case.scores)

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """Per estimate its question and a number field (0–100, behaviour in %)."""
        lang = view["lang"]
        return AnswerSheet(
            items=tuple(
                AnswerItem(
                    id=item["id"],
                    label=item_heading(item["id"], lang),
                    intro=(Paragraph(item["prompt"]),),
                    fields=(
                        AnswerField.number(
                            item["id"],
                            item["label"],
                            item["min"],
                            item["max"],
                            unit=item.get("unit", ""),
                            placeholder=t("exercise_app.estimate_placeholder", lang),
                        ),
                    ),
                )
                for item in view["items"]
            )
        )

    def _grade(self, variant: PredictVariant, answers: Mapping[str, Any], lang: str) -> GradeResult:
        check_items(answers, ITEMS)
        given = {key: check_number(answers[key], 0, 100, key, integer=False) for key in ITEMS}
        prediction = self.model_view(variant)
        model = {
            "intention": prediction.intention,
            "behaviour": 100 * prediction.behaviour_probability,
        }
        scores: dict[str, float] = {}
        feedback: dict[str, str] = {}
        explanation = explain(variant.case, prediction, lang)
        per_item = self.max_points / len(ITEMS)
        for key in ITEMS:
            distance = abs(given[key] - model[key])
            share, band = band_points(distance)
            scores[key] = share * per_item
            unit = "%" if key == "behaviour" else ""
            feedback[key] = exercise_text(
                self.id,
                "estimate",
                lang,
                given=fmt(given[key], lang) + unit,
                model=fmt(model[key], lang) + unit,
                diff=fmt(distance, lang),
                band=exercise_text(self.id, band, lang),
            )
        points = sum(scores.values())
        summary = exercise_text(
            self.id,
            "summary",
            lang,
            points=points_text(points, lang),
            max=points_text(self.max_points, lang),
        )
        return GradeResult(
            item_scores=scores,
            points=points,
            max_points=self.max_points,
            feedback=feedback,
            summary=f"{explanation} {summary}",
        )
