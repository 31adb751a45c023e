"""Which learner ids the gradebook accepts, by where they come from (gradebook/validation.py)."""

from __future__ import annotations

import pytest

from gradebook.errors import InvalidIdentity
from gradebook.validation import MAX_LEARNER_ID_LENGTH, normalise_learner_number

HUB_NAMES = ["jan.de.vries", "j.devries@gemeente.nl", "anna_01", "a", "x-y+z", "7" * 64]
NOT_NAMES = [
    "",
    " ",
    ".jan",
    "-jan",
    "@jan",
    "jan de vries",
    "jan\nvries",
    "../etc",
    "<b>jan</b>",
    "jan/vries",
    "jan\\vries",
    "jänsen",
    "=cmd",
    "x" * 65,
    None,
    12345,
]


@pytest.mark.parametrize("source", ["hub", "header"])
@pytest.mark.parametrize("name", HUB_NAMES)
def test_server_given_user_names_are_accepted_and_folded_to_upper_case(
    source: str, name: str
) -> None:
    """Does a JupyterHub or proxy user name like 'jan.de.vries' fit, stored upper case?"""
    assert normalise_learner_number(name, source) == name.upper()
    assert normalise_learner_number(name) == name.upper()  # and can be looked up


@pytest.mark.parametrize("source", ["hub", "header", None])
@pytest.mark.parametrize("name", NOT_NAMES)
def test_other_user_names_are_refused_with_the_rule(source: str | None, name: object) -> None:
    """Spaces, markup, paths, formula starts, non-ASCII and 65+ characters: refused, explained."""
    with pytest.raises(InvalidIdentity) as info:
        normalise_learner_number(name, source)
    assert "1 tot 64 letters" in info.value.message("nl")
    assert "1 to 64 letters" in info.value.message("en")


@pytest.mark.parametrize("number", ["s1234567", "ABCD", "123456789012"])
def test_typed_learner_numbers_are_4_to_12_letters_or_digits(number: str) -> None:
    assert normalise_learner_number(f" {number} ", "standalone") == number.upper()


@pytest.mark.parametrize("number", ["jan.de.vries", "abc", "1234567890123", "s123 4567", ""])
def test_a_typed_number_outside_the_rule_is_refused_even_if_a_hub_could_give_it(
    number: str,
) -> None:
    """The standalone form keeps its own, stricter rule: learners type short numbers."""
    with pytest.raises(InvalidIdentity) as info:
        normalise_learner_number(number, "standalone")
    assert "4 tot 12 letters of cijfers" in info.value.message("nl")


def test_the_longest_id_matches_the_database_column() -> None:
    from database.models import Learner

    assert Learner.__table__.c.learner_number.type.length == MAX_LEARNER_ID_LENGTH
