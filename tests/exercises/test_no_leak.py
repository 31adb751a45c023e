"""Can a learner read the answer key from what their browser receives? (They must not.)

Three kinds of proof, strongest first:
1. invariance: the public view is *identical* when the answer key is changed (other
   determinants, other reference scores, other effects, other gains) or when the model is
   unavailable; so nothing in the view can reveal the key;
2. no key material by name: no field called answer, reference, evidence, feedback, ...;
3. no feedback text: no feedback, summary or explanation string appears in the view;
4. feedback before the answers are released (quiz settings): a wrong answer's feedback names
   neither the right answer nor the reference (tests/exercises/test_app_browser.py checks the
   page text and websocket frames in Chromium too).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from exercises import EXERCISE_IDS, Variant, get_exercise, grade
from exercises._texts import recognise_items
from exercises.choose_knob import ChooseKnobVariant
from exercises.conversation import ConversationVariant
from exercises.model_limits import ModelLimitsVariant
from exercises.plan import PlanVariant
from exercises.recognise import RecogniseVariant
from exercises.score_case import ScoreCaseVariant
from igm import DETERMINANTS, DeterminantScores
from igm.conversations import play
from igm.i18n import LANGUAGES, Text, t
from tests.exercises.answers import perfect, wrong

LEARNERS = [f"learner-{i:03d}" for i in range(20)]
FORBIDDEN_KEYS = {
    "answer",
    "answers",
    "correct",
    "solution",
    "reference",
    "evidence",
    "feedback",
    "why",
    "confusion",
    "gain",
    "gains",
    "best",
    "bottleneck",
    "levers",
    "behaviour_probability",
    "intention_value",
    "lever_gains",
}


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def _dump(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def _break(*_: Any, **__: Any) -> Any:
    raise AssertionError("the public view must not use the model or the answer key")


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_no_key_names_and_no_feedback_text_in_the_view(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        for lang in LANGUAGES:
            view = variant.public_view(lang)
            assert not (_keys(view) & FORBIDDEN_KEYS), _keys(view) & FORBIDDEN_KEYS
            text = _dump(view)
            for answers in (perfect(variant), wrong(variant)):
                result = grade(variant, answers, lang)
                for feedback in result.feedback.values():
                    assert feedback not in text
                    # every sentence of teaching text beyond the case itself stays out too
                    # (a quote, ‘…’, is what the learner read or said: it may hold sentences)
                    for sentence in re.sub(r"‘[^’]*’", "‘’", feedback).split(". "):
                        if len(sentence) > 40 and "‘" not in sentence and ":" not in sentence:
                            assert sentence not in text, sentence
                assert result.summary not in text


# --- 1. recognise-determinant ---------------------------------------------------------------


def test_recognise_view_does_not_reveal_the_determinant_of_any_quote() -> None:
    ex = get_exercise("recognise-determinant")
    bank_ids = [item.id for item in recognise_items()]
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        assert isinstance(variant, RecogniseVariant)
        # relabel every quote with another determinant, confusion and explanation
        shifted = tuple(
            (
                item_id,
                dataclasses.replace(
                    item,
                    determinant=DETERMINANTS[(DETERMINANTS.index(item.determinant) + 3) % 7],
                    confusion=DETERMINANTS[(DETERMINANTS.index(item.confusion) + 1) % 7],
                    why=Text(nl="LEKT", en="LEAKS"),
                ),
            )
            for item_id, item in variant.items
        )
        other = dataclasses.replace(variant, items=shifted)
        for lang in LANGUAGES:
            view = variant.public_view(lang)
            assert view == other.public_view(lang)
            # items carry only an opaque per-variant id, the prompt and the quote
            assert [set(item) for item in view["items"]] == [{"id", "prompt", "quote"}] * len(
                view["items"]
            )
            assert [item["id"] for item in view["items"]] == [
                f"q{i}" for i in range(1, len(view["items"]) + 1)
            ]
            text = _dump(view)
            assert not any(bank_id in text for bank_id in bank_ids)
            for item in recognise_items():
                assert item.why(lang) not in text
            # determinant keys and names appear only in the one shared option list
            without_options = _dump({k: v for k, v in view.items() if k != "options"})
            for key in DETERMINANTS:
                assert key not in without_options
                assert t(f"determinant.{key}.name", lang) not in without_options


# --- 2. score-case ----------------------------------------------------------------------------


def test_score_case_view_is_the_same_with_other_reference_scores_and_evidence() -> None:
    ex = get_exercise("score-case")
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        assert isinstance(variant, ScoreCaseVariant)
        case = variant.case
        flipped = DeterminantScores.from_mapping({k: 8 - case.scores[k] for k in DETERMINANTS})
        other_case = dataclasses.replace(
            case, scores=flipped, evidence=dict.fromkeys(DETERMINANTS, Text(nl="LEKT", en="LEAKS"))
        )
        other = dataclasses.replace(variant, case=other_case)
        for lang in LANGUAGES:
            view = variant.public_view(lang)
            assert view == other.public_view(lang)
            text = _dump(view)
            for key in DETERMINANTS:
                assert case.evidence[key](lang) not in text
            assert "score" not in _keys(view) and "scores" not in _keys(view)


# --- 3. compare-clients and 4. choose-knob: the view never calls the model ------------------


@pytest.mark.parametrize("exercise_id", ["compare-clients", "choose-knob"])
def test_view_is_built_without_the_model(exercise_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ex = get_exercise(exercise_id)
    before = {lr: ex.make_variant(lr) for lr in LEARNERS}
    expected = {lr: {lang: v.public_view(lang) for lang in LANGUAGES} for lr, v in before.items()}
    module = __import__(f"exercises.{exercise_id.replace('-', '_')}", fromlist=["x"])
    for name in ("model_for", "gain_of", "best_choice", "explain"):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, _break)
    monkeypatch.setattr("igm.model.Model.predict", _break)
    monkeypatch.setattr("igm.model.Model.compare", _break)
    for learner, variant in before.items():
        for lang in LANGUAGES:
            assert variant.public_view(lang) == expected[learner][lang]


def test_compare_clients_view_is_the_same_whatever_the_key() -> None:
    """Another direction, size or principle leaves the view as it is: it cannot tell them."""
    from exercises.compare_clients import CompareVariant, Judgement, Scenario

    ex = get_exercise("compare-clients")
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        assert isinstance(variant, CompareVariant)
        other_principle = next(
            p for p in ("room_to_grow", "willen_adds_up") if p != variant.scenario.principle
        )
        other = dataclasses.replace(
            variant,
            key=Judgement("same", "same", 0.0, 1.0),
            scenario=Scenario(
                other_principle,
                variant.scenario.domain,
                variant.scenario.first,
                variant.scenario.second,
                variant.scenario.step,
            ),
        )
        for lang in LANGUAGES:
            assert variant.public_view(lang) == other.public_view(lang)


def test_choose_knob_view_is_the_same_whatever_the_weights() -> None:
    """Only the case's inputs (scores, interventions, effort, budget) reach the view."""
    ex = get_exercise("choose-knob")
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        assert isinstance(variant, ChooseKnobVariant)
        view = variant.public_view("nl")
        (choice,) = [item for item in view["items"] if item["id"] == "interventions"]
        ids = [o["id"] for o in choice["options"]]
        assert sorted(ids) == sorted(i.id for i in variant.case.interventions)


def test_choose_knob_wish_options_do_not_say_which_is_right() -> None:
    """Public ids w1..w4 in the learner's order; the bank's flag stays in the variant."""
    ex = get_exercise("choose-knob")
    rights = set()
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        assert isinstance(variant, ChooseKnobVariant)
        (wish,) = [item for item in variant.public_view("en")["items"] if item["id"] == "wish"]
        assert [o["id"] for o in wish["options"]] == ["w1", "w2", "w3", "w4"]
        assert "right" not in _keys(wish)
        rights.add(variant.wish_order.index(next(o.id for o in variant.wish.options if o.right)))
    assert len(rights) >= 3  # the right one is not always in the same place


# --- 5. intervention-plan: effects (the key) are hidden ----------------------------------------


def test_plan_view_is_the_same_with_other_effects() -> None:
    ex = get_exercise("intervention-plan")
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        assert isinstance(variant, PlanVariant)
        changed = tuple(
            dataclasses.replace(item, effects={"capacity": 3})
            for item in variant.case.interventions
        )
        other = dataclasses.replace(
            variant, case=dataclasses.replace(variant.case, interventions=changed)
        )
        for lang in LANGUAGES:
            view = variant.public_view(lang)
            assert view == other.public_view(lang)
            assert "effects" not in _keys(view)


# --- 6. model-limits: which option is right (and which use is allowed) is hidden -------------


def test_model_limits_view_is_the_same_with_the_key_flipped() -> None:
    """Every option's flag flipped and its feedback replaced: the view does not change."""
    ex = get_exercise("model-limits")
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        assert isinstance(variant, ModelLimitsVariant)
        questions = tuple(
            dataclasses.replace(
                q,
                options=tuple(
                    dataclasses.replace(o, right=not o.right, feedback=Text(nl="LEKT", en="LEAKS"))
                    for o in q.options
                ),
            )
            for q in variant.questions
        )
        other = dataclasses.replace(variant, questions=questions)
        for lang in LANGUAGES:
            assert variant.public_view(lang) == other.public_view(lang)


# --- 7. feedback before the answers are released (exercises/settings.py) -------------------------
#
# Until the answers are released, a wrong answer's feedback says it is wrong and explains what to
# look at, and names neither the right answer nor the reference. The texts that would name them
# are built here from the variant's key, independently of the graders' hint code.


def _scenario_path(variant: ConversationVariant) -> list[str]:
    """The scenario's response ids of ``wrong(variant)`` (the form sends the view's ids)."""
    assert variant.conversation is not None
    turn = variant.conversation.turn(variant.conversation.start)
    out = []
    for view_id in wrong(variant)["conversation"]:
        response_id = variant.response_for(turn.id, view_id)
        assert response_id is not None
        out.append(response_id)
        turn = variant.conversation.turn(turn.response(response_id).next)
    return out


def answer_texts(variant: Variant, lang: str) -> list[str]:
    """Texts that give the right answers of ``variant`` away, for the items ``wrong()`` gets
    wrong: the key in words, and the explanations that name it."""
    from exercises._shared import dname
    from exercises._texts import exercise_text, model_limits_bank, plan_model_answers
    from exercises.compare_clients import CompareVariant
    from exercises.model_limits import LETTERS

    secrets: list[str] = []
    if isinstance(variant, RecogniseVariant):
        for _, item in variant.items:
            secrets.append(item.why(lang))
            right_name = dname(item.determinant, lang)
            secrets.append(("dit is " if lang == "nl" else "this is ") + right_name)
    elif isinstance(variant, ScoreCaseVariant):
        assert variant.case is not None
        for key in DETERMINANTS:
            secrets.append(variant.case.evidence[key](lang))
            reference = int(variant.case.scores[key])
            phrase = "de referentiescore is" if lang == "nl" else "the reference score is"
            secrets.append(f"{phrase} {reference}")
    elif isinstance(variant, CompareVariant):
        key = variant.key
        principle = variant.scenario.principle
        secrets.append(exercise_text("compare-clients", f"explain_{principle}", lang))
        secrets.append(exercise_text("compare-clients", f"size_is_{key.size}", lang))
        if key.who == "same":
            secrets.append(exercise_text("compare-clients", "direction_same", lang))
        else:
            name = variant.names[0] if key.who == "first" else variant.names[1]
            secrets.append(exercise_text("compare-clients", "direction_more", lang, name=name))
    elif isinstance(variant, ChooseKnobVariant):
        right = next(o for o in variant.wish.options if o.right)
        secrets += [right.text(lang), variant.wish.why(lang)]
        from exercises.choose_knob import best_choice

        best, _ = best_choice(variant.case, variant.budget)
        # the steps that serve the wish and the best choice (wrong() chooses none of them)
        for iid in set(best) | set(variant.wish.serves):
            secrets.append(variant.case.intervention(iid).label(lang))
    elif isinstance(variant, PlanVariant):
        answers = wrong(variant)
        picked = {answers[key] for key in variant.weak}  # named in their own feedback
        for key in variant.weak:
            chosen = variant.case.intervention(answers[key])
            if key not in chosen.effects:  # wrong: the fitting ones are the key
                for item in variant.case.interventions:
                    if key in item.effects and item.id not in picked:
                        secrets.append(item.label(lang))
        secrets.append(plan_model_answers()[variant.case.id].text(lang))
    elif isinstance(variant, ModelLimitsVariant):
        for q in variant.questions:
            if q.kind == "use":
                values = variant.values(lang)
                secrets.append(q.options[0].feedback(lang).format(**values))
            else:
                letter = LETTERS[q.answers.index(q.key)]
                secrets.append(
                    ("Het goede antwoord is " if lang == "nl" else "The right answer is ") + letter
                )
        assert model_limits_bank()
    elif isinstance(variant, ConversationVariant):
        # what each response of the path was in MI terms and what it did: the key of the
        # responses; the outcome of the ending too
        assert variant.conversation is not None
        assert variant.case is not None
        played = play(variant.conversation, variant.case.scores, _scenario_path(variant))
        for step in played.steps:
            secrets.append(step.response.explanation(lang))
            secrets.append(f"({t(f'conversation.mi.{step.response.mi}', lang)})")
        assert played.turn.outcome is not None
        secrets.append(played.turn.outcome(lang))
    return [s for s in secrets if s]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_feedback_before_release_names_no_right_answer(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    for learner in LEARNERS[:8]:
        for attempt in (1, 2):
            variant = ex.variant_for(learner, attempt)
            for lang in LANGUAGES:
                secrets = answer_texts(variant, lang)
                assert secrets
                full = grade(variant, wrong(variant), lang)
                held = full.withheld(lang)
                # withheld: the same scores, a text for every item, none of the key
                assert held.item_scores == full.item_scores and held.points == full.points
                assert set(held.feedback) == set(full.feedback)
                assert all(text.strip() for text in held.feedback.values())
                shown = _dump(held.to_dict())
                leaked = [s for s in secrets if s in shown]
                assert not leaked, (learner, lang, leaked[:2])
                # after release the full feedback names them (the check can see a leak)
                released = _dump(full.as_released(True, lang).to_dict())
                assert any(s in released for s in secrets)


def test_withheld_feedback_of_an_exercise_without_hints_says_only_right_or_wrong() -> None:
    from exercises._base import GradeResult

    result = GradeResult(
        item_scores={"a": 1.0, "b": 0.0},
        points=1.0,
        max_points=2.0,
        feedback={"a": "Right: it is KEY-A.", "b": "Wrong: it is KEY-B."},
    )
    held = result.withheld("nl")
    assert "KEY" not in _dump(held.to_dict())
    assert held.feedback == {"a": "Goed.", "b": held.feedback["b"]}
    assert held.feedback["b"].startswith("Niet juist.")
