"""The exercises' texts: item banks, instructions, feedback and messages, from YAML in both languages.

All learner-facing text of the exercises lives in ``exercises/items/*.yaml`` as
``{nl: ..., en: ...}``; determinant and group names come from the kit's catalogue
(:func:`igm.i18n.t`). :func:`all_texts` lets a test prove every text exists in both languages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

import yaml

from exercises._quiz import QuizSettings, parse_settings
from igm.i18n import LANGUAGES, Text

__all__ = [
    "ClientWish",
    "ExerciseMeta",
    "LimitsOption",
    "PlanModelAnswer",
    "RecogniseItem",
    "WishOption",
    "add_exercise_meta",
    "all_texts",
    "client_wishes",
    "exercise_meta",
    "exercise_text",
    "message",
    "model_limits_bank",
    "plan_model_answers",
    "recognise_items",
    "remove_exercise_meta",
]


@cache
def _load(name: str) -> Any:
    raw = resources.files("exercises").joinpath("items", name).read_text(encoding="utf-8")
    return yaml.safe_load(raw)


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, Mapping) or set(value) != set(LANGUAGES):
        raise ValueError(f"{where}: expected text in {', '.join(LANGUAGES)} (and nothing else)")
    for lang in LANGUAGES:
        if not isinstance(value[lang], str) or not value[lang].strip():
            raise ValueError(f"{where}.{lang}: expected non-empty text")
    return Text({lang: " ".join(str(value[lang]).split()) for lang in LANGUAGES})


@dataclass(frozen=True)
class ExerciseMeta:
    id: str
    title: Text
    instructions: Text
    retry: Literal["best", "last"]
    max_points: float
    texts: Mapping[str, Text]
    #: Quiz settings (attempts, open/close, variants, answers); ``None``: the defaults of
    #: :data:`exercises.settings.DEFAULTS`. A trainer's file may override them.
    settings: QuizSettings | None = None


@cache
def _metas() -> dict[str, ExerciseMeta]:
    raw = _load("exercises.yaml")
    out: dict[str, ExerciseMeta] = {}
    for ex_id, entry in raw.items():
        retry = entry["retry"]
        if retry not in ("best", "last"):
            raise ValueError(f"exercises.yaml: {ex_id}.retry: {retry!r}; allowed: best, last")
        out[ex_id] = ExerciseMeta(
            id=ex_id,
            title=_text(entry["title"], f"{ex_id}.title"),
            instructions=_text(entry["instructions"], f"{ex_id}.instructions"),
            retry=cast(Literal["best", "last"], retry),
            max_points=float(entry["max_points"]),
            texts={
                key: _text(value, f"{ex_id}.texts.{key}")
                for key, value in (entry.get("texts") or {}).items()
            },
            settings=parse_settings(entry, f"exercises.yaml: {ex_id}", allow_retry=True),
        )
    return out


#: Metadata of exercises registered at run time with their own texts (see
#: :func:`exercises.catalog.register`); the built-in ones come from exercises.yaml.
_ADDED_METAS: dict[str, ExerciseMeta] = {}


def add_exercise_meta(meta: ExerciseMeta) -> None:
    """Make an exercise's metadata known without a line in exercises.yaml."""
    if meta.id in _metas():
        raise ValueError(f"exercise {meta.id!r} already has its texts in exercises.yaml")
    _ADDED_METAS[meta.id] = meta


def remove_exercise_meta(exercise_id: str) -> None:
    _ADDED_METAS.pop(exercise_id, None)


def exercise_meta(exercise_id: str) -> ExerciseMeta:
    try:
        return _ADDED_METAS.get(exercise_id) or _metas()[exercise_id]
    except KeyError:
        raise KeyError(f"no exercise {exercise_id!r} in exercises/items/exercises.yaml") from None


def exercise_text(exercise_id: str, key: str, lang: str, **values: object) -> str:
    """A text of one exercise (``texts:`` in exercises.yaml), with placeholders filled."""
    try:
        entry = exercise_meta(exercise_id).texts[key]
    except KeyError:
        raise KeyError(f"exercises.yaml: {exercise_id}.texts has no {key!r}") from None
    return entry(lang).format(**values)


@cache
def _messages() -> dict[str, Text]:
    return {key: _text(value, f"messages.{key}") for key, value in _load("messages.yaml").items()}


def message(key: str, lang: str, **values: object) -> str:
    """A validation message (exercises/items/messages.yaml) with placeholders filled."""
    return _messages()[key](lang).format(**values)


@dataclass(frozen=True)
class RecogniseItem:
    """An intake quote with the determinant it belongs to and the likeliest confusion."""

    id: str
    determinant: str
    confusion: str
    quote: Text
    why: Text


@cache
def recognise_items() -> tuple[RecogniseItem, ...]:
    raw = _load("recognise-determinant.yaml")
    return tuple(
        RecogniseItem(
            id=entry["id"],
            determinant=entry["determinant"],
            confusion=entry["confusion"],
            quote=_text(entry["quote"], f"{entry['id']}.quote"),
            why=_text(entry["why"], f"{entry['id']}.why"),
        )
        for entry in raw["items"]
    )


@dataclass(frozen=True)
class WishOption:
    """One answer to "what does the client want?" (exercise choose-knob)."""

    id: str
    text: Text
    right: bool


@dataclass(frozen=True)
class ClientWish:
    """What a case's client wants, from the case's own story (exercise choose-knob): the
    options, why the right one is right, and the interventions that serve that wish."""

    case_id: str
    options: tuple[WishOption, ...]
    why: Text
    serves: tuple[str, ...]


@cache
def client_wishes() -> dict[str, ClientWish]:
    raw = _load("choose-knob.yaml")
    out: dict[str, ClientWish] = {}
    for case_id, entry in raw["cases"].items():
        options = tuple(
            WishOption(
                id=o["id"],
                text=_text(o["text"], f"{case_id}.{o['id']}"),
                right=bool(o.get("right", False)),
            )
            for o in entry["options"]
        )
        if sum(o.right for o in options) != 1:
            raise ValueError(f"choose-knob.yaml: {case_id}: exactly one option is right")
        out[case_id] = ClientWish(
            case_id=case_id,
            options=options,
            why=_text(entry["why"], f"{case_id}.why"),
            serves=tuple(entry["serves"]),
        )
    return out


@dataclass(frozen=True)
class PlanModelAnswer:
    """A model justification of a plan for one case (exercise intervention-plan), and the
    knelpunt it names (``None``: it combines steps), which a test holds to the model."""

    case_id: str
    knelpunt: str | None
    text: Text


@cache
def plan_model_answers() -> dict[str, PlanModelAnswer]:
    raw = _load("intervention-plan.yaml")
    return {
        case_id: PlanModelAnswer(
            case_id=case_id,
            knelpunt=entry.get("knelpunt"),
            text=_text(entry["model_answer"], f"{case_id}.model_answer"),
        )
        for case_id, entry in raw["cases"].items()
    }


@dataclass(frozen=True)
class LimitsOption:
    """An option of exercise model-limits: ``right`` says whether it is the key (for a use:
    whether the use is allowed); ``feedback`` is what choosing it teaches (for a use: why it
    is allowed or not)."""

    id: str
    right: bool
    label: Text
    feedback: Text


#: The sections of model-limits.yaml: the options of each question (``uses``: one per question).
LIMITS_SECTIONS = ("readings", "uses", "practice", "next_single", "next_none")


@cache
def model_limits_bank() -> dict[str, tuple[LimitsOption, ...]]:
    """The options of exercise model-limits by section (:data:`LIMITS_SECTIONS`)."""
    raw = _load("model-limits.yaml")
    bank: dict[str, tuple[LimitsOption, ...]] = {}
    for section in LIMITS_SECTIONS:
        is_use = section == "uses"
        options = tuple(
            LimitsOption(
                id=o["id"],
                right=bool(o["allowed"] if is_use else o["right"]),
                label=_text(o["label"], f"{section}.{o['id']}.label"),
                feedback=_text(o["why" if is_use else "feedback"], f"{section}.{o['id']}"),
            )
            for o in raw[section]
        )
        if not is_use and sum(o.right for o in options) != 1:
            raise ValueError(f"model-limits.yaml: {section}: exactly one option is right")
        bank[section] = options
    return bank


def all_texts() -> Iterator[tuple[str, Text]]:
    """Every text of the exercises with where it lives (for the both-languages test)."""
    for meta in _metas().values():
        yield f"{meta.id}.title", meta.title
        yield f"{meta.id}.instructions", meta.instructions
        for key, value in meta.texts.items():
            yield f"{meta.id}.texts.{key}", value
    for key, value in _messages().items():
        yield f"messages.{key}", value
    for item in recognise_items():
        yield f"{item.id}.quote", item.quote
        yield f"{item.id}.why", item.why
    for section, limits_options in model_limits_bank().items():
        for limits_option in limits_options:
            where = f"model-limits.{section}.{limits_option.id}"
            yield f"{where}.label", limits_option.label
            yield f"{where}.feedback", limits_option.feedback
    for wish in client_wishes().values():
        for wish_option in wish.options:
            yield f"choose-knob.{wish.case_id}.{wish_option.id}", wish_option.text
        yield f"choose-knob.{wish.case_id}.why", wish.why
    for answer in plan_model_answers().values():
        yield f"intervention-plan.{answer.case_id}.model_answer", answer.text
