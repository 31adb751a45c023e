"""The strict YAML reader: plain data in, every expansion trick refused before it expands."""

from __future__ import annotations

import itertools
import tracemalloc
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from igm.safe_yaml import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_DIGITS,
    YamlRefusal,
    load_yaml,
    load_yaml_with_lines,
)

#: The classic "billion laughs": nine levels of nine aliases, 9**9 strings once expanded.
_LEVELS = "abcdefghi"
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    for prev, name in itertools.pairwise(_LEVELS)
)


def refusal(text: str) -> YamlRefusal:
    with pytest.raises(YamlRefusal) as info:
        load_yaml(text)
    return info.value


def test_plain_data_reads_as_with_safe_load() -> None:
    text = "id: x\nscores:\n  attitude: {score: 3, evidence: {nl: 'a: b', en: \"c\"}}\nlist: [1, 2.5, yes, null]\n"
    assert load_yaml(text) == yaml.safe_load(text)


def test_lines_of_every_field() -> None:
    data, lines = load_yaml_with_lines(
        "id: x\nscores:\n  attitude:\n    score: 3\nitems:\n  - a\n  - b\n"
    )
    assert data["scores"]["attitude"]["score"] == 3
    assert lines["id"] == 1
    assert lines["scores.attitude.score"] == 4
    assert lines["items[1]"] == 7


def test_alias_bomb_is_refused_before_it_expands() -> None:
    assert len(ALIAS_BOMB) < 600
    tracemalloc.start()
    try:
        found = refusal(ALIAS_BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found.key == "anchor" and found.line == 1
    assert peak < 2 * 2**20, f"peak memory {peak} bytes"


def test_aliases_anchors_and_merge_keys_are_refused() -> None:
    assert refusal("a: &x 1\n").key == "anchor"
    assert refusal("a: *x\n").key == "alias"
    assert refusal("a: {b: 1}\n<<: {c: 2}\n").key == "merge_key"


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['id']\n",
        "a: !!binary aGVsbG8=\n",
        "a: !local x\n",
        "!!map {a: 1}\n",
        "a: !!set {x, y}\n",
    ],
)
def test_tags_are_refused(text: str) -> None:
    assert refusal(text).key == "tag"


def test_duplicate_key_names_both_lines() -> None:
    found = refusal("id: x\ncapacity:\n  score: 2\nname: y\ncapacity:\n  score: 7\n")
    assert (found.key, found.values, found.line) == (
        "duplicate_key",
        {"name": "capacity", "first": 2},
        5,
    )
    nested = refusal("scores:\n  attitude: {score: 3, score: 4}\n")
    assert nested.key == "duplicate_key" and nested.values["name"] == "score"


def test_huge_numbers_are_refused_without_converting_them() -> None:
    found = refusal("score: " + "9" * 100_000 + "\n")
    assert found.key == "number_too_long" and found.values["digits"] == 100_000
    assert refusal("score: 1" + "0" * MAX_DIGITS + ".5\n").key == "number_too_long"
    assert load_yaml("score: " + "9" * MAX_DIGITS + "\n") == {"score": int("9" * MAX_DIGITS)}
    assert refusal("score: .inf\n").key == "not_finite"
    assert refusal("score: 1.0e+999\n").key == "not_finite"


def test_nesting_depth_is_bounded() -> None:
    assert load_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)) is not None
    found = refusal("a: " + "[" * 5000 + "]" * 5000)
    assert found.key == "too_deep"
    assert (
        refusal("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)) + "  " * 40 + "x").key
        == "too_deep"
    )


def test_size_is_bounded_before_parsing() -> None:
    found = refusal("a: '" + "x" * MAX_BYTES + "'\n")
    assert found.key == "too_large"


def test_complex_keys_are_refused() -> None:
    assert refusal("? [a, b]\n: 1\n").key == "complex_key"


def test_syntax_errors_stay_yaml_errors_with_a_line() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        load_yaml("id: x\nscores:\n\tattitude: 3\n")
    assert info.value.problem_mark is not None and info.value.problem_mark.line + 1 == 3


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=30),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_agrees_with_safe_load_on_plain_data(data: Any) -> None:
    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    text = yaml.dump({"root": data}, Dumper=NoAliases, allow_unicode=True)
    try:
        assert load_yaml(text) == yaml.safe_load(text)
    except YamlRefusal as exc:  # only the depth bound may refuse generated data
        assert exc.key == "too_deep"
