"""Quiz settings of an exercise, and their enforcement in one place.

Each exercise has its settings beside its retry policy in ``exercises/items/exercises.yaml``
(``attempts``, ``opens``, ``closes``, ``new_variant_per_attempt``, ``show_answers``); missing
ones take the defaults below. A trainer overrides them per exercise in a YAML file named by
the environment variable ``IGM_EXERCISE_SETTINGS`` (read by the exercise apps of ``igm serve``
and by the igm-grader service alike)::

    recognise-determinant:
      attempts: 2                        # 0: unlimited
      opens: 2026-12-01T09:00:00+01:00   # ISO 8601 with a time zone
      closes: 2026-12-12T17:00:00+01:00
      new_variant_per_attempt: true
      show_answers: after_close          # after_last_attempt | after_close | immediately

The file is checked strictly: an unknown exercise or field, a time without a time zone, a
close before the open, ``after_close`` without ``closes``: :class:`SettingsError`, naming the
file and the field.

The fields and their check live in :mod:`exercises._quiz` (pure data, read by the exercise
data too). Local grading (:class:`exercises.app.LocalGrading`) and the grading service
(:class:`exercises.grading_service.AttemptHandler`) both go through
:func:`exercises.attempts.take_attempt`, which asks :func:`refusal` before grading and
:func:`answers_released` after storing, so a limit or a deadline means the same everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from exercises._quiz import (
    DEFAULTS,
    FIELDS,
    SHOW_ANSWERS,
    QuizSettings,
    SettingsError,
    ShowAnswers,
    parse_settings,
)
from exercises._texts import exercise_meta, message

__all__ = [
    "DEFAULTS",
    "SETTINGS_ENV",
    "SHOW_ANSWERS",
    "QuizSettings",
    "Refusal",
    "SettingsError",
    "ShowAnswers",
    "answers_released",
    "attempt_key",
    "describe",
    "format_moment",
    "load_overrides",
    "parse_settings",
    "quiz_settings",
    "quiz_view",
    "refusal",
    "trainer_line",
]

#: The environment variable naming the trainer's settings file.
SETTINGS_ENV = "IGM_EXERCISE_SETTINGS"


def read_overrides(path: Path) -> dict[str, QuizSettings]:
    """A trainer's settings file: exercise id → its settings on top of the exercise's own."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise SettingsError(f"{path}: cannot be read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise SettingsError(f"{path}: not valid YAML ({err})") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SettingsError(f"{path}: expected one table per exercise id")
    out: dict[str, QuizSettings] = {}
    for exercise_id, entry in raw.items():
        try:
            own = exercise_meta(str(exercise_id)).settings or DEFAULTS
        except KeyError:
            raise SettingsError(f"{path}: unknown exercise {exercise_id!r}") from None
        out[str(exercise_id)] = parse_settings(entry, f"{path}: {exercise_id}", own)
    return out


_CACHE: dict[str, tuple[float, dict[str, QuizSettings]]] = {}


def load_overrides(env: Mapping[str, str] | None = None) -> dict[str, QuizSettings]:
    """The overrides of the file named by ``IGM_EXERCISE_SETTINGS`` (none when unset). Read
    again when the file changes, so a trainer's edit applies without a restart."""
    name = (os.environ if env is None else env).get(SETTINGS_ENV, "").strip()
    if not name:
        return {}
    path = Path(name)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        raise SettingsError(f"{SETTINGS_ENV}={name}: no such file") from None
    cached = _CACHE.get(name)
    if cached is None or cached[0] != stamp:
        cached = (stamp, read_overrides(path))
        _CACHE[name] = cached
    return cached[1]


def quiz_settings(exercise_id: str, env: Mapping[str, str] | None = None) -> QuizSettings:
    """The settings that apply: the trainer's override, else the exercise's own."""
    overrides = load_overrides(env)
    return overrides.get(exercise_id) or exercise_meta(exercise_id).settings or DEFAULTS


# --- enforcement ----------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is not taken: ``key`` in messages.yaml and its values."""

    key: str
    values: Mapping[str, object]

    def message(self, lang: str) -> str:
        return message(self.key, lang, **self.values_in(lang))

    def values_in(self, lang: str) -> dict[str, object]:
        return {
            k: format_moment(v, lang) if isinstance(v, datetime) else v
            for k, v in self.values.items()
        }

    @property
    def messages(self) -> dict[str, str]:
        return {lang: self.message(lang) for lang in ("nl", "en")}


def refusal(
    settings: QuizSettings, attempts_used: int, at: datetime | None = None
) -> Refusal | None:
    """Why one more attempt may not be made now (``None``: it may)."""
    moment = at or now()
    if settings.opens is not None and moment < settings.opens:
        return Refusal("not_open_yet", {"opens": settings.opens})
    if settings.closes is not None and moment >= settings.closes:
        return Refusal("closed", {"closes": settings.closes})
    if settings.attempts is not None and attempts_used >= settings.attempts:
        return Refusal("no_attempts_left", {"limit": settings.attempts})
    return None


def answers_released(
    settings: QuizSettings, attempts_used: int, at: datetime | None = None
) -> bool:
    """Whether feedback may name the right answers and the reference now.

    ``after_last_attempt``: once every allowed attempt is used, or the exercise has closed
    (unlimited attempts and no close: never); ``after_close``: once it has closed;
    ``immediately``: always (practice).
    """
    moment = at or now()
    closed = settings.closes is not None and moment >= settings.closes
    if settings.show_answers == "immediately":
        return True
    if settings.show_answers == "after_close":
        return closed
    used_up = settings.attempts is not None and attempts_used >= settings.attempts
    return used_up or closed


def attempt_key(learner_key: str, attempt_no: int, settings: QuizSettings) -> str:
    """What seeds the variant of attempt ``attempt_no``: the learner alone for the first
    attempt (so it is the variant a learner always had), learner and attempt number after it
    when each attempt gets a new variant."""
    if attempt_no <= 1 or not settings.new_variant_per_attempt:
        return learner_key
    return f"{learner_key}\x1fattempt {attempt_no}"


# --- saying it ------------------------------------------------------------------------------

_MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_DAYS = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def format_moment(moment: datetime, lang: str) -> str:
    """A time as the trainer wrote it (its own time zone): "vrijdag 12 december 2026 om
    17:00" / "Friday 12 December 2026 at 17:00"."""
    language = lang if lang in _MONTHS else "en"
    day = _DAYS[language][moment.weekday()]
    month = _MONTHS[language][moment.month - 1]
    return message(
        "moment",
        lang,
        day=day,
        date=moment.day,
        month=month,
        year=moment.year,
        time=f"{moment.hour:02d}:{moment.minute:02d}",
    )


def describe(settings: QuizSettings, lang: str, attempts_used: int | None = None) -> list[str]:
    """The settings as a learner (or trainer) reads them, one line each."""
    lines: list[str] = []
    if settings.attempts is None:
        lines.append(message("settings_unlimited", lang))
    elif attempts_used is None:
        lines.append(message("settings_attempts", lang, limit=settings.attempts))
    else:
        lines.append(
            message("settings_attempts_used", lang, used=attempts_used, limit=settings.attempts)
        )
    if settings.opens is not None:
        lines.append(message("settings_opens", lang, opens=format_moment(settings.opens, lang)))
    if settings.closes is not None:
        lines.append(message("settings_closes", lang, closes=format_moment(settings.closes, lang)))
    released = attempts_used is not None and answers_released(settings, attempts_used)
    if released and settings.show_answers != "immediately":
        lines.append(message("settings_released", lang))
    else:
        lines.append(message(f"settings_show_{settings.show_answers}", lang))
    if settings.new_variant_per_attempt and settings.attempts != 1:
        lines.append(message("settings_new_variant", lang))
    return lines


def quiz_view(settings: QuizSettings, attempts_used: int) -> dict[str, Any]:
    """The settings as the page gets them (JSON-ready, in the public view as ``quiz``)."""
    return {
        "attempts": settings.attempts or 0,
        "used": attempts_used,
        "opens": settings.opens.isoformat() if settings.opens else None,
        "closes": settings.closes.isoformat() if settings.closes else None,
        "new_variant_per_attempt": settings.new_variant_per_attempt,
        "show_answers": settings.show_answers,
    }


def describe_view(
    quiz: Mapping[str, Any], lang: str, attempts_used: int | None = None
) -> list[str]:
    """:func:`describe` for a ``quiz`` of a public view (from this kernel or the grader);
    nothing for a view without one (an older grader)."""
    try:
        fields = {k: v for k, v in quiz.items() if k in FIELDS}
        settings = parse_settings(fields, "quiz")
        used = attempts_used if attempts_used is not None else int(quiz.get("used", 0))
    except (SettingsError, AttributeError, TypeError, ValueError):
        return []
    return describe(settings, lang, used)


def next_attempt_is_new(
    settings: QuizSettings, attempts_used: int, at: datetime | None = None
) -> bool:
    """Whether the learner's next attempt gets a variant of its own (and may be made now)."""
    return settings.new_variant_per_attempt and refusal(settings, attempts_used, at) is None


def trainer_line(settings: QuizSettings, lang: str) -> str:
    """The settings in one short line for the trainer's dashboard."""
    parts = [
        message("trainer_attempts", lang, limit=settings.attempts)
        if settings.attempts is not None
        else message("trainer_unlimited", lang),
        message(
            "trainer_new_variant" if settings.new_variant_per_attempt else "trainer_same_variant",
            lang,
        ),
    ]
    if settings.opens is not None:
        parts.append(message("trainer_opens", lang, opens=format_moment(settings.opens, lang)))
    if settings.closes is not None:
        parts.append(message("trainer_closes", lang, closes=format_moment(settings.closes, lang)))
    parts.append(message(f"trainer_show_{settings.show_answers}", lang))
    return " · ".join(parts)
