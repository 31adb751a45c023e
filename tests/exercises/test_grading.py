"""Does a perfect answer score full marks, a wrong one less with teaching feedback, and is a
malformed answer refused before anything is graded?"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

import exercises
from exercises import EXERCISE_IDS, GradeResult, InvalidAnswer, get_exercise, grade
from exercises._texts import message
from exercises.plan import PlanVariant
from exercises.recognise import RecogniseVariant
from exercises.score_case import ScoreCaseVariant, score_points
from igm import DETERMINANTS
from igm.i18n import LANGUAGES
from tests.exercises.answers import JUSTIFICATION, perfect, wrong

LEARNERS = [f"learner-{i:03d}" for i in range(12)]


def _check_result(result: GradeResult, max_points: float) -> None:
    assert result.max_points == max_points
    assert math.isclose(sum(result.item_scores.values()), result.points, abs_tol=1e-9)
    assert 0 <= result.points <= result.max_points + 1e-9
    assert set(result.feedback) == set(result.item_scores)
    assert all(text.strip() for text in result.feedback.values())
    assert result.summary.strip()
    assert json.loads(json.dumps(result.to_dict())) == result.to_dict()


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_perfect_answer_scores_max(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        for lang in LANGUAGES:
            result = grade(variant, perfect(variant), lang)
            _check_result(result, ex.max_points)
            assert math.isclose(result.points, ex.max_points), (learner, result.feedback)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_wrong_answer_scores_less_with_feedback_in_both_languages(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    for learner in LEARNERS:
        variant = ex.make_variant(learner)
        if isinstance(variant, PlanVariant) and all(
            all(key in i.effects for i in variant.case.interventions) for key in variant.weak
        ):
            continue  # no wrong choice exists for this case
        results = {lang: grade(variant, wrong(variant), lang) for lang in LANGUAGES}
        for result in results.values():
            _check_result(result, ex.max_points)
            assert result.points < ex.max_points
        nl, en = results["nl"], results["en"]
        assert nl.item_scores == en.item_scores
        for item_id in nl.feedback:
            assert nl.feedback[item_id] != en.feedback[item_id]
        assert nl.summary != en.summary


def test_recognise_feedback_teaches_why_and_names_the_confusion() -> None:
    ex = get_exercise("recognise-determinant")
    variant = ex.make_variant("learner-001")
    assert isinstance(variant, RecogniseVariant)
    for lang in LANGUAGES:
        result = ex.grade(variant, wrong(variant), lang)
        assert result.points == 0
        for item_id, item in variant.items:
            text = result.feedback[item_id]
            assert item.why(lang) in text
            assert {"nl": "verwarring", "en": "mix-up"}[lang] in text
        right = ex.grade(variant, perfect(variant), lang)
        for item_id, item in variant.items:
            assert item.why(lang) in right.feedback[item_id]


def test_recognise_weekly_call_is_self_regulation_as_in_the_book() -> None:
    """Chapters 4 and 5 and the Milan case treat a short weekly call as support for
    self-regulation (keeping going); the key and the explanation say so too."""
    from exercises._texts import recognise_items

    (item,) = [i for i in recognise_items() if "jobcoach belt elke week" in i.quote("nl")]
    assert item.determinant == "self_regulation"
    assert item.confusion == "social_influence"
    assert "volhouden" in item.why("nl") and "Milan" in item.why("nl")
    assert "not self-regulation" not in item.why("en")
    book = (Path(__file__).parents[2] / "book" / "nl" / "05-working-with-the-model.md").read_text()
    assert "korte, frequente contactmomenten" in book  # the book's self-regulation row


def test_score_case_bands_and_evidence() -> None:
    assert [score_points(4, 4), score_points(5, 4), score_points(6, 4), score_points(7, 4)] == [
        1.0,
        1.0,
        0.5,
        0.0,
    ]
    ex = get_exercise("score-case")
    variant = ex.make_variant("learner-002")
    assert isinstance(variant, ScoreCaseVariant)
    ref = variant.case.scores
    answers = {k: int(ref[k] + 2) if ref[k] <= 5 else int(ref[k] - 2) for k in DETERMINANTS}
    for lang in LANGUAGES:
        result = ex.grade(variant, answers, lang)
        assert result.points == 3.5
        for key in DETERMINANTS:
            assert variant.case.evidence[key](lang) in result.feedback[key]


def test_plan_keeps_the_justification_and_grades_only_its_length() -> None:
    """The justification's content is not graded: any text of the minimum length gets the
    same points (the module says so; the feedback says so to the learner)."""
    ex = get_exercise("intervention-plan")
    variant = ex.make_variant("learner-004")
    assert isinstance(variant, PlanVariant)
    answers = perfect(variant)
    result = ex.grade(variant, answers, "nl")
    assert result.kept_text == {"justification": JUSTIFICATION}
    other = {**answers, "justification": "Iets heel anders. " * 10}
    assert ex.grade(variant, other, "nl").points == result.points
    assert "niet automatisch nagekeken" in result.feedback["justification"]


# --- malformed answers --------------------------------------------------------------------


def _malformed(variant: Any) -> list[tuple[dict[str, Any], str]]:
    """(answers, expected message key) pairs that must all be refused."""
    good = perfect(variant)
    first = next(iter(good))
    cases: list[tuple[Any, str]] = [
        ({**good, "extra": 1}, "unknown_item"),
        ({k: v for k, v in good.items() if k != first}, "missing_item"),
        ({**good, first: None}, "missing_item"),
    ]
    if variant.exercise_id in ("recognise-determinant", "model-limits"):
        cases += [({**good, first: 3}, "not_a_choice"), ({**good, first: "x"}, "unknown_choice")]
    if variant.exercise_id == "score-case":
        cases += [
            ({**good, first: 0}, "out_of_range"),
            ({**good, first: 8}, "out_of_range"),
            ({**good, first: 3.5}, "not_a_whole_number"),
            ({**good, first: "4"}, "not_a_whole_number"),
            ({**good, first: True}, "not_a_whole_number"),
        ]
    if variant.exercise_id == "compare-clients":
        cases += [({**good, first: 3}, "not_a_choice"), ({**good, first: "x"}, "unknown_choice")]
    if variant.exercise_id == "choose-knob":
        ids = list(variant.order)
        total = sum(variant.case.intervention(i).effort for i in ids)
        cases += [
            ({**good, "wish": 1}, "not_a_choice"),
            ({**good, "wish": "w9"}, "unknown_choice"),
            ({**good, "interventions": "a"}, "not_a_list"),
            ({**good, "interventions": ["nope"]}, "unknown_choice"),
            ({**good, "interventions": [ids[0], ids[0]]}, "duplicate_choice"),
            ({**good, "interventions": ids}, "over_budget"),
        ]
        assert total > variant.budget
    if variant.exercise_id == "intervention-plan":
        cases += [
            ({**good, first: {"intervention": good[first]}}, "not_a_choice"),
            ({**good, first: "nope"}, "unknown_choice"),
            ({**good, "justification": 5}, "not_text"),
            ({**good, "justification": "  Te kort.   "}, "text_too_short"),
        ]
    return cases


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_malformed_answers_are_refused_with_a_message_in_both_languages(exercise_id: str) -> None:
    ex = get_exercise(exercise_id)
    variant = ex.make_variant("learner-005")
    with pytest.raises(InvalidAnswer) as info:
        ex.grade(variant, ["not", "a", "mapping"], "nl")  # type: ignore[arg-type]
    assert info.value.key == "not_a_mapping"
    for answers, key in _malformed(variant):
        with pytest.raises(InvalidAnswer) as info:
            ex.grade(variant, answers, "nl")
        err = info.value
        assert err.key == key, (answers, err.key)
        assert set(err.messages) == set(LANGUAGES)
        assert err.messages["nl"] != err.messages["en"]
        for text in err.messages.values():
            assert text.strip() and "{" not in text
        assert err.to_dict()["messages"] == err.messages


def test_short_justification_message_says_how_long_it_must_be() -> None:
    ex = get_exercise("intervention-plan")
    variant = ex.make_variant("learner-006")
    bad = {**perfect(variant), "justification": "Omdat het helpt."}
    with pytest.raises(InvalidAnswer) as info:
        ex.grade(variant, bad, "nl")
    assert "minstens 150 tekens" in info.value.message("nl")
    assert "at least 150 characters" in info.value.message("en")
    assert "(16 tekens)" in info.value.message("nl")


def test_every_message_key_raised_in_the_code_exists() -> None:
    folder = Path(exercises.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.py"))
    keys = set(re.findall(r'InvalidAnswer\(\s*"([a-z_]+)"', source))
    keys |= {"not_a_whole_number", "not_a_number"}
    assert len(keys) >= 12
    for key in keys:
        for lang in LANGUAGES:
            assert message(
                key,
                lang,
                item="x",
                allowed="a",
                value="v",
                low=1,
                high=7,
                min=40,
                length=3,
                effort=9,
                budget=5,
                step=2,
            )


def test_a_variant_of_another_exercise_is_refused() -> None:
    variant = get_exercise("compare-clients").make_variant("a")
    with pytest.raises(TypeError):
        get_exercise("score-case").grade(variant, {}, "nl")
