"""CSV exports: a grade sheet (one row per learner, one column per exercise) and every attempt.

Attempts on a retired exercise (table ``retired_exercises``, migration 0005) are never left
out: the attempts export marks each row with ``exercise_status`` (``active`` or ``retired``)
and ``replaced_by``, and the grade sheet heads a retired exercise's column with its id and
:data:`RETIRED_MARK`.

Every cell that a spreadsheet could read as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with a single quote, so a learner named
``=HYPERLINK(...)`` cannot run anything on the teacher's machine; so is every such part after
a ``;``, ``,``, ``|``, tab or line break, which a spreadsheet splitting on another delimiter
(Dutch-locale Excel: semicolons) would make a cell of its own. Names are otherwise exported
exactly as stored (markup included; a CSV is not HTML).

The column styles (``lms``) follow what each learning environment's grade import expects; see
gradebook/README.md for the conventions and what was checked.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal

from database.models import Attempt, Retirement
from gradebook.api import POLICIES, Gradebook, select_attempts
from gradebook.validation import check_exercise_id

__all__ = [
    "FORMULA_PREFIXES",
    "LMS_STYLES",
    "RETIRED_MARK",
    "PolicyChoice",
    "attempts_csv",
    "gradebook_csv",
    "neutralise",
]

Lms = Literal["generic", "brightspace", "canvas", "moodle"]
LMS_STYLES: tuple[Lms, ...] = ("generic", "brightspace", "canvas", "moodle")
#: First characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A formula character at the start of the cell, or right after a delimiter a spreadsheet
#: may split on (optionally after spaces, which spreadsheets skip). After a delimiter, a
#: plain signed number (``, -3`` in an answer's JSON) is left alone: it is read as a number.
_FORMULA_AFTER_DELIMITER = re.compile(
    r"(^|[;,\t\r\n|][ ]*)"
    r"(?=[=+\-@\t\r])"
    r"(?!(?<=[;,\t\r\n| ])[-+]\d+(?:\.\d+)?(?:[eE][-+]?\d+)?[ ]*(?:[;,\t\r\n|\]}]|$))"
)

ATTEMPT_COLUMNS = (
    "attempt_id",
    "learner_number",
    "display_name",
    "exercise_id",
    "variant",
    "attempt_no",
    "points",
    "max_points",
    "score",
    "submitted_at",
    "item_scores",
    "answers",
    "exercise_status",
    "replaced_by",
)
#: The grade sheet's heading of a retired exercise's column: ``predict (retired; replaced by
#: compare-clients)``.
RETIRED_MARK = "{exercise} (retired; replaced by {replaced_by})"
RETIRED_MARK_NO_REPLACEMENT = "{exercise} (retired)"


def _status(exercise_id: str, retired: Mapping[str, Retirement]) -> tuple[str, str]:
    """``exercise_status`` and ``replaced_by`` of an attempt's exercise."""
    if exercise_id not in retired:
        return "active", ""
    return "retired", retired[exercise_id].replaced_by or ""


def _heading(exercise_id: str, retired: Mapping[str, Retirement]) -> str:
    """An exercise's column heading: its id, marked when the exercise was retired."""
    if exercise_id not in retired:
        return exercise_id
    replaced_by = retired[exercise_id].replaced_by
    if replaced_by is None:
        return RETIRED_MARK_NO_REPLACEMENT.format(exercise=exercise_id)
    return RETIRED_MARK.format(exercise=exercise_id, replaced_by=replaced_by)


def neutralise(cell: object) -> str:
    """The cell as text, with a ``'`` in front of every part that could start a formula.

    Not only the start: a spreadsheet that splits on another delimiter (Dutch-locale Excel
    opens a CSV split on semicolons) makes a cell of every part after a ``;``, ``,``, tab or
    line break, so ``Jan;=1+1`` becomes ``Jan;'=1+1``.
    """
    text = "" if cell is None else str(cell)
    return _FORMULA_AFTER_DELIMITER.sub(r"\1'", text)


def _number(value: float) -> str:
    """Points with at most 4 decimals and no trailing zeros: ``1.5``, ``2``."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _write(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


#: Which attempt counts per exercise: one policy for all, a map (missing: best), or a function
#: of the exercise id (the exercises' own rule, :func:`exercises.grades.retry_policy`).
PolicyChoice = Mapping[str, str] | Callable[[str], str] | str


def _policies(policy_by_exercise: PolicyChoice, exercises: Sequence[str]) -> dict[str, str]:
    if isinstance(policy_by_exercise, str):
        chosen = dict.fromkeys(exercises, policy_by_exercise)
    elif callable(policy_by_exercise):
        chosen = {exercise: policy_by_exercise(exercise) for exercise in exercises}
    else:
        chosen = {exercise: policy_by_exercise.get(exercise, "best") for exercise in exercises}
    for exercise, policy in chosen.items():
        if policy not in POLICIES:
            raise ValueError(
                f"policy {policy!r} for exercise {exercise!r}: allowed: {', '.join(POLICIES)}"
            )
    return chosen


def gradebook_csv(
    gb: Gradebook,
    policy_by_exercise: PolicyChoice = "best",
    exercise_ids: Sequence[str] | None = None,
    *,
    lms: str = "generic",
    column_names: Mapping[str, str] | None = None,
) -> str:
    """One row per registered learner, one column per exercise, points per the policy.

    ``policy_by_exercise`` maps an exercise id to ``"best"`` or ``"last"`` (missing: best), is
    a function of the exercise id, or is one policy for all. ``exercise_ids`` defaults to every exercise with an attempt. A
    learner without an attempt at an exercise gets an empty cell. ``column_names`` maps an
    exercise id to the grade item's name in the LMS (e.g. Canvas ``"Quiz 1 (23)"``, a
    Brightspace grade item name); unmapped exercises are headed by their id, a retired one
    by its id and :data:`RETIRED_MARK`.
    """
    if lms not in LMS_STYLES:
        raise ValueError(f"lms {lms!r}: allowed: {', '.join(LMS_STYLES)}")
    exercises = (
        [check_exercise_id(e) for e in exercise_ids]
        if exercise_ids is not None
        else gb.exercise_ids()
    )
    policies = _policies(policy_by_exercise, exercises)
    retired = gb.retired_exercises()
    titles = [(column_names or {}).get(e, _heading(e, retired)) for e in exercises]
    attempts = gb.attempts()
    by_exercise: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_exercise.setdefault(attempt.exercise_id, []).append(attempt)
    chosen: dict[tuple[str, str], Attempt] = {}
    for exercise in exercises:
        chosen.update(select_attempts(by_exercise.get(exercise, []), policies[exercise]))
    max_points = {
        exercise: max((a.max_points for a in by_exercise.get(exercise, [])), default=None)
        for exercise in exercises
    }

    def cells(number: str) -> list[str]:
        return [
            _number(chosen[(number, e)].points) if (number, e) in chosen else "" for e in exercises
        ]

    rows: list[list[object]] = []
    learners = gb.learners()
    if lms == "brightspace":
        rows.append(
            [
                "OrgDefinedId",
                *(f"{title} Points Grade" for title in titles),
                "End-of-Line Indicator",
            ]
        )
        rows.extend([f"#{ln.lms_id}", *cells(ln.learner_number), "#"] for ln in learners)
    elif lms == "canvas":
        rows.append(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *titles])
        possible = ["" if m is None else _number(m) for m in max_points.values()]
        rows.append(["    Points Possible", "", "", "", "", *possible])
        rows.extend(
            [ln.display_name, "", ln.lms_id, "", "", *cells(ln.learner_number)] for ln in learners
        )
    elif lms == "moodle":
        rows.append(["idnumber", "fullname", *titles])
        rows.extend([ln.lms_id, ln.display_name, *cells(ln.learner_number)] for ln in learners)
    else:
        rows.append(["learner_number", "display_name", *titles])
        rows.extend([ln.lms_id, ln.display_name, *cells(ln.learner_number)] for ln in learners)
    return _write(rows)


def attempts_csv(gb: Gradebook, exercise_ids: Sequence[str] | None = None) -> str:
    """Every stored attempt, one row each, oldest number first per learner and exercise; an
    attempt on a retired exercise is marked so (``exercise_status``, ``replaced_by``)."""
    wanted = None if exercise_ids is None else {check_exercise_id(e) for e in exercise_ids}
    retired = gb.retired_exercises()
    rows: list[list[object]] = [list(ATTEMPT_COLUMNS)]
    for a in gb.attempts():
        if wanted is not None and a.exercise_id not in wanted:
            continue
        rows.append(
            [
                a.id,
                a.learner.lms_id,
                a.learner.display_name,
                a.exercise_id,
                a.variant,
                a.attempt_no,
                _number(a.points),
                _number(a.max_points),
                f"{a.score:.4f}",
                a.submitted_at.isoformat(),
                json.dumps(a.item_scores, ensure_ascii=False, sort_keys=True),
                json.dumps(a.answers, ensure_ascii=False, sort_keys=True),
                *_status(a.exercise_id, retired),
            ]
        )
    return _write(rows)
