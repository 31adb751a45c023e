"""`igm grades export`, run as a real subprocess against both databases."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradebook import open_gradebook

REPO = Path(__file__).resolve().parents[2]


def igm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "igm_kit.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture
def filled_url(db_url: str) -> str:
    with open_gradebook(db_url) as gb:
        gb.register_learner("s0000001", "=Anna")
        gb.register_learner("s0000002", "Bram")
        gb.record_attempt("s0000001", "ex-a", 1, {}, {"q": 2}, 4)
        gb.record_attempt("s0000001", "ex-a", 1, {}, {"q": 1}, 4)
        gb.record_attempt("s0000002", "ex-b", 1, {}, {"q": 1}, 1)
    return db_url


def test_export_to_stdout(filled_url: str) -> None:
    """Does the grade sheet go to standard output, best attempt per exercise?"""
    done = igm("grades", "export", "--database", filled_url)
    assert done.returncode == 0, done.stderr
    assert list(csv.reader(io.StringIO(done.stdout))) == [
        ["learner_number", "display_name", "ex-a", "ex-b"],
        ["S0000001", "'=Anna", "2", ""],
        ["S0000002", "Bram", "", "1"],
    ]


def test_export_to_a_file_with_options(filled_url: str, tmp_path: Path) -> None:
    """--exercise, --policy last, --lms and --out, with the URL from IGM_DATABASE_URL."""
    out = tmp_path / "grades.csv"
    done = igm(
        "grades",
        "export",
        "--format",
        "csv",
        "--exercise",
        "ex-a",
        "--policy",
        "last",
        "--lms",
        "brightspace",
        "--column",
        "ex-a=Week 1 quiz",
        "--out",
        str(out),
        env={"IGM_DATABASE_URL": filled_url},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert list(csv.reader(io.StringIO(out.read_text(encoding="utf-8")))) == [
        ["OrgDefinedId", "Week 1 quiz Points Grade", "End-of-Line Indicator"],
        ["#S0000001", "1", "#"],
        ["#S0000002", "", "#"],
    ]


def test_export_attempts(filled_url: str) -> None:
    done = igm("grades", "export", "--attempts", "--database", filled_url)
    assert done.returncode == 0, done.stderr
    sheet = list(csv.reader(io.StringIO(done.stdout)))
    assert len(sheet) == 4
    assert sheet[0][0] == "attempt_id"


def test_bad_input_is_one_message_and_exit_1(filled_url: str) -> None:
    """Does a bad exercise id give a one-line error, no traceback?"""
    done = igm("grades", "export", "--exercise=-x", "--database", filled_url)
    assert done.returncode == 1
    assert done.stderr.startswith("igm: exercise id '-x'")
    assert "Traceback" not in done.stderr


def test_grades_without_action_shows_usage() -> None:
    done = igm("grades")
    assert done.returncode == 2
    assert "export" in done.stderr


def test_a_malformed_column_option_is_one_message(filled_url: str) -> None:
    done = igm("grades", "export", "--column", "no-equals-sign", "--database", filled_url)
    assert done.returncode == 1
    assert done.stderr.startswith("igm: --column 'no-equals-sign'")
