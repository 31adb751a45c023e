"""The exercises with a bad case file: it is skipped, and a case that breaks for a while moves
only the learners whose case it is in score-case (everyone else keeps their variant)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exercises import EXERCISE_IDS, _shared, get_exercise
from exercises._base import Seeder
from exercises._shared import SCORE_CASE_ID, all_cases, score_case_choice
from tests.case_folder import BAD_ID, break_case, copy_cases

LEARNERS = [f"learner-{i:03d}" for i in range(120)]


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = copy_cases(tmp_path / "cases")
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    _shared._case_scan.cache_clear()  # a new process (kernel) reads the folder
    yield folder
    _shared._case_scan.cache_clear()


def test_an_invalid_file_is_skipped_and_every_exercise_still_makes_variants(cases: Path) -> None:
    ids = [c.id for c in all_cases()]
    assert BAD_ID not in ids and "marja-bijstand" in ids
    for exercise_id in EXERCISE_IDS:
        exercise = get_exercise(exercise_id)
        for learner in LEARNERS[:10]:
            view = exercise.make_variant(learner).public_view("nl")
            assert BAD_ID not in str(view) and "kapotte" not in str(view)


def test_a_case_that_breaks_moves_only_its_own_learners_in_score_case(cases: Path) -> None:
    (cases / f"{BAD_ID}.yaml").unlink()  # the usual folder: every file valid
    _shared._case_scan.cache_clear()
    before = {learner: score_case_choice(learner) for learner in LEARNERS}
    ids = sorted(c.id for c in all_cases())
    for learner in LEARNERS:  # with every file valid: the draw it always was
        assert before[learner] == Seeder(SCORE_CASE_ID, learner).choice(ids, "case")
    broken = "lotte-na-burn-out"
    assert broken in before.values()
    break_case(cases, broken)
    _shared._case_scan.cache_clear()  # the next page view (a new kernel)
    after = {learner: score_case_choice(learner) for learner in LEARNERS}
    valid = {c.id for c in all_cases()}
    assert broken not in valid and set(after.values()) <= valid
    for learner in LEARNERS:
        if before[learner] != broken:
            assert after[learner] == before[learner], learner


def test_the_case_set_is_stable_within_one_process(cases: Path) -> None:
    """A variant is made and graded in one process: an edit in between changes nothing."""
    first = all_cases()
    break_case(cases, "marja-bijstand")
    assert all_cases() == first
