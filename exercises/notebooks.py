"""The exercises' Voila notebooks, generated from the catalogue: ``python -m exercises.notebooks``.

Every exercise is served as its own notebook, ``exercises/<id>.ipynb``: a stable address per
exercise (links in a course or LMS, ``?lang=en``) and its own pool of preheated kernels in
``igm serve``. The notebooks hold nothing but the exercise's title in every language and one
call, ``app("<id>")``, so they are written by this module, never by hand: after adding an
exercise, run it once (``--check`` exits 1 when a notebook is missing or out of date;
tests/exercises/test_notebooks.py runs that check).
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from exercises.catalog import EXERCISE_IDS, get_exercise
from igm.i18n import LANGUAGES
from widgets.templates import environment

__all__ = ["notebook", "notebook_text", "stale_notebooks", "write_notebooks"]


def _lines(text: str) -> list[str]:
    """A cell's source as Jupyter stores it: lines that keep their newline."""
    return text.splitlines(keepends=True)


def notebook(exercise_id: str) -> dict[str, Any]:
    """The notebook of one exercise: its title in every language, then the app."""
    exercise = get_exercise(exercise_id)
    titles = [exercise.title(lang) for lang in LANGUAGES]
    title_cell = environment("exercises").get_template("notebook_title.md")
    heading = "\n".join(
        title_cell.render(lang=lang, title=title)
        for lang, title in zip(LANGUAGES, titles, strict=True)
    )
    code = f"from exercises.app import app\n\napp({json.dumps(exercise_id)})"
    return {
        "cells": [
            {"cell_type": "markdown", "id": "cell0", "metadata": {}, "source": _lines(heading)},
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "cell1",
                "metadata": {},
                "outputs": [],
                "source": _lines(code),
            },
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "title": "IGM-kit: " + " · ".join(titles),
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(exercise_id: str) -> str:
    """The notebook as a file holds it (Jupyter's own layout: indent 1, UTF-8)."""
    return json.dumps(notebook(exercise_id), indent=1, ensure_ascii=False) + "\n"


def _folder() -> Path:
    return Path(str(resources.files("exercises")))


def stale_notebooks(folder: Path | None = None) -> list[Path]:
    """The notebooks of built-in exercises that are missing or differ from the generated text."""
    where = folder or _folder()
    return [
        where / f"{ex_id}.ipynb"
        for ex_id in EXERCISE_IDS
        if not (where / f"{ex_id}.ipynb").is_file()
        or (where / f"{ex_id}.ipynb").read_text(encoding="utf-8") != notebook_text(ex_id)
    ]


def write_notebooks(folder: Path | None = None) -> list[Path]:
    """Write the notebooks that are missing or out of date; return them."""
    where = folder or _folder()
    stale = stale_notebooks(where)
    for path in stale:
        path.write_text(notebook_text(path.stem), encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exercises.notebooks", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_notebooks()
        for path in stale:
            print(f"{path}: missing or out of date; run python -m exercises.notebooks")
        return 1 if stale else 0
    for path in write_notebooks():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
