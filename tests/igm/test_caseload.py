"""The caseload model is the single-case model applied to every row, without a Python loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from igm.caseload import predict_caseload
from igm.determinants import DETERMINANTS, DeterminantScores
from igm.model import model_for


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    data = pd.DataFrame(rng.integers(1, 8, size=(120, 7)), columns=list(DETERMINANTS))
    data["domain"] = rng.choice(["job_search", "return_to_work", "employer_hiring"], size=120)
    return data


def test_every_row_equals_the_single_case_model(frame: pd.DataFrame) -> None:
    """Does each row get exactly what model.predict gives for that client?"""
    out = predict_caseload(frame)
    for _, row in out.iterrows():
        p = model_for(row["domain"]).predict(
            DeterminantScores.from_mapping({k: float(row[k]) for k in DETERMINANTS})
        )
        assert row["intention"] == pytest.approx(p.intention)
        assert row["ability"] == pytest.approx(p.ability)
        assert row["behaviour_probability"] == pytest.approx(p.behaviour_probability)
        assert (row["behaviour_low"], row["behaviour_high"]) == pytest.approx(p.behaviour_interval)
        assert row["bottleneck"] == p.bottleneck


def test_input_is_not_changed_and_domain_argument_wins(frame: pd.DataFrame) -> None:
    before = frame.copy()
    out = predict_caseload(frame, domain="professional_development", interval=False)
    pd.testing.assert_frame_equal(frame, before)
    assert "behaviour_low" not in out
    one = frame.iloc[0]
    p = model_for("professional_development").predict(
        DeterminantScores.from_mapping({k: float(one[k]) for k in DETERMINANTS})
    )
    assert out.iloc[0]["behaviour_probability"] == pytest.approx(p.behaviour_probability)


def test_bad_caseloads_are_refused_with_a_clear_message(frame: pd.DataFrame) -> None:
    with pytest.raises(KeyError, match="capacity"):
        predict_caseload(frame.drop(columns="capacity"))
    broken = frame.copy()
    broken.loc[5, "attitude"] = 9
    with pytest.raises(ValueError, match=r"row 5, column 'attitude': 9.0 is outside"):
        predict_caseload(broken)
    with pytest.raises(KeyError, match="unknown domain 'sport'"):
        predict_caseload(frame.assign(domain="sport"))


def test_flat_clients_get_no_knelpunt_and_it_can_be_left_out() -> None:
    """A client with all scores equal has no knelpunt (None); knelpunt=False skips the column."""
    flat = pd.DataFrame([dict.fromkeys(DETERMINANTS, 4.0), dict.fromkeys(DETERMINANTS, 7.0)])
    out = predict_caseload(flat, domain="return_to_work", interval=False)
    assert list(out["bottleneck"]) == [None, None]
    lean = predict_caseload(flat, domain="return_to_work", interval=False, knelpunt=False)
    assert "bottleneck" not in lean.columns
    assert list(lean["behaviour_probability"]) == list(out["behaviour_probability"])
