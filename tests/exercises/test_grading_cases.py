"""score-case draws its case from the grader-only cases, never from the published ones (whose
book pages print the scores and evidence, the answer key); without that folder it says so.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape

import exercises.app as ea
from exercises import EXERCISE_IDS, InvalidAnswer, _shared, get_exercise
from exercises._shared import (
    GradingCasesMissing,
    all_cases,
    grading_cases,
    grading_cases_dir,
    score_case_choice,
)
from exercises.app import ExerciseApp
from exercises.score_case import ScoreCaseVariant
from gradebook import Gradebook, open_gradebook
from igm.cases import list_cases, validate_file
from igm.i18n import LANGUAGES, t
from igm.resources import package_path
from tests.exercises.answers import perfect
from tests.exercises.app_helpers import fill

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "exercises" / "grading_cases"
LEARNERS = [f"learner-{i:04d}" for i in range(400)]


@pytest.fixture
def fresh_scans() -> Iterator[None]:
    """Each test reads the case folders as a new process (kernel) would."""
    _shared._case_scan.cache_clear()
    _shared._grading_scan.cache_clear()
    yield
    _shared._case_scan.cache_clear()
    _shared._grading_scan.cache_clear()


@pytest.fixture
def no_grading_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_scans: None
) -> Iterator[None]:
    """A learner image built without the grader-only folder."""
    monkeypatch.setenv("IGM_GRADING_CASES_DIR", str(tmp_path / "left-out"))
    _shared._grading_scan.cache_clear()
    yield


def test_the_shipped_folder_holds_valid_new_cases() -> None:
    files = sorted(SHIPPED.glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        assert validate_file(path) == [], path
    graded = {c.id for c in list_cases(SHIPPED)}
    assert len(graded) == len(files)
    published = list_cases()
    assert not graded & {c.id for c in published}  # new cases, not copies of published ones
    for lang in LANGUAGES:
        titles = {c.title(lang) for c in published}
        assert not titles & {c.title(lang) for c in list_cases(SHIPPED)}


def test_the_folder_is_the_shipped_one_unless_the_environment_names_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IGM_GRADING_CASES_DIR", raising=False)
    assert grading_cases_dir() == package_path("exercises", "grading_cases") == SHIPPED
    monkeypatch.setenv("IGM_GRADING_CASES_DIR", str(tmp_path))
    assert grading_cases_dir() == tmp_path


def test_score_case_uses_only_grader_only_cases_for_every_learner(fresh_scans: None) -> None:
    exercise = get_exercise("score-case")
    graded = {c.id for c in grading_cases()}
    published = {c.id for c in all_cases()}
    used = set()
    for learner in LEARNERS:
        variant = exercise.make_variant(learner)
        assert isinstance(variant, ScoreCaseVariant) and variant.case is not None
        assert variant.case.id == score_case_choice(learner)
        assert variant.case.id in graded and variant.case.id not in published
        used.add(variant.case.id)
        assert variant.public_view("nl")["case"]["id"] == variant.case.id
    assert used == graded  # every grader-only case is drawn


def test_without_grading_cases_score_case_says_so_and_grades_nothing(
    no_grading_cases: None,
) -> None:
    assert grading_cases() == ()
    with pytest.raises(GradingCasesMissing):
        score_case_choice("learner-0001")
    exercise = get_exercise("score-case")
    variant = exercise.make_variant("learner-0001")
    assert isinstance(variant, ScoreCaseVariant) and variant.case is None
    for lang in LANGUAGES:
        text = t("exercise_app.score_case.unavailable", lang)
        assert exercise.instructions(lang) == text
        view = variant.public_view(lang)
        assert view["instructions"] == view["unavailable"] == text
        assert view["items"] == [] and "case" not in view
        sheet = exercise.answer_sheet(view)
        assert sheet.items == () and text in str(sheet.intro)
        with pytest.raises(InvalidAnswer) as refused:
            exercise.grade(variant, {}, lang)
        assert refused.value.key == "exercise_unavailable"
        assert refused.value.message(lang)


def test_without_grading_cases_the_other_exercises_still_work(no_grading_cases: None) -> None:
    for exercise_id in EXERCISE_IDS:
        if exercise_id == "score-case":
            continue
        exercise = get_exercise(exercise_id)
        variant = exercise.make_variant("learner-0001")
        result = exercise.grade(variant, perfect(variant), "nl")
        assert result.points == pytest.approx(exercise.max_points, abs=0.05)


@pytest.fixture
def gb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gradebook]:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as book:
        yield book


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_app_without_grading_cases_says_so_and_stores_nothing(
    no_grading_cases: None, gb: Gradebook, lang: str
) -> None:
    text = str(escape(t("exercise_app.score_case.unavailable", lang)))
    app = ExerciseApp("score-case", lang, gb, env={})
    assert text in app.instructions.value  # at the top, before the learner signs in
    assert app.identify("Sam de Vries", "s1234567")
    assert app.form is not None
    fill(app.form, {})
    assert not app.submit()
    assert gb.attempts() == []
    # practice on a hub without a grader: the same message, nothing breaks
    practice = ExerciseApp("score-case", lang, gb, env={"JUPYTERHUB_USER": "jdevries"})
    assert text in practice.instructions.value and practice.form is not None


def test_with_grading_cases_the_app_shows_a_grader_only_case(
    fresh_scans: None, gb: Gradebook
) -> None:
    app = ExerciseApp("score-case", "nl", gb, env={})
    assert app.identify("Sam de Vries", "s1234567")
    assert app.variant is not None and app.form is not None
    case = app.variant.case  # type: ignore[attr-defined]
    assert case.id in {c.id for c in grading_cases()}
    fill(app.form, perfect(app.variant))
    assert app.submit()
    assert [a.points for a in gb.attempts("S1234567", "score-case")] == [7.0]


def test_only_score_case_reads_the_grader_only_folder() -> None:
    """No other code path lists or globs it: the book, the apps and the live room use the
    published cases (igm.cases' default folder) only."""
    readers = []
    for package in ("igm", "igm_kit", "database", "gradebook", "live", "widgets", "exercises"):
        for path in sorted((REPO / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
            strings = {  # names and paths, not prose (docstrings may mention the folder)
                n.value
                for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and " " not in n.value
            }
            if names & {"grading_cases_dir", "_grading_scan"} or any(
                "grading_cases" in s or "IGM_GRADING_CASES_DIR" in s for s in strings
            ):
                readers.append(str(path.relative_to(REPO)))
    for package in ("apps", "book"):
        for path in sorted((REPO / package).rglob("*.py")):
            if "_build" not in path.parts:
                assert "grading_cases" not in path.read_text(encoding="utf-8"), path
    assert readers == ["exercises/_shared.py"], readers
