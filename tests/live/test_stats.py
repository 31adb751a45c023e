"""The room's statistics: pure functions."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from igm.determinants import DETERMINANTS
from live.stats import (
    distribution,
    iqr,
    mean,
    median,
    prediction_histogram,
    quantile,
    ranked_by_disagreement,
    room_mean_scores,
    spread,
    std,
    vote_counts,
)

scores = st.lists(st.integers(1, 7), min_size=1, max_size=80)


def test_empty_room_has_no_statistics() -> None:
    assert mean([]) is None and std([]) is None and iqr([]) is None and median([]) is None
    assert distribution([]) == [0] * 7
    assert room_mean_scores([]) is None


def test_known_values() -> None:
    assert distribution([1, 1, 7, 4]) == [2, 0, 0, 1, 0, 0, 1]
    assert std([2, 6, 1]) == pytest.approx(statistics.pstdev([2, 6, 1]))
    assert quantile([1, 2, 3, 4], 0.25) == pytest.approx(1.75)  # numpy's linear method
    assert iqr([1, 2, 3, 4]) == pytest.approx(1.5)
    assert prediction_histogram([0, 9, 10, 99, 100]) == [2, 1, 0, 0, 0, 0, 0, 0, 0, 2]


@pytest.mark.parametrize("bad", [0, 8, 3.5, True, "3"])
def test_distribution_refuses_values_off_the_scale(bad: object) -> None:
    with pytest.raises(ValueError):
        distribution([bad])  # type: ignore[list-item]


def test_votes_count_every_determinant_and_refuse_unknown_keys() -> None:
    counts = vote_counts(["self_efficacy", "self_efficacy", "capacity"])
    assert list(counts) == list(DETERMINANTS)
    assert counts["self_efficacy"] == 2 and sum(counts.values()) == 3
    with pytest.raises(ValueError):
        vote_counts(["motivation"])


def test_disagreement_ranks_the_widest_spread_first() -> None:
    spreads = [spread(k, [4, 4, 4]) for k in DETERMINANTS]
    spreads[2] = spread(DETERMINANTS[2], [1, 7, 4])
    spreads[5] = spread(DETERMINANTS[5], [3, 5, 4])
    ranked = ranked_by_disagreement(spreads)
    assert [s.key for s in ranked[:2]] == [DETERMINANTS[2], DETERMINANTS[5]]
    # one answer is no disagreement
    assert ranked_by_disagreement([spread("attitude", [1])]) == []


@given(scores)
def test_statistics_agree_with_the_standard_library(values: list[int]) -> None:
    assert mean(values) == pytest.approx(statistics.fmean(values))
    assert std(values) == pytest.approx(statistics.pstdev(values), abs=1e-9)
    assert median(values) == pytest.approx(statistics.median(values))
    counts = distribution(values)
    assert sum(counts) == len(values)
    s = spread("attitude", values)
    assert s.iqr is not None and s.iqr >= 0
    assert 1 <= (s.mean or 0) <= 7


@given(st.lists(st.fixed_dictionaries({k: st.integers(1, 7) for k in DETERMINANTS}), min_size=1))
def test_room_mean_stays_on_the_scale(rows: list[dict[str, int]]) -> None:
    avg = room_mean_scores(rows)
    assert avg is not None and set(avg) == set(DETERMINANTS)
    assert all(1 <= v <= 7 for v in avg.values())
