"""An app's state in the page's address (igm.url_state): written and read back the same, and a
value someone typed or pasted that is not valid is skipped and named, never an error."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from igm.cases import find_case
from igm.determinants import DETERMINANTS
from igm.url_state import (
    Ignored,
    explorer_query,
    explorer_scores,
    planner_query,
    planner_steps,
    with_params,
)

CASE = find_case("marja-bijstand")


def test_explorer_state_round_trips() -> None:
    case_scores = {k: round(CASE.scores[k]) for k in DETERMINANTS}
    moved = dict(case_scores, attitude=7 if case_scores["attitude"] != 7 else 1, capacity=1)
    query = explorer_query("", "en", CASE.id, moved, case_scores)
    assert query.startswith("?lang=en&case=marja-bijstand")
    scores, ignored = explorer_scores(query)
    assert ignored == ()
    assert {**case_scores, **scores} == moved
    # Only what differs from the case is written: an unchanged app keeps a short address.
    assert set(scores) == {k for k in DETERMINANTS if moved[k] != case_scores[k]}
    assert explorer_query("", "nl", CASE.id, case_scores, case_scores) == (
        "?lang=nl&case=marja-bijstand"
    )


def test_other_parameters_of_the_address_are_kept() -> None:
    query = with_params("?token=abc&lang=nl&attitude=3", {"lang": "en", "attitude": None})
    assert parse_qs(query[1:]) == {"token": ["abc"], "lang": ["en"]}
    assert with_params("", {"plan": None}) == ""


def test_planner_state_round_trips_in_the_cases_order() -> None:
    ids = [i.id for i in CASE.interventions]
    query = planner_query("", "nl", CASE.id, [ids[2], ids[0]])
    assert f"plan={ids[2]},{ids[0]}" in query  # commas stay readable
    steps, ignored = planner_steps(query, ids)
    assert steps == [ids[0], ids[2]] and ignored == ()
    assert "plan=" not in planner_query("", "nl", CASE.id, [])
    assert planner_steps("?lang=nl", ids) == ([], ())


@pytest.mark.parametrize(
    "value",
    ["9", "0", "-1", "3.5", "3,5", "", "seven", "٣", "07", "<script>alert(1)</script>", "1e1"],
)
def test_a_score_that_is_not_a_whole_number_from_1_to_7_is_skipped_and_named(value: str) -> None:
    scores, ignored = explorer_scores(with_params("", {"attitude": value, "capacity": "2"}))
    assert scores == {"capacity": 2}
    assert ignored == (Ignored("attitude", value.strip()),)
    assert str(ignored[0]) == f"attitude={value.strip()}"


def test_hostile_and_long_values_are_cut_and_kept_as_text() -> None:
    value = "<img src=x onerror=alert(1)>" + "x" * 500
    scores, ignored = explorer_scores(with_params("", {"self_efficacy": value}))
    assert scores == {}
    assert ignored[0].value.startswith("<img src=x onerror=alert(1)>")
    assert len(ignored[0].value) <= 41


@pytest.mark.parametrize(
    "query",
    ["%", "%zz", "&&&", "attitude", "attitude=%ff%fe", "=5", "a=b=c", "?" * 3, "plan=,,,"],
)
def test_malformed_query_strings_never_raise(query: str) -> None:
    scores, _ignored = explorer_scores(query)
    assert set(scores) <= set(DETERMINANTS)
    steps, _skipped = planner_steps(query, [i.id for i in CASE.interventions])
    assert steps == []


def test_unknown_interventions_are_skipped_and_named() -> None:
    ids = [i.id for i in CASE.interventions]
    steps, ignored = planner_steps(f"plan={ids[1]},nope,<b>x</b>", ids)
    assert steps == [ids[1]]
    assert ignored == (Ignored("plan", "nope"), Ignored("plan", "<b>x</b>"))
    steps, ignored = planner_steps("plan=" + ",".join(["x"] * 200), ids)
    assert steps == [] and ignored
