"""Fixtures shared by the widget tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_CASES = Path(__file__).resolve().parents[2] / "case_studies"


@pytest.fixture
def cases_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped cases as the case folder (the case editor may write to it)."""
    folder = tmp_path / "cases"
    shutil.copytree(REPO_CASES, folder, ignore=shutil.ignore_patterns("*.md"))
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    monkeypatch.delenv("IGM_TRAINER_TOKEN", raising=False)
    yield folder
