"""Is the best choice of exercise choose-knob really the best? Checked by brute force."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from exercises import get_exercise
from exercises.choose_knob import ChooseKnobVariant, best_choice, budgets_for
from igm import Case, list_cases, model_for


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


def test_every_variant_budget_gives_the_best_choice_full_marks_and_nothing_zero() -> None:
    ex = get_exercise("choose-knob")
    for learner in [f"learner-{i}" for i in range(20)]:
        variant = ex.make_variant(learner)
        assert isinstance(variant, ChooseKnobVariant)
        best, gain = best_choice(variant.case, variant.budget)
        assert math.isclose(gain, brute_force(variant.case, variant.budget), abs_tol=1e-12)
        assert ex.grade(variant, {"interventions": sorted(best)}, "nl").points == ex.max_points
        assert ex.grade(variant, {"interventions": []}, "en").points == 0
