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

from igm.i18n import LANGUAGES, Text

__all__ = [
    "ExerciseMeta",
    "RecogniseItem",
    "add_exercise_meta",
    "all_texts",
    "exercise_meta",
    "exercise_text",
    "message",
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
