"""Exercise choose-knob: choose interventions within an effort budget to raise behaviour most.

The best choice is found by trying every subset of the case's interventions that fits the
budget (a case has a handful, so at most a few dozen subsets), each evaluated with
:meth:`igm.Model.compare` on the combined effects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    InvalidAnswer,
    Option,
    Paragraph,
    Variant,
    check_choice,
    check_items,
    fmt,
    item_heading,
)
from exercises._shared import all_cases, case_by_id, case_view, dname, join_names, other_case_choice
from exercises._texts import exercise_text
from igm import Case, Intervention, model_for

__all__ = [
    "ChooseKnob",
    "ChooseKnobVariant",
    "best_choice",
    "budgets_for",
    "combined_effects",
    "gain_of",
]

EXERCISE_ID = "choose-knob"
ITEM = "interventions"


def combined_effects(interventions: Iterable[Intervention]) -> dict[str, float]:
    """The summed raises of several interventions per determinant (the model caps at 7)."""
    total: dict[str, float] = {}
    for item in interventions:
        for key, delta in item.effects.items():
            total[key] = total.get(key, 0.0) + delta
    return total


@cache
def gain_of(case_id: str, chosen: frozenset[str]) -> float:
    """Rise in behaviour probability (0–1) when the chosen interventions are all applied."""
    case = case_by_id(case_id)
    if not chosen:
        return 0.0
    effects = combined_effects(case.intervention(i) for i in sorted(chosen))
    return model_for(case.domain).compare(case.scores, effects).behaviour_gain


def fitting_subsets(case: Case, budget: int) -> list[frozenset[str]]:
    ids = [item.id for item in case.interventions]
    return [
        frozenset(combo)
        for size in range(len(ids) + 1)
        for combo in combinations(ids, size)
        if sum(case.intervention(i).effort for i in combo) <= budget
    ]


def best_choice(case: Case, budget: int) -> tuple[frozenset[str], float]:
    """The subset within ``budget`` with the largest gain (ties: least effort, then by id)."""

    def rank(subset: frozenset[str]) -> tuple[float, int, list[str]]:
        effort = sum(case.intervention(i).effort for i in subset)
        return (-round(gain_of(case.id, subset), 12), effort, sorted(subset))

    best = min(fitting_subsets(case, budget), key=rank)
    return best, gain_of(case.id, best)


def budgets_for(case: Case) -> list[int]:
    """Budgets that make a real choice: some but not all interventions fit, and the best
    choice is not simply "the one intervention with the biggest gain on its own"."""
    efforts = [item.effort for item in case.interventions]
    out = []
    for budget in range(min(efforts) + 1, sum(efforts)):
        best, _ = best_choice(case, budget)
        single = max(case.interventions, key=lambda i: gain_of(case.id, frozenset([i.id])))
        if len(best) >= 2 or best != frozenset([single.id]):
            out.append(budget)
    return out


@dataclass(frozen=True)
class ChooseKnobVariant(Variant):
    case: Case
    budget: int
    order: tuple[str, ...]  # intervention ids in the learner's order

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        view["case"] = case_view(self.case, lang, with_scores=True)
        view["budget"] = {
            "value": self.budget,
            "label": exercise_text(EXERCISE_ID, "budget", lang, budget=self.budget),
        }
        options = []
        for iid in self.order:
            item = self.case.intervention(iid)
            effects = join_names(
                [f"{dname(k, lang)} +{int(v)}" for k, v in item.effects.items()], lang
            )
            options.append(
                {
                    "id": iid,
                    "label": item.label(lang),
                    "description": item.description(lang),
                    "effort": item.effort,
                    "effort_label": exercise_text(EXERCISE_ID, "effort", lang, effort=item.effort),
                    "effects": {k: int(v) for k, v in item.effects.items()},
                    "effects_label": exercise_text(EXERCISE_ID, "raises", lang, effects=effects),
                }
            )
        view["items"] = [{"id": ITEM, "multiple": True, "options": options}]
        return view


class ChooseKnob(Exercise):
    id = EXERCISE_ID
    variant_type = ChooseKnobVariant

    def make_variant(self, learner_id: str) -> ChooseKnobVariant:
        seeder = self.seeder(learner_id)
        eligible = [c.id for c in all_cases() if budgets_for(c)]
        case = case_by_id(other_case_choice(seeder, learner_id, eligible))
        return ChooseKnobVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            case=case,
            budget=seeder.choice(budgets_for(case), "budget"),
            order=tuple(seeder.shuffle([i.id for i in case.interventions], "order")),
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """The budget, then a checkbox per intervention with its effort and effects."""
        lang = view["lang"]
        budget = view["budget"]
        (item,) = view["items"]
        options = tuple(
            Option(
                o["id"],
                o["label"],
                details=(o["description"], o["effort_label"], o["effects_label"]),
                cost=int(o["effort"]),
            )
            for o in item["options"]
        )
        return AnswerSheet(
            intro=(Paragraph(budget["label"], style="strong"),),
            items=(
                AnswerItem(
                    id=item["id"],
                    label=item_heading(item["id"], lang),
                    fields=(AnswerField.multi_select(item["id"], options, int(budget["value"])),),
                ),
            ),
        )

    def _grade(
        self, variant: ChooseKnobVariant, answers: Mapping[str, Any], lang: str
    ) -> GradeResult:
        check_items(answers, [ITEM])
        raw = answers[ITEM]
        if not isinstance(raw, (list, tuple)):
            raise InvalidAnswer("not_a_list", item=ITEM)
        chosen: list[str] = []
        for value in raw:
            iid = check_choice(value, variant.order, ITEM)
            if iid in chosen:
                raise InvalidAnswer("duplicate_choice", item=ITEM, value=iid)
            chosen.append(iid)
        case = variant.case
        effort = sum(case.intervention(i).effort for i in chosen)
        if effort > variant.budget:
            raise InvalidAnswer("over_budget", item=ITEM, effort=effort, budget=variant.budget)

        gain = gain_of(case.id, frozenset(chosen))
        best, best_gain = best_choice(case, variant.budget)
        share = max(0.0, gain / best_gain) if best_gain > 0 else 1.0
        points = round(self.max_points * share, 2)

        def names(ids: Iterable[str]) -> str:
            labels = [case.intervention(i).label(lang) for i in ids]
            return join_names(labels, lang) or exercise_text(self.id, "none", lang)

        parts = [
            exercise_text(
                self.id,
                "your_choice",
                lang,
                choice=names(chosen),
                effort=effort,
                gain=fmt(100 * gain, lang, 1),
            )
        ]
        if round(gain, 12) >= round(best_gain, 12):
            parts.append(exercise_text(self.id, "best", lang))
        else:
            best_ids = [i for i in variant.order if i in best]
            parts.append(
                exercise_text(
                    self.id,
                    "not_best",
                    lang,
                    choice=names(best_ids),
                    effort=sum(case.intervention(i).effort for i in best),
                    gain=fmt(100 * best_gain, lang, 1),
                    share=f"{fmt(100 * share, lang)}%",
                )
            )
        lever = model_for(case.domain).predict(case.scores).levers[0]
        parts.append(
            exercise_text(
                self.id,
                "why",
                lang,
                name=case.name,
                bottleneck=dname(lever.key, lang),
                lever=fmt(100 * lever.gain, lang, 1),
            )
        )
        return self.result({ITEM: points}, {ITEM: " ".join(parts)}, lang)
