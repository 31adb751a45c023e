"""The view "explore the model with made-up profiles", headless: the domain filter, quadrants,
relevance and potential for change, and the plain word that the behaviour is the model's own."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from igm import DETERMINANTS
from igm.caseload import (
    QUADRANTS,
    determinant_relevance,
    potential_for_change,
    predict_caseload,
    quadrants,
)
from igm.i18n import t
from widgets.caseload_view import ALL, CaseloadView, default_caseload_path, load_caseload


def random_caseload(n: int = 300, seed: int = 7) -> pd.DataFrame:
    """Temporary profiles from random integer scores (independent of igm/data/caseload.csv)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.integers(1, 8, size=(n, len(DETERMINANTS))), columns=DETERMINANTS)
    frame.insert(0, "profile_id", [f"T{i:04d}" for i in range(n)])
    frame.insert(1, "domain", rng.choice(["job_search", "return_to_work", "employer_hiring"], n))
    frame["behaviour"] = (rng.random(n) < 0.1 + 0.1 * (frame["attitude"] > 4)).astype(int)
    return frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return random_caseload()


def test_the_domain_filter_selects_the_right_profiles(frame: pd.DataFrame) -> None:
    view = CaseloadView(frame, "nl")
    assert len(view.selected()) == len(frame)
    view.set_filters(domain="job_search")
    selected = view.selected()
    assert set(selected["domain"]) == {"job_search"}
    assert len(selected) == int((frame["domain"] == "job_search").sum())
    assert f"{len(selected)} " in view.count_out.value
    values = view.scatter.spec["layer"][0]["data"]["values"]
    assert [v["profile"] for v in values] == list(selected["profile_id"])
    view.set_filters(domain=ALL)
    assert len(view.selected()) == len(frame)


def test_dropdown_drives_the_filter_and_there_is_no_group_filter(frame: pd.DataFrame) -> None:
    view = CaseloadView(frame, "en")
    view.domain_picker.value = "employer_hiring"
    assert set(view.selected()["domain"]) == {"employer_hiring"}
    assert not hasattr(view, "group_picker")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_view_says_the_behaviour_is_the_models_own(frame: pd.DataFrame, lang: str) -> None:
    """Circular: the view says in plain words, above the charts and beside the correlations,
    that the model simulated the behaviour, and it speaks of profiles, not clients."""
    view = CaseloadView(frame, lang)
    texts = html.unescape(" ".join(str(getattr(c, "value", "")) for c in view.widget.children))
    assert t("caseload.circular", lang) in texts
    circular = {"nl": "cirkelredenering", "en": "circular"}[lang]
    assert circular in view.relevance_text.value
    client = {"nl": "klant", "en": "client"}[lang]
    assert client not in (view.count_out.value + view.scatter_text.value).lower()


def test_predictions_come_from_the_engine(frame: pd.DataFrame) -> None:
    view = CaseloadView(frame, "nl")
    expected = predict_caseload(frame, interval=False)
    np.testing.assert_array_equal(
        view.data["behaviour_probability"].to_numpy(), expected["behaviour_probability"].to_numpy()
    )


def test_empty_selection_is_explained(frame: pd.DataFrame) -> None:
    view = CaseloadView(frame[frame["domain"] != "employer_hiring"], "nl")
    view.domain = "employer_hiring"
    view._update()
    assert t("caseload.empty", "nl") in view.count_out.value


def test_language_switch_changes_labels(frame: pd.DataFrame) -> None:
    view = CaseloadView(frame, "nl")
    assert view.domain_picker.description == t("caseload.domain", "nl")
    view.set_filters(domain="employer_hiring")
    view.set_language("en")
    assert view.domain_picker.description == t("caseload.domain", "en")
    assert view.domain == "employer_hiring"
    names = {r["quadrant"] for r in view.scatter.spec["layer"][0]["data"]["values"]}
    assert names <= {t(f"quadrant.{q}", "en") for q in QUADRANTS}


def test_quadrants_are_neutral_and_follow_the_threshold() -> None:
    predicted = pd.DataFrame({"intention": [80, 80, 20, 20, 50], "ability": [80, 20, 80, 20, 50]})
    assert list(quadrants(predicted)) == [
        "high_high",
        "high_low",
        "low_high",
        "low_low",
        "high_high",
    ]


def test_relevance_means_and_correlations() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.integers(1, 8, size=(400, 7)), columns=DETERMINANTS)
    frame["behaviour"] = (frame["attitude"] >= 5).astype(int)
    rel = determinant_relevance(frame)
    assert list(rel.index) == list(DETERMINANTS)
    for key in DETERMINANTS:
        assert rel.loc[key, "mean"] == pytest.approx(frame[key].mean())
        assert rel.loc[key, "mean_low"] < rel.loc[key, "mean"] < rel.loc[key, "mean_high"]
        assert rel.loc[key, "r"] == pytest.approx(frame[key].corr(frame["behaviour"]))
        assert rel.loc[key, "r_low"] < rel.loc[key, "r"] < rel.loc[key, "r_high"]
    assert rel["r"].idxmax() == "attitude"
    # too few rows: NaN, not an error
    assert determinant_relevance(frame.head(3))["r"].isna().all()


def test_potential_for_change_matches_raising_each_determinant() -> None:
    frame = random_caseload(50, seed=3)
    pot = potential_for_change(frame)
    before = predict_caseload(frame, interval=False)["behaviour_probability"]
    for key in DETERMINANTS:
        raised = frame.copy()
        raised[key] = np.minimum(7, raised[key] + 1)
        after = predict_caseload(raised, interval=False)["behaviour_probability"]
        assert pot.loc[key, "mean_gain"] == pytest.approx(float((after - before).mean()))
    # shares of the clients with one knelpunt; the rest have none (None: combine steps)
    knelpunt = predict_caseload(frame, interval=False)["bottleneck"]
    assert pot["bottleneck_share"].sum() == pytest.approx(float(knelpunt.notna().mean()))
    assert knelpunt.isna().any()  # a random caseload has clients without a single knelpunt


@pytest.mark.skipif(
    not default_caseload_path().exists(), reason="igm/data/caseload.csv not written yet"
)
def test_the_real_caseload_loads() -> None:
    view = CaseloadView(load_caseload(), "nl")
    assert len(view.selected()) > 0
