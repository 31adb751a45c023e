"""The exercises with a bad case file: it is skipped, and a grader-only case that breaks for a
while moves only the learners whose case it is in score-case (everyone else keeps their
variant)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from exercises import EXERCISE_IDS, _shared, get_exercise
from exercises._base import Seeder
from exercises._shared import SCORE_CASE_ID, all_cases, grading_cases, score_case_choice
from igm.cases import cases_dir
from tests.case_folder import BAD_ID, bad_case_text, break_case, copy_cases

LEARNERS = [f"learner-{i:03d}" for i in range(120)]
GRADING_CASES = Path(__file__).resolve().parents[2] / "exercises" / "grading_cases"


def clear_caches() -> None:
    """What a new process (kernel) does: read both case folders again."""
    _shared._case_scan.cache_clear()
    _shared._grading_scan.cache_clear()


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The published cases with one invalid file; the grader-only cases likewise (returned)."""
    monkeypatch.setenv("IGM_CASES_DIR", str(copy_cases(tmp_path / "cases")))
    grading = tmp_path / "grading"
    shutil.copytree(GRADING_CASES, grading)
    (grading / f"{BAD_ID}.yaml").write_text(bad_case_text(), encoding="utf-8")
    monkeypatch.setenv("IGM_GRADING_CASES_DIR", str(grading))
    clear_caches()
    yield grading
    clear_caches()


def test_an_invalid_file_is_skipped_and_every_exercise_still_makes_variants(cases: Path) -> None:
    ids = [c.id for c in all_cases()]
    assert BAD_ID not in ids and "marja-bijstand" in ids
    assert BAD_ID not in [c.id for c in grading_cases()] and len(grading_cases()) >= 3
    for exercise_id in EXERCISE_IDS:
        exercise = get_exercise(exercise_id)
        for learner in LEARNERS[:10]:
            view = exercise.make_variant(learner).public_view("nl")
            assert BAD_ID not in str(view) and "kapotte" not in str(view)


def test_a_case_that_breaks_moves_only_its_own_learners_in_score_case(cases: Path) -> None:
    (cases / f"{BAD_ID}.yaml").unlink()  # the usual folder: every file valid
    clear_caches()
    before = {learner: score_case_choice(learner) for learner in LEARNERS}
    ids = sorted(c.id for c in grading_cases())
    for learner in LEARNERS:  # with every file valid: the draw it always was
        assert before[learner] == Seeder(SCORE_CASE_ID, learner).choice(ids, "case")
    broken = ids[0]
    assert broken in before.values()
    break_case(cases, broken)
    clear_caches()  # the next page view (a new kernel)
    after = {learner: score_case_choice(learner) for learner in LEARNERS}
    valid = {c.id for c in grading_cases()}
    assert broken not in valid and set(after.values()) <= valid
    for learner in LEARNERS:
        if before[learner] != broken:
            assert after[learner] == before[learner], learner


def test_the_case_set_is_stable_within_one_process(cases: Path) -> None:
    """A variant is made and graded in one process: an edit in between changes nothing."""
    first, first_graded = all_cases(), grading_cases()
    break_case(cases_dir(), "marja-bijstand")
    break_case(cases, first_graded[0].id)
    assert all_cases() == first
    assert grading_cases() == first_graded
