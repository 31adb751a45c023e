"""Exercise choose-knob: first what the client wants, then steps within an effort budget.

Two items, 2 points each (4 in all).

``wish``: what does the client want? Four sentences from the case's own story
(``items/choose-knob.yaml``): what the client says matters to them, beside what someone else
wants for them, a misreading and a label in disguise. 2 points for the right one; the
feedback says why, with the client's own words.

``interventions``: the steps the learner proposes within the budget. Every effect is shown
as the case author's estimate (:func:`igm.report.estimated_effects`, with
:func:`igm.report.estimate_note` above the list). The choice earns two points of 1:

* **fits the wish**: at least one chosen step serves what the client wants (the bank's
  ``serves`` for the case);
* **aims well**: the full point when the choice

  - cannot be told apart from the best choice within the budget by the model: the engine's
    own "about equal" rule for two levers (:mod:`igm.model`), applied to two choices: less
    than :data:`~igm.model.CLOSE_GAIN_GAP` apart, at least
    :data:`~igm.model.CLOSE_GAIN_RATIO` of the best gain, or at least as good as the best
    in :data:`~igm.model.CLOSE_RUNNER_UP_SHARE` of the Monte Carlo weight draws; or
  - addresses the knelpunt (a chosen step raises it); or, when the model names no single
    knelpunt, combines steps (two or more, on at least one of the levers the model calls
    about equal, when it names two);

  otherwise the share of the best gain that the choice achieves (0 to 1).

So a choice never loses points for a difference below the model's uncertainty, nor for not
being the single optimum of the budget, and the budget's optimum always earns both points
(a test holds every case and budget to it). The best choice is found by trying every subset
of the case's interventions that fits the budget (a handful of interventions, so at most a
few dozen subsets), each evaluated with :meth:`igm.Model.compare` on the combined effects;
the feedback shows it as the model's comparison, not as the answer. It names the knelpunt,
or why there is none, with :func:`igm.report.bottleneck_sentence`.

Only cases with an entry in the bank take part: the wish must come from the case's story.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    InvalidAnswer,
    Option,
    OptionList,
    Paragraph,
    Variant,
    check_choice,
    check_items,
    fmt,
)
from exercises._shared import all_cases, case_by_id, case_view, join_names, other_case_choice
from exercises._texts import ClientWish, client_wishes, exercise_text
from igm import Case, Intervention, model_for
from igm.model import CLOSE_GAIN_GAP, CLOSE_GAIN_RATIO, CLOSE_RUNNER_UP_SHARE, Prediction, evaluate
from igm.report import bottleneck_sentence, estimate_note, estimated_effects

__all__ = [
    "ChooseKnob",
    "ChooseKnobVariant",
    "aims_well",
    "best_choice",
    "budgets_for",
    "combined_effects",
    "gain_of",
    "within_uncertainty",
]

EXERCISE_ID = "choose-knob"
WISH = "wish"
ITEM = "interventions"
ITEMS = (WISH, ITEM)
#: Points of the wish item; the choice has one point for fitting the wish, one for its aim.
WISH_POINTS = 2.0


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


@cache
def gain_draws(case_id: str, chosen: frozenset[str]) -> tuple[float, ...]:
    """The rise in behaviour probability per Monte Carlo weight draw (the model's uncertainty)."""
    case = case_by_id(case_id)
    model = model_for(case.domain)
    effects = combined_effects(case.intervention(i) for i in sorted(chosen))
    before = evaluate(model.shares(case.scores), model.draws)[2][0]
    after = evaluate(model.shares(case.scores.raised(effects)), model.draws)[2][0]
    return tuple(float(v) for v in after - before)


def within_uncertainty(case: Case, chosen: frozenset[str], best: frozenset[str]) -> bool:
    """Can the model not tell ``chosen`` apart from ``best``? The engine's rule for two
    levers that are "about equal", applied to two choices (see the module docstring)."""
    gain, best_gain = gain_of(case.id, chosen), gain_of(case.id, best)
    if best_gain - gain < CLOSE_GAIN_GAP or gain >= CLOSE_GAIN_RATIO * best_gain:
        return True
    mine = np.array(gain_draws(case.id, chosen))
    theirs = np.array(gain_draws(case.id, best))
    return float(np.mean(mine >= theirs - 1e-12)) >= CLOSE_RUNNER_UP_SHARE


def raised(case: Case, chosen: Iterable[str]) -> set[str]:
    return {key for iid in chosen for key in case.intervention(iid).effects}


def aims_at_the_knelpunt(case: Case, chosen: frozenset[str], prediction: Prediction) -> bool:
    """Does the choice address the knelpunt, or, with no single knelpunt, combine steps?"""
    if prediction.bottleneck is not None:
        return prediction.bottleneck in raised(case, chosen)
    if len(chosen) < 2:
        return False
    if prediction.close_levers is not None:
        return bool(set(prediction.close_levers) & raised(case, chosen))
    return len(raised(case, chosen)) >= 2


def aims_well(case: Case, budget: int, chosen: frozenset[str]) -> float:
    """The "aims well" point (0–1) of a choice; see the module docstring."""
    best, best_gain = best_choice(case, budget)
    prediction = model_for(case.domain).predict(case.scores)
    if within_uncertainty(case, chosen, best) or aims_at_the_knelpunt(case, chosen, prediction):
        return 1.0
    return round(max(0.0, gain_of(case.id, chosen) / best_gain), 2) if best_gain > 0 else 1.0


def eligible_cases() -> list[str]:
    """Cases with a wish in the bank and a budget that makes a real choice."""
    wishes = client_wishes()
    return [c.id for c in all_cases() if c.id in wishes and budgets_for(c)]


@dataclass(frozen=True)
class ChooseKnobVariant(Variant):
    case: Case
    budget: int
    order: tuple[str, ...]  # intervention ids in the learner's order
    wish_order: tuple[str, ...]  # the bank's wish option ids in the learner's order

    @property
    def wish(self) -> ClientWish:
        return client_wishes()[self.case.id]

    def wish_option(self, public_id: str) -> str:
        """The bank's option id behind a public one (w1, w2, ...)."""
        return self.wish_order[int(public_id[1:]) - 1]

    @property
    def wish_ids(self) -> list[str]:
        return [f"w{i}" for i in range(1, len(self.wish_order) + 1)]

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        case = self.case
        view["case"] = case_view(case, lang, with_scores=True)
        view["budget"] = {
            "value": self.budget,
            "label": exercise_text(EXERCISE_ID, "budget", lang, budget=self.budget),
        }
        texts = {o.id: o.text(lang) for o in self.wish.options}
        wish_item = {
            "id": WISH,
            "label": exercise_text(EXERCISE_ID, "wish_label", lang, name=case.name),
            "prompt": exercise_text(EXERCISE_ID, "wish_prompt", lang, name=case.name),
            "options": [
                {
                    "id": public,
                    "label": exercise_text(EXERCISE_ID, "wish_option", lang, n=n),
                    "text": texts[bank],
                }
                for n, (public, bank) in enumerate(
                    zip(self.wish_ids, self.wish_order, strict=True), start=1
                )
            ],
        }
        options = []
        for iid in self.order:
            item = case.intervention(iid)
            options.append(
                {
                    "id": iid,
                    "label": item.label(lang),
                    "description": item.description(lang),
                    "effort": item.effort,
                    "effort_label": exercise_text(EXERCISE_ID, "effort", lang, effort=item.effort),
                    "effects": {k: int(v) for k, v in item.effects.items()},
                    "effects_label": estimated_effects(item.effects, lang),
                }
            )
        choice_item = {
            "id": ITEM,
            "label": exercise_text(EXERCISE_ID, "choice_label", lang),
            "prompt": exercise_text(EXERCISE_ID, "choice_prompt", lang, name=case.name),
            "estimate_note": estimate_note(case, lang),
            "multiple": True,
            "options": options,
        }
        view["items"] = [wish_item, choice_item]
        return view


class ChooseKnob(Exercise):
    id = EXERCISE_ID
    variant_type = ChooseKnobVariant

    def make_variant(self, learner_id: str) -> ChooseKnobVariant:
        seeder = self.seeder(learner_id)
        case = case_by_id(other_case_choice(seeder, learner_id, eligible_cases()))
        wish = client_wishes()[case.id]
        return ChooseKnobVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            case=case,
            budget=seeder.choice(budgets_for(case), "budget"),
            order=tuple(seeder.shuffle([i.id for i in case.interventions], "order")),
            wish_order=tuple(seeder.shuffle([o.id for o in wish.options], "wish")),
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """First what the client wants (a choice); then the budget, the note that effects are
        estimates, and a checkbox per intervention with its effort and estimated effects."""
        wish, choice = view["items"]
        budget = view["budget"]
        options = tuple(
            Option(
                o["id"],
                o["label"],
                details=(o["description"], o["effort_label"], o["effects_label"]),
                cost=int(o["effort"]),
            )
            for o in choice["options"]
        )
        return AnswerSheet(
            items=(
                AnswerItem(
                    id=WISH,
                    label=wish["label"],
                    # the sentences are read in full above a short drop-down (Zin 1, Zin 2...)
                    intro=(
                        Paragraph(wish["prompt"], style="heading"),
                        OptionList(tuple((o["label"], o["text"]) for o in wish["options"])),
                    ),
                    fields=(
                        AnswerField.choice(
                            WISH,
                            wish["label"],
                            tuple(Option(o["id"], o["label"]) for o in wish["options"]),
                        ),
                    ),
                ),
                AnswerItem(
                    id=ITEM,
                    label=choice["label"],
                    intro=(
                        Paragraph(choice["prompt"], style="heading"),
                        Paragraph(budget["label"], style="strong"),
                        Paragraph(choice["estimate_note"]),
                    ),
                    fields=(AnswerField.multi_select(ITEM, options, int(budget["value"])),),
                ),
            ),
        )

    def _grade(
        self, variant: ChooseKnobVariant, answers: Mapping[str, Any], lang: str
    ) -> GradeResult:
        check_items(answers, ITEMS)
        wish_answer = check_choice(answers[WISH], variant.wish_ids, WISH)
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

        wish_points, wish_feedback = self._grade_wish(variant, wish_answer, lang)
        choice_points, choice_feedback = self._grade_choice(variant, frozenset(chosen), lang)
        return self.result(
            {WISH: wish_points, ITEM: choice_points},
            {WISH: wish_feedback, ITEM: choice_feedback},
            lang,
            hints={
                WISH: self._wish_hint(variant, wish_points > 0, lang),
                ITEM: self._choice_hint(variant, frozenset(chosen), lang),
            },
        )

    def _wish_hint(self, variant: ChooseKnobVariant, right: bool, lang: str) -> str:
        """Before the answers are released: right or wrong, and where to read the wish."""
        key = "hint_wish_right" if right else "hint_wish_wrong"
        return exercise_text(self.id, key, lang, name=variant.case.name)

    def _choice_hint(self, variant: ChooseKnobVariant, chosen: frozenset[str], lang: str) -> str:
        """Before the answers are released: what the learner's own choice does, whether it
        fits the wish, and what to look at; never the best choice, the steps that serve the
        wish or the model's bottleneck."""
        case = variant.case
        labels = [case.intervention(i).label(lang) for i in variant.order if i in chosen]
        names = join_names(labels, lang) or exercise_text(self.id, "none", lang)
        gain = gain_of(case.id, chosen)
        best, best_gain = best_choice(case, variant.budget)
        effort = sum(case.intervention(i).effort for i in chosen)
        parts = [
            exercise_text(
                self.id,
                "your_choice",
                lang,
                choice=names,
                effort=effort,
                gain=fmt(100 * gain, lang, 1),
            )
        ]
        serving = [i for i in variant.order if i in chosen and i in variant.wish.serves]
        if serving:
            steps = join_names([case.intervention(i).label(lang) for i in serving], lang)
            parts.append(exercise_text(self.id, "fits_wish", lang, name=case.name, steps=steps))
        else:
            parts.append(exercise_text(self.id, "hint_not_fits", lang, name=case.name))
        if round(gain, 12) >= round(best_gain, 12):
            more = exercise_text(self.id, "best", lang)
        elif within_uncertainty(case, chosen, best):
            more = exercise_text(self.id, "hint_about_equal", lang)
        else:
            more = exercise_text(self.id, "hint_less", lang)
        lines = [" ".join(parts), more, exercise_text(self.id, "caveat", lang, name=case.name)]
        return "\n".join(lines)

    def _grade_wish(self, variant: ChooseKnobVariant, answer: str, lang: str) -> tuple[float, str]:
        wish = variant.wish
        right = next(o for o in wish.options if o.right)
        name = variant.case.name
        if variant.wish_option(answer) == right.id:
            return WISH_POINTS, exercise_text(self.id, "wish_right", lang, why=wish.why(lang))
        text = exercise_text(self.id, "wish_wrong", lang, name=name, right=right.text(lang), why="")
        return 0.0, f"{text.rstrip()}\n{wish.why(lang)}"

    def _grade_choice(
        self, variant: ChooseKnobVariant, chosen: frozenset[str], lang: str
    ) -> tuple[float, str]:
        case = variant.case

        def names(ids: Iterable[str]) -> str:
            labels = [case.intervention(i).label(lang) for i in variant.order if i in set(ids)]
            return join_names(labels, lang) or exercise_text(self.id, "none", lang)

        gain = gain_of(case.id, chosen)
        best, best_gain = best_choice(case, variant.budget)
        prediction = model_for(case.domain).predict(case.scores)
        parts = [
            exercise_text(
                self.id,
                "your_choice",
                lang,
                choice=names(chosen),
                effort=sum(case.intervention(i).effort for i in chosen),
                gain=fmt(100 * gain, lang, 1),
            )
        ]
        serving = [i for i in chosen if i in variant.wish.serves]
        fits = 1.0 if serving else 0.0
        if serving:
            parts.append(
                exercise_text(self.id, "fits_wish", lang, name=case.name, steps=names(serving))
            )
        else:
            parts.append(
                exercise_text(
                    self.id,
                    "not_fits_wish",
                    lang,
                    name=case.name,
                    steps=names(i for i in variant.order if i in variant.wish.serves),
                )
            )
        aim = aims_well(case, variant.budget, chosen)
        best_values = {"choice": names(best), "gain": fmt(100 * best_gain, lang, 1)}
        if round(gain, 12) >= round(best_gain, 12):
            parts.append(exercise_text(self.id, "best", lang))
        elif within_uncertainty(case, chosen, best):
            parts.append(exercise_text(self.id, "about_equal", lang, **best_values))
        elif aim == 1.0:
            key = "aims_knelpunt" if prediction.bottleneck is not None else "aims_combined"
            parts.append(exercise_text(self.id, key, lang, name=case.name, **best_values))
        else:
            share = max(0.0, gain / best_gain) if best_gain > 0 else 1.0
            parts.append(
                exercise_text(
                    self.id, "clearly_less", lang, share=f"{fmt(100 * share, lang)}%", **best_values
                )
            )
        # one paragraph each: what the choice does, how it compares, what the model says
        lines = [" ".join(parts[:2]), parts[2], bottleneck_sentence(prediction, lang)]
        lines.append(exercise_text(self.id, "caveat", lang, name=case.name))
        return fits + aim, "\n".join(lines)
