"""Exercise model-limits: is every use judged as the book says, every option graded with its
own feedback in both languages, for every case a learner can get, and does a case without a
single knelpunt say so?"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from exercises import InvalidAnswer, get_exercise
from exercises._base import OptionList, Paragraph, Table
from exercises._shared import all_cases, grading_cases, score_case_choice
from exercises._texts import model_limits_bank
from exercises.model_limits import (
    ALLOWED,
    FORBIDDEN,
    LETTERS,
    ModelLimits,
    ModelLimitsVariant,
    eligible_cases,
)
from igm import DeterminantScores, model_for
from igm.i18n import LANGUAGES
from igm.report import bottleneck_sentence
from tests.exercises.answers import perfect, wrong

#: What the book allows and forbids (chapter 7, "Waarvoor je het model niet mag gebruiken";
#: chapter 5, "Het model geeft een richting, jij en de persoon beslissen").
ALLOWED_USES = {"conversation", "check", "training"}
FORBIDDEN_USES = {"decide", "rank", "file", "replace"}
#: The key of the other questions.
KEYS = {
    "readings": "estimate",
    "practice": "practice",
    "next_single": "discuss",
    "next_none": "combine",
}
RIGHT = {"nl": "Goed.", "en": "Right."}
WRONG = {"nl": "Niet juist.", "en": "Not quite."}
LEARNERS = [f"learner-{i:03d}" for i in range(60)]


def exercise() -> ModelLimits:
    ex = get_exercise("model-limits")
    assert isinstance(ex, ModelLimits)
    return ex


def variant_for(learner: str) -> ModelLimitsVariant:
    variant = exercise().make_variant(learner)
    assert isinstance(variant, ModelLimitsVariant)
    return variant


def variants_by_case() -> dict[str, ModelLimitsVariant]:
    """One variant for every case a learner can get."""
    found: dict[str, ModelLimitsVariant] = {}
    for learner in LEARNERS:
        variant = variant_for(learner)
        found.setdefault(variant.case.id, variant)
    return found


def answers_with(variant: ModelLimitsVariant, item: str, value: str) -> dict[str, Any]:
    return {**perfect(variant), item: value}


# --- the key ------------------------------------------------------------------------------


def test_the_key_is_the_books() -> None:
    bank = model_limits_bank()
    assert {o.id for o in bank["uses"] if o.right} == ALLOWED_USES
    assert {o.id for o in bank["uses"] if not o.right} == FORBIDDEN_USES
    for section, key in KEYS.items():
        assert [o.id for o in bank[section] if o.right] == [key]
        assert len(bank[section]) == 4


def test_every_use_is_scored_as_the_key_says_with_its_reason_in_both_languages() -> None:
    variant = variant_for("learner-001")
    ex = exercise()
    uses = [q for q in variant.questions if q.kind == "use"]
    assert {q.options[0].id for q in uses} == ALLOWED_USES | FORBIDDEN_USES
    for question in uses:
        use = question.options[0]
        key = ALLOWED if use.id in ALLOWED_USES else FORBIDDEN
        for answer in (ALLOWED, FORBIDDEN):
            results = {
                lang: ex.grade(variant, answers_with(variant, question.id, answer), lang)
                for lang in LANGUAGES
            }
            for lang, result in results.items():
                text = result.feedback[question.id]
                assert use.feedback(lang) in text  # why it is allowed or not
                if answer == key:
                    assert result.item_scores[question.id] == 1.0
                    assert text.startswith(RIGHT[lang])
                else:
                    assert result.item_scores[question.id] == 0.0
                    assert text.startswith(WRONG[lang])
            assert results["nl"].feedback[question.id] != results["en"].feedback[question.id]
        verdict = {"nl": "Dit mag", "en": "This is allowed"}
        for lang in LANGUAGES:
            said = use.feedback(lang)
            if use.id in ALLOWED_USES:
                assert said.startswith(verdict[lang]) and "niet" not in said.split(".")[0]
            else:
                assert said.startswith({"nl": "Dit mag niet", "en": "This is not allowed"}[lang])


def test_every_option_of_the_other_questions_gets_its_own_feedback() -> None:
    ex = exercise()
    for variant in variants_by_case().values():
        values = {lang: variant.values(lang) for lang in LANGUAGES}
        for question in (q for q in variant.questions if q.kind != "use"):
            key_letter = LETTERS[[o.id for o in question.options].index(question.key)]
            for option in question.options:
                answers = answers_with(variant, question.id, option.id)
                results = {lang: ex.grade(variant, answers, lang) for lang in LANGUAGES}
                for lang, result in results.items():
                    text = result.feedback[question.id]
                    assert option.feedback(lang).format(**values[lang]) in text
                    assert "{" not in text
                    if option.right:
                        assert result.item_scores[question.id] == 1.0
                        assert text.startswith(RIGHT[lang])
                    else:
                        assert result.item_scores[question.id] == 0.0
                        assert text.startswith(WRONG[lang])
                        assert text.endswith(f" {key_letter}.")  # names the right answer
                    # the other items are untouched
                    assert result.points == 10.0 - (0 if option.right else 1)
                assert results["nl"].feedback[question.id] != results["en"].feedback[question.id]


def test_the_claims_name_their_sources() -> None:
    uses = {o.id: o for o in model_limits_bank()["uses"]}
    for lang in LANGUAGES:
        rank = uses["rank"].feedback(lang)
        assert "ECLI:NL:RBDHA:2020:865" in rank
        assert {"nl": "5 februari 2020", "en": "5 February 2020"}[lang] in rank
        assert "Ongekend onrecht" in rank and "2020" in rank
        assert {"nl": "artikel 22 van de AVG", "en": "Article 22 of the GDPR"}[lang] in (
            uses["decide"].feedback(lang)
        )


# --- the cases ----------------------------------------------------------------------------


def test_it_works_for_every_case_a_learner_can_get() -> None:
    ex = exercise()
    by_case = variants_by_case()
    assert set(by_case) == set(eligible_cases())
    assert "hoekstra-installatietechniek" not in by_case  # an employer: no client's situation
    for case_id, variant in by_case.items():
        assert [q.id for q in variant.questions] == [f"q{i}" for i in range(1, 11)]
        assert [q.kind for q in variant.questions] == ["reading", *["use"] * 7, "practice", "next"]
        for lang in LANGUAGES:
            view = variant.public_view(lang)
            assert view["case"]["id"] == case_id
            prediction = model_for(variant.case.domain).predict(variant.case.scores)
            assert view["model"]["knelpunt"] == bottleneck_sentence(prediction, lang)
            assert len(view["model"]["rows"]) == 3  # intention, ability, behaviour
            assert variant.case.name in view["model"]["caption"]
            sheet = ex.answer_sheet(view)
            assert len(sheet.items) == 10 and len(sheet.fields) == 10
            assert isinstance(sheet.intro[0], Table)
            assert sheet.intro[1] == Paragraph(view["model"]["knelpunt"], style="strong")
            assert ex.grade(variant, perfect(variant), lang).points == 10.0
            assert ex.grade(variant, wrong(variant), lang).points == 0.0


def test_the_learner_does_not_get_the_case_they_score() -> None:
    """score-case's cases are grader-only: never one of this exercise's published cases."""
    for learner in LEARNERS:
        assert variant_for(learner).case.id != score_case_choice(learner)
        assert variant_for(learner).case.id not in {c.id for c in grading_cases()}


def test_a_case_without_a_single_knelpunt_says_so_and_asks_to_combine_steps() -> None:
    by_case = variants_by_case()
    none = [v for v in by_case.values() if v.prediction.bottleneck is None]
    single = [v for v in by_case.values() if v.prediction.bottleneck is not None]
    assert none and single  # the shipped cases have both
    for variant in none:
        question = variant.questions[-1]
        assert {o.id for o in question.options} == {o.id for o in model_limits_bank()["next_none"]}
        assert question.key == "combine"
        view = variant.public_view("nl")
        knelpunt = view["model"]["knelpunt"]
        assert knelpunt.startswith(("Geen duidelijk knelpunt", "Geen enkel knelpunt"))
        assert "Combineer stappen" in knelpunt
        assert "geen enkel knelpunt" in view["items"][-1]["prompt"]
        en = variant.public_view("en")
        assert "no single bottleneck" in en["items"][-1]["prompt"]
        if variant.prediction.close_levers:
            assert "ongeveer gelijk" in view["items"][-1]["prompt"]
    for variant in single:
        question = variant.questions[-1]
        assert question.key == "discuss"
        view = variant.public_view("nl")
        assert view["model"]["knelpunt"].startswith("Knelpunt: ")
        assert "één knelpunt" in view["items"][-1]["prompt"]


def test_a_flat_profile_names_no_knelpunt_and_no_pair_either() -> None:
    """All scores 7: the model names nothing, and the question says so without a pair."""
    variant = next(v for v in variants_by_case().values() if v.prediction.bottleneck is None)
    flat = DeterminantScores.from_mapping(dict.fromkeys(variant.case.scores.as_dict(), 7))
    prediction = model_for(variant.case.domain).predict(flat)
    assert prediction.bottleneck is None and prediction.close_levers is None
    other = dataclasses.replace(
        variant,
        case=dataclasses.replace(variant.case, scores=flat),
        prediction=prediction,
    )
    for lang in LANGUAGES:
        view = other.public_view(lang)
        assert view["model"]["knelpunt"] == bottleneck_sentence(prediction, lang)
        prompt = view["items"][-1]["prompt"]
        assert {"nl": "geen enkel knelpunt", "en": "no single bottleneck"}[lang] in prompt
        assert {"nl": "ongeveer gelijk", "en": "about equal"}[lang] not in prompt
        assert other.questions[-1].key == "combine"


# --- the form and its answers -------------------------------------------------------------


def test_the_form_reads_options_by_letter_and_uses_as_allowed_or_not() -> None:
    ex = exercise()
    variant = variant_for("learner-003")
    for lang in LANGUAGES:
        view = variant.public_view(lang)
        sheet = ex.answer_sheet(view)
        headings = 0
        for item, sheet_item in zip(view["items"], sheet.items, strict=True):
            (field,) = sheet_item.fields
            assert field.kind == "choice"
            if item["kind"] == "use":
                assert [o.id for o in field.options] == [ALLOWED, FORBIDDEN]
                headings += any(
                    isinstance(b, Paragraph) and b.style == "heading" for b in sheet_item.intro
                )
            else:
                assert [o.label for o in field.options] == list(LETTERS[: len(field.options)])
                lists = [b for b in sheet_item.intro if isinstance(b, OptionList)]
                assert [label for label, _ in lists[0].entries] == [o.label for o in field.options]
        assert headings == 1  # one heading above the use questions


@pytest.mark.parametrize(
    ("item", "value"),
    [("q1", ALLOWED), ("q2", "estimate"), ("q2", "yes"), ("q10", ALLOWED)],
)
def test_an_answer_of_the_wrong_kind_is_refused(item: str, value: str) -> None:
    variant = variant_for("learner-004")
    with pytest.raises(InvalidAnswer) as info:
        exercise().grade(variant, answers_with(variant, item, value), "nl")
    assert info.value.key == "unknown_choice"


def test_the_instructions_promise_what_the_exercise_gives() -> None:
    ex = exercise()
    assert ex.max_points == 10
    assert "tien vragen" in ex.instructions("nl") and "ten questions" in ex.instructions("en")
    assert len(all_cases()) > len(eligible_cases())
