"""Answer builders for the exercise tests: a perfect and a wrong answer for any variant.

Perfect answers are built from the variant's key by code that is independent of the graders
where that is cheap (the model is called directly, not through the exercise).
"""

from __future__ import annotations

from typing import Any

from exercises import Variant
from exercises.choose_knob import ChooseKnobVariant, best_choice
from exercises.compare_clients import PRINCIPLES, SIZES, WHO, CompareVariant, judge
from exercises.conversation import ConversationVariant
from exercises.model_limits import ALLOWED, FORBIDDEN, ModelLimitsVariant
from exercises.plan import JUSTIFICATION as JUSTIFICATION_ITEM
from exercises.plan import MIN_JUSTIFICATION, PlanVariant
from exercises.recognise import RecogniseVariant
from exercises.score_case import ScoreCaseVariant
from igm import DETERMINANTS
from igm.conversations import Conversation

JUSTIFICATION = (
    "Deze interventies pakken de oorzaken aan die in de casus staan, in kleine haalbare "
    "stappen. Na vier weken kijk ik samen met de cliënt terug: wat lukte er, en wat wil hij of "
    "zij anders?"
)
assert len(JUSTIFICATION) >= MIN_JUSTIFICATION

#: MI codes as MITI 4.2.1 counts them, written out here, apart from the engine and the grader.
QUESTIONS = {"open_question", "closed_question"}
COMPLEX = {"complex_reflection", "summary"}
REFLECTIONS = COMPLEX | {"simple_reflection"}
INCONSISTENT = {"advice_without_permission", "confrontation"}


def conversation_paths(conversation: Conversation) -> list[tuple[list[str], list[str], str]]:
    """Every path that visits no turn twice, start to ending: (response ids, MI codes, ending)."""
    out: list[tuple[list[str], list[str], str]] = []

    def walk(turn_id: str, ids: list[str], codes: list[str], seen: set[str]) -> None:
        turn = conversation.turn(turn_id)
        if turn.ending is not None:
            out.append((ids, codes, turn.ending))
            return
        for response in turn.responses:
            if response.next not in seen:
                walk(response.next, [*ids, response.id], [*codes, response.mi], seen | {turn_id})

    walk(conversation.start, [], [], set())
    return out


def full_mi_marks(codes: list[str]) -> bool:
    """No MI-inconsistent response, reflections at least as many as questions (and one at
    least), and at least 40 % of the reflections complex."""
    questions = sum(code in QUESTIONS for code in codes)
    reflections = sum(code in REFLECTIONS for code in codes)
    complex_ = sum(code in COMPLEX for code in codes)
    return (
        not INCONSISTENT & set(codes)
        and reflections >= max(1, questions)
        and complex_ >= 0.4 * reflections
    )


def conversation_answer(variant: ConversationVariant, *, best: bool) -> dict[str, Any]:
    """The best path (good ending, every MI point), or the worst: a poor ending with the most
    MI-inconsistent responses on the way. In the view's ids, as the form sends them."""
    assert variant.conversation is not None
    paths = conversation_paths(variant.conversation)
    if best:
        ids = next(i for i, codes, end in paths if end == "good" and full_mi_marks(codes))
    else:
        poor = [(i, codes) for i, codes, end in paths if end == "poor"]
        ids = max(poor, key=lambda p: sum(code in INCONSISTENT for code in p[1]))[0]
    return {"conversation": variant.view_path(ids)}


def perfect(variant: Variant) -> dict[str, Any]:
    if isinstance(variant, RecogniseVariant):
        return {item_id: item.determinant for item_id, item in variant.items}
    if isinstance(variant, ScoreCaseVariant):
        return {key: int(variant.case.scores[key]) for key in DETERMINANTS}
    if isinstance(variant, CompareVariant):
        # the key from the engine again, not from the variant; the reason from the principle
        key = judge(variant.scenario)
        return {"q1": key.who, "q2": PRINCIPLES[variant.scenario.principle][0], "q3": key.size}
    if isinstance(variant, ChooseKnobVariant):
        best, _ = best_choice(variant.case, variant.budget)
        right = next(o.id for o in variant.wish.options if o.right)  # from the bank's flag
        return {"wish": f"w{variant.wish_order.index(right) + 1}", "interventions": sorted(best)}
    if isinstance(variant, PlanVariant):
        return {
            **{
                key: next(i.id for i in variant.case.interventions if key in i.effects)
                for key in variant.weak
            },
            JUSTIFICATION_ITEM: JUSTIFICATION,
        }
    if isinstance(variant, ModelLimitsVariant):
        # from the bank's flags: the right option, or for a use whether it is allowed
        return {
            q.id: (ALLOWED if q.options[0].right else FORBIDDEN)
            if q.kind == "use"
            else next(o.id for o in q.options if o.right)
            for q in variant.questions
        }
    if isinstance(variant, ConversationVariant):
        return conversation_answer(variant, best=True)
    raise TypeError(type(variant))


def wrong(variant: Variant) -> dict[str, Any]:
    """An answer that is wrong on every part where a wrong answer exists."""
    if isinstance(variant, RecogniseVariant):
        # the likeliest confusion: feedback must say so
        return {item_id: item.confusion for item_id, item in variant.items}
    if isinstance(variant, ScoreCaseVariant):
        return {key: 7 if variant.case.scores[key] <= 3 else 1 for key in DETERMINANTS}
    if isinstance(variant, CompareVariant):
        right = perfect(variant)
        return {
            "q1": next(w for w in WHO if w != right["q1"]),
            "q2": next(r for r in variant.reasons if r != right["q2"]),
            "q3": next(s for s in SIZES if s != right["q3"]),
        }
    if isinstance(variant, ChooseKnobVariant):
        right = next(o.id for o in variant.wish.options if o.right)
        wrong_wish = next(i for i, o in enumerate(variant.wish_order, 1) if o != right)
        return {"wish": f"w{wrong_wish}", "interventions": []}
    if isinstance(variant, PlanVariant):
        out: dict[str, Any] = {JUSTIFICATION_ITEM: JUSTIFICATION}
        for key in variant.weak:
            misses = [i.id for i in variant.case.interventions if key not in i.effects]
            hits = [i.id for i in variant.case.interventions if key in i.effects]
            out[key] = (misses or hits)[0]
        return out
    if isinstance(variant, ModelLimitsVariant):
        right = perfect(variant)
        return {
            q.id: (FORBIDDEN if right[q.id] == ALLOWED else ALLOWED)
            if q.kind == "use"
            else next(o.id for o in q.options if o.id != right[q.id])
            for q in variant.questions
        }
    if isinstance(variant, ConversationVariant):
        return conversation_answer(variant, best=False)
    raise TypeError(type(variant))
