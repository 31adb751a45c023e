"""A copy of ``case_studies/`` with one invalid case file, for tests of how the kit skips it."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO_CASES = Path(__file__).resolve().parents[1] / "case_studies"
#: The invalid case: Marja's case under this id, with an attitude score of 8 (the scale is 1–7).
BAD_ID = "kapotte-casus"
#: The start of its title in each language.
TITLE_NL, TITLE_EN = "Kapotte casus:", "Broken case:"


def bad_case_text(case_id: str = BAD_ID, score: int = 8) -> str:
    """Marja's case under another id, with attitude scored ``score`` (8: off the scale)."""
    text = (REPO_CASES / "marja-bijstand.yaml").read_text(encoding="utf-8")
    text = text.replace("id: marja-bijstand", f"id: {case_id}", 1)
    # Its own title, so that a case picker tells it from Marja's.
    text = text.replace('  nl: "Marja: na acht', f'  nl: "{TITLE_NL} Marja: na acht', 1)
    text = text.replace('  en: "Marja: looking', f'  en: "{TITLE_EN} Marja: looking', 1)
    head, tail = text.split("  attitude:\n    score: 3", 1)
    return f"{head}  attitude:\n    score: {score}{tail}"


def copy_cases(folder: Path) -> Path:
    """``folder`` holding every case file of ``case_studies/`` and the invalid ``BAD_ID``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in REPO_CASES.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    (folder / f"{BAD_ID}.yaml").write_text(bad_case_text(), encoding="utf-8")
    return folder


def fix_bad_case(folder: Path) -> None:
    """Make ``BAD_ID`` valid (attitude 5)."""
    (folder / f"{BAD_ID}.yaml").write_text(bad_case_text(score=5), encoding="utf-8")


def break_case(folder: Path, case_id: str) -> None:
    """Make a valid case invalid (``fictional: no``)."""
    path = folder / f"{case_id}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "fictional: true" in text
    path.write_text(text.replace("fictional: true", "fictional: no", 1), encoding="utf-8")
