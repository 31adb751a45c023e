"""Properties of the model that hold for every input (hypothesis) and for the worked cases."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igm.determinants import DETERMINANTS, KUNNEN, WILLEN, DeterminantScores
from igm.model import (
    MIN_BOTTLENECK_GAIN,
    MIN_BOTTLENECK_SHARE,
    Model,
    evaluate,
    model_for,
    scale_share,
)
from igm.weights import DOMAINS, domain_weights

score = st.integers(min_value=1, max_value=7)
real_score = st.floats(min_value=1.0, max_value=7.0, allow_nan=False)
scores_strategy = st.builds(DeterminantScores, *[real_score] * 7)
domain_strategy = st.sampled_from(DOMAINS)


@given(scores_strategy, domain_strategy)
def test_outputs_are_bounded(scores: DeterminantScores, domain: str) -> None:
    """Are intention, ability, behaviour and its interval always inside their scales?"""
    p = model_for(domain).predict(scores)
    assert 0.0 <= p.intention <= 100.0
    assert 0.0 <= p.ability <= 100.0
    assert 0.0 <= p.behaviour_probability <= 1.0
    low, high = p.behaviour_interval
    assert 0.0 <= low <= high <= 1.0
    assert all(lever.gain >= 0.0 for lever in p.levers)


@given(scores_strategy, domain_strategy, st.sampled_from(DETERMINANTS), st.floats(0.01, 6.0))
def test_raising_a_determinant_never_lowers_anything(
    scores: DeterminantScores, domain: str, key: str, delta: float
) -> None:
    """Can raising one determinant ever lower intention, ability or behaviour?"""
    model = model_for(domain)
    before = model.predict(scores)
    after = model.predict(scores.raised({key: delta}))
    assert after.intention >= before.intention - 1e-9
    assert after.ability >= before.ability - 1e-9
    assert after.behaviour_probability >= before.behaviour_probability - 1e-12


@given(st.lists(real_score, min_size=3, max_size=3), domain_strategy)
def test_no_kunnen_means_little_behaviour(willen: list[float], domain: str) -> None:
    """With every kunnen determinant at 1, does behaviour stay at or below 0.25, whatever willen?"""
    values = dict(zip(WILLEN, willen, strict=True)) | dict.fromkeys(KUNNEN, 1.0)
    p = model_for(domain).predict(DeterminantScores.from_mapping(values))
    assert p.behaviour_probability <= 0.25
    assert p.behaviour_interval[1] <= 0.25


@given(st.lists(real_score, min_size=4, max_size=4), domain_strategy)
def test_no_willen_means_little_behaviour(kunnen: list[float], domain: str) -> None:
    """With every willen determinant at 1, does behaviour stay at or below 0.25, whatever kunnen?"""
    values = dict.fromkeys(WILLEN, 1.0) | dict(zip(KUNNEN, kunnen, strict=True))
    p = model_for(domain).predict(DeterminantScores.from_mapping(values))
    assert p.behaviour_probability <= 0.25
    assert p.behaviour_interval[1] <= 0.25


@settings(max_examples=30)
@given(scores_strategy, domain_strategy)
def test_identical_inputs_identical_outputs(scores: DeterminantScores, domain: str) -> None:
    """Does a fresh model (new draws, same seed) give exactly the same prediction?"""
    fresh = Model(domain_weights(domain))
    assert fresh.predict(scores) == model_for(domain).predict(scores)


@given(scores_strategy, domain_strategy)
def test_contributions_add_up_to_behaviour_above_base(
    scores: DeterminantScores, domain: str
) -> None:
    """Do the seven contributions add up to behaviour minus the base rate?"""
    p = model_for(domain).predict(scores)
    assert math.isclose(
        sum(p.contributions.values()), p.behaviour_probability - p.base_rate, abs_tol=1e-12
    )
    assert all(c >= 0 for c in p.contributions.values())


@given(scores_strategy, domain_strategy)
def test_levers_are_the_one_point_gains_best_first(scores: DeterminantScores, domain: str) -> None:
    """Is each lever exactly the gain of one more point, and the bottleneck the largest?"""
    model = model_for(domain)
    p = model.predict(scores)
    assert sorted(lever.key for lever in p.levers) == sorted(DETERMINANTS)
    for lever in p.levers:
        expected = model.behaviour(scores.raised({lever.key: 1})) - p.behaviour_probability
        assert lever.gain == pytest.approx(expected, abs=1e-12)
    gains = [lever.gain for lever in p.levers]
    assert all(a >= b - 1e-12 for a, b in pairwise(gains))
    assert p.bottleneck in (None, p.levers[0].key)


def test_extremes() -> None:
    """All 1s give the base rate, all 7s the ceiling."""
    model = model_for("job_search")
    low = model.predict(DeterminantScores(*[1] * 7))
    high = model.predict(DeterminantScores(*[7] * 7))
    assert (low.intention, low.ability) == (0.0, 0.0)
    assert low.behaviour_probability == pytest.approx(model.weights.base_rate.value)
    assert (high.intention, high.ability) == (100.0, 100.0)
    assert high.behaviour_probability == pytest.approx(model.weights.ceiling.value)


def test_formula_by_hand() -> None:
    """Does the model compute the formula in its docstring, checked by hand for one input?"""
    w = domain_weights("return_to_work")
    shares = w.normalised_values()
    s = DeterminantScores(6, 5, 4, 5, 4, 2, 3)
    g = w.curve_exponent

    def x(v: float) -> float:
        return 1 - (1 - (v - 1) / 6) ** g

    q = w.compensation_exponent.value
    intention = 100 * sum(shares[k] * x(s[k]) for k in WILLEN)
    ability = 100 * sum(shares[k] * x(s[k]) ** q for k in KUNNEN) ** (1 / q)
    b, c = w.base_rate.value, w.ceiling.value
    p = model_for("return_to_work").predict(s)
    assert p.intention == pytest.approx(intention)
    assert p.ability == pytest.approx(ability)
    assert p.behaviour_probability == pytest.approx(b + (c - b) * intention / 100 * ability / 100)


def test_interval_surrounds_point_and_has_width() -> None:
    p = model_for("job_search").predict(DeterminantScores(5, 3, 2, 6, 2, 5, 3))
    low, high = p.behaviour_interval
    assert low < p.behaviour_probability < high
    assert high - low > 0.01


def test_low_score_weighs_more_than_high_score() -> None:
    """Diminishing returns: is a step up from 2 worth more than a step up from 6?"""
    model = model_for("job_search")
    base = DeterminantScores(2, 4, 6, 4, 4, 4, 4)
    gains = {lever.key: lever.gain for lever in model.predict(base).levers}
    equalised = model_for("job_search").weights.normalised_values()
    assert (
        gains["attitude"] / equalised["attitude"]
        > gains["self_efficacy"] / equalised["self_efficacy"]
    )


def test_compare_reports_changes_capped_at_seven() -> None:
    model = model_for("job_search")
    scores = DeterminantScores(3, 3, 6, 3, 2, 4, 3)
    cmp = model.compare(scores, {"self_efficacy": 2, "home_situation": 1})
    assert cmp.changes == {"self_efficacy": 1.0, "home_situation": 1.0}
    assert cmp.after.scores.self_efficacy == 7
    assert cmp.behaviour_gain > 0
    assert cmp.before == model.predict(scores)


def test_evaluate_matches_predict_for_many_rows() -> None:
    model = model_for("employer_hiring")
    rng = np.random.default_rng(3)
    raw = rng.integers(1, 8, size=(50, 7)).astype(float)
    _, _, behaviour = evaluate(scale_share(raw, model.weights.curve_exponent), model.point)
    for row, value in zip(raw, behaviour[:, 0], strict=True):
        expected = model.predict(DeterminantScores(*row)).behaviour_probability
        assert value == pytest.approx(expected)


def test_to_dict_contract() -> None:
    d = model_for("job_search").predict(DeterminantScores(3, 3, 2, 3, 2, 4, 3)).to_dict()
    assert set(d) >= {
        "intention",
        "ability",
        "behaviour_probability",
        "behaviour_interval",
        "contributions",
        "bottleneck",
        "levers",
    }
    assert d["bottleneck"] in (None, d["levers"][0])
    assert 0.0 <= d["bottleneck_share"] <= 1.0
    assert d["bottleneck_share"] == d["lever_shares"][d["levers"][0]]
    assert set(d["contributions"]) == set(DETERMINANTS)
    assert set(d["lever_shares"]) == set(DETERMINANTS)


# --- Kunnen does not compensate; the knelpunt is named only when it stands out --------------


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("missing", KUNNEN)
def test_one_missing_kunnen_condition_blocks_the_behaviour(domain: str, missing: str) -> None:
    """One kunnen determinant at 1, all else at 7: does the probability stay at or below 0.30?"""
    values = dict.fromkeys(DETERMINANTS, 7.0) | {missing: 1.0}
    p = model_for(domain).predict(DeterminantScores.from_mapping(values))
    assert p.behaviour_probability <= 0.30
    assert p.behaviour_interval[1] <= 0.30
    # ... and the missing condition is what the model points at.
    assert p.bottleneck == missing


@given(
    domain_strategy,
    st.sampled_from(KUNNEN),
    st.floats(min_value=1.0, max_value=3.0),
    st.floats(min_value=5.0, max_value=7.0),
)
def test_a_high_kunnen_score_does_not_make_up_for_a_low_one(
    domain: str, low_key: str, low: float, high: float
) -> None:
    """Is ability with one low and three high kunnen scores below the plain weighted mean?"""
    model = model_for(domain)
    values = dict.fromkeys(DETERMINANTS, high) | {low_key: low}
    p = model.predict(DeterminantScores.from_mapping(values))
    shares = model.weights.normalised_values()
    x = scale_share(np.array([values[k] for k in KUNNEN]), model.weights.curve_exponent)
    plain_mean = 100 * sum(shares[k] * xk for k, xk in zip(KUNNEN, x, strict=True))
    assert p.ability < plain_mean


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("level", [1, 4, 7])
def test_flat_profiles_have_no_bottleneck(domain: str, level: int) -> None:
    """All scores 1, 4 or 7: does the model name no knelpunt, and say why?"""
    p = model_for(domain).predict(DeterminantScores(*[level] * 7))
    assert p.bottleneck is None
    assert p.no_bottleneck_reason in {"no_gain", "close", "uncertain", "not_weak"}
    assert p.to_dict()["bottleneck"] is None


@given(scores_strategy, domain_strategy)
def test_bottleneck_share_is_a_share_and_a_named_bottleneck_is_sure(
    scores: DeterminantScores, domain: str
) -> None:
    """Is every lever share in [0, 1], and is a named knelpunt first in at least 60% of draws?"""
    p = model_for(domain).predict(scores)
    assert all(0.0 <= v <= 1.0 for v in p.lever_shares.values())
    assert sum(p.lever_shares.values()) <= 1.0 + 1e-9
    assert 0.0 <= p.bottleneck_share <= 1.0
    if p.bottleneck is not None:
        assert p.bottleneck == p.levers[0].key
        assert p.bottleneck_share >= MIN_BOTTLENECK_SHARE
        assert p.levers[0].gain >= MIN_BOTTLENECK_GAIN
        assert p.close_levers is None
        assert p.no_bottleneck_reason is None
    else:
        assert p.no_bottleneck_reason is not None


def test_lever_share_counts_the_draws_in_which_a_lever_comes_first() -> None:
    """Is a lever's share the fraction of draws where its one-point gain is strictly the largest?"""
    model = Model(domain_weights("job_search"), n_draws=60, seed=5)
    scores = DeterminantScores(3, 3, 2, 3, 2, 4, 3)
    shares = model.predict(scores).lever_shares
    raised = [scores.raised({k: 1}) for k in DETERMINANTS]
    base = evaluate(model.shares(scores), model.draws)[2][0]
    firsts = dict.fromkeys(DETERMINANTS, 0)
    for d in range(len(model.draws)):
        gains = [evaluate(model.shares(r), model.draws)[2][0, d] - base[d] for r in raised]
        best = max(gains)
        if best > 1e-12 and sum(math.isclose(g, best, abs_tol=1e-12) for g in gains) == 1:
            firsts[DETERMINANTS[gains.index(best)]] += 1
    assert shares == {k: v / 60 for k, v in firsts.items()}


def test_close_levers_are_named_together() -> None:
    """Hiba's two best levers tie: no single knelpunt, both named, about equal."""
    from igm import find_case

    case = find_case("hiba-ingenieur")
    p = model_for(case.domain).predict(case.scores)
    assert p.bottleneck is None
    assert p.no_bottleneck_reason == "close"
    assert set(p.close_levers or ()) == {"knowledge_skills", "home_situation"}
