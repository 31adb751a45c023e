"""Writing cases: every shipped case survives data -> YAML -> strict loader unchanged, hostile text
reads back literally, the file looks like the shipped ones, and saving never overwrites silently."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from igm.case_writer import case_to_data, case_yaml, save_case
from igm.cases import Case, CaseError, list_cases, load_case, scan_cases
from igm.safe_yaml import load_yaml

SHIPPED = list_cases()

#: Text that means something to YAML, Jinja, MyST, HTML or a shell; it must stay text.
HOSTILE = (
    "He said: \"no\" and 'yes' {{ lipsum.__globals__['os'].popen('id') }} {% raw %}"
    " <script>alert(1)</script>\n- not a list item\n# not a comment\n*alias &anchor !!python/object"
    "\ttab: value\n  indented: yes\n```{literalinclude} /etc/passwd\n```\n[x](javascript:alert(1))"
)
ONE_LINERS = (
    "- leading dash",
    "*alias",
    "&anchor",
    "!tag",
    "# hash",
    "yes",
    "null",
    "012",
    "1e3",
    "~",
    "@at",
    "`tick`",
    "%percent",
    "key: value",
    "{{ 7 * 7 }}",
    "{nl: x}",
    "[1, 2]",
    "a\tb",
    "'single'",
    '"double"',
    "trailing backslash \\",
    "Ünïcødé ‘quotes’ — €",
)


def same_case(a: Case, b: Case) -> bool:
    return dataclasses.replace(a, path=Path("x")) == dataclasses.replace(b, path=Path("x"))


@pytest.mark.parametrize("case", SHIPPED, ids=[c.id for c in SHIPPED])
def test_every_shipped_case_round_trips(case: Case, tmp_path: Path) -> None:
    path = save_case(case_to_data(case), tmp_path)
    assert path == tmp_path / f"{case.id}.yaml"
    assert same_case(load_case(path), case)


@pytest.mark.parametrize("case", SHIPPED, ids=[c.id for c in SHIPPED])
def test_written_file_reads_like_the_shipped_one(case: Case) -> None:
    """Same field order, block scalars, flow maps, quotes and blank lines: byte for byte."""
    text = case_yaml(case_to_data(case))
    assert text == case.path.read_text(encoding="utf-8")
    events = list(yaml.parse(text))
    assert not any(isinstance(e, yaml.AliasEvent) for e in events)
    assert all(getattr(e, "anchor", None) is None for e in events)
    assert all(getattr(e, "tag", None) is None for e in events)
    # the strict loader takes it (no anchors, aliases, tags or duplicate keys)
    assert load_yaml(text) == yaml.safe_load(text)


def hostile_data(text: str) -> dict[str, Any]:
    data = case_to_data(SHIPPED[0])
    data["title"]["nl"] = text
    data["summary"]["en"] = text
    data["narrative"]["nl"] = text
    data["target_behaviour"]["time"]["en"] = text
    data["scores"]["capacity"]["evidence"]["nl"] = text
    data["interventions"][0]["label"]["en"] = text
    data["interventions"][1]["description"]["nl"] = text
    if "\n" not in text:
        data["name"] = text
    return data


@pytest.mark.parametrize("text", [HOSTILE, *ONE_LINERS])
def test_hostile_text_reads_back_literally(text: str, tmp_path: Path) -> None:
    path = save_case(hostile_data(text), tmp_path)
    case = load_case(path)
    assert case.title("nl") == text
    assert case.summary("en") == text
    assert case.narrative("nl") == text
    assert case.target_behaviour.time("en") == text
    assert case.evidence["capacity"]("nl") == text
    assert case.interventions[0].label("en") == text
    assert case.interventions[1].description("nl") == text
    if "\n" not in text:
        assert case.name == text


def test_one_object_used_twice_is_written_out_twice_not_as_an_alias(tmp_path: Path) -> None:
    data = case_to_data(SHIPPED[0])
    shared = {"nl": "zelfde tekst", "en": "same text"}
    for key in data["scores"]:
        data["scores"][key]["evidence"] = shared
    text = case_yaml(data)
    assert "&id" not in text and "*id" not in text
    assert text.count("zelfde tekst") == 7
    assert same_case(
        load_case(save_case(data, tmp_path)), load_case(save_case(data, tmp_path, overwrite=True))
    )


def test_an_invalid_case_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    data = case_to_data(SHIPPED[0])
    data["scores"]["attitude"]["score"] = 8
    data["id"] = "nieuw"
    with pytest.raises(CaseError) as caught:
        save_case(data, tmp_path)
    assert [p.field for p in caught.value.problems] == ["scores.attitude.score"]
    data["id"] = "Met Spaties"
    data["scores"]["attitude"]["score"] = 3
    with pytest.raises(CaseError) as caught:
        save_case(data, tmp_path)
    assert caught.value.problems[0].field == "id"
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_never_overwritten_without_asking(tmp_path: Path) -> None:
    first = case_to_data(SHIPPED[0])
    path = save_case(first, tmp_path)
    before = path.read_bytes()
    second = copy.deepcopy(first)
    second["title"]["nl"] = "Een andere casus met dezelfde bestandsnaam"
    with pytest.raises(FileExistsError):
        save_case(second, tmp_path)
    assert path.read_bytes() == before
    assert save_case(second, tmp_path, overwrite=True) == path
    assert load_case(path).title("nl") == "Een andere casus met dezelfde bestandsnaam"
    # no temporary file is left behind, and the folder scan sees exactly one case
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert [c.id for c in scan_cases(tmp_path).cases] == [first["id"]]


def test_an_existing_yml_file_counts_as_the_case_file(tmp_path: Path) -> None:
    data = case_to_data(SHIPPED[0])
    legacy = tmp_path / f"{data['id']}.yml"
    legacy.write_text(case_yaml(data), encoding="utf-8")
    with pytest.raises(FileExistsError):
        save_case(data, tmp_path)
    assert save_case(data, tmp_path, overwrite=True) == legacy
    assert not (tmp_path / f"{data['id']}.yaml").exists()


def test_case_to_data_is_what_a_case_file_holds() -> None:
    for case in SHIPPED:
        data = case_to_data(case)
        raw = load_yaml(case.path.read_text(encoding="utf-8"))
        assert list(data) == list(raw)
        assert data["scores"] == {
            key: {
                "score": entry["score"],
                "evidence": {k: v.strip() for k, v in entry["evidence"].items()},
            }
            for key, entry in raw["scores"].items()
        }
        assert all(isinstance(entry["score"], int) for entry in data["scores"].values())
