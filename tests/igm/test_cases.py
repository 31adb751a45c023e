"""Case files: the shipped cases are valid and tell their story; broken files are named precisely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from igm.cases import (
    GROUPS,
    CaseError,
    cases_dir,
    find_case,
    list_cases,
    load_case,
    scan_cases,
    validate_file,
)
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


def messages(path: Path, lang: str = "en") -> list[str]:
    return [p.text(lang) for p in validate_file(path)]


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
    # The best lever (and its equal, when two are about equal) lies in the block that brakes.
    for ids, block in ((willen_problem, WILLEN), (kunnen_problem, KUNNEN)):
        for case_id in ids:
            p = predictions[case_id]
            assert p.levers[0].key in block
            assert all(key in block for key in p.close_levers or ())


def test_find_case_by_id_and_by_path(tmp_path: Path, valid: dict[str, Any]) -> None:
    assert find_case("marja-bijstand").id == "marja-bijstand"
    valid["id"] = "nieuw-geval"
    path = write(tmp_path, valid, "nieuw-geval.yaml")
    assert find_case(str(path)).id == "nieuw-geval"
    with pytest.raises(
        CaseError, match=r"deze casus bestaat niet; bekende casussen: .*marja-bijstand"
    ) as info:
        find_case("does-not-exist")
    assert "no such case; known cases: " in info.value.text("en")


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
            "narrative.en: is missing; every text needs both languages (nl, en)",
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
        (
            lambda d: d["interventions"][0].update(effects={}),
            "interventions[0].effects: names 0 determinants; allowed: 1 to 3",
        ),
    ],
)
def test_each_problem_names_file_field_and_what_is_allowed(
    tmp_path: Path, valid: dict[str, Any], change: Any, expected: str
) -> None:
    change(valid)
    path = write(tmp_path, valid)
    found = messages(path)
    assert any(m.startswith(f"{path}:") and expected in m for m in found), found


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
        (b"id: x\nscores: [1, 2\nname: y\n", "brackets do not match"),
        (b"- just\n- a list\n", "expected a mapping of fields, got a list"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    found = messages(path)
    assert len(found) == 1 and expected in found[0] and str(path) in found[0], found


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="bestand niet gevonden"):
        load_case(tmp_path / "nope.yaml")


def marja_text() -> str:
    return (cases_dir() / "marja-bijstand.yaml").read_text(encoding="utf-8")


def test_a_second_capacity_block_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    """A duplicate key used to change the prediction silently (last one won)."""
    text = marja_text()
    first = text.splitlines().index("  capacity:") + 1
    text = text.replace(
        "interventions:\n",
        "  capacity:\n    score: 7\n    evidence: {nl: x, en: x}\ninterventions:\n",
        1,
    )
    # the second block sits inside `scores`, right before `interventions`
    path = tmp_path / "marja-bijstand.yaml"
    path.write_text(text, encoding="utf-8")
    (problem,) = validate_file(path)
    second = text.splitlines().index("  capacity:", first) + 1
    assert problem.line == second
    assert problem.text("en") == (
        f"{path}:{second}: the field 'capacity' occurs twice (also on line {first}); remove one"
    )
    assert f"ook op regel {first}" in problem.text("nl")
    assert scan_cases(tmp_path).cases == ()


def test_a_second_title_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "marja-bijstand.yaml"
    path.write_text(marja_text() + "title: {nl: Andere titel, en: Other title}\n", encoding="utf-8")
    (problem,) = validate_file(path)
    assert problem.key == "yaml.duplicate_key" and problem.values["name"] == "title"


def test_an_alias_bomb_case_file_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    from tests.igm.test_safe_yaml import ALIAS_BOMB

    path = tmp_path / "bom.yaml"
    path.write_text("id: bom\n" + ALIAS_BOMB + "\n", encoding="utf-8")
    tracemalloc.start()
    try:
        (problem,) = validate_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20
    assert problem.text("en") == (
        f"{path}:2: the anchor &a is not allowed in a case file; write the text out in full"
    )


@pytest.mark.parametrize(
    ("replace_what", "with_what", "expected"),
    [
        ("score: 3", "score: " + "9" * 100_000, "number of 100000 digits is too long"),
        ("score: 3", "score: " + "[" * 3000 + "]" * 3000, "nested too deeply"),
        ("score: 3", "score: !!python/object/apply:os.system ['id']", "the tag"),
        ("score: 3", "score: .inf", ".inf is not a usable number"),
    ],
)
def test_hostile_yaml_in_a_case_file_names_the_file_and_line(
    tmp_path: Path, replace_what: str, with_what: str, expected: str
) -> None:
    text = marja_text()
    line = text.splitlines().index("    " + replace_what) + 1
    path = tmp_path / "marja-bijstand.yaml"
    path.write_text(text.replace(replace_what, with_what, 1), encoding="utf-8")
    (problem,) = validate_file(path)
    assert problem.text("en").startswith(f"{path}:{line}: ") and expected in problem.text("en")


@pytest.mark.parametrize(
    ("content", "line", "dutch"),
    [
        (
            "id: x\nscores:\n\tattitude: 3\n",
            3,
            "inspringing klopt niet: gebruik spaties, geen tabs",
        ),
        (
            "id: x\nscores:\n  attitude:\n    score: 3\n   evidence: y\n",
            5,
            "inspringing klopt niet: velden op hetzelfde niveau",
        ),
        ('id: x\nname: "Marja\nsummary: y\n', 2, "aanhalingsteken niet gesloten"),
        ("id: x\ntitle: Marja: terug naar werk\n", 2, "onverwachte dubbele punt"),
        ("id: x\nscores: [1, 2\nname: y\n", 3, "haakjes kloppen niet"),
    ],
)
def test_yaml_mistakes_read_as_plain_words_with_their_line(
    tmp_path: Path, content: str, line: int, dutch: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(content, encoding="utf-8")
    (problem,) = validate_file(path)
    assert problem.line == line
    assert dutch in problem.text("nl")
    assert "<block" not in problem.text("nl") + problem.text("en")  # no parser jargon


def test_field_problems_carry_the_line_of_the_field(tmp_path: Path, valid: dict[str, Any]) -> None:
    text = marja_text().replace("    score: 4\n", "    score: 8\n", 1)
    path = tmp_path / "marja-bijstand.yaml"
    path.write_text(text, encoding="utf-8")
    (problem,) = validate_file(path)
    assert problem.field == "scores.capacity.score"
    assert problem.line == text.splitlines().index("    score: 8") + 1
    assert problem.message("nl") == (
        "8 valt buiten de schaal; toegestaan: een heel getal van 1 tot en met 7"
    )


def test_scan_skips_an_invalid_file_and_sees_changes_at_once(tmp_path: Path) -> None:
    for source in sorted(cases_dir().glob("*.yaml"))[:3]:
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    names = sorted(p.stem for p in tmp_path.glob("*.yaml"))
    assert [c.id for c in scan_cases(tmp_path).cases] == names

    broken = tmp_path / f"{names[1]}.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("score: ", "score: 8 #", 1), encoding="utf-8")
    scan = scan_cases(tmp_path)
    assert [c.id for c in scan.cases] == [names[0], names[2]]
    assert list_cases(tmp_path) == list(scan.cases)
    assert scan.skipped_files() == [str(broken)]
    (nl,) = scan.warnings("nl")
    (en,) = scan.warnings("en")
    assert nl.startswith(f"Casus overgeslagen: {broken}:") and "valt buiten de schaal" in nl
    assert en.startswith(f"Case skipped: {broken}:") and "is out of range" in en

    broken.write_text(good, encoding="utf-8")  # fixed: back on the next scan
    assert [c.id for c in scan_cases(tmp_path).cases] == names


def test_texts_are_bounded(tmp_path: Path, valid: dict[str, Any]) -> None:
    valid["narrative"]["nl"] = "x" * 20_001
    (problem,) = validate_file(write(tmp_path, valid))
    assert problem.field == "narrative.nl" and problem.key == "text_too_long"
