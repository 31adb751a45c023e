"""compare-clients: are its keys the model's principles, robust over the Monte Carlo draws,
and is every scenario it may draw graded with teaching feedback in both languages?"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from exercises import get_exercise, grade
from exercises.compare_clients import (
    MIN_AGREEMENT,
    N_REASONS,
    PRINCIPLES,
    CompareVariant,
    Scenario,
    robust_scenarios,
    scenario_pool,
)
from igm.determinants import DETERMINANTS, KUNNEN, WILLEN
from igm.i18n import LANGUAGES
from igm.model import evaluate, model_for, scale_share
from tests.exercises.answers import perfect, wrong


def _gains(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """The two clients' gains from the step in every Monte Carlo draw (computed here, apart
    from the exercise's own judge)."""
    model = model_for(scenario.domain)
    added = dict(scenario.step)
    rows = []
    for scores in (scenario.first, scenario.second):
        after = [min(7, s + added.get(k, 0)) for k, s in zip(DETERMINANTS, scores, strict=True)]
        rows += [list(scores), after]
    shares = scale_share(np.array(rows, dtype=float), model.weights.curve_exponent)
    behaviour = evaluate(shares, model.draws)[2]
    return behaviour[1] - behaviour[0], behaviour[3] - behaviour[2]


def test_every_principle_has_robust_scenarios_of_more_than_one_size() -> None:
    robust = robust_scenarios()
    assert len(robust) >= 300
    assert len(robust) < len(scenario_pool())  # the filter does leave scenarios out
    principles = Counter(s.principle for s, _ in robust)
    assert set(principles) == set(PRINCIPLES)
    sizes = {j.size for _, j in robust}
    assert sizes == {"much", "somewhat", "same"}


def test_the_key_holds_in_nearly_every_draw() -> None:
    for scenario, key in robust_scenarios():
        assert key.agreement >= MIN_AGREEMENT
        first, second = _gains(scenario)
        if key.who == "same":
            high, low = np.maximum(first, second), np.minimum(first, second)
            share = np.mean(high <= 1.1 * low)
        else:
            more, less = (first, second) if key.who == "first" else (second, first)
            share = np.mean(more > less)
        assert share >= MIN_AGREEMENT, (scenario, share)


def test_the_keys_are_the_principles_of_the_model() -> None:
    """Who gains more follows from the principle, whatever the weights."""
    for scenario, key in robust_scenarios():
        first = dict(zip(DETERMINANTS, scenario.first, strict=True))
        second = dict(zip(DETERMINANTS, scenario.second, strict=True))
        (stepped, _), *_ = scenario.step
        if scenario.principle in ("blocked_willen", "missing_condition"):
            # the client with everything in place gains more: the other one misses a condition
            assert min(second[k] for k in KUNNEN) < min(first[k] for k in KUNNEN)
            assert key.who == "first"
        elif scenario.principle == "room_to_grow":
            assert first[stepped] < second[stepped] and key.who == "first"
        elif scenario.principle == "kunnen_needs_willen":
            assert stepped in KUNNEN
            assert sum(first[k] for k in WILLEN) > sum(second[k] for k in WILLEN)
            assert key.who == "first"
        else:
            assert scenario.principle == "willen_adds_up"
            assert all(first[k] == second[k] for k in KUNNEN) and key.who == "same"
        if scenario.principle != "room_to_grow":
            assert first[stepped] == second[stepped]  # so room to grow explains nothing


def test_a_client_missing_a_condition_gains_nothing_from_a_step_on_willen() -> None:
    for scenario, key in robust_scenarios():
        if scenario.principle == "blocked_willen" and 1 in scenario.second:
            assert key.size == "much"
            _, second = _gains(scenario)
            assert np.allclose(second, 0.0)


def test_the_right_reason_is_always_offered_and_no_distractor_is_it() -> None:
    for principle, (right, distractors) in PRINCIPLES.items():
        assert right not in distractors and len(distractors) >= N_REASONS - 1, principle
    ex = get_exercise("compare-clients")
    for i in range(40):
        variant = ex.make_variant(f"learner-{i}")
        assert isinstance(variant, CompareVariant)
        assert variant.reason in variant.reasons and len(variant.reasons) == N_REASONS
        assert variant.names[0] != variant.names[1]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_scenario_is_graded_with_feedback(lang: str) -> None:
    """Perfect: full marks; wrong on every item: none, with the principle explained."""
    ex = get_exercise("compare-clients")
    base = ex.make_variant("learner-1")
    assert isinstance(base, CompareVariant)
    for scenario, key in robust_scenarios():
        right, distractors = PRINCIPLES[scenario.principle]
        variant = CompareVariant(
            exercise_id=base.exercise_id,
            learner_id=base.learner_id,
            fingerprint=base.fingerprint,
            scenario=scenario,
            names=base.names,
            reasons=(right, *distractors[: N_REASONS - 1]),
            key=key,
        )
        assert variant.public_view(lang)["items"]
        best = grade(variant, perfect(variant), lang)
        assert best.points == ex.max_points
        worst = grade(variant, wrong(variant), lang)
        assert worst.points == 0
        assert set(worst.feedback) == {"q1", "q2", "q3"}
        # the wrong reason is answered with why it does not fit, then the principle
        assert best.feedback["q2"].split(" ", 1)[1] in worst.feedback["q2"]


def test_the_feedback_speaks_of_willen_and_kunnen_and_no_number_of_the_model() -> None:
    ex = get_exercise("compare-clients")
    for i in range(30):
        variant = ex.make_variant(f"l{i}")
        result = grade(variant, wrong(variant), "nl")
        text = " ".join(result.feedback.values())
        assert "willen" in text or "kunnen" in text
        assert "%" not in text and "procentpunt" not in text
