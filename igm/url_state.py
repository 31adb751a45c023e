"""An app's state in its address: which case, which language, the explorer's slider settings
and the planner's chosen interventions, as a page's query string.

Reloading the page or sharing its address then shows the same thing. Pure functions: the apps
(:mod:`widgets.explorer`, :mod:`widgets.planner`) read the page's query string with
:func:`explorer_scores` and :func:`planner_steps` and write it back with :func:`explorer_query`
and :func:`planner_query`.

The query string is typed by someone, or pasted from a message: every value is checked. A value
that is not valid is left out and named in :class:`Ignored`, so the app can say so and show the
case's own score instead; no value ever raises.

The parameters (one per determinant, e.g. ``?case=marja-bijstand&attitude=5``, and
``plan=id1,id2``) are readable in the address bar, and only settings that differ from the case
are written, so an unchanged app keeps the short address the book and the landing page link to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from igm.determinants import DETERMINANTS, SCALE_MAX, SCALE_MIN, DeterminantScores

__all__ = [
    "PLAN_PARAM",
    "Ignored",
    "explorer_query",
    "explorer_scores",
    "planner_query",
    "planner_steps",
    "with_params",
]

#: The planner's chosen interventions, comma-separated ids (``plan=id1,id2``).
PLAN_PARAM = "plan"
#: Longest value quoted back in a message (the rest of a pasted value is noise).
SHOWN_CHARS = 40
#: Most interventions read from ``plan=`` (a case has a handful; more is someone's typing).
MOST_STEPS = 50


@dataclass(frozen=True)
class Ignored:
    """A query-string value that was not valid and was left out: ``name=value`` as given
    (the value cut to :data:`SHOWN_CHARS`). Case text or typing: escape it where it is shown."""

    name: str
    value: str

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def _ignored(name: str, value: str) -> Ignored:
    value = value.strip()
    return Ignored(name, value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…")


def _first_values(query: str) -> dict[str, str]:
    """Each parameter's first value (as :func:`urllib.parse.parse_qs` would give it)."""
    values: dict[str, str] = {}
    for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        values.setdefault(name, value)
    return values


def _score(text: str) -> int | None:
    """A slider setting: a whole number on the 1–7 scale, else ``None``."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 1:
        return None
    value = int(text)
    return value if SCALE_MIN <= value <= SCALE_MAX else None


def explorer_scores(query: str) -> tuple[dict[str, int], tuple[Ignored, ...]]:
    """The slider settings in a query string: ``{determinant: 1–7}`` for each valid one, and
    the values that were not (not a whole number from 1 to 7)."""
    scores: dict[str, int] = {}
    ignored: list[Ignored] = []
    values = _first_values(query)
    for key in DETERMINANTS:
        if key not in values:
            continue
        score = _score(values[key])
        if score is None:
            ignored.append(_ignored(key, values[key]))
        else:
            scores[key] = score
    return scores, tuple(ignored)


def planner_steps(query: str, known: Sequence[str]) -> tuple[list[str], tuple[Ignored, ...]]:
    """The chosen interventions in a query string (``plan=id1,id2``), those of ``known`` (the
    case's intervention ids) in the case's order, and the ids that are not the case's."""
    raw = _first_values(query).get(PLAN_PARAM)
    if raw is None:
        return [], ()
    asked = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [part for part in asked if part not in known]
    ignored = [_ignored(PLAN_PARAM, part) for part in unknown[:3]]
    if len(asked) > MOST_STEPS:
        ignored.append(_ignored(PLAN_PARAM, raw))
        return [], tuple(ignored)
    return [key for key in known if key in asked], tuple(ignored)


def with_params(query: str, params: Mapping[str, str | None]) -> str:
    """``query`` with ``params`` set (a ``None`` value removes the parameter), other
    parameters kept as they were (a hub's ``token``, say). Starts with ``?`` unless empty."""
    kept = [
        (name, value)
        for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True)
        if name not in params
    ]
    pairs = kept + [(name, value) for name, value in params.items() if value is not None]
    return "?" + urlencode(pairs, safe=",") if pairs else ""


def _whole(value: float) -> int:
    return round(value)


def explorer_query(
    query: str,
    lang: str,
    case_id: str,
    scores: DeterminantScores | Mapping[str, float],
    case_scores: DeterminantScores | Mapping[str, float],
) -> str:
    """The explorer's address query: the language, the case and each slider that differs
    from the case's own score (``query``'s other parameters kept)."""
    params: dict[str, str | None] = {"lang": lang, "case": case_id}
    for key in DETERMINANTS:
        setting = _whole(scores[key])
        params[key] = None if setting == _whole(case_scores[key]) else str(setting)
    return with_params(query, params)


def planner_query(query: str, lang: str, case_id: str, chosen: Iterable[str]) -> str:
    """The planner's address query: the language, the case and the chosen interventions
    (``query``'s other parameters kept)."""
    steps = ",".join(chosen)
    return with_params(query, {"lang": lang, "case": case_id, PLAN_PARAM: steps or None})
