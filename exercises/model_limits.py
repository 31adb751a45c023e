"""Exercise model-limits: what the model's output for one fictional client tells you, what you
may and may not use it for, and what counts when the model and practice disagree.

The learner reads a case and what the model calculates for it (the behaviour probability with
its 80% interval, and the knelpunt in the words of :func:`igm.report.bottleneck_sentence`,
which may say there is none). Ten questions follow, one point each:

- q1: what the output tells you (an illustrative estimate, not a measured chance, not the
  outcome, not proof of unwillingness);
- one question per use (q2 onwards): may you use such a result for it? (a conversation,
  checking with the client, a training: yes; decisions on benefits or sanctions, ranking or
  selecting groups, a real plan van aanpak or file, replacing the conversation: no);
- when model and practice disagree, what counts most (practice);
- what to do with the knelpunt the model names, or with none (combine steps, ask the client).

The options and their feedback are in ``items/model-limits.yaml`` (with the sources of their
claims); the key is in the variant only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Block,
    Exercise,
    GradeResult,
    Option,
    OptionList,
    Paragraph,
    Table,
    Variant,
    check_choice,
    check_items,
    fmt,
    item_heading,
)
from exercises._shared import all_cases, case_by_id, case_view, choice_label, other_case_choice
from exercises._texts import LimitsOption, exercise_text, model_limits_bank
from igm import Case, model_for
from igm.i18n import t
from igm.model import Prediction
from igm.report import bottleneck_label, bottleneck_sentence, lever_name, percent

__all__ = ["ALLOWED", "FORBIDDEN", "LimitsQuestion", "ModelLimits", "ModelLimitsVariant"]

EXERCISE_ID = "model-limits"
#: The two answers to a use question.
ALLOWED = "allowed"
FORBIDDEN = "forbidden"
USE_ANSWERS = (ALLOWED, FORBIDDEN)
#: The letters of a question's options, in the learner's order.
LETTERS = "ABCDEFGH"
#: Groups whose cases are no single client's situation: an employer's hiring decision does not
#: fit questions about a person's benefits or a person's own view of their situation.
NOT_A_CLIENT = frozenset({"employer"})


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence (lower-case first letter)."""
    return name[:1].lower() + name[1:]


@dataclass(frozen=True)
class LimitsQuestion:
    """One question: ``kind`` "reading", "use", "practice" or "next"; ``options`` in the
    learner's order (a use question has one option: the use itself)."""

    id: str
    kind: str
    options: tuple[LimitsOption, ...]

    @property
    def key(self) -> str:
        """The right answer: an option id, or for a use whether it is allowed."""
        if self.kind == "use":
            return ALLOWED if self.options[0].right else FORBIDDEN
        return next(o.id for o in self.options if o.right)

    @property
    def answers(self) -> tuple[str, ...]:
        return USE_ANSWERS if self.kind == "use" else tuple(o.id for o in self.options)


@dataclass(frozen=True)
class ModelLimitsVariant(Variant):
    case: Case
    prediction: Prediction
    questions: tuple[LimitsQuestion, ...]

    @property
    def item_ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def values(self, lang: str) -> dict[str, str]:
        """What the texts of the options and prompts fill in: the name, the knelpunt."""
        p = self.prediction
        return {
            "name": self.case.name,
            "label": bottleneck_label(p, lang),
            "lever": in_sentence(lever_name(p.bottleneck, lang)) if p.bottleneck else "",
            "first": in_sentence(lever_name(p.levers[0].key, lang)),
        }

    def model_output(self, lang: str) -> dict[str, Any]:
        """What the model calculates for the case, as the learner reads it."""
        p = self.prediction
        low, high = p.behaviour_interval

        def out_of_100(value: float) -> str:
            return exercise_text(EXERCISE_ID, "out_of_100", lang, value=fmt(value, lang))

        behaviour = exercise_text(
            EXERCISE_ID,
            "behaviour_value",
            lang,
            behaviour=percent(p.behaviour_probability),
            low=percent(low),
            high=percent(high),
        )
        return {
            "caption": exercise_text(EXERCISE_ID, "model_caption", lang, name=self.case.name),
            "rows": [
                [t("output.intention", lang), out_of_100(p.intention)],
                [t("output.ability", lang), out_of_100(p.ability)],
                [t("output.behaviour", lang), behaviour],
            ],
            # in the one wording every UI uses: it may say there is no single knelpunt
            "knelpunt": bottleneck_sentence(p, lang),
        }

    def _prompt(self, question: LimitsQuestion, lang: str) -> str:
        values = self.values(lang)
        if question.kind == "use":
            return question.options[0].label(lang)
        if question.kind == "next":
            if self.prediction.bottleneck:
                key = "next_prompt_single"
            else:
                key = "next_prompt_close" if self.prediction.close_levers else "next_prompt_none"
            return exercise_text(EXERCISE_ID, key, lang, **values)
        key = "reading_prompt" if question.kind == "reading" else "practice_prompt"
        return exercise_text(EXERCISE_ID, key, lang, **values)

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        view["case"] = case_view(self.case, lang, with_scores=True)
        view["model"] = self.model_output(lang)
        values = self.values(lang)
        uses = [q.id for q in self.questions if q.kind == "use"]
        items: list[dict[str, Any]] = []
        for question in self.questions:
            item: dict[str, Any] = {
                "id": question.id,
                "kind": question.kind,
                "prompt": self._prompt(question, lang),
            }
            if question.kind == "use":
                item["options"] = [
                    {"id": answer, "label": exercise_text(EXERCISE_ID, answer, lang)}
                    for answer in USE_ANSWERS
                ]
                if question.id == uses[0]:
                    item["heading"] = exercise_text(
                        EXERCISE_ID, "uses_heading", lang, first=uses[0][1:], last=uses[-1][1:]
                    )
            else:
                item["options"] = [
                    {"id": o.id, "label": letter, "description": o.label(lang).format(**values)}
                    for letter, o in zip(LETTERS, question.options, strict=False)
                ]
            items.append(item)
        view["items"] = items
        return view


def eligible_cases() -> list[str]:
    """The cases that are a single client's situation (all cases when none is)."""
    clients = [c.id for c in all_cases() if c.group not in NOT_A_CLIENT]
    return clients or [c.id for c in all_cases()]


class ModelLimits(Exercise):
    id = EXERCISE_ID
    variant_type = ModelLimitsVariant

    def make_variant(self, learner_id: str) -> ModelLimitsVariant:
        seeder = self.seeder(learner_id)
        case = case_by_id(other_case_choice(seeder, learner_id, eligible_cases()))
        prediction = model_for(case.domain).predict(case.scores)
        bank = model_limits_bank()
        next_section = "next_single" if prediction.bottleneck else "next_none"

        def shuffled(section: str) -> tuple[LimitsOption, ...]:
            return tuple(seeder.shuffle(bank[section], section, key=lambda o: o.id))

        uses = shuffled("uses")
        kinds: list[tuple[str, tuple[LimitsOption, ...]]] = [
            ("reading", shuffled("readings")),
            *(("use", (use,)) for use in uses),
            ("practice", shuffled("practice")),
            ("next", shuffled(next_section)),
        ]
        return ModelLimitsVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            case=case,
            prediction=prediction,
            questions=tuple(
                LimitsQuestion(f"q{i}", kind, options)
                for i, (kind, options) in enumerate(kinds, start=1)
            ),
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """The model's output above the questions; per question what to read and a drop-down
        (the options by letter, or "allowed" / "not allowed" for a use)."""
        lang = view["lang"]
        model = view["model"]
        intro = (
            Table(model["caption"], tuple((row[0], row[1]) for row in model["rows"])),
            Paragraph(model["knelpunt"], style="strong"),
        )
        items = []
        for item in view["items"]:
            heading = item_heading(item["id"], lang)
            blocks: list[Block] = []
            if item["kind"] == "use":
                if item.get("heading"):
                    blocks.append(Paragraph(item["heading"], style="heading"))
                blocks.append(Paragraph(item["prompt"], lead=heading + "."))
            else:
                blocks.append(Paragraph(item["prompt"], lead=heading + "."))
                blocks.append(
                    OptionList(tuple((o["label"], o["description"]) for o in item["options"]))
                )
            options = tuple(Option(o["id"], o["label"]) for o in item["options"])
            items.append(
                AnswerItem(
                    id=item["id"],
                    label=heading,
                    intro=tuple(blocks),
                    fields=(
                        AnswerField.choice(item["id"], choice_label(item["id"], lang), options),
                    ),
                )
            )
        return AnswerSheet(items=tuple(items), intro=intro)

    def _grade(
        self, variant: ModelLimitsVariant, answers: Mapping[str, Any], lang: str
    ) -> GradeResult:
        check_items(answers, variant.item_ids)
        chosen = {q.id: check_choice(answers[q.id], q.answers, q.id) for q in variant.questions}
        values = variant.values(lang)
        per_item = self.max_points / len(variant.questions)
        scores: dict[str, float] = {}
        feedback: dict[str, str] = {}
        hints: dict[str, str] = {}
        for question in variant.questions:
            pick = chosen[question.id]
            right = pick == question.key
            scores[question.id] = per_item if right else 0.0
            if question.kind == "use":
                # the use's own explanation says whether it is allowed, and why
                key = "right" if right else "wrong_use"
                explanation = question.options[0].feedback(lang)
                letter = ""
            else:
                key = "right" if right else "wrong"
                option = next(o for o in question.options if o.id == pick)
                explanation = option.feedback(lang)
                letter = LETTERS[question.answers.index(question.key)]
            text = exercise_text(
                self.id, key, lang, feedback=explanation.format(**values), letter=letter
            )
            feedback[question.id] = text
            # before the answers are released: a right answer's own explanation; for a wrong
            # reading, why that reading does not hold (without the right letter); for a wrong
            # use, what to weigh (its explanation would say whether it is allowed)
            if right:
                hints[question.id] = text
            elif question.kind == "use":
                hints[question.id] = exercise_text(self.id, "hint_use", lang)
            else:
                hints[question.id] = exercise_text(
                    self.id, "hint_wrong", lang, feedback=explanation.format(**values)
                )
        return self.result(scores, feedback, lang, hints=hints)
