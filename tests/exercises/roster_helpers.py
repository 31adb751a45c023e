"""A learner on a class roster with a known personal code, for tests that sign in."""

from __future__ import annotations

from gradebook import Gradebook, RosterRow, open_gradebook


def roster_code(gb: Gradebook, number: str, name: str, class_name: str = "Testklas") -> str:
    """Put ``number`` on the roster of ``class_name`` and return their personal code (a learner
    already in the class gets a new code, as a trainer's reset gives)."""
    result = gb.import_roster(class_name, [RosterRow(number.upper(), name)])
    if result.issued:
        return result.issued[0].code
    return gb.reset_code(number).code


def roster_code_at(database_url: str, number: str, name: str) -> str:
    """:func:`roster_code` in the gradebook at ``database_url`` (a running server's)."""
    with open_gradebook(database_url) as gb:
        return roster_code(gb, number, name)
