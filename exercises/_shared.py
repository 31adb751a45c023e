"""Helpers the exercises share: determinant names in a sentence, case views, case choice."""

from __future__ import annotations

from functools import cache
from typing import Any

from exercises._base import Seeder
from igm import DETERMINANTS, Case, list_cases
from igm.determinants import block_of
from igm.i18n import t

__all__ = [
    "SCORE_CASE_ID",
    "all_cases",
    "case_by_id",
    "case_view",
    "determinant_options",
    "dname",
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
    word = " en " if lang == "nl" else " and "
    return ", ".join(names[:-1]) + word + names[-1]


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


@cache
def all_cases() -> tuple[Case, ...]:
    return tuple(list_cases())


def case_by_id(case_id: str) -> Case:
    for case in all_cases():
        if case.id == case_id:
            return case
    raise KeyError(f"no case {case_id!r}")


def score_case_choice(learner_id: str) -> str:
    """The case a learner scores in exercise score-case.

    The other case exercises show a case's scores or weak points, which are score-case's
    answer key; they avoid this case for the same learner.
    """
    ids = sorted(c.id for c in all_cases())
    return Seeder(SCORE_CASE_ID, learner_id).choice(ids, "case")


def other_case_choice(seeder: Seeder, learner_id: str, eligible: list[str]) -> str:
    avoid = score_case_choice(learner_id)
    pool = sorted(c for c in eligible if c != avoid) or sorted(eligible)
    return seeder.choice(pool, "case")


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
