"""Quiz settings as data: the fields, their defaults and the strict check of a table of them.

Pure (no texts, no exercises), so the exercise data reader (:mod:`exercises._texts`) can check
the settings in exercises.yaml and :mod:`exercises.settings` those of a trainer's file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, cast

__all__ = [
    "DEFAULTS",
    "FIELDS",
    "SHOW_ANSWERS",
    "QuizSettings",
    "SettingsError",
    "ShowAnswers",
    "parse_settings",
]

ShowAnswers = Literal["after_last_attempt", "after_close", "immediately"]
SHOW_ANSWERS: tuple[str, ...] = ("after_last_attempt", "after_close", "immediately")
FIELDS = ("attempts", "opens", "closes", "new_variant_per_attempt", "show_answers")
#: Highest attempt limit a file may set (a typo such as 30000 is more likely than intent).
MAX_ATTEMPTS = 100


class SettingsError(ValueError):
    """A setting that cannot be used: the message names the file and the field."""


@dataclass(frozen=True)
class QuizSettings:
    """How an exercise may be tried: ``attempts`` ``None`` is unlimited."""

    attempts: int | None = 3
    opens: datetime | None = None
    closes: datetime | None = None
    new_variant_per_attempt: bool = True
    show_answers: ShowAnswers = "after_last_attempt"


DEFAULTS = QuizSettings()


# --- reading and checking -------------------------------------------------------------------


def _moment(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SettingsError(
                f"{where}: {value!r} is not an ISO 8601 time, e.g. 2026-12-12T17:00:00+01:00"
            ) from None
    if not isinstance(value, datetime):
        raise SettingsError(f"{where}: {value!r} is not a time, e.g. 2026-12-12T17:00:00+01:00")
    if value.tzinfo is None or value.utcoffset() is None:
        raise SettingsError(f"{where}: {value.isoformat()} has no time zone; add e.g. +01:00")
    return value


def parse_settings(
    raw: Any, where: str, base: QuizSettings = DEFAULTS, *, allow_retry: bool = False
) -> QuizSettings:
    """``raw`` (a mapping of the fields) on top of ``base``; :class:`SettingsError` names
    ``where`` (file and exercise) and the field that is wrong."""
    if not isinstance(raw, Mapping):
        raise SettingsError(f"{where}: expected a table of settings ({', '.join(FIELDS)})")
    # exercises.yaml holds the settings beside the exercise's other entries
    others = {"retry", "max_points", "title", "instructions", "texts"} if allow_retry else set()
    allowed = set(FIELDS) | others
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise SettingsError(f"{where}: unknown field {unknown[0]!r}; allowed: {', '.join(FIELDS)}")
    values: dict[str, Any] = {}
    if "attempts" in raw:
        attempts = raw["attempts"]
        if attempts is None:
            values["attempts"] = None
        elif isinstance(attempts, bool) or not isinstance(attempts, int):
            raise SettingsError(f"{where}.attempts: {attempts!r}; a whole number (0: unlimited)")
        elif not 0 <= attempts <= MAX_ATTEMPTS:
            raise SettingsError(
                f"{where}.attempts: {attempts}; allowed 0 (unlimited) to {MAX_ATTEMPTS}"
            )
        else:
            values["attempts"] = attempts or None
    for name in ("opens", "closes"):
        if name in raw:
            values[name] = _moment(raw[name], f"{where}.{name}")
    if "new_variant_per_attempt" in raw:
        flag = raw["new_variant_per_attempt"]
        if not isinstance(flag, bool):
            raise SettingsError(f"{where}.new_variant_per_attempt: {flag!r}; true or false")
        values["new_variant_per_attempt"] = flag
    if "show_answers" in raw:
        show = raw["show_answers"]
        if show not in SHOW_ANSWERS:
            raise SettingsError(
                f"{where}.show_answers: {show!r}; allowed: {', '.join(SHOW_ANSWERS)}"
            )
        values["show_answers"] = cast(ShowAnswers, show)
    settings = replace(base, **values)
    if settings.opens and settings.closes and settings.closes <= settings.opens:
        raise SettingsError(f"{where}.closes: {settings.closes.isoformat()} is not after opens")
    if settings.show_answers == "after_close" and settings.closes is None:
        raise SettingsError(f"{where}.show_answers: after_close needs a closes time")
    return settings
