"""Exercise intervention-plan: the rubric is shown before answering, the model answer after
submitting (in both languages, for every case), and each model answer agrees with the model."""

from __future__ import annotations

import dataclasses

import pytest

from exercises import get_exercise
from exercises._base import OptionList, Paragraph
from exercises._shared import case_by_id
from exercises._texts import exercise_text, plan_model_answers
from exercises.plan import (
    JUSTIFICATION,
    MIN_JUSTIFICATION,
    RUBRIC,
    PlanVariant,
    weak_determinants,
)
from igm import list_cases, model_for
from igm.i18n import LANGUAGES
from tests.exercises.answers import perfect

CASE_IDS = [c.id for c in list_cases()]


def variant_for(case_id: str) -> PlanVariant:
    variant = get_exercise("intervention-plan").make_variant("learner-fixed")
    assert isinstance(variant, PlanVariant)
    case = case_by_id(case_id)
    return dataclasses.replace(
        variant,
        case=case,
        weak=tuple(weak_determinants(case)),
        order=tuple(i.id for i in case.interventions),
    )


def test_every_case_has_a_model_answer() -> None:
    assert sorted(plan_model_answers()) == sorted(CASE_IDS)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_each_model_answer_names_the_knelpunt_the_model_names(case_id: str) -> None:
    """A change in the model that makes a model answer wrong fails here, not in class."""
    case = case_by_id(case_id)
    answer = plan_model_answers()[case_id]
    assert model_for(case.domain).predict(case.scores).bottleneck == answer.knelpunt
    nl = answer.text("nl")
    assert ("knelpunt" in nl) and (answer.knelpunt is not None or "combineer" in nl)
    assert len(nl) >= MIN_JUSTIFICATION


@pytest.mark.parametrize("case_id", CASE_IDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_rubric_before_answering_and_model_answer_after(case_id: str, lang: str) -> None:
    ex = get_exercise("intervention-plan")
    variant = variant_for(case_id)
    view = variant.public_view(lang)
    sheet = ex.answer_sheet(view)
    # before: the rubric stands right above the justification field, the last item
    last = sheet.items[-1]
    assert last.id == JUSTIFICATION and [f.kind for f in last.fields] == ["text"]
    assert last.fields[0].min_length == MIN_JUSTIFICATION
    (rubric,) = [b for b in last.intro if isinstance(b, OptionList)]
    name = variant.case.name
    expected = [
        exercise_text("intervention-plan", f"rubric_{key}", lang, name=name) for key in RUBRIC
    ]
    assert [text for _, text in rubric.entries] == expected
    assert any(isinstance(b, Paragraph) and name in b.text for b in last.intro)
    # the model answer is nowhere before submitting
    answer = plan_model_answers()[case_id].text(lang)
    assert answer not in str(view) and answer[:60] not in str(view)
    # after: the model answer and the rubric as a self-check list, one line each
    result = ex.grade(variant, perfect(variant), lang)
    feedback = result.feedback[JUSTIFICATION]
    assert answer in feedback
    lines = feedback.split("\n")
    for criterion in expected:
        assert f"– {criterion}" in lines
    assert result.kept_text == {JUSTIFICATION: perfect(variant)[JUSTIFICATION]}


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_part_is_worth_the_same(case_id: str) -> None:
    ex = get_exercise("intervention-plan")
    variant = variant_for(case_id)
    result = ex.grade(variant, perfect(variant), "nl")
    assert set(result.item_scores) == {*variant.weak, JUSTIFICATION}
    assert len(set(result.item_scores.values())) == 1
    assert result.points == ex.max_points


def test_capacity_is_asked_as_adapting_the_work() -> None:
    variant = variant_for("lotte-na-burn-out")
    (part,) = [i for i in variant.public_view("nl")["items"] if i["id"] == "capacity"]
    assert "werk en belasting aanpassen" in part["prompt"]
