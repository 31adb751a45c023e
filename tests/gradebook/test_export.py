"""CSV exports: the grade sheet per column style, the attempts file, formula neutralising."""

from __future__ import annotations

import csv
import io

import pytest

from gradebook import Gradebook
from gradebook.export import attempts_csv, gradebook_csv, neutralise


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def filled(gb: Gradebook) -> Gradebook:
    """Two learners; A tried ex-a twice (2 then 1 of 4) and ex-b once; B only ex-a (3)."""
    gb.register_learner("s0000001", "Anna de Vries")
    gb.register_learner("s0000002", "Bram, B.")
    gb.register_learner("s0000003", "Cas zonder pogingen")
    gb.record_attempt("s0000001", "ex-a", 1, {}, {"q1": 1, "q2": 1}, 4)
    gb.record_attempt("s0000001", "ex-a", 2, {}, {"q1": 1}, 4)
    gb.record_attempt("s0000001", "ex-b", 1, {}, {"q1": 0.25}, 1)
    gb.record_attempt("s0000002", "ex-a", 1, {}, {"q1": 3}, 4)
    return gb


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 12345678", "'+31 6 12345678"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Anna", "Anna"),
        ("a=b", "a=b"),
        ("Jan;=1+1;=cmd|' /C calc'!A0;", "Jan;'=1+1;'=cmd|' /C calc'!A0;"),
        ("Bram, -2+cmd", "Bram, '-2+cmd"),
        ("x|@SUM(A1)", "x|'@SUM(A1)"),
        ("regel\n=1+1", "regel\n'=1+1"),
        ("Bram, B.", "Bram, B."),
        ('{"a": 1, "b": [-2, 3.5]}', '{"a": 1, "b": [-2, 3.5]}'),
        (None, ""),
        (1.5, "1.5"),
    ],
)
def test_neutralise(cell: object, expected: str) -> None:
    """Is a formula character neutralised with a single quote at the start and after any
    delimiter a spreadsheet may split on, and is everything else (a plain number inside an
    answer's JSON included) left as it is?"""
    assert neutralise(cell) == expected


def test_generic_sheet_has_one_row_per_learner_and_one_column_per_exercise(
    filled: Gradebook,
) -> None:
    """Best per exercise; a learner without an attempt gets an empty cell."""
    assert rows(gradebook_csv(filled, {"ex-a": "best", "ex-b": "best"}, ["ex-a", "ex-b"])) == [
        ["learner_number", "display_name", "ex-a", "ex-b"],
        ["S0000001", "Anna de Vries", "2", "0.25"],
        ["S0000002", "Bram, B.", "3", ""],
        ["S0000003", "Cas zonder pogingen", "", ""],
    ]


def test_the_policy_is_chosen_per_exercise(filled: Gradebook) -> None:
    """Does 'last' for ex-a take A's second attempt while ex-b stays 'best'?"""
    sheet = rows(gradebook_csv(filled, {"ex-a": "last"}, ["ex-a", "ex-b"]))
    assert sheet[1] == ["S0000001", "Anna de Vries", "1", "0.25"]
    with pytest.raises(ValueError, match="policy 'mean'"):
        gradebook_csv(filled, {"ex-a": "mean"}, ["ex-a"])


def test_the_exercises_default_to_all_with_attempts(filled: Gradebook) -> None:
    assert rows(gradebook_csv(filled))[0][2:] == ["ex-a", "ex-b"]
    assert rows(gradebook_csv(filled, "best", ["ex-b"]))[0][2:] == ["ex-b"]


def test_brightspace_style(filled: Gradebook) -> None:
    """OrgDefinedId (with Brightspace's '#'), '<name> Points Grade', End-of-Line Indicator."""
    sheet = rows(gradebook_csv(filled, "best", ["ex-a", "ex-b"], lms="brightspace"))
    assert sheet[0] == [
        "OrgDefinedId",
        "ex-a Points Grade",
        "ex-b Points Grade",
        "End-of-Line Indicator",
    ]
    assert sheet[1] == ["#S0000001", "2", "0.25", "#"]


def test_canvas_style(filled: Gradebook) -> None:
    """Student, ID, SIS User ID, SIS Login ID, Section, then the assignments; Points Possible."""
    sheet = rows(gradebook_csv(filled, "best", ["ex-a", "ex-b"], lms="canvas"))
    assert sheet[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ex-a", "ex-b"]
    assert sheet[1] == ["    Points Possible", "", "", "", "", "4", "1"]
    assert sheet[3] == ["Bram, B.", "", "S0000002", "", "", "3", ""]


def test_moodle_style(filled: Gradebook) -> None:
    """An identifier column (idnumber) to map users on, then the grade columns."""
    sheet = rows(gradebook_csv(filled, "best", ["ex-a"], lms="moodle"))
    assert sheet[0] == ["idnumber", "fullname", "ex-a"]
    assert sheet[1] == ["S0000001", "Anna de Vries", "2"]


def test_unknown_lms_style_is_refused(filled: Gradebook) -> None:
    with pytest.raises(ValueError, match="lms 'blackboard'"):
        gradebook_csv(filled, lms="blackboard")


def test_attempts_csv_has_every_attempt(filled: Gradebook) -> None:
    """One row per stored attempt, with its number, points, score and JSON columns."""
    sheet = rows(attempts_csv(filled))
    assert sheet[0][:6] == [
        "attempt_id",
        "learner_number",
        "display_name",
        "exercise_id",
        "variant",
        "attempt_no",
    ]
    assert len(sheet) == 5
    first = dict(zip(sheet[0], sheet[1], strict=True))
    assert first["points"] == "2" and first["max_points"] == "4" and first["score"] == "0.5000"
    assert first["item_scores"] == '{"q1": 1.0, "q2": 1.0}'
    assert first["submitted_at"].endswith("+00:00")
    assert len(rows(attempts_csv(filled, ["ex-b"]))) == 2


def test_columns_can_carry_the_lms_grade_item_name(filled: Gradebook) -> None:
    """Can the teacher head a column with the LMS's own item name, e.g. Canvas 'Quiz 1 (23)'?"""
    names = {"ex-a": "Quiz 1 (23)"}
    canvas = rows(gradebook_csv(filled, "best", ["ex-a", "ex-b"], lms="canvas", column_names=names))
    assert canvas[0][5:] == ["Quiz 1 (23)", "ex-b"]
    bright = rows(gradebook_csv(filled, "best", ["ex-a"], lms="brightspace", column_names=names))
    assert bright[0][1] == "Quiz 1 (23) Points Grade"
    hostile = rows(gradebook_csv(filled, "best", ["ex-a"], column_names={"ex-a": "=1+1"}))
    assert hostile[0][2] == "'=1+1"


@pytest.mark.parametrize("lms", ["generic", "brightspace", "canvas", "moodle"])
def test_hub_user_names_are_exported_as_the_hub_writes_them(gb: Gradebook, lms: str) -> None:
    """Stored upper case, a hub or proxy user name leaves in lower case, as the LMS knows it."""
    gb.register_learner("jan.de.vries", "jan.de.vries", identity_source="hub")
    gb.register_learner("s0000001", "Anna")
    gb.record_attempt("jan.de.vries", "ex-a", 1, {}, {"q1": 3}, 4)
    gb.record_attempt("s0000001", "ex-a", 1, {}, {"q1": 1}, 4)
    sheet = gradebook_csv(gb, "best", ["ex-a"], lms=lms)
    assert "jan.de.vries" in sheet and "JAN.DE.VRIES" not in sheet
    assert "S0000001" in sheet  # typed numbers as stored
    learner_rows = [r for r in rows(sheet) if any("jan.de.vries" in cell for cell in r)]
    assert len(learner_rows) == 1 and "3" in learner_rows[0]
    attempts = attempts_csv(gb)
    assert "jan.de.vries" in attempts and "JAN.DE.VRIES" not in attempts


def test_attempts_on_a_retired_exercise_are_exported_and_marked(gb: Gradebook) -> None:
    """Migration 0005 retired "predict" (replaced by compare-clients): its attempts stay in
    both exports, marked; attempts on other exercises are marked active."""
    gb.register_learner("s0000001", "Anna")
    gb.record_attempt("s0000001", "predict", 1, {"intention": 40}, {"intention": 1}, 2)
    gb.record_attempt("s0000001", "compare-clients", 1, {"q1": "first"}, {"q1": 1}, 3)
    assert set(gb.retired_exercises()) == {"predict", "caseload-question"}
    every = rows(attempts_csv(gb))
    assert every[0][-2:] == ["exercise_status", "replaced_by"]
    marks = {row[3]: row[-2:] for row in every[1:]}
    assert marks == {"predict": ["retired", "compare-clients"], "compare-clients": ["active", ""]}
    for lms in ("generic", "moodle", "canvas", "brightspace"):
        sheet = rows(gradebook_csv(gb, {"predict": "last"}, lms=lms))
        assert any("predict (retired; replaced by compare-clients)" in h for h in sheet[0])
        assert any(h == "compare-clients" or h.startswith("compare-clients ") for h in sheet[0])
    generic = rows(gradebook_csv(gb))
    assert generic[1][generic[0].index("predict (retired; replaced by compare-clients)")] == "1"
    # a name the trainer gives the column in the LMS is kept as given
    named = rows(gradebook_csv(gb, column_names={"predict": "Quiz 1 (23)"}))
    assert "Quiz 1 (23)" in named[0]
