"""Case files: the shipped cases are valid and tell their story; broken files are named precisely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from igm.cases import GROUPS, CaseError, cases_dir, find_case, list_cases, load_case, validate_file
from igm.determinants import KUNNEN, WILLEN
from igm.model import model_for


@pytest.fixture(scope="module")
def cases() -> list[Any]:
    return list_cases()


@pytest.fixture
def valid(tmp_path: Path) -> dict[str, Any]:
    """A valid case as parsed YAML, to break one field at a time."""
    data: dict[str, Any] = yaml.safe_load((cases_dir() / "marja-bijstand.yaml").read_text())
    return data


def write(tmp_path: Path, data: Any, name: str = "marja-bijstand.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def messages(path: Path) -> list[str]:
    return [str(p) for p in validate_file(path)]


def test_at_least_six_cases_covering_every_group(cases: list[Any]) -> None:
    assert len(cases) >= 6
    assert {c.group for c in cases} >= set(GROUPS)
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert case.interventions, case.id
        for intervention in case.interventions:
            assert intervention.effects and 1 <= intervention.effort <= 5


def test_cases_differ_willen_kunnen_and_the_gap(cases: list[Any]) -> None:
    """Is there a willen case, a kunnen case and one who intends but does not act?"""
    predictions = {c.id: model_for(c.domain).predict(c.scores) for c in cases}
    willen_problem = [
        i for i, p in predictions.items() if p.intention < 35 and p.ability >= p.intention + 25
    ]
    kunnen_problem = [
        i for i, p in predictions.items() if p.intention >= 70 and p.ability <= p.intention - 25
    ]
    gap = [
        c.id
        for c in cases
        if predictions[c.id].intention >= 70
        and predictions[c.id].behaviour_probability < 0.5
        and c.scores.self_regulation <= 2
    ]
    assert willen_problem, {i: (p.intention, p.ability) for i, p in predictions.items()}
    assert kunnen_problem, {i: (p.intention, p.ability) for i, p in predictions.items()}
    assert gap, {i: (p.intention, p.behaviour_probability) for i, p in predictions.items()}
    for case_id in willen_problem:
        assert predictions[case_id].bottleneck in WILLEN
    for case_id in kunnen_problem:
        assert predictions[case_id].bottleneck in KUNNEN


def test_find_case_by_id_and_by_path(tmp_path: Path, valid: dict[str, Any]) -> None:
    assert find_case("marja-bijstand").id == "marja-bijstand"
    valid["id"] = "nieuw-geval"
    path = write(tmp_path, valid, "nieuw-geval.yaml")
    assert find_case(str(path)).id == "nieuw-geval"
    with pytest.raises(CaseError, match=r"no such case; known cases: .*marja-bijstand"):
        find_case("does-not-exist")


def test_a_new_file_in_the_folder_is_listed(tmp_path: Path, valid: dict[str, Any]) -> None:
    """Does a trainer's new case work without code changes?"""
    valid["id"] = "eigen-casus"
    write(tmp_path, valid, "eigen-casus.yaml")
    assert [c.id for c in list_cases(tmp_path)] == ["eigen-casus"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["scores"]["attitude"].update(score=9),
            "scores.attitude.score: 9 is out of range; allowed: a whole number from 1 to 7",
        ),
        (
            lambda d: d["scores"]["attitude"].update(score=3.5),
            "scores.attitude.score: 3.5 is not a whole number; allowed: a whole number from 1 to 7",
        ),
        (
            lambda d: d["interventions"][0]["effects"].update(capacity=5),
            "interventions[0].effects.capacity: 5 is out of range; allowed: a whole number from 1 to 3",
        ),
        (
            lambda d: d["scores"]["capacity"].update(score="hoog"),
            "scores.capacity.score: expected a whole number, got text 'hoog'",
        ),
        (
            lambda d: d["narrative"].pop("en"),
            "narrative.en: is missing; every text needs nl and en",
        ),
        (lambda d: d["title"].update(de="Titel"), "title.de: unknown language; allowed: nl, en"),
        (
            lambda d: d["scores"].update(
                motivatie={"score": 3, "evidence": {"nl": "x", "en": "x"}}
            ),
            "scores.motivatie: unknown determinant; allowed: attitude",
        ),
        (lambda d: d["scores"].pop("home_situation"), "scores.home_situation: is missing"),
        (lambda d: d.update(domain="sport"), "domain: 'sport' is not allowed; allowed: job_search"),
        (lambda d: d.update(group="niet-willer"), "group: 'niet-willer' is not allowed"),
        (lambda d: d.update(fictional=False), "fictional: must be true"),
        (lambda d: d.update(id="Marja Bijstand"), "id: 'Marja Bijstand' is not allowed"),
        (lambda d: d.pop("target_behaviour"), "target_behaviour: is missing"),
        (
            lambda d: d["interventions"][0]["effects"].update(motivatie=1),
            "interventions[0].effects.motivatie: unknown determinant",
        ),
        (
            lambda d: d["interventions"][0].update(effort=9),
            "interventions[0].effort: 9 is out of range; allowed: a whole number from 1 to 5",
        ),
        (
            lambda d: d["interventions"][1].update(id=d["interventions"][0]["id"]),
            "interventions[1].id: ",
        ),
        (lambda d: d.update(scores=[1, 2, 3]), "scores: expected a mapping of fields, got a list"),
    ],
)
def test_each_problem_names_file_field_and_what_is_allowed(
    tmp_path: Path, valid: dict[str, Any], change: Any, expected: str
) -> None:
    change(valid)
    path = write(tmp_path, valid)
    found = messages(path)
    assert any(m.startswith(f"{path}: ") and expected in m for m in found), found


def test_all_problems_are_reported_at_once(tmp_path: Path, valid: dict[str, Any]) -> None:
    valid["scores"]["attitude"]["score"] = 0
    valid["summary"].pop("nl")
    valid["domain"] = "x"
    assert len(messages(write(tmp_path, valid))) == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is a binary file"),
        (b"\xff\xfe\xfa not utf8", "is not UTF-8 text"),
        (b"id: x\nscores: [1, 2\nname: y\n", "invalid YAML at line 3"),
        (b"- just\n- a list\n", "expected a mapping of fields, got a list"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    found = messages(path)
    assert len(found) == 1 and expected in found[0] and str(path) in found[0], found


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="file not found"):
        load_case(tmp_path / "nope.yaml")
