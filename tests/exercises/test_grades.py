"""One counting grade: what the learner's page says counts is what the dashboard shows, what
its CSV holds and what every ``igm grades export`` variant sends to the LMS.

Real attempts, made through the exercise app as a learner makes them (best-then-worse and
worse-then-best, so "best" and "last" give different grades for every exercise)."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import exercises.app as ea
from exercises import EXERCISE_IDS, get_exercise
from exercises.app import ExerciseApp
from exercises.dashboard import Dashboard
from exercises.grades import retry_policies, retry_policy
from gradebook import Gradebook, open_gradebook
from gradebook.export import LMS_STYLES
from igm_kit.cli import main as igm
from tests.exercises.answers import perfect, wrong
from tests.exercises.app_helpers import fill
from tests.exercises.roster_helpers import roster_code

TOKEN = "trainer-secret-123"
#: learner number → the order of its two attempts
LEARNERS = {"S1111111": (perfect, wrong), "S2222222": (wrong, perfect)}
COUNTING = re.compile(r"Nu telt: ([\d.,]+) van ([\d.,]+) punten")


def number(text: str) -> float:
    """A number as the page writes it (decimal comma) or as a CSV holds it (point)."""
    return float(text.replace(",", "."))


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gb.sqlite3'}"


@pytest.fixture
def pages(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[tuple[str, str], float]]:
    """Every learner does every exercise twice through the app; what each page says counts."""
    said: dict[tuple[str, str], float] = {}
    with open_gradebook(url) as gb:
        for learner, makers in LEARNERS.items():
            for exercise_id in EXERCISE_IDS:
                monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)  # a kernel per learner
                code = roster_code(gb, learner, f"Leerling {learner[-1]}")
                app = ExerciseApp(exercise_id, "nl", gb, env={})
                assert app.sign_in_with_code(learner, code)
                assert app.form is not None and app.variant is not None
                for make in makers:
                    if app.next_pending:  # each attempt its own variant: answers built from it
                        assert app.next_attempt()
                    assert app.form is not None and app.variant is not None
                    fill(app.form, make(app.variant))
                    assert app.submit()
                found = COUNTING.search(app.result.value)
                assert found, app.result.value
                said[(learner, exercise_id)] = number(found.group(1))
        yield said


def sheet_grades(text: str, lms: str) -> dict[tuple[str, str], float]:
    """(learner number, exercise id) → grade, from a grade sheet in any LMS style."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    if lms == "canvas":
        body = body[1:]  # "Points Possible"
    id_column = {"brightspace": 0, "canvas": 2}.get(lms, 0)
    grades: dict[tuple[str, str], float] = {}
    for row in body:
        learner = row[id_column].lstrip("#")
        for column, cell in zip(header, row, strict=True):
            exercise = column.removesuffix(" Points Grade")
            if exercise in EXERCISE_IDS and cell:
                grades[(learner, exercise)] = number(cell)
    return grades


def dashboard_grades(gb: Gradebook) -> tuple[dict[tuple[str, str], float], str]:
    """The dashboard's table (learner × exercise cells) and its grade-sheet CSV."""
    dash = Dashboard("nl", gb, TOKEN)
    assert dash.unlock(TOKEN)
    dash.stop()
    grades: dict[tuple[str, str], float] = {}
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", dash.overview.value, re.S):
        learner = re.search(r"</th><td>([^<]+)</td>", row)
        assert learner is not None
        cells = re.findall(r"<td>([^<]*)</td>", row)[1:]
        for exercise_id, cell in zip(EXERCISE_IDS, cells, strict=True):
            grades[(learner.group(1), exercise_id)] = number(cell.split(" van ")[0])
    links = re.findall(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', dash.export.value)
    return grades, base64.b64decode(links[0]).decode()


def test_every_exercise_has_two_attempts_that_policies_tell_apart(
    pages: dict[tuple[str, str], float],
) -> None:
    """The fixture must make best and last differ, or the comparisons below prove nothing."""
    assert set(pages) == {(n, e) for n in LEARNERS for e in EXERCISE_IDS}
    for exercise_id in EXERCISE_IDS:
        full = get_exercise(exercise_id).max_points
        first_perfect, first_wrong = (
            pages[("S1111111", exercise_id)],
            pages[("S2222222", exercise_id)],
        )
        if retry_policy(exercise_id) == "best":
            assert first_perfect == first_wrong == pytest.approx(full, abs=0.05)
        else:  # last: perfect-then-wrong counts the wrong one
            assert first_perfect < first_wrong == pytest.approx(full, abs=0.05)
    assert set(retry_policies(EXERCISE_IDS).values()) == {"best", "last"}


def test_the_dashboard_and_its_csv_show_what_the_page_said(
    pages: dict[tuple[str, str], float], url: str
) -> None:
    with open_gradebook(url) as gb:
        table, sheet = dashboard_grades(gb)
    assert table == pytest.approx(pages)
    assert sheet_grades(sheet, "generic") == pytest.approx(pages)


@pytest.mark.parametrize("lms", LMS_STYLES)
def test_every_export_variant_sends_what_the_page_said(
    pages: dict[tuple[str, str], float], url: str, lms: str, tmp_path: Path
) -> None:
    out = tmp_path / f"{lms}.csv"
    assert igm(["grades", "export", "--database", url, "--lms", lms, "--out", str(out)]) == 0
    assert sheet_grades(out.read_text(encoding="utf-8"), lms) == pytest.approx(pages)


@pytest.mark.parametrize("override", ["best", "last"])
def test_policy_is_an_explicit_override_for_every_exercise(
    pages: dict[tuple[str, str], float], url: str, override: str, tmp_path: Path
) -> None:
    """``--policy`` applies one rule to all: where it differs from an exercise's own rule,
    the export differs from the page, and only there."""
    out = tmp_path / "sheet.csv"
    argv = ["grades", "export", "--database", url, "--policy", override, "--out", str(out)]
    assert igm(argv) == 0
    exported = sheet_grades(out.read_text(encoding="utf-8"), "generic")
    for (learner, exercise_id), said in pages.items():
        if retry_policy(exercise_id) == override:
            assert exported[(learner, exercise_id)] == pytest.approx(said)
        elif LEARNERS[learner][0] is perfect and override == "best":
            assert exported[(learner, exercise_id)] > said


def test_the_grading_service_names_the_same_counting_attempt(url: str, pages: Any) -> None:
    from sqlalchemy import create_engine

    from exercises.grading_service import _export_csv

    engine = create_engine(url)
    try:
        for lms in LMS_STYLES:
            assert sheet_grades(_export_csv(engine, "grades", lms, None), lms) == pytest.approx(
                pages
            )
    finally:
        engine.dispose()
