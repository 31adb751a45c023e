"""Helpers the exercises share: determinant names in a sentence, case views, case choice.

Two folders of cases, read by the one loader (:mod:`igm.cases`): the published cases
(``case_studies/``, in the book and the apps; the case exercises other than score-case draw
from them) and the grader-only cases (:func:`grading_cases_dir`), which score-case draws from.
A grader-only case's scores and evidence are score-case's answer key, so the book, the apps
and the live room never list them, and a learner image can leave the folder out
(docs/grading-trust.md).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from exercises._base import Option, Seeder, item_label
from exercises._texts import message
from igm import DETERMINANTS, Case
from igm.cases import CaseScan, scan_cases
from igm.determinants import block_of
from igm.i18n import t
from igm.resources import package_path

__all__ = [
    "SCORE_CASE_ID",
    "GradingCasesMissing",
    "all_cases",
    "answer_options",
    "case_by_id",
    "case_view",
    "choice_label",
    "determinant_options",
    "dname",
    "grading_case_by_id",
    "grading_cases",
    "grading_cases_dir",
    "join_names",
    "other_case_choice",
    "score_case_choice",
]

SCORE_CASE_ID = "score-case"


def dname(key: str, lang: str) -> str:
    """A determinant's name as it reads inside a sentence (lower-case first letter)."""
    name = t(f"determinant.{key}.name", lang)
    return name[:1].lower() + name[1:]


def join_names(names: list[str], lang: str) -> str:
    """``a, b en c`` / ``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return message("list_and", lang, names=", ".join(names[:-1]), last=names[-1])


def determinant_options(keys: list[str], lang: str) -> list[dict[str, str]]:
    """Determinants as answer options: key, name, block and description (no key material)."""
    return [
        {
            "id": key,
            "label": t(f"determinant.{key}.name", lang),
            "block": t(f"block.{block_of(key)}", lang),
            "description": t(f"determinant.{key}.description", lang),
        }
        for key in keys
    ]


def answer_options(options: list[dict[str, Any]]) -> tuple[Option, ...]:
    """A view's options (``id`` and ``label``) as the options of a choice field."""
    return tuple(Option(str(o["id"]), str(o["label"])) for o in options)


def choice_label(item_id: str, lang: str) -> str:
    """The label of a question's drop-down: "Keuze voor vraag 1"."""
    return t("exercise_app.choice_for", lang, item=item_label(item_id, lang).lower())


@cache
def _case_scan() -> CaseScan:
    """The cases folder as this process first read it, kept for the life of the process.

    On purpose: a learner's variant is made and graded in one process (an exercise kernel, one
    page view; or the grading service), so a case file edited in between must not change the
    case under the learner. A new page view is a new kernel and reads the folder again.
    """
    return scan_cases()


def all_cases() -> tuple[Case, ...]:
    """The valid cases. An invalid case file is skipped, not fatal: learners get the valid
    cases and see no file names (the trainer sees the warning in ``igm serve``'s output, the
    apps and the live trainer page)."""
    return _case_scan().cases


def case_by_id(case_id: str) -> Case:
    for case in all_cases():
        if case.id == case_id:
            return case
    raise KeyError(f"no case {case_id!r}")


def grading_cases_dir() -> Path:
    """The folder of grader-only cases: ``$IGM_GRADING_CASES_DIR``, else the folder the kit
    ships (``exercises/grading_cases``). It may be missing: a learner image built without it
    (docs/grading-trust.md) has score-case graded by the grading service only."""
    if env := os.environ.get("IGM_GRADING_CASES_DIR"):
        return Path(env)
    return package_path("exercises", "grading_cases")


class GradingCasesMissing(LookupError):
    """No valid grader-only case here: score-case can only be made by the grading service."""


@cache
def _grading_scan() -> CaseScan:
    """The grader-only cases as this process first read them (why: see :func:`_case_scan`);
    none when the folder is missing."""
    folder = grading_cases_dir()
    if not folder.is_dir():
        return CaseScan((), ())
    return scan_cases(folder)


def grading_cases() -> tuple[Case, ...]:
    """The valid grader-only cases (an invalid file is skipped, as in :func:`all_cases`)."""
    return _grading_scan().cases


def grading_case_by_id(case_id: str) -> Case:
    for case in grading_cases():
        if case.id == case_id:
            return case
    raise KeyError(f"no grader-only case {case_id!r}")


def score_case_choice(learner_id: str) -> str:
    """The grader-only case a learner scores in exercise score-case (never a published case:
    the book prints a published case's scores and evidence, score-case's answer key).

    Drawn from every file in the grader-only folder, the skipped (invalid) ones too: a case
    file that breaks for a while then moves only the learners whose case it is (to a valid
    case, drawn again), not every learner. With no invalid file this is a draw from the valid
    cases. Raises :class:`GradingCasesMissing` when there is no valid grader-only case.
    """
    scan = _grading_scan()
    valid = sorted(c.id for c in scan.cases)
    if not valid:
        raise GradingCasesMissing(f"no grader-only cases in {grading_cases_dir()}")
    files = sorted({*valid, *(Path(f).stem for f in scan.skipped_files())})
    seeder = Seeder(SCORE_CASE_ID, learner_id)
    chosen = seeder.choice(files, "case")
    return chosen if chosen in valid else seeder.choice(valid, "case-skipped")


def other_case_choice(seeder: Seeder, learner_id: str, eligible: list[str]) -> str:
    """A published case for one of the other case exercises (``learner_id`` is kept for the
    callers). They show a case's scores or weak points; that gives nothing of score-case away,
    whose cases are grader-only and never among ``eligible``."""
    return seeder.choice(sorted(eligible), "case")


def case_view(case: Case, lang: str, *, with_scores: bool) -> dict[str, Any]:
    """The case as the learner reads it; ``with_scores`` adds the scores (1–7) as given input."""
    view: dict[str, Any] = {
        "id": case.id,
        "name": case.name,
        "group": t(f"group.{case.group}", lang),
        "domain": t(f"domain.{case.domain}", lang),
        "title": case.title(lang),
        "summary": case.summary(lang),
        "narrative": case.narrative(lang),
        "target_behaviour": case.target_behaviour.sentence(lang),
        "fictional": t("notice.fictional", lang),
    }
    if with_scores:
        view["scores"] = [
            {"id": key, "label": t(f"determinant.{key}.name", lang), "score": int(case.scores[key])}
            for key in DETERMINANTS
        ]
    return view
