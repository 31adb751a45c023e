"""Exercise caseload-question: which determinant should a municipality target for a group?

The answer is the determinant with the largest mean lever gain in the group: the mean rise in
behaviour probability when every client of the group scores one point higher on it (capped
at 7), computed with :func:`igm.caseload.predict_caseload` on the synthetic caseload.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    Paragraph,
    Table,
    Variant,
    check_choice,
    check_items,
    fmt,
    item_heading,
    points_text,
)
from exercises._shared import answer_options, choice_label, determinant_options, dname
from exercises._texts import exercise_text
from igm import DETERMINANTS
from igm.caseload import predict_caseload
from igm.determinants import SCALE_MAX
from igm.i18n import t
from igm.resources import caseload_csv
from igm.synthetic import generate_caseload

__all__ = [
    "CaseloadQuestion",
    "CaseloadVariant",
    "GroupFacts",
    "caseload_path",
    "group_facts",
    "load_caseload",
]

EXERCISE_ID = "caseload-question"
QUESTIONS_PER_VARIANT = 2
N_OPTIONS = 4


def caseload_path() -> Path | None:
    """``$IGM_CASELOAD``, else the kit's ``igm/data/caseload.csv`` (None when absent)."""
    if env := os.environ.get("IGM_CASELOAD"):
        return Path(env)
    candidate = caseload_csv()
    return candidate if candidate.is_file() else None


@cache
def load_caseload() -> pd.DataFrame:
    """The synthetic caseload; generated with the engine's default seed when the file is absent."""
    path = caseload_path()
    return pd.read_csv(path) if path is not None else generate_caseload()


@dataclass(frozen=True)
class GroupFacts:
    """What the model says about one group of the caseload."""

    group: str
    domain: str
    n: int
    means: Mapping[str, float]  # mean score per determinant (shown to the learner)
    gains: Mapping[str, float]  # mean lever gain per determinant, probability 0–1 (the key)

    @property
    def answer(self) -> str:
        return max(DETERMINANTS, key=lambda k: (round(self.gains[k], 12), -DETERMINANTS.index(k)))

    @property
    def lowest(self) -> str:
        return min(DETERMINANTS, key=lambda k: (self.means[k], DETERMINANTS.index(k)))


@cache
def group_facts() -> dict[str, GroupFacts]:
    """Per group: size, mean scores and mean lever gains, all from the engine."""
    frame = load_caseload()
    base = predict_caseload(frame, interval=False)["behaviour_probability"].astype(float)
    gains: dict[str, pd.Series] = {}
    for key in DETERMINANTS:
        raised = frame.copy()
        raised[key] = (raised[key] + 1).clip(upper=SCALE_MAX)
        after = predict_caseload(raised, interval=False)["behaviour_probability"].astype(float)
        gains[key] = after - base
    out: dict[str, GroupFacts] = {}
    for group, rows in frame.groupby("group"):
        domains = rows["domain"].unique()
        out[str(group)] = GroupFacts(
            group=str(group),
            domain=str(domains[0]),
            n=len(rows),
            means={k: float(rows[k].mean()) for k in DETERMINANTS},
            gains={k: float(gains[k].loc[rows.index].mean()) for k in DETERMINANTS},
        )
    return out


def options_for(facts: GroupFacts, seeder_order: list[str]) -> list[str]:
    """The answer, the lowest-mean determinant (the tempting trap), the runner-up, then others."""
    ranked = sorted(DETERMINANTS, key=lambda k: -facts.gains[k])
    picks = [facts.answer]
    for key in [facts.lowest, ranked[1], *seeder_order]:
        if key not in picks and len(picks) < N_OPTIONS:
            picks.append(key)
    return picks


@dataclass(frozen=True)
class CaseloadVariant(Variant):
    questions: tuple[tuple[str, GroupFacts, tuple[str, ...]], ...]  # (item id, facts, options)

    @property
    def item_ids(self) -> list[str]:
        return [qid for qid, _, _ in self.questions]

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        view["items"] = [
            {
                "id": qid,
                "group": t(f"group.{facts.group}", lang),
                "question": exercise_text(
                    EXERCISE_ID,
                    "question",
                    lang,
                    group=t(f"group.{facts.group}", lang),
                    n=facts.n,
                    domain=t(f"domain.{facts.domain}", lang),
                ),
                "means_label": exercise_text(EXERCISE_ID, "means_label", lang),
                "means": [
                    {
                        "id": key,
                        "label": t(f"determinant.{key}.name", lang),
                        "mean": round(facts.means[key], 1),
                    }
                    for key in DETERMINANTS
                ],
                "options": determinant_options(list(options), lang),
            }
            for qid, facts, options in self.questions
        ]
        return view


class CaseloadQuestion(Exercise):
    id = EXERCISE_ID
    variant_type = CaseloadVariant

    def make_variant(self, learner_id: str) -> CaseloadVariant:
        seeder = self.seeder(learner_id)
        facts = group_facts()
        groups = seeder.shuffle(sorted(facts), "groups")[:QUESTIONS_PER_VARIANT]
        questions = []
        for i, group in enumerate(groups, start=1):
            fill = seeder.shuffle(DETERMINANTS, f"fill-{group}")
            options = seeder.shuffle(options_for(facts[group], fill), f"options-{group}")
            questions.append((f"q{i}", facts[group], tuple(options)))
        return CaseloadVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            questions=tuple(questions),
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """Per group: the question, the group's mean scores, and a drop-down of determinants."""
        lang = view["lang"]
        return AnswerSheet(
            items=tuple(
                AnswerItem(
                    id=item["id"],
                    label=item_heading(item["id"], lang),
                    intro=(
                        Paragraph(item["question"], style="strong"),
                        Table(
                            item["means_label"],
                            tuple(
                                (m["label"], points_text(m["mean"], lang)) for m in item["means"]
                            ),
                        ),
                    ),
                    fields=(
                        AnswerField.choice(
                            item["id"],
                            choice_label(item["id"], lang),
                            answer_options(item["options"]),
                        ),
                    ),
                )
                for item in view["items"]
            )
        )

    def _grade(
        self, variant: CaseloadVariant, answers: Mapping[str, Any], lang: str
    ) -> GradeResult:
        check_items(answers, variant.item_ids)
        chosen = {
            qid: check_choice(answers[qid], options, qid) for qid, _, options in variant.questions
        }
        per_item = self.max_points / len(variant.questions)
        scores: dict[str, float] = {}
        feedback: dict[str, str] = {}
        for qid, facts, _ in variant.questions:
            answer = facts.answer
            pick = chosen[qid]
            gain = fmt(100 * facts.gains[answer], lang, 1)
            if pick == answer:
                scores[qid] = per_item
                parts = [
                    exercise_text(self.id, "correct", lang, answer=dname(answer, lang), gain=gain)
                ]
            else:
                scores[qid] = 0.0
                parts = [
                    exercise_text(
                        self.id,
                        "wrong",
                        lang,
                        chosen=dname(pick, lang),
                        chosen_gain=fmt(100 * facts.gains[pick], lang, 1),
                        answer=dname(answer, lang),
                        gain=gain,
                    )
                ]
            if facts.lowest != answer:
                parts.append(
                    exercise_text(
                        self.id,
                        "lowest_trap",
                        lang,
                        lowest=t(f"determinant.{facts.lowest}.name", lang),
                    )
                )
            parts.append(exercise_text(self.id, "potential", lang))
            feedback[qid] = " ".join(parts)
        return self.result(scores, feedback, lang)
