"""Answer builders for the exercise tests: a perfect and a wrong answer for any variant.

Perfect answers are built from the variant's key by code that is independent of the graders
where that is cheap (the model is called directly, not through the exercise).
"""

from __future__ import annotations

from typing import Any

from exercises import Variant
from exercises.caseload_question import CaseloadVariant
from exercises.choose_knob import ChooseKnobVariant, best_choice
from exercises.plan import MIN_JUSTIFICATION, PlanVariant
from exercises.predict import PredictVariant
from exercises.recognise import RecogniseVariant
from exercises.score_case import ScoreCaseVariant
from igm import DETERMINANTS, model_for

JUSTIFICATION = (
    "Deze interventie pakt de oorzaak aan die in de casus staat, in kleine haalbare stappen."
)
assert len(JUSTIFICATION) >= MIN_JUSTIFICATION


def perfect(variant: Variant) -> dict[str, Any]:
    if isinstance(variant, RecogniseVariant):
        return {item_id: item.determinant for item_id, item in variant.items}
    if isinstance(variant, ScoreCaseVariant):
        return {key: int(variant.case.scores[key]) for key in DETERMINANTS}
    if isinstance(variant, PredictVariant):
        p = model_for(variant.case.domain).predict(variant.case.scores)
        return {"intention": p.intention, "behaviour": 100 * p.behaviour_probability}
    if isinstance(variant, ChooseKnobVariant):
        best, _ = best_choice(variant.case, variant.budget)
        return {"interventions": sorted(best)}
    if isinstance(variant, PlanVariant):
        return {
            key: {
                "intervention": next(i.id for i in variant.case.interventions if key in i.effects),
                "justification": JUSTIFICATION,
            }
            for key in variant.weak
        }
    if isinstance(variant, CaseloadVariant):
        return {qid: facts.answer for qid, facts, _ in variant.questions}
    raise TypeError(type(variant))


def wrong(variant: Variant) -> dict[str, Any]:
    """An answer that is wrong on every part where a wrong answer exists."""
    if isinstance(variant, RecogniseVariant):
        # the likeliest confusion: feedback must say so
        return {item_id: item.confusion for item_id, item in variant.items}
    if isinstance(variant, ScoreCaseVariant):
        return {key: 7 if variant.case.scores[key] <= 3 else 1 for key in DETERMINANTS}
    if isinstance(variant, PredictVariant):
        p = model_for(variant.case.domain).predict(variant.case.scores)
        return {
            "intention": 100.0 if p.intention < 50 else 0.0,
            "behaviour": 100.0 if p.behaviour_probability < 0.5 else 0.0,
        }
    if isinstance(variant, ChooseKnobVariant):
        return {"interventions": []}
    if isinstance(variant, PlanVariant):
        out = {}
        for key in variant.weak:
            misses = [i.id for i in variant.case.interventions if key not in i.effects]
            hits = [i.id for i in variant.case.interventions if key in i.effects]
            out[key] = {"intervention": (misses or hits)[0], "justification": JUSTIFICATION}
        return out
    if isinstance(variant, CaseloadVariant):
        return {
            qid: next(o for o in options if o != facts.answer)
            for qid, facts, options in variant.questions
        }
    raise TypeError(type(variant))
