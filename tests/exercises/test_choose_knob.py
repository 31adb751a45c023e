"""Exercise choose-knob: the wish comes first, the effects are the case author's estimates,
the best choice is really the best (brute force), and a reasonable choice gets credit."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter

import numpy as np
import pytest

from exercises import get_exercise
from exercises._base import OptionList
from exercises._shared import case_by_id
from exercises._texts import client_wishes
from exercises.choose_knob import (
    ChooseKnobVariant,
    aims_well,
    best_choice,
    budgets_for,
    eligible_cases,
    fitting_subsets,
    gain_of,
)
from igm import Case, list_cases, model_for
from igm.i18n import LANGUAGES
from igm.model import evaluate
from igm.report import bottleneck_sentence, estimate_note, estimated_effects
from tests.exercises.answers import perfect


def brute_force(case: Case, budget: int) -> float:
    """Largest behaviour gain over all 2^n subsets within the budget, computed from scratch."""
    model = model_for(case.domain)
    items = case.interventions
    best = 0.0
    for mask in range(1 << len(items)):
        chosen = [items[i] for i in range(len(items)) if mask >> i & 1]
        if sum(i.effort for i in chosen) > budget:
            continue
        effects: Counter[str] = Counter()
        for item in chosen:
            effects.update(item.effects)
        after = model.behaviour(case.scores.raised(dict(effects)))
        best = max(best, after - model.behaviour(case.scores))
    return best


def variant_for(case_id: str, budget: int) -> ChooseKnobVariant:
    """A learner's variant moved to a given case and budget (the orders as in the bank)."""
    variant = get_exercise("choose-knob").make_variant("learner-fixed")
    assert isinstance(variant, ChooseKnobVariant)
    case = case_by_id(case_id)
    return dataclasses.replace(
        variant,
        case=case,
        budget=budget,
        order=tuple(i.id for i in case.interventions),
        wish_order=tuple(o.id for o in client_wishes()[case_id].options),
    )


def right_wish(variant: ChooseKnobVariant) -> str:
    right = next(o.id for o in variant.wish.options if o.right)
    return f"w{variant.wish_order.index(right) + 1}"


@pytest.mark.parametrize("case", list_cases(), ids=lambda c: c.id)
def test_best_choice_matches_brute_force_for_every_budget(case: Case) -> None:
    total = sum(i.effort for i in case.interventions)
    for budget in range(0, total + 1):
        subset, gain = best_choice(case, budget)
        assert sum(case.intervention(i).effort for i in subset) <= budget
        assert math.isclose(gain, brute_force(case, budget), abs_tol=1e-12), budget


@pytest.mark.parametrize("case", list_cases(), ids=lambda c: c.id)
def test_budgets_make_a_real_choice(case: Case) -> None:
    total = sum(i.effort for i in case.interventions)
    for budget in budgets_for(case):
        assert min(i.effort for i in case.interventions) < budget < total


def test_every_case_has_a_wish_from_its_story() -> None:
    wishes = client_wishes()
    assert sorted(eligible_cases()) == sorted(c.id for c in list_cases())
    for case_id, wish in wishes.items():
        case = case_by_id(case_id)
        assert sum(o.right for o in wish.options) == 1 and len(wish.options) == 4
        assert set(wish.serves) <= {i.id for i in case.interventions}, case_id
        for lang in LANGUAGES:  # the why quotes the client's own words
            assert "‘" in wish.why(lang), case_id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_wish_is_asked_first_and_every_effect_is_labelled_an_estimate(lang: str) -> None:
    ex = get_exercise("choose-knob")
    for learner in [f"learner-{i}" for i in range(8)]:
        variant = ex.make_variant(learner)
        assert isinstance(variant, ChooseKnobVariant)
        view = variant.public_view(lang)
        sheet = ex.answer_sheet(view)
        assert [item.id for item in sheet.items] == ["wish", "interventions"]
        wish, choice = sheet.items
        assert variant.case.name in wish.intro[0].text
        (wish_field,) = wish.fields
        assert [o.id for o in wish_field.options] == ["w1", "w2", "w3", "w4"]
        # the four sentences of the client's story are read in full above the drop-down
        (sentences,) = [b for b in wish.intro if isinstance(b, OptionList)]
        texts = {o.text(lang) for o in variant.wish.options}
        assert {text for _, text in sentences.entries} == texts
        assert [label for label, _ in sentences.entries] == [o.label for o in wish_field.options]
        assert estimate_note(variant.case, lang) in [b.text for b in choice.intro]  # type: ignore[union-attr]
        (boxes,) = choice.fields
        for option in boxes.options:
            effects = variant.case.intervention(option.id).effects
            assert estimated_effects(effects, lang) in option.details


def test_the_wish_is_graded_with_the_clients_own_story() -> None:
    ex = get_exercise("choose-knob")
    variant = ex.make_variant("learner-wish")
    assert isinstance(variant, ChooseKnobVariant)
    answers = perfect(variant)
    right = ex.grade(variant, answers, "nl")
    assert right.item_scores["wish"] == 2
    wrong_id = next(w for w in variant.wish_ids if w != right_wish(variant))
    wrong = ex.grade(variant, {**answers, "wish": wrong_id}, "nl")
    assert wrong.item_scores["wish"] == 0
    right_text = next(o.text("nl") for o in variant.wish.options if o.right)
    assert right_text in wrong.feedback["wish"] and variant.wish.why("nl") in wrong.feedback["wish"]


def test_every_budget_optimum_earns_every_point() -> None:
    ex = get_exercise("choose-knob")
    for case_id in eligible_cases():
        for budget in budgets_for(case_by_id(case_id)):
            variant = variant_for(case_id, budget)
            result = ex.grade(variant, perfect(variant), "nl")
            assert result.points == ex.max_points, (case_id, budget, result.feedback)


def test_a_choice_within_the_models_uncertainty_gets_full_credit() -> None:
    """Hoekstra, budget 4: the visit and jobcarving give 24,6 points against the optimum's
    26,3; in many weight draws the order flips. Not a wrong answer."""
    ex = get_exercise("choose-knob")
    variant = variant_for("hoekstra-installatietechniek", 4)
    chosen = frozenset({"bezoek-collega-installateur", "functie-samenstellen"})
    best, best_gain = best_choice(variant.case, 4)
    assert chosen != best and gain_of(variant.case.id, chosen) < best_gain
    # the same rule, from scratch: the model's draws cannot tell the two apart
    model = model_for(variant.case.domain)

    def draws(ids: frozenset[str]) -> np.ndarray:
        effects: Counter[str] = Counter()
        for iid in ids:
            effects.update(variant.case.intervention(iid).effects)
        after = model.shares(variant.case.scores.raised(dict(effects)))
        return (
            evaluate(after, model.draws)[2][0]
            - evaluate(model.shares(variant.case.scores), model.draws)[2][0]
        )

    mine, theirs = draws(chosen), draws(best)
    assert np.mean(mine >= theirs) >= 0.3 or mine.mean() >= 0.8 * theirs.mean()
    for lang in LANGUAGES:
        result = ex.grade(
            variant, {"wish": right_wish(variant), "interventions": sorted(chosen)}, lang
        )
        assert result.points == ex.max_points, result.feedback
        assert {"nl": "onzekerheid", "en": "uncertainty"}[lang] in result.feedback["interventions"]


def test_a_choice_on_the_knelpunt_gets_credit_though_not_the_budget_optimum() -> None:
    """Marja, budget 4: debt counselling alone tackles her knelpunt (home situation); the
    model's optimum within 4 points is two other steps. Both are defensible."""
    ex = get_exercise("choose-knob")
    variant = variant_for("marja-bijstand", 4)
    best, _ = best_choice(variant.case, 4)
    assert "schuldhulp-en-inkomen" not in best
    result = ex.grade(
        variant, {"wish": right_wish(variant), "interventions": ["schuldhulp-en-inkomen"]}, "nl"
    )
    assert result.item_scores["interventions"] == 2
    assert "knelpunt" in result.feedback["interventions"]


def test_a_clearly_weaker_choice_off_the_knelpunt_gets_its_share() -> None:
    ex = get_exercise("choose-knob")
    variant = variant_for("milan-startkwalificatie", 2)
    chosen = frozenset({"cv-en-leerbedrijf-benaderen"})
    _, best_gain = best_choice(variant.case, 2)
    share = gain_of(variant.case.id, chosen) / best_gain
    assert share < 0.5
    result = ex.grade(variant, {"wish": right_wish(variant), "interventions": sorted(chosen)}, "nl")
    assert math.isclose(result.item_scores["interventions"], 1 + round(share, 2))
    empty = ex.grade(variant, {"wish": right_wish(variant), "interventions": []}, "nl")
    assert empty.item_scores["interventions"] == 0


@pytest.mark.parametrize("case_id", ["hiba-ingenieur", "karim-klantmanager"])
def test_with_no_single_knelpunt_combining_steps_counts_and_the_feedback_says_why(
    case_id: str,
) -> None:
    ex = get_exercise("choose-knob")
    case = case_by_id(case_id)
    prediction = model_for(case.domain).predict(case.scores)
    assert prediction.bottleneck is None and prediction.close_levers is not None
    for budget in budgets_for(case):
        variant = variant_for(case_id, budget)
        for subset in fitting_subsets(case, budget):
            raised = {k for i in subset for k in case.intervention(i).effects}
            if len(subset) >= 2 and raised & set(prediction.close_levers):
                assert aims_well(case, budget, subset) == 1.0, (budget, subset)
        for lang in LANGUAGES:
            result = ex.grade(variant, perfect(variant), lang)
            assert bottleneck_sentence(prediction, lang) in result.feedback["interventions"]
