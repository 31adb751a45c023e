"""The committed synthetic caseload is exactly what the seeded generator makes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from igm.determinants import DETERMINANTS
from igm.synthetic import CASELOAD_COLUMNS, generate_caseload

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
    assert frame["client_id"].is_unique
    assert frame[list(DETERMINANTS)].isin(range(1, 8)).all().all()
    assert set(frame["behaviour"]) == {0, 1}
    assert frame["group"].nunique() == 6


def test_other_seed_gives_other_caseload() -> None:
    assert not generate_caseload(100, seed=1).equals(generate_caseload(100, seed=2))
