"""Checks on what callers pass in. Each error names the field and the bad value."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from database.models import IDENTITY_SOURCES
from gradebook.errors import InvalidAttempt, InvalidIdentity

__all__ = [
    "LEARNER_NUMBER",
    "MAX_ANSWERS_BYTES",
    "MAX_LEARNER_ID_LENGTH",
    "SERVER_USER_NAME",
    "check_answers",
    "check_display_name",
    "check_exercise_id",
    "check_identity_source",
    "check_item_scores",
    "check_max_points",
    "check_variant",
    "normalise_learner_number",
]

#: A learner number typed in the standalone kit: 4 to 12 letters (A–Z) or digits.
LEARNER_NUMBER = re.compile(r"[A-Za-z0-9]{4,12}")
#: The longest learner id the gradebook stores (``learners.learner_number``, migration 0004).
MAX_LEARNER_ID_LENGTH = 64
#: A user name given by JupyterHub or a trusted proxy header, e.g. ``jan.de.vries`` or
#: ``j.devries@gemeente.nl``: 1 to 64 letters (A–Z), digits or ``. _ - @ +``, starting with a
#: letter or digit. Every typed learner number is also a valid user name, so one lookup
#: serves both; all ids are stored upper case (JupyterHub already folds user names to lower
#: case, so no two hub users share an id).
SERVER_USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
EXERCISE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
#: Answers larger than this (as JSON) are refused: a gradebook is not a file store.
MAX_ANSWERS_BYTES = 64 * 1024


def normalise_learner_number(number: object, source: str | None = None) -> str:
    """``number`` as stored (upper case), or :class:`InvalidIdentity`.

    ``source`` is where the id comes from: ``"standalone"`` (typed by the learner: 4 to 12
    letters or digits), ``"hub"`` or ``"header"`` (a user name given by the server, see
    :data:`SERVER_USER_NAME`). ``None`` (looking a learner up) accepts any stored id.
    """
    typed = source == "standalone"
    pattern = LEARNER_NUMBER if typed else SERVER_USER_NAME
    if not isinstance(number, str) or not pattern.fullmatch(number.strip()):
        if typed:
            raise InvalidIdentity(
                f"learner number {number!r}: use 4 to 12 letters or digits, e.g. 's1234567'",
                key="gradebook.error.learner_number",
                value=repr(number),
            )
        raise InvalidIdentity(
            f"user name {number!r}: use 1 to 64 letters, digits or . _ - @ +, starting with a "
            "letter or digit, e.g. 'jan.de.vries'",
            key="gradebook.error.user_name",
            value=repr(number),
        )
    return number.strip().upper()


def check_display_name(name: object) -> str:
    """``name`` without surrounding spaces, or :class:`InvalidIdentity`. Markup is kept as is."""
    if not isinstance(name, str):
        raise InvalidIdentity(
            f"display name {name!r}: must be text",
            key="gradebook.error.display_name",
            value=repr(name),
        )
    stripped = name.strip()
    if not 1 <= len(stripped) <= 80 or not stripped.isprintable():
        raise InvalidIdentity(
            f"display name {name!r}: use 1 to 80 printable characters (no line breaks or tabs)",
            key="gradebook.error.display_name",
            value=repr(name),
        )
    return stripped


def check_identity_source(source: object) -> str:
    if source not in IDENTITY_SOURCES:
        raise InvalidIdentity(
            f"identity source {source!r}: allowed: {', '.join(IDENTITY_SOURCES)}",
            value=repr(source),
        )
    assert isinstance(source, str)
    return source


def check_exercise_id(exercise_id: object) -> str:
    if not isinstance(exercise_id, str) or not EXERCISE_ID.fullmatch(exercise_id):
        raise InvalidAttempt(
            f"exercise id {exercise_id!r}: use 1 to 100 letters, digits, '.', '_', '-' or ':', "
            "starting with a letter or digit",
            value=repr(exercise_id),
        )
    return exercise_id


def check_variant(variant: object) -> str:
    """A seed (int) or a variant id (text) as stored text; ``None`` means the only variant."""
    if variant is None:
        return ""
    if isinstance(variant, bool) or not isinstance(variant, (int, str)):
        raise InvalidAttempt(
            f"variant {variant!r}: give a seed (whole number) or a variant id (text)",
            value=repr(variant),
        )
    text = str(variant)
    if len(text) > 100 or not text.isprintable():
        raise InvalidAttempt(
            f"variant {variant!r}: at most 100 printable characters", value=repr(variant)
        )
    return text


def check_answers(answers: object) -> Any:
    """The answers as a JSON round trip (so what is stored is what is returned)."""
    try:
        text = json.dumps(answers, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidAttempt(
            f"answers {answers!r:.80}: not JSON-serialisable ({exc})", value=repr(answers)[:80]
        ) from None
    if len(text.encode()) > MAX_ANSWERS_BYTES:
        raise InvalidAttempt(
            f"answers: {len(text.encode())} bytes as JSON; at most {MAX_ANSWERS_BYTES}",
            value=f"{len(text.encode())} bytes",
        )
    return json.loads(text)


def _finite_number(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidAttempt(f"{field} {value!r}: must be a finite number", value=repr(value))
    return float(value)


def check_max_points(max_points: object) -> float:
    value = _finite_number("max_points", max_points)
    if value <= 0:
        raise InvalidAttempt(f"max_points {max_points!r}: must be above 0", value=repr(max_points))
    return value


def check_item_scores(item_scores: object, max_points: float) -> dict[str, float]:
    """Points per item, each at least 0, summing to at most ``max_points``."""
    if not isinstance(item_scores, Mapping):
        raise InvalidAttempt(
            f"item_scores {item_scores!r:.80}: give a mapping {{item id: points}}",
            value=repr(item_scores)[:80],
        )
    scores: dict[str, float] = {}
    for key, raw in item_scores.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 100:
            raise InvalidAttempt(
                f"item_scores key {key!r}: use an item id of 1 to 100 characters",
                value=repr(key),
            )
        points = _finite_number(f"item_scores[{key!r}]", raw)
        if points < 0:
            raise InvalidAttempt(f"item_scores[{key!r}] = {raw!r}: below 0", value=repr(raw))
        scores[key] = points
    total = math.fsum(scores.values())
    if total > max_points + 1e-9:
        raise InvalidAttempt(
            f"item_scores sum to {total:g}, above max_points {max_points:g}", value=f"{total:g}"
        )
    return scores
