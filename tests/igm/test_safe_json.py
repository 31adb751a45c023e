"""Request bodies: shallow JSON parses as ``json`` does; deep nesting is a clear ValueError."""

from __future__ import annotations

import json

import pytest

from igm.safe_json import MAX_DEPTH, TooDeep, loads_limited, nesting_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[{"', 0),  # brackets inside a string do not count
        ('"a\\\\"', 0),  # an escaped backslash ends before the closing quote
        ('{"a": "\\"[", "b": [1, [2]]}', 3),
        ("[[], [[]]]", 3),
    ],
)
def test_nesting_depth_counts_arrays_and_objects_outside_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_a_body_within_the_limit_parses_as_json_does() -> None:
    body = {"answers": {"q1": ["a", {"b": [1, 2.5, None]}]}, "lang": "nl"}
    text = json.dumps(body)
    assert loads_limited(text) == body
    assert loads_limited(text.encode()) == body
    nested: object = 1
    for _ in range(MAX_DEPTH):
        nested = [nested]
    assert loads_limited(json.dumps(nested)) == nested


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 2000, 100_000])
def test_deeper_bodies_are_refused_before_json_recurses(depth: int) -> None:
    with pytest.raises(TooDeep, match="deeper than"):
        loads_limited("[" * depth + "]" * depth)
    assert issubclass(TooDeep, ValueError)  # callers that catch ValueError answer 400


def test_malformed_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        loads_limited("{not json")
