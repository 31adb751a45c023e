"""Exercise recognise-determinant: place intake quotes under the right determinant.

The keys and explanations in ``items/recognise-determinant.yaml`` follow the book
(chapters 2–5): support that helps someone plan and keep going, such as a short weekly
call, is self-regulation support; what important others expect of someone, and the help
they give, is social influence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Exercise,
    GradeResult,
    Paragraph,
    Variant,
    check_choice,
    check_items,
    item_heading,
)
from exercises._shared import answer_options, choice_label, determinant_options, dname
from exercises._texts import RecogniseItem, exercise_text, recognise_items
from igm import DETERMINANTS
from igm.i18n import t

__all__ = ["ITEMS_PER_VARIANT", "RecogniseDeterminant", "RecogniseVariant"]

EXERCISE_ID = "recognise-determinant"
#: Quotes per learner, drawn from the bank (22 quotes, at least 3 per determinant).
ITEMS_PER_VARIANT = 8


@dataclass(frozen=True)
class RecogniseVariant(Variant):
    """Quotes in the learner's order; ``items`` maps the public item id (q1, q2, ...) to the bank item."""

    items: tuple[tuple[str, RecogniseItem], ...]
    options: tuple[str, ...]  # determinant keys in the learner's option order

    @property
    def item_ids(self) -> list[str]:
        return [item_id for item_id, _ in self.items]

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        view["options"] = determinant_options(list(self.options), lang)
        view["items"] = [
            {
                "id": item_id,
                "prompt": exercise_text(EXERCISE_ID, "prompt", lang),
                "quote": item.quote(lang),
            }
            for item_id, item in self.items
        ]
        return view


class RecogniseDeterminant(Exercise):
    id = EXERCISE_ID
    variant_type = RecogniseVariant

    def make_variant(self, learner_id: str) -> RecogniseVariant:
        seeder = self.seeder(learner_id)
        bank = seeder.shuffle(recognise_items(), "items", key=lambda item: item.id)
        chosen = bank[:ITEMS_PER_VARIANT]
        return RecogniseVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            items=tuple((f"q{i}", item) for i, item in enumerate(chosen, start=1)),
            options=tuple(seeder.shuffle(DETERMINANTS, "options")),
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """Per quote: the question and the quote, and a drop-down of the determinants."""
        lang = view["lang"]
        options = answer_options(view["options"])
        return AnswerSheet(
            items=tuple(
                AnswerItem(
                    id=item["id"],
                    label=item_heading(item["id"], lang),
                    intro=(
                        Paragraph(item["prompt"], lead=item_heading(item["id"], lang) + "."),
                        Paragraph(item["quote"], style="quote"),
                    ),
                    fields=(
                        AnswerField.choice(item["id"], choice_label(item["id"], lang), options),
                    ),
                )
                for item in view["items"]
            )
        )

    def _grade(
        self, variant: RecogniseVariant, answers: Mapping[str, Any], lang: str
    ) -> GradeResult:
        check_items(answers, variant.item_ids)
        chosen = {
            item_id: check_choice(answers[item_id], variant.options, item_id)
            for item_id in variant.item_ids
        }
        scores: dict[str, float] = {}
        feedback: dict[str, str] = {}
        hints: dict[str, str] = {}
        for item_id, item in variant.items:
            answer = chosen[item_id]
            right = answer == item.determinant
            scores[item_id] = 1.0 if right else 0.0
            if right:
                key = "correct"
            elif answer == item.confusion:
                key = "wrong_confusion"
            else:
                key = "wrong"
            feedback[item_id] = exercise_text(
                self.id,
                key,
                lang,
                correct=dname(item.determinant, lang),
                chosen=dname(answer, lang),
                why=item.why(lang),
            )
            # before the answers are released: the learner's own choice explained, and what
            # to look at in the quote; never the determinant it belongs to
            hints[item_id] = exercise_text(
                self.id,
                "hint_right" if right else "hint_wrong",
                lang,
                chosen=dname(answer, lang),
                about=t(f"determinant.{answer}.description", lang),
            )
            if key == "wrong_confusion":
                hints[item_id] += " " + exercise_text(self.id, "hint_confusion", lang)
        points = sum(scores.values()) * self.max_points / len(variant.items)
        return GradeResult(
            item_scores=scores,
            points=points,
            max_points=self.max_points,
            feedback=feedback,
            summary=exercise_text(
                self.id, "summary", lang, right=int(sum(scores.values())), total=len(scores)
            ),
            hints=hints,
        )
