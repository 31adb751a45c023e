"""The exercise notebooks are generated from the catalogue (python -m exercises.notebooks)."""

from __future__ import annotations

import json
from pathlib import Path

from exercises import EXERCISE_IDS, get_exercise
from exercises.notebooks import main, notebook_text, stale_notebooks, write_notebooks
from igm.i18n import LANGUAGES


def test_every_exercise_notebook_is_the_generated_one() -> None:
    stale = stale_notebooks()
    assert not stale, f"run: python -m exercises.notebooks  (stale: {[p.name for p in stale]})"
    assert main(["--check"]) == 0


def test_a_notebook_holds_the_title_in_every_language_and_one_call(tmp_path: Path) -> None:
    assert write_notebooks(tmp_path) == [tmp_path / f"{ex_id}.ipynb" for ex_id in EXERCISE_IDS]
    assert write_notebooks(tmp_path) == []  # up to date: nothing written
    for ex_id in EXERCISE_IDS:
        nb = json.loads((tmp_path / f"{ex_id}.ipynb").read_text(encoding="utf-8"))
        heading, code = ("".join(cell["source"]) for cell in nb["cells"])
        for lang in LANGUAGES:
            assert f'lang="{lang}"' in heading and get_exercise(ex_id).title(lang) in heading
        assert code == f'from exercises.app import app\n\napp("{ex_id}")'
    (tmp_path / "compare-clients.ipynb").write_text("{}", encoding="utf-8")
    assert stale_notebooks(tmp_path) == [tmp_path / "compare-clients.ipynb"]
    assert notebook_text("compare-clients").endswith("}\n")
