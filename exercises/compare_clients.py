"""Exercise compare-clients: who gains more from the same step, how much more, and why?

Two fictional clients get the same step (e.g. "+1 on self-efficacy", "childcare arranged:
home situation +2"). The learner says who gains more, by how much (much more, somewhat more,
about the same) and which principle of the IGM explains it. The items are graded on that
reasoning, never on a number of the model.

Each scenario is made to show one principle (:data:`PRINCIPLES`): intention times ability,
a missing kunnen condition that no other condition makes up for, diminishing returns, or
willen adding up. Its key (direction and size) comes from the engine, and a scenario is
only used when the key is robust: the same direction and size in at least
:data:`MIN_AGREEMENT` of the model's Monte Carlo draws, and at the default weights not
close to a boundary between sizes (:func:`judge`). So no answer depends on a fine
difference in the kit's default weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Any, Literal

import numpy as np

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    Option,
    OptionList,
    Paragraph,
    Table,
    Variant,
    check_choice,
    check_items,
    item_heading,
)
from exercises._shared import choice_label
from exercises._texts import exercise_text
from igm.determinants import DETERMINANTS, KUNNEN, SCALE_MAX, WILLEN
from igm.i18n import t
from igm.model import evaluate, model_for, scale_share

__all__ = [
    "DOMAINS",
    "MIN_AGREEMENT",
    "PRINCIPLES",
    "REASONS",
    "CompareClients",
    "CompareVariant",
    "Judgement",
    "Scenario",
    "judge",
    "robust_scenarios",
    "scenario_pool",
]

EXERCISE_ID = "compare-clients"
ITEMS = ("q1", "q2", "q3")  # who gains more, why, how much more

Who = Literal["first", "second", "same"]
Size = Literal["much", "somewhat", "same"]
WHO: tuple[Who, ...] = ("first", "second", "same")
SIZES: tuple[Size, ...] = ("much", "somewhat", "same")

#: The behaviour domains whose "client" is a person looking for or returning to work.
DOMAINS = ("job_search", "return_to_work")

#: A key is used only when this share of the Monte Carlo draws agrees with it.
MIN_AGREEMENT = 0.95
#: Gain ratio (larger / smaller) per size, as the learner reads it: "more than twice as much"
#: is much more, "up to twice as much" somewhat more; "about the same" is within 10%.
MUCH_RATIO = 2.0
SAME_RATIO = 1.1
#: At the default weights the ratio must lie this far inside its size's band, so that the
#: key does not rest on a fine difference in the default weights.
POINT_MARGIN = 1.1

#: Per principle: the reason that explains it and the reasons offered beside it. A
#: distractor is a common misconception, or another principle that plainly does not fit the
#: scenario (e.g. "room to grow" when both clients stand on the same score). Reasons that
#: would also lead to the right answer here are never offered.
PRINCIPLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "blocked_willen": (
        "intention_ability",
        ("most_problems", "motivation_first", "room_to_grow", "weight_decides"),
    ),
    "missing_condition": (
        "missing_condition",
        ("most_problems", "room_to_grow", "weight_decides", "one_point_same"),
    ),
    "room_to_grow": (
        "room_to_grow",
        ("motivation_first", "weight_decides", "one_point_same", "intention_ability"),
    ),
    "kunnen_needs_willen": (
        "intention_ability",
        ("most_problems", "room_to_grow", "weight_decides", "one_point_same"),
    ),
    "willen_adds_up": (
        "willen_adds_up",
        ("motivation_first", "most_problems", "missing_condition"),
    ),
}
#: Every reason a learner can choose: four principles of the model and four misconceptions.
REASONS = (
    "intention_ability",
    "missing_condition",
    "room_to_grow",
    "willen_adds_up",
    "motivation_first",
    "most_problems",
    "weight_decides",
    "one_point_same",
)
N_REASONS = 4

#: Fictional first names, drawn independently of the profiles (no name goes with a profile).
NAMES = (
    "Anouk",
    "Bram",
    "Chaima",
    "Daan",
    "Eline",
    "Fenna",
    "Jesse",
    "Kim",
    "Lieke",
    "Mo",
    "Noor",
    "Ravi",
    "Sem",
    "Tess",
    "Yara",
    "Zeynep",
)

Scores = tuple[int, ...]  # one score (1–7) per determinant, in the order of DETERMINANTS


@dataclass(frozen=True)
class Scenario:
    """Two clients and one step: ``step`` maps determinants to the points the step adds."""

    principle: str
    domain: str
    first: Scores
    second: Scores
    step: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Judgement:
    """The engine's answer for a scenario and how robust it is.

    ``who`` and ``size`` at the default weights; ``agreement`` the share of the Monte Carlo
    draws that give the same who *and* size; ``ratio`` the gain of the one who gains more
    divided by the other's (``inf`` when the other gains nothing) at the default weights.
    """

    who: Who
    size: Size
    agreement: float
    ratio: float

    @property
    def robust(self) -> bool:
        """Agreed by :data:`MIN_AGREEMENT` of the draws and not near a size boundary."""
        if self.agreement < MIN_AGREEMENT:
            return False
        if self.size == "same":
            return bool(self.ratio <= 1 + (SAME_RATIO - 1) / 2)
        if self.size == "somewhat":
            return bool(SAME_RATIO * POINT_MARGIN <= self.ratio <= MUCH_RATIO / POINT_MARGIN)
        return bool(self.ratio >= MUCH_RATIO * POINT_MARGIN)


def _profile(willen: int, kunnen: int, **changes: int) -> Scores:
    base = {k: willen for k in WILLEN} | {k: kunnen for k in KUNNEN} | changes
    return tuple(base[k] for k in DETERMINANTS)


def scenario_pool() -> list[Scenario]:
    """Every scenario the exercise may draw from, robust or not (see :func:`robust_scenarios`)."""
    pool: list[Scenario] = []
    for domain, willen, kunnen in product(DOMAINS, (3, 4), (5, 6)):
        # A step on willen; the second client misses (1) or is weak (2) on a kunnen condition.
        for stepped, blocked, level in product(WILLEN, KUNNEN, (1, 2)):
            pool.append(
                Scenario(
                    "blocked_willen",
                    domain,
                    _profile(willen, kunnen),
                    _profile(willen, kunnen, **{blocked: level}),
                    ((stepped, 1),),
                )
            )
        # A step on one kunnen condition; the second client misses another one.
        for stepped, blocked, level in product(KUNNEN, KUNNEN, (1, 2)):
            if stepped != blocked:
                pool.append(
                    Scenario(
                        "missing_condition",
                        domain,
                        _profile(willen, kunnen, **{stepped: 4}),
                        _profile(willen, kunnen, **{stepped: 4, blocked: level}),
                        ((stepped, 1),),
                    )
                )
        # The same step on willen from a low and from a high score.
        for stepped, (low, high) in product(WILLEN, ((2, 6), (3, 5))):
            pool.append(
                Scenario(
                    "room_to_grow",
                    domain,
                    _profile(willen, kunnen, **{stepped: low}),
                    _profile(willen, kunnen, **{stepped: high}),
                    ((stepped, 1),),
                )
            )
        # The same step on willen; the clients differ on another willen determinant only.
        for stepped, other in product(WILLEN, WILLEN):
            if stepped != other:
                pool.append(
                    Scenario(
                        "willen_adds_up",
                        domain,
                        _profile(willen, kunnen, **{other: 2}),
                        _profile(willen, kunnen, **{other: 6}),
                        ((stepped, 1),),
                    )
                )
    # Childcare arranged (a kunnen step) for a client who wants a lot and one who wants little.
    for domain, kunnen, (high, low) in product(DOMAINS, (5, 6), ((6, 2), (5, 2), (5, 3))):
        pool.append(
            Scenario(
                "kunnen_needs_willen",
                domain,
                _profile(high, kunnen, home_situation=2),
                _profile(low, kunnen, home_situation=2),
                (("home_situation", 2),),
            )
        )
    return pool


def _raised(scores: Scores, step: tuple[tuple[str, int], ...]) -> Scores:
    added = dict(step)
    return tuple(
        min(int(SCALE_MAX), s + added.get(k, 0)) for k, s in zip(DETERMINANTS, scores, strict=True)
    )


def _classify(first: float, second: float) -> tuple[Who, Size, float]:
    high, low = max(first, second), min(first, second)
    ratio = float("inf") if low <= 1e-12 else high / low
    if high <= 1e-12 or ratio < SAME_RATIO:
        return "same", "same", 1.0 if high <= 1e-12 else ratio
    who: Who = "first" if first > second else "second"
    return who, "much" if ratio > MUCH_RATIO else "somewhat", ratio


def judge(scenario: Scenario) -> Judgement:
    """Who gains more and how much, at the default weights and over the Monte Carlo draws."""
    model = model_for(scenario.domain)
    rows = np.array(
        [
            scenario.first,
            _raised(scenario.first, scenario.step),
            scenario.second,
            _raised(scenario.second, scenario.step),
        ],
        dtype=np.float64,
    )
    shares = scale_share(rows, model.weights.curve_exponent)
    point = evaluate(shares, model.point)[2][:, 0]
    who, size, ratio = _classify(point[1] - point[0], point[3] - point[2])
    draws = evaluate(shares, model.draws)[2]
    gains_first, gains_second = draws[1] - draws[0], draws[3] - draws[2]
    agree = [
        _classify(float(a), float(b))[:2] == (who, size)
        for a, b in zip(gains_first, gains_second, strict=True)
    ]
    return Judgement(who, size, sum(agree) / len(agree), ratio)


@cache
def robust_scenarios() -> tuple[tuple[Scenario, Judgement], ...]:
    """The scenarios whose key is robust (:attr:`Judgement.robust`), with their keys."""
    out = []
    for scenario in scenario_pool():
        judgement = judge(scenario)
        if judgement.robust:
            out.append((scenario, judgement))
    return tuple(out)


# --- the learner's view -----------------------------------------------------------------------


def _level(key: str, score: int) -> str:
    if score == 1 and key in KUNNEN:
        return "missing"
    return "low" if score <= 3 else "high"


def _sketch(own: Scores, other: Scores, lang: str) -> str:
    """What stands out about a client compared with the other: one short sentence per
    determinant on which they differ (one for the whole willen block when all of it differs)."""
    differ = [k for k, a, b in zip(DETERMINANTS, own, other, strict=True) if a != b]
    score = dict(zip(DETERMINANTS, own, strict=True))
    if set(WILLEN) <= set(differ):
        mean = sum(score[k] for k in WILLEN) / len(WILLEN)
        parts = [
            exercise_text(EXERCISE_ID, f"sketch_willen_{'low' if mean <= 3 else 'high'}", lang)
        ]
        differ = [k for k in differ if k not in WILLEN]
    else:
        parts = []
    parts += [exercise_text(EXERCISE_ID, f"sketch_{k}_{_level(k, score[k])}", lang) for k in differ]
    return " ".join(parts)


def _step_text(step: tuple[tuple[str, int], ...], lang: str) -> str:
    return " ".join(
        exercise_text(
            EXERCISE_ID,
            "step",
            lang,
            action=exercise_text(EXERCISE_ID, f"action_{key}", lang),
            determinant=t(f"determinant.{key}.name", lang),
            points=points,
        )
        for key, points in step
    )


@dataclass(frozen=True)
class CompareVariant(Variant):
    scenario: Scenario
    names: tuple[str, str]
    reasons: tuple[str, ...]  # the reasons offered, in the learner's order
    key: Judgement

    @property
    def reason(self) -> str:
        return PRINCIPLES[self.scenario.principle][0]

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        s = self.scenario
        view["domain"] = t(f"domain.{s.domain}", lang)
        view["clients"] = [
            {
                "id": who,
                "name": name,
                "sketch": _sketch(own, other, lang),
                "scores": [
                    {"id": k, "label": t(f"determinant.{k}.name", lang), "score": score}
                    for k, score in zip(DETERMINANTS, own, strict=True)
                ],
            }
            for who, name, own, other in (
                ("first", self.names[0], s.first, s.second),
                ("second", self.names[1], s.second, s.first),
            )
        ]
        view["same_otherwise"] = exercise_text(EXERCISE_ID, "same_otherwise", lang)
        view["step"] = _step_text(s.step, lang)
        view["items"] = [
            {
                "id": "q1",
                "prompt": exercise_text(EXERCISE_ID, "who_prompt", lang),
                "options": [
                    {"id": "first", "label": self.names[0]},
                    {"id": "second", "label": self.names[1]},
                    {"id": "same", "label": exercise_text(EXERCISE_ID, "who_same", lang)},
                ],
            },
            {
                "id": "q2",
                "prompt": exercise_text(EXERCISE_ID, "why_prompt", lang),
                "options": [
                    {
                        "id": r,
                        "label": exercise_text(EXERCISE_ID, f"reason_{r}", lang),
                        "description": exercise_text(EXERCISE_ID, f"reason_{r}_text", lang),
                    }
                    for r in self.reasons
                ],
            },
            {
                "id": "q3",
                "prompt": exercise_text(EXERCISE_ID, "size_prompt", lang),
                "options": [
                    {"id": size, "label": exercise_text(EXERCISE_ID, f"size_{size}", lang)}
                    for size in SIZES
                ],
            },
        ]
        return view


def _options(item: Mapping[str, Any]) -> tuple[Option, ...]:
    return tuple(Option(str(o["id"]), str(o["label"])) for o in item["options"])


class CompareClients(Exercise):
    id = EXERCISE_ID
    variant_type = CompareVariant

    def make_variant(self, learner_id: str) -> CompareVariant:
        seeder = self.seeder(learner_id)
        pool = robust_scenarios()
        # First a principle, then one of its scenarios: every principle as often.
        principle = seeder.choice(sorted({s.principle for s, _ in pool}), "principle")
        scenario, key = seeder.choice([p for p in pool if p[0].principle == principle], "scenario")
        if seeder.number("swap") % 2:  # who comes first is not a clue
            scenario = Scenario(
                scenario.principle, scenario.domain, scenario.second, scenario.first, scenario.step
            )
            flipped: dict[Who, Who] = {"first": "second", "second": "first", "same": "same"}
            key = Judgement(flipped[key.who], key.size, key.agreement, key.ratio)
        names = seeder.shuffle(NAMES, "names")[:2]
        right, distractors = PRINCIPLES[principle]
        offered = [right, *seeder.shuffle(distractors, "distractors")[: N_REASONS - 1]]
        return CompareVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            scenario=scenario,
            names=(names[0], names[1]),
            reasons=tuple(seeder.shuffle(offered, "reasons")),
            key=key,
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """Both clients (a sentence and their scores), the step, then the three questions."""
        lang = view["lang"]
        intro: list[Any] = [
            Paragraph(view["domain"], lead=exercise_text(self.id, "domain_lead", lang)),
        ]
        for client in view["clients"]:
            intro.append(Paragraph(client["sketch"], lead=client["name"] + "."))
            intro.append(
                Table(
                    exercise_text(self.id, "scores_caption", lang, name=client["name"]),
                    tuple((s["label"], str(s["score"])) for s in client["scores"]),
                )
            )
        intro.append(Paragraph(view["same_otherwise"]))
        intro.append(Paragraph(view["step"], lead=exercise_text(self.id, "step_lead", lang)))
        q1, q2, q3 = view["items"]
        return AnswerSheet(
            intro=tuple(intro),
            items=(
                AnswerItem(
                    id="q1",
                    label=item_heading("q1", lang),
                    intro=(Paragraph(q1["prompt"], style="heading"),),
                    fields=(AnswerField.choice("q1", choice_label("q1", lang), _options(q1)),),
                ),
                AnswerItem(
                    id="q2",
                    label=item_heading("q2", lang),
                    intro=(
                        Paragraph(q2["prompt"], style="heading"),
                        OptionList(tuple((o["label"], o["description"]) for o in q2["options"])),
                    ),
                    fields=(AnswerField.choice("q2", choice_label("q2", lang), _options(q2)),),
                ),
                AnswerItem(
                    id="q3",
                    label=item_heading("q3", lang),
                    intro=(Paragraph(q3["prompt"], style="heading"),),
                    fields=(AnswerField.choice("q3", choice_label("q3", lang), _options(q3)),),
                ),
            ),
        )

    def _who_name(self, variant: CompareVariant, who: str, lang: str) -> str:
        if who == "same":
            return exercise_text(self.id, "who_same", lang)
        return variant.names[0] if who == "first" else variant.names[1]

    def _grade(self, variant: CompareVariant, answers: Mapping[str, Any], lang: str) -> GradeResult:
        check_items(answers, ITEMS)
        who = check_choice(answers["q1"], WHO, "q1")
        reason = check_choice(answers["q2"], variant.reasons, "q2")
        size = check_choice(answers["q3"], SIZES, "q3")
        key = variant.key
        principle = variant.scenario.principle
        per_item = self.max_points / len(ITEMS)
        scores = {
            "q1": per_item if who == key.who else 0.0,
            "q2": per_item if reason == variant.reason else 0.0,
            "q3": per_item if size == key.size else 0.0,
        }
        gains_more = self._who_name(variant, key.who, lang)
        direction = (
            exercise_text(self.id, "direction_same", lang)
            if key.who == "same"
            else exercise_text(self.id, "direction_more", lang, name=gains_more)
        )
        if scores["q1"]:
            who_feedback = exercise_text(self.id, "right", lang, answer=direction)
        else:
            who_feedback = exercise_text(
                self.id,
                "wrong",
                lang,
                chosen=self._who_name(variant, who, lang),
                answer=direction,
            )
        explain = exercise_text(self.id, f"explain_{principle}", lang)
        if scores["q2"]:
            why_feedback = exercise_text(self.id, "why_right", lang, explain=explain)
        else:
            why_feedback = exercise_text(
                self.id,
                "why_wrong",
                lang,
                chosen=exercise_text(self.id, f"reason_{reason}", lang),
                rebuttal=exercise_text(self.id, f"rebut_{reason}", lang),
                explain=explain,
            )
        size_text = exercise_text(self.id, f"size_is_{key.size}", lang)
        size_parts = [
            exercise_text(self.id, "size_right", lang, size=size_text)
            if scores["q3"]
            else exercise_text(self.id, "size_wrong", lang, size=size_text),
            exercise_text(self.id, f"size_note_{principle}_{key.size}", lang),
        ]
        feedback = {"q1": who_feedback, "q2": why_feedback, "q3": " ".join(size_parts)}
        # before the answers are released: what the learner chose, or what to compare; never
        # who gains more, the principle or the size
        hints = {
            "q1": who_feedback if scores["q1"] else exercise_text(self.id, "hint_who", lang),
            "q2": why_feedback
            if scores["q2"]
            else exercise_text(
                self.id, "hint_why", lang, rebuttal=exercise_text(self.id, f"rebut_{reason}", lang)
            ),
            "q3": exercise_text(self.id, "size_right", lang, size=size_text)
            if scores["q3"]
            else exercise_text(self.id, "hint_size", lang),
        }
        return self.result(scores, feedback, lang, hints=hints)
