"""DeterminantScores: the 1–7 scale is enforced and errors name the field and the value."""

from __future__ import annotations

import pytest

from igm.determinants import DETERMINANTS, KUNNEN, WILLEN, DeterminantScores, block_of


def test_keys_and_blocks() -> None:
    assert DETERMINANTS == WILLEN + KUNNEN
    assert len(WILLEN) == 3 and len(KUNNEN) == 4
    assert {block_of(k) for k in WILLEN} == {"willen"}
    assert {block_of(k) for k in KUNNEN} == {"kunnen"}
    with pytest.raises(KeyError, match="allowed"):
        block_of("motivation")


@pytest.mark.parametrize("bad", [0, 7.5, -1])
def test_out_of_scale_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match=r"self_efficacy: .* outside the scale 1 to 7"):
        DeterminantScores(4, 4, bad, 4, 4, 4, 4)


def test_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match="capacity: expected a number"):
        DeterminantScores(4, 4, 4, 4, 4, "high", 4)  # type: ignore[arg-type]


def test_from_mapping_names_unknown_and_missing_keys() -> None:
    values = dict.fromkeys(DETERMINANTS, 4.0)
    with pytest.raises(KeyError, match="unknown determinant 'motivation'"):
        DeterminantScores.from_mapping(values | {"motivation": 3})
    del values["capacity"]
    with pytest.raises(KeyError, match="missing determinant 'capacity'"):
        DeterminantScores.from_mapping(values)


def test_raised_is_capped_and_with_values_is_checked() -> None:
    s = DeterminantScores(4, 4, 6, 4, 4, 4, 1)
    assert s.raised({"self_efficacy": 3, "self_regulation": -2}).as_dict() == (
        s.as_dict() | {"self_efficacy": 7, "self_regulation": 1}
    )
    with pytest.raises(ValueError):
        s.with_values({"attitude": 9})
    assert list(s) == list(DETERMINANTS)
    assert s["capacity"] == 4
