"""A seventh exercise that exists only in the tests: one module, its texts, one registration.

It declares one field of every kind (choice, scale, number with unit, multi-select within a
budget, an item of two parts with a text of minimum length) and grades them, so a test can
show that an exercise the app has never heard of renders, is answered and is graded through
the generic form (exercises/README.md, "How to add an exercise").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from exercises import register
from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    InvalidAnswer,
    Option,
    Paragraph,
    Table,
    Variant,
    check_choice,
    check_items,
    check_number,
    check_text,
    item_heading,
)
from exercises._texts import ExerciseMeta, exercise_text
from exercises.catalog import unregister
from exercises.settings import QuizSettings
from igm.i18n import Text

TOY_ID = "toy-colours"
COLOURS = {
    "red": Text(nl="Rood", en="Red"),
    "green": Text(nl="Groen", en="Green"),
    "blue": Text(nl="Blauw", en="Blue"),
}
#: Option id -> (cost, label) of the multi-select; the budget is 3.
TOOLS = {
    "brush": (1, Text(nl="Kwast", en="Brush")),
    "roller": (2, Text(nl="Roller", en="Roller")),
    "spray": (2, Text(nl="Spuitbus", en="Spray can")),
}
BUDGET = 3
MIN_WHY = 10
ITEMS = ("colour", "score", "share", "tools", "note")


def _t(nl: str, en: str) -> Text:
    return Text(nl=nl, en=en)


META = ExerciseMeta(
    id=TOY_ID,
    title=_t("Kleuren (oefenopgave)", "Colours (toy exercise)"),
    instructions=_t(
        "Een oefening die alleen in de tests bestaat: kies, scoor, schat en licht toe.",
        "An exercise that exists only in the tests: choose, score, estimate and explain.",
    ),
    retry="best",
    max_points=5.0,
    # practice settings (exercises/settings.py): unlimited tries at one variant, answers at once
    settings=QuizSettings(attempts=None, new_variant_per_attempt=False, show_answers="immediately"),
    texts={
        "summary": _t("Je hebt {points} van de {max} punten.", "You have {points} of {max}."),
        "right": _t("Goed: {answer}.", "Right: {answer}."),
        "wrong": _t("Niet goed; het was {answer}.", "Not right; it was {answer}."),
        "question": _t("Welke kleur heeft de deur?", "Which colour is the door?"),
        "share": _t("Hoeveel procent is geverfd?", "What share is painted?"),
        "why": _t("Waarom?", "Why?"),
    },
)


@dataclass(frozen=True)
class ToyVariant(Variant):
    colour: str  # the key: never in the public view
    order: tuple[str, ...]

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        view["question"] = exercise_text(TOY_ID, "question", lang)
        view["options"] = [{"id": c, "label": COLOURS[c](lang)} for c in self.order]
        view["tools"] = [
            {"id": k, "label": label(lang), "cost": cost} for k, (cost, label) in TOOLS.items()
        ]
        view["share_prompt"] = exercise_text(TOY_ID, "share", lang)
        view["why_prompt"] = exercise_text(TOY_ID, "why", lang)
        return view


class ToyColours(Exercise):
    id = TOY_ID
    variant_type = ToyVariant

    def make_variant(self, learner_id: str) -> ToyVariant:
        seeder = self.seeder(learner_id)
        return ToyVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            colour=seeder.choice(sorted(COLOURS), "colour"),
            order=tuple(seeder.shuffle(COLOURS, "order")),
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        lang = view["lang"]
        colours = tuple(Option(o["id"], o["label"]) for o in view["options"])
        tools = tuple(
            Option(o["id"], o["label"], details=(f"{o['cost']}",), cost=o["cost"])
            for o in view["tools"]
        )

        def item(item_id: str, *fields: AnswerField, intro: tuple[Any, ...] = ()) -> AnswerItem:
            return AnswerItem(item_id, item_heading(item_id, lang), fields, intro)

        return AnswerSheet(
            intro=(Paragraph(view["question"], style="strong"),),
            items=(
                item("colour", AnswerField.choice("colour", "Colour", colours)),
                item("score", AnswerField.scale("score", "Score", 1, 5)),
                item(
                    "share",
                    AnswerField.number("share", "Share", 0, 100, unit="%"),
                    intro=(Paragraph(view["share_prompt"]), Table("Hint", (("a", "b"),))),
                ),
                item("tools", AnswerField.multi_select("tools", tools, BUDGET)),
                item(
                    "note",
                    AnswerField.choice("note", "Pick", colours, part="pick"),
                    AnswerField.text("note", view["why_prompt"], MIN_WHY, part="why"),
                ),
            ),
        )

    def _grade(self, variant: ToyVariant, answers: Mapping[str, Any], lang: str) -> GradeResult:
        check_items(answers, ITEMS)
        colour = check_choice(answers["colour"], variant.order, "colour")
        score = check_number(answers["score"], 1, 5, "score", integer=True)
        share = check_number(answers["share"], 0, 100, "share", integer=False)
        tools = [check_choice(v, list(TOOLS), "tools") for v in answers["tools"]]
        cost = sum(TOOLS[k][0] for k in tools)
        if cost > BUDGET:
            raise InvalidAnswer("over_budget", item="tools", effort=cost, budget=BUDGET)
        note = answers["note"]
        if not isinstance(note, Mapping):
            raise InvalidAnswer("not_a_part", item="note")
        pick = check_choice(note.get("pick"), variant.order, "note")
        why = check_text(note.get("why"), "note", MIN_WHY)
        right = {
            "colour": colour == variant.colour,
            "score": score == 3,
            "share": abs(share - 42.5) <= 5,
            "tools": sorted(tools) == ["brush", "roller"],
            "note": pick == variant.colour,
        }
        answer = COLOURS[variant.colour](lang)
        feedback = {
            k: exercise_text(self.id, "right" if ok else "wrong", lang, answer=answer)
            for k, ok in right.items()
        }
        scores = {k: 1.0 if ok else 0.0 for k, ok in right.items()}
        return self.result(scores, feedback, lang, kept_text={"note": why})


def perfect(variant: ToyVariant) -> dict[str, Any]:
    return {
        "colour": variant.colour,
        "score": 3,
        "share": 42.5,
        "tools": ["brush", "roller"],
        "note": {"pick": variant.colour, "why": "Because the door is painted that way."},
    }


@contextmanager
def toy_registered() -> Iterator[ToyColours]:
    """The toy exercise in the catalogue for the duration of a test."""
    exercise = ToyColours()
    register(exercise, META)
    try:
        yield exercise
    finally:
        unregister(TOY_ID)
