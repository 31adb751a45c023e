"""What ``igm grades export`` calls. The command only parses; this does the work."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from gradebook.api import open_gradebook
from gradebook.export import PolicyChoice, attempts_csv, gradebook_csv
from gradebook.validation import check_exercise_id

__all__ = ["FORMATS", "export"]

FORMATS = ("csv",)


def _parse_column(text: str) -> tuple[str, str]:
    exercise, sep, name = text.partition("=")
    if not sep or not exercise.strip() or not name.strip():
        raise ValueError(
            f"--column {text!r}: expected EXERCISE_ID=COLUMN NAME, e.g. ex1=Quiz 1 (23)"
        )
    return check_exercise_id(exercise.strip()), name.strip()


def export(
    *,
    url: str | None = None,
    fmt: str = "csv",
    exercise_ids: Sequence[str] | None = None,
    out: str | Path | None = None,
    attempts: bool = False,
    policy: PolicyChoice = "best",
    lms: str = "generic",
    columns: Sequence[str] | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Write the grade sheet (or, with ``attempts``, every attempt) as CSV.

    To ``out`` when given (UTF-8), else to ``stdout``. Returns the number of data rows.
    ``url`` defaults to ``IGM_DATABASE_URL`` or the local SQLite file
    (:func:`database.engine.default_url`). ``columns`` are ``EXERCISE_ID=COLUMN NAME`` texts.
    ``policy``: which attempt counts (see :func:`gradebook.export.gradebook_csv`); ``igm grades
    export`` passes each exercise's own rule unless the trainer overrides it.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: allowed: {', '.join(FORMATS)}")
    column_names = dict(_parse_column(text) for text in columns or [])
    with open_gradebook(url) as gb:
        if attempts:
            text = attempts_csv(gb, exercise_ids)
        else:
            text = gradebook_csv(gb, policy, exercise_ids, lms=lms, column_names=column_names)
    if out is not None:
        Path(out).write_text(text, encoding="utf-8", newline="")
    else:
        (stdout or sys.stdout).write(text)
    header_rows = 2 if (lms == "canvas" and not attempts) else 1
    return max(text.count("\r\n") - header_rows, 0)
