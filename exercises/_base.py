"""Shared building blocks of the graded exercises: variants, grading results, validation, seeding.

Nothing here knows about a user interface. A learner's browser only ever receives
:meth:`Variant.public_view`; the grader runs on the server with the full variant.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, TypeVar

from exercises._texts import exercise_meta, exercise_text, message
from exercises.settings import attempt_key, quiz_settings
from igm.determinants import DETERMINANTS
from igm.i18n import LANGUAGES, fmt_number, t

__all__ = [
    "AnswerField",
    "AnswerItem",
    "AnswerSheet",
    "Block",
    "Dialogue",
    "DialogueResponse",
    "DialogueTurn",
    "Exercise",
    "FieldKind",
    "GradeResult",
    "InvalidAnswer",
    "Option",
    "OptionList",
    "Paragraph",
    "RetryPolicy",
    "Seeder",
    "Table",
    "Variant",
]

RetryPolicy = Literal["best", "last"]
T = TypeVar("T")


def item_label(item: str, lang: str) -> str:
    """How a learner knows a part of an exercise: a determinant's name, "vraag 3", ..."""
    if item in DETERMINANTS:
        return t(f"determinant.{item}.name", lang)
    if re.fullmatch(r"q[0-9]+", item):
        return message("item_question", lang, n=item[1:])
    if item in ("intention", "behaviour"):
        return t(f"output.{item}", lang)
    if item in ("interventions", "wish", "justification", "conversation"):
        return message(f"item_{item}", lang)
    return item


def item_heading(item: str, lang: str) -> str:
    """An item's name as a heading or lead: "Vraag 3", "Intentie"."""
    text = item_label(item, lang)
    return text[:1].upper() + text[1:]


class InvalidAnswer(ValueError):
    """An answer that cannot be graded. Nothing was graded; the learner can fix it and resend.

    ``key`` is a message key in ``exercises/items/messages.yaml``; :meth:`message` gives the
    text in a language, :attr:`messages` in every language.
    """

    def __init__(self, key: str, *, item: str | None = None, **params: object) -> None:
        self.key = key
        self.item = item
        self.params: dict[str, object] = dict(params)
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        label = item_label(self.item, lang) if self.item else ""
        # Numbers are kept as numbers until here, so each language writes its decimal mark.
        values = {
            name: fmt_number(value, lang, None) if isinstance(value, float) else value
            for name, value in self.params.items()
        }
        return message(self.key, lang, item=label, **values)

    @property
    def messages(self) -> dict[str, str]:
        return {lang: self.message(lang) for lang in LANGUAGES}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: key, item and the message in every language."""
        return {"error": self.key, "item": self.item, "messages": self.messages}


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one attempt.

    ``item_scores`` are points per item (they add up to ``points``); ``feedback`` holds one
    teaching text per item in the language asked for; ``kept_text`` holds free text that is
    stored but not graded; ``summary`` is one overall sentence.
    """

    item_scores: dict[str, float]
    points: float
    max_points: float
    feedback: dict[str, str]
    kept_text: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    #: Feedback per item before the answers are released (exercises.settings): right or
    #: wrong and what to look at, never the right answer or the reference.
    hints: dict[str, str] = field(default_factory=dict)

    @property
    def fraction(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0

    def withheld(self, lang: str) -> GradeResult:
        """This result as a learner may read it before the answers are released: each item's
        hint (an item without one: only whether it was right), no full feedback at all."""
        per_item = self.max_points / max(1, len(self.item_scores))

        def safe(item: str) -> str:
            if item in self.hints:
                return self.hints[item]
            right = self.item_scores.get(item, 0.0) >= per_item - 1e-9
            return message("withheld_right" if right else "withheld_wrong", lang)

        return GradeResult(
            item_scores=dict(self.item_scores),
            points=self.points,
            max_points=self.max_points,
            feedback={item: safe(item) for item in self.item_scores},
            kept_text=dict(self.kept_text),
            summary=self.summary,
        )

    def as_released(self, released: bool, lang: str) -> GradeResult:
        """The full result when the answers are released, else :meth:`withheld`."""
        return self if released else self.withheld(lang)

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_scores": dict(self.item_scores),
            "points": self.points,
            "max_points": self.max_points,
            "feedback": dict(self.feedback),
            "kept_text": dict(self.kept_text),
            "summary": self.summary,
        }  # never the hints: a caller sends either this or withheld(...).to_dict()


class Seeder:
    """Deterministic choices for one (exercise, learner) pair, stable across Python versions.

    Every choice is derived from SHA-256 of the exercise id, the learner id and a salt, so the
    same learner always gets the same variant back and neighbours get independent ones. A
    later attempt with a new variant is seeded with the attempt number in the learner id
    (:meth:`Exercise.variant_for`), so its fingerprint differs too.
    Python's ``hash()`` and ``random`` are not used: their results may change between runs or
    versions.
    """

    def __init__(self, exercise_id: str, learner_id: str) -> None:
        self.base = f"{exercise_id}\x1f{learner_id}"
        self.fingerprint = self._digest("variant").hex()[:16]

    def _digest(self, *parts: str) -> bytes:
        text = "\x1f".join((self.base, *parts))
        return hashlib.sha256(text.encode("utf-8")).digest()

    def number(self, salt: str) -> int:
        return int.from_bytes(self._digest(salt)[:8], "big")

    def shuffle(self, items: Iterable[T], salt: str, key: Any = str) -> list[T]:
        """The items in a learner-specific order (sorting by a keyed hash of each item)."""
        return sorted(items, key=lambda item: self._digest(salt, key(item)))

    def choice(self, items: Sequence[T], salt: str) -> T:
        if not items:
            raise ValueError("nothing to choose from")
        return items[self.number(salt) % len(items)]


@dataclass(frozen=True)
class Variant(ABC):
    """One learner's version of an exercise. Holds the answer key: never send it as is."""

    exercise_id: str
    learner_id: str
    fingerprint: str

    @abstractmethod
    def public_view(self, lang: str) -> dict[str, Any]:
        """Everything the learner's browser may see (JSON-ready), without any answer key."""

    def _header(self, lang: str) -> dict[str, Any]:
        check_lang(lang)
        meta = exercise_meta(self.exercise_id)
        return {
            "exercise": self.exercise_id,
            "variant": self.fingerprint,
            "lang": lang,
            "title": meta.title(lang),
            "instructions": meta.instructions(lang),
            "retry": meta.retry,
            "max_points": meta.max_points,
            "notice": t("notice.illustrative", lang),
        }


# --- answer sheets: what a learner fills in, declared by each exercise ---------------------
#
# An exercise declares its form as data (:meth:`Exercise.answer_sheet`, made from the public
# view only, so it can be built where no variant exists: a kernel that asks a remote grader).
# One generic form (exercises/app.py) renders any sheet and reads it back in the answer
# format the exercise's grader takes. Texts in a sheet are already in the view's language.

#: What a field asks for, and what it puts in the answers:
#: ``choice`` one option id (or ``None``); ``scale`` a whole number ``low..high`` (a score
#: 1–7); ``number`` a number typed in, with range and unit (text that is no number is passed
#: on for the grader to explain); ``multi_select`` a list of option ids within ``budget``;
#: ``text`` free text, at least ``min_length`` characters; ``dialogue`` a list of response
#: ids, the path through a :class:`Dialogue` (the field's ``script``) from start to ending.
FieldKind = Literal["choice", "scale", "number", "multi_select", "text", "dialogue"]


@dataclass(frozen=True)
class Option:
    """An option of a choice or multi-select field: ``id`` goes to the grader, ``label`` is
    what the learner reads; ``details`` are lines shown beside it and ``cost`` counts
    against a multi-select's budget."""

    id: str
    label: str
    details: tuple[str, ...] = ()
    cost: int = 0


@dataclass(frozen=True)
class DialogueResponse:
    """What the learner can say at a turn of a conversation field: ``id`` goes to the
    grader, ``text`` is what the learner reads, ``next`` the id of the client turn after it."""

    id: str
    text: str
    next: str


@dataclass(frozen=True)
class DialogueTurn:
    """What the client says, and the responses to choose from (none: the conversation ends
    here)."""

    id: str
    client: str
    responses: tuple[DialogueResponse, ...] = ()

    @property
    def is_ending(self) -> bool:
        return not self.responses


@dataclass(frozen=True)
class Dialogue:
    """The playable side of a conversation: who the client is, where it starts, its turns.
    Nothing of how a response is judged: that stays with the grader."""

    client: str
    start: str
    turns: tuple[DialogueTurn, ...]

    def __post_init__(self) -> None:
        ids = [turn.id for turn in self.turns]
        if len(ids) != len(set(ids)) or self.start not in ids:
            raise ValueError("a dialogue needs distinct turn ids, its start among them")
        if self.turn(self.start).is_ending:
            raise ValueError("a dialogue cannot start at an ending")
        for turn in self.turns:
            if any(r.next not in ids for r in turn.responses):
                raise ValueError(f"turn {turn.id!r}: a response leads to no turn")

    def turn(self, turn_id: str) -> DialogueTurn:
        return next(turn for turn in self.turns if turn.id == turn_id)


@dataclass(frozen=True)
class AnswerField:
    """One control of the form. Its value goes to ``answers[item]``, or to
    ``answers[item][part]`` when ``part`` is set (an item with several fields)."""

    kind: FieldKind
    item: str
    label: str
    part: str | None = None
    options: tuple[Option, ...] = ()
    low: int | float | None = None
    high: int | float | None = None
    unit: str = ""
    budget: int | None = None
    min_length: int = 0
    placeholder: str = ""
    script: Dialogue | None = None

    def __post_init__(self) -> None:
        needs_options = self.kind in ("choice", "multi_select")
        if needs_options != bool(self.options):
            raise ValueError(
                f"{self.item}: a {self.kind} field {'needs' if needs_options else 'takes no'} options"
            )
        if self.kind in ("scale", "number") and (self.low is None or self.high is None):
            raise ValueError(f"{self.item}: a {self.kind} field needs low and high")
        if self.kind == "scale" and not (isinstance(self.low, int) and isinstance(self.high, int)):
            raise ValueError(f"{self.item}: a scale runs between whole numbers")
        if self.kind == "multi_select" and self.budget is None:
            raise ValueError(f"{self.item}: a multi_select field needs a budget")
        if (self.kind == "dialogue") != (self.script is not None):
            raise ValueError(f"{self.item}: a dialogue field, and only that, needs a script")

    @classmethod
    def choice(
        cls, item: str, label: str, options: Sequence[Option], *, part: str | None = None
    ) -> AnswerField:
        return cls("choice", item, label, part=part, options=tuple(options))

    @classmethod
    def scale(cls, item: str, label: str, low: int, high: int) -> AnswerField:
        return cls("scale", item, label, low=low, high=high)

    @classmethod
    def number(
        cls,
        item: str,
        label: str,
        low: float,
        high: float,
        *,
        unit: str = "",
        placeholder: str = "",
    ) -> AnswerField:
        return cls("number", item, label, low=low, high=high, unit=unit, placeholder=placeholder)

    @classmethod
    def multi_select(cls, item: str, options: Sequence[Option], budget: int) -> AnswerField:
        """Checkboxes, each labelled with its option; the label of the field is unused."""
        return cls("multi_select", item, "", options=tuple(options), budget=budget)

    @classmethod
    def text(
        cls,
        item: str,
        label: str,
        min_length: int,
        *,
        part: str | None = None,
        placeholder: str = "",
    ) -> AnswerField:
        return cls("text", item, label, part=part, min_length=min_length, placeholder=placeholder)

    @classmethod
    def dialogue(cls, item: str, label: str, script: Dialogue) -> AnswerField:
        """A conversation played turn by turn: the client speaks, the learner chooses one of
        the responses; the value is the path of response ids, start to ending."""
        return cls("dialogue", item, label, script=script)


@dataclass(frozen=True)
class Paragraph:
    """Text the learner reads: ``lead`` in bold before it; ``style`` "strong" (all bold),
    "quote" (an intake quote) or "heading" (a part's question)."""

    text: str
    lead: str = ""
    style: Literal["plain", "strong", "quote", "heading"] = "plain"


@dataclass(frozen=True)
class Table:
    """A small table of label and value rows, with a caption."""

    caption: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OptionList:
    """Options explained: a list of (label, description)."""

    entries: tuple[tuple[str, str], ...]


Block: TypeAlias = Paragraph | Table | OptionList


@dataclass(frozen=True)
class AnswerItem:
    """A graded part: what to read (``intro``), the fields, and the ``label`` its feedback
    carries. ``id`` is the item id the grader scores and gives feedback on."""

    id: str
    label: str
    fields: tuple[AnswerField, ...]
    intro: tuple[Block, ...] = ()

    def __post_init__(self) -> None:
        if any(f.item != self.id for f in self.fields):
            raise ValueError(f"{self.id}: every field of an item answers that item")
        parts = [f.part for f in self.fields]
        if len(parts) != len(set(parts)) or (len(parts) > 1 and None in parts):
            raise ValueError(f"{self.id}: several fields of one item need distinct parts")


@dataclass(frozen=True)
class AnswerSheet:
    """The whole form: ``intro`` above the items, then the items in order."""

    items: tuple[AnswerItem, ...]
    intro: tuple[Block, ...] = ()

    @property
    def fields(self) -> tuple[AnswerField, ...]:
        return tuple(f for item in self.items for f in item.fields)


V = TypeVar("V", bound=Variant)


class Exercise(ABC):
    """A graded exercise: metadata, per-learner variants and the grader."""

    id: str
    variant_type: type[Variant]

    @property
    def retry(self) -> RetryPolicy:
        return exercise_meta(self.id).retry

    @property
    def max_points(self) -> float:
        return exercise_meta(self.id).max_points

    def title(self, lang: str) -> str:
        return exercise_meta(self.id).title(lang)

    def available(self) -> bool:
        """Whether the exercise has what its variants are made from (e.g. grader-only cases
        or valid scenarios); most exercises always have."""
        return True

    def unavailable_text(self, lang: str) -> str:
        """What the learner reads instead of the instructions when :meth:`available` is
        false; an exercise that can be unavailable says why."""
        raise NotImplementedError(f"exercise {self.id!r} is never unavailable")

    def instructions(self, lang: str) -> str:
        if not self.available():  # said at the top of the page, before any sign-in
            return self.unavailable_text(lang)
        return exercise_meta(self.id).instructions(lang)

    @abstractmethod
    def make_variant(self, learner_id: str) -> Variant:
        """The learner's variant: the same learner id always gives the same variant."""

    @abstractmethod
    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """The form for a public view (:meth:`Variant.public_view`, in ``view["lang"]``):
        its fields, what to read beside them, in the order the learner meets them.

        Made from the view alone, never from a variant: a kernel that only has the grader's
        public view builds the same form.
        """

    @abstractmethod
    def _grade(self, variant: Any, answers: Mapping[str, Any], lang: str) -> GradeResult:
        """Grade validated answers (subclasses validate first, then score)."""

    def grade(self, variant: Variant, answers: Mapping[str, Any], lang: str) -> GradeResult:
        """Validate ``answers`` (raise :class:`InvalidAnswer`, grading nothing) and grade them."""
        check_lang(lang)
        if not isinstance(variant, self.variant_type) or variant.exercise_id != self.id:
            raise TypeError(f"variant of {variant.exercise_id!r} given to exercise {self.id!r}")
        if not isinstance(answers, Mapping):
            raise InvalidAnswer("not_a_mapping")
        return self._grade(variant, answers, lang)

    def result(
        self,
        scores: dict[str, float],
        feedback: dict[str, str],
        lang: str,
        *,
        kept_text: dict[str, str] | None = None,
        hints: dict[str, str] | None = None,
        **summary_values: Any,
    ) -> GradeResult:
        """A :class:`GradeResult` whose points add up the item scores, with the exercise's
        summary sentence (its ``{points}`` and ``{max}`` filled in, plus ``summary_values``)."""
        points = round(sum(scores.values()), 6)  # no float dust in stored totals
        summary = exercise_text(
            self.id,
            "summary",
            lang,
            points=points_text(points, lang),
            max=points_text(self.max_points, lang),
            **summary_values,
        )
        return GradeResult(
            item_scores=scores,
            points=points,
            max_points=self.max_points,
            feedback=feedback,
            kept_text=kept_text or {},
            summary=summary,
            hints=hints or {},
        )

    def variant_for(self, learner_id: str, attempt_no: int) -> Variant:
        """The variant of the learner's attempt ``attempt_no`` (1, 2, ...): seeded by learner
        and attempt number when the exercise gives each attempt a new variant (its quiz
        settings), else the learner's one variant. Its ``learner_id`` is the learner's."""
        key = attempt_key(learner_id, attempt_no, quiz_settings(self.id))
        variant = self.make_variant(key)
        return variant if key == learner_id else dataclasses.replace(variant, learner_id=learner_id)

    def seeder(self, learner_id: str) -> Seeder:
        if not isinstance(learner_id, str) or not learner_id.strip():
            raise ValueError("learner_id must be non-empty text")
        return Seeder(self.id, learner_id)


# --- validation helpers -------------------------------------------------------------------


def check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")


def check_items(answers: Mapping[str, Any], expected: Sequence[str]) -> None:
    """Every expected item answered, nothing else."""
    for key in answers:
        if key not in expected:
            raise InvalidAnswer("unknown_item", item=str(key), allowed=", ".join(expected))
    for key in expected:
        if key not in answers or answers[key] is None:
            raise InvalidAnswer("missing_item", item=key)


def check_choice(value: Any, allowed: Sequence[str], item: str) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer("not_a_choice", item=item, allowed=", ".join(allowed))
    if value not in allowed:
        raise InvalidAnswer("unknown_choice", item=item, value=value, allowed=", ".join(allowed))
    return value


def check_number(value: Any, low: float, high: float, item: str, *, integer: bool) -> float:
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value):
        raise InvalidAnswer(
            "not_a_whole_number" if integer else "not_a_number",
            item=item,
            low=float(low),
            high=float(high),
        )
    if integer and value != int(value):
        raise InvalidAnswer("not_a_whole_number", item=item, low=float(low), high=float(high))
    if not low <= value <= high:
        raise InvalidAnswer(
            "out_of_range", item=item, value=float(value), low=float(low), high=float(high)
        )
    return float(value)


def check_text(value: Any, item: str, min_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer("not_text", item=item)
    text = value.strip()
    if len(text) < min_length:
        raise InvalidAnswer("text_too_short", item=item, min=min_length, length=len(text))
    return text


# --- formatting ---------------------------------------------------------------------------


def fmt(value: float, lang: str, digits: int = 0) -> str:
    """A number as a learner reads it: Dutch uses a decimal comma."""
    return fmt_number(value, lang, digits)


def percent(probability: float, lang: str) -> str:
    return f"{fmt(100 * probability, lang)}%"


def points_text(value: float, lang: str) -> str:
    """Points with at most two decimals and no trailing zeros: 7, 6,5, 3,75."""
    return fmt_number(round(value, 2) + 0.0, lang, None)
