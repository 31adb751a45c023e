"""Shared by the conversation live tests: a cases folder with the engine's test conversation.

The folder holds the kit's cases and ``conversations/oefen-marja.yaml`` (the engine's small
test scenario: two turns, a good, a mixed and a poor ending); ``IGM_CASES_DIR`` points at it,
so the store, the pages and the engine all read the same files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_CONVERSATION = (
    ROOT / "tests" / "igm" / "conversation_files" / "conversations" / "oefen-marja.yaml"
)
CONVERSATION_ID = "oefen-marja"


def conversation_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cases folder (the kit's cases + the test conversation) as ``IGM_CASES_DIR``."""
    folder = tmp_path / "cases"
    (folder / "conversations").mkdir(parents=True)
    for case in (ROOT / "case_studies").glob("*.yaml"):
        shutil.copy(case, folder / case.name)
    shutil.copy(TEST_CONVERSATION, folder / "conversations" / TEST_CONVERSATION.name)
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    return folder
