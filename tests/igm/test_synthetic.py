"""The committed made-up profiles are exactly what the seeded generator makes, and they hold
no group pattern and no age: the same score distribution for every domain."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from igm.determinants import DETERMINANTS
from igm.synthetic import CASELOAD_COLUMNS, SCORE_MEAN, generate_caseload
from igm.weights import DOMAINS

CSV = Path(__file__).resolve().parents[2] / "igm" / "data" / "caseload.csv"


def test_committed_file_equals_a_fresh_run() -> None:
    """Can anyone regenerate igm/data/caseload.csv byte for byte from the script's defaults?"""
    committed = pd.read_csv(CSV)
    fresh = generate_caseload()
    pd.testing.assert_frame_equal(committed, fresh, check_dtype=False)


def test_shape_and_ranges() -> None:
    frame = pd.read_csv(CSV)
    assert len(frame) >= 500
    assert tuple(frame.columns) == CASELOAD_COLUMNS
    assert frame["profile_id"].is_unique
    assert frame[list(DETERMINANTS)].isin(range(1, 8)).all().all()
    assert set(frame["behaviour"]) == {0, 1}
    assert set(frame["domain"]) == set(DOMAINS)


def test_no_groups_no_age_and_no_group_pattern() -> None:
    """Is there nothing that could pass for a stereotype? No group or age column, the domains
    take equal turns, and the scores are drawn the same way whatever the domain."""
    frame = pd.read_csv(CSV)
    assert not {"group", "age", "client_id"} & set(frame.columns)
    assert frame["domain"].value_counts().nunique() == 1
    big = generate_caseload(20_000, seed=5)
    for key in DETERMINANTS:
        means = big.groupby("domain")[key].mean()
        assert means.max() - means.min() < 0.1, key
        assert abs(big[key].mean() - SCORE_MEAN) < 0.1, key


def test_other_seed_gives_other_caseload() -> None:
    assert not generate_caseload(100, seed=1).equals(generate_caseload(100, seed=2))
