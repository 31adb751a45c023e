"""The trainer's view of the room: a JSON-ready summary, and the view of it that the template
``live/templates/room.html`` draws (plain data: sentences, bar geometry; no HTML here).

Statistics come from :mod:`live.stats`; every model number comes from the engine
(``model_for(domain).predict``). Charts are inline SVG bars with a one-sentence text summary
beside each; colours are Okabe–Ito.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from igm.determinants import DETERMINANTS, DeterminantScores
from igm.i18n import fmt_number, t
from igm.model import Prediction, model_for
from igm.report import bottleneck_sentence, lever_name
from live.stats import (
    PREDICTION_BINS,
    mean,
    median,
    prediction_histogram,
    ranked_by_disagreement,
    room_mean_scores,
    spread,
    std,
    vote_counts,
)
from live.store import RoomAnswers, cached_case

__all__ = [
    "Bar",
    "Bars",
    "RevealRow",
    "RevealView",
    "RoomView",
    "ScoreRow",
    "bars",
    "reveal_view",
    "room_view",
    "summarise",
]

BLUE = "#0072B2"  # Okabe–Ito blue: room's answers
VERMILLION = "#D55E00"  # Okabe–Ito vermillion: reference / model
TEXT = "#000000"


def _r(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def summarise(room: RoomAnswers) -> dict[str, Any]:
    """Everything the trainer screen shows, as plain values."""
    session = room.session
    case = cached_case(session["case_id"])
    model = model_for(case.domain)
    spreads = [spread(k, [s[k] for s in room.scores]) for k in DETERMINANTS]
    ranked = ranked_by_disagreement(spreads)
    avg = room_mean_scores(room.scores)
    room_model = None
    if avg is not None:
        p = model.predict(DeterminantScores.from_mapping(avg))
        room_model = {
            "scores": avg,  # unrounded: the view asks the engine again for the knelpunt's words
            "intention": _r(p.intention, 0),
            "ability": _r(p.ability, 0),
            "behaviour": _r(100 * p.behaviour_probability, 0),
            "interval": [
                _r(100 * p.behaviour_interval[0], 0),
                _r(100 * p.behaviour_interval[1], 0),
            ],
            **_knelpunt(p),
        }
    summary: dict[str, Any] = {
        "session": session,
        "domain": case.domain,
        "participants": room.participants,
        "answers_stored": room.answers_stored,
        "counts": {
            "scores": len(room.scores),
            "prediction": len(room.predictions),
            "vote": len(room.votes),
        },
        "scores": [
            {
                "key": s.key,
                "n": s.n,
                "counts": list(s.counts),
                "mean": _r(s.mean, 2),
                "std": _r(s.std, 2),
                "iqr": _r(s.iqr, 2),
            }
            for s in spreads
        ],
        "disagreement": [{"key": s.key, "std": _r(s.std, 2)} for s in ranked[:3]],
        "room_mean_scores": {k: _r(v, 2) for k, v in avg.items()} if avg else None,
        "room_model": room_model,
        "predictions": {
            "n": len(room.predictions),
            "mean": _r(mean(room.predictions), 0),
            "median": _r(median(room.predictions), 0),
            "std": _r(std(room.predictions), 1),
            "histogram": prediction_histogram(room.predictions),
        },
        "votes": vote_counts(room.votes),
        "reference": None,
    }
    if session["revealed"]:
        p = model.predict(case.scores)
        summary["reference"] = {
            "scores": case.scores.as_dict(),
            "behaviour": _r(100 * p.behaviour_probability, 0),
            "interval": [
                _r(100 * p.behaviour_interval[0], 0),
                _r(100 * p.behaviour_interval[1], 0),
            ],
            **_knelpunt(p),
        }
    return summary


def _knelpunt(p: Prediction) -> dict[str, Any]:
    """The knelpunt of a prediction as plain values: the key or ``None`` (no single knelpunt),
    the two about-equal levers or ``None``, and the share of draws of the best lever."""
    return {
        "bottleneck": p.bottleneck,
        "close_levers": list(p.close_levers) if p.close_levers else None,
        "bottleneck_share": _r(p.bottleneck_share, 4),
    }


# ------------------------------------------------------------------------------------------
# The view of the room: plain data for the template live/templates/room.html
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    """One bar of a bar strip, in SVG user units; ``count`` is written above it when > 0."""

    x: float
    y: float
    width: float
    height: float
    count: int
    centre: float  # x of the count and the tick label
    count_y: float
    label: str


@dataclass(frozen=True)
class Bars:
    """A horizontal strip of vertical bars with a tick label under each; ``reference_x`` (a
    1–7 score's position) is drawn as a vermillion diamond around its tick label."""

    width: int
    height: int
    base: float  # y of the axis line
    colour: str
    bars: tuple[Bar, ...]
    reference_x: float | None
    reference_colour: str = VERMILLION
    axis_colour: str = TEXT


@dataclass(frozen=True)
class ScoreRow:
    key: str
    name: str
    summary: str
    reference: str | None  # the case's reference score, as a sentence (when revealed)
    flagged: bool  # the room disagrees most here
    bars: Bars


@dataclass(frozen=True)
class RoomView:
    """Every text and shape of the trainer's room panels (see :func:`room_view`)."""

    scores_summary: str
    rows: tuple[ScoreRow, ...]
    disagreement: str | None  # the sentence, or None when nobody answered
    disagreement_items: tuple[tuple[str, str], ...]  # (determinant, SD)
    model: str | None
    model_knelpunt: str | None  # the knelpunt at the room's average scores (once revealed)
    predictions: str
    prediction_bars: Bars
    votes: str
    vote_items: tuple[tuple[str, int], ...]  # (lever, votes)
    reference: str | None
    reference_knelpunt: str | None  # the knelpunt at the case's scores (once revealed)


def _name(key: str | None, lang: str) -> str:
    return t(f"determinant.{key}.name", lang) if key else "–"


def _lever(key: str, lang: str) -> str:
    """A determinant named as a knob to turn (a vote): capacity reads as adapting the work."""
    return lever_name(key, lang)


def _prediction(summary: dict[str, Any], scores: dict[str, float]) -> Prediction:
    """The engine's prediction for ``scores`` in the session's domain (the same as
    :func:`summarise` made: the model is deterministic)."""
    return model_for(summary["domain"]).predict(DeterminantScores.from_mapping(scores))


def knelpunt_sentence(summary: dict[str, Any], scores: dict[str, float], lang: str) -> str:
    """The knelpunt at ``scores`` in words (:func:`igm.report.bottleneck_sentence`): which one
    and how sure, two about equal, or none (and to combine steps)."""
    return bottleneck_sentence(_prediction(summary, scores), lang)


def _fmt(x: float | None, lang: str) -> str:
    if x is None:
        return "–"
    return fmt_number(x, lang, None)


def bars(
    counts: list[int],
    labels: list[str],
    width: int = 560,
    colour: str = BLUE,
    reference: float | None = None,
    height: int = 120,
) -> Bars:
    """The geometry of a bar strip: one slot per count, the tallest bar leaving room for its
    count above and the tick labels below."""
    n = len(counts)
    top = max(counts) or 1
    slot = width / n
    base = height - 24  # room for the tick labels below
    tallest = base - 26  # room for the count above the tallest bar
    shapes = []
    for i, c in enumerate(counts):
        h = 0 if c == 0 else max(3.0, tallest * c / top)
        shapes.append(
            Bar(
                x=i * slot + slot * 0.15,
                y=base - h,
                width=slot * 0.7,
                height=h,
                count=c,
                centre=i * slot + slot / 2,
                count_y=base - h - 6,
                label=labels[i],
            )
        )
    ref_x = None if reference is None else (reference - 1) * slot + slot / 2
    return Bars(width, height, base, colour, tuple(shapes), ref_x)


def _score_row(row: dict[str, Any], ref: float | None, flagged: bool, lang: str) -> ScoreRow:
    summary = (
        t(
            "live.trainer.row_summary",
            lang,
            n=row["n"],
            mean=_fmt(row["mean"], lang),
            sd=_fmt(row["std"], lang),
        )
        if row["n"]
        else t("live.trainer.no_answers", lang)
    )
    marker = (
        None if ref is None else t("live.trainer.reference_marker", lang, value=_fmt(ref, lang))
    )
    return ScoreRow(
        key=row["key"],
        name=_name(row["key"], lang),
        summary=summary,
        reference=marker,
        flagged=flagged,
        bars=bars(
            row["counts"], [str(i) for i in range(1, 8)], width=420, reference=ref, height=90
        ),
    )


def _scores_summary(summary: dict[str, Any], lang: str) -> str:
    n = summary["counts"]["scores"]
    means = [(r["mean"], r["key"]) for r in summary["scores"] if r["mean"] is not None]
    if not (n and means):
        return t("live.trainer.no_answers", lang)
    high = max(means, key=lambda m: m[0])
    low = min(means, key=lambda m: m[0])
    return t(
        "live.trainer.scores_summary",
        lang,
        n=n,
        high=_name(high[1], lang),
        high_mean=_fmt(high[0], lang),
        low=_name(low[1], lang),
        low_mean=_fmt(low[0], lang),
    )


def room_view(summary: dict[str, Any], lang: str) -> RoomView:
    """The live part of the trainer screen as plain data: sentences, bar geometry, lists.

    The template ``room.html`` turns it into HTML (autoescaped); the same summary gives the
    same view, so the trainer page and its feed show the same thing.
    """
    ref = summary["reference"]
    flagged = {d["key"] for d in summary["disagreement"][:1]}
    rows = tuple(
        _score_row(r, ref["scores"][r["key"]] if ref else None, r["key"] in flagged, lang)
        for r in summary["scores"]
    )

    dis = summary["disagreement"]
    disagreement = (
        t(
            "live.trainer.disagree_summary",
            lang,
            first=_name(dis[0]["key"], lang),
            sd=_fmt(dis[0]["std"], lang),
        )
        if dis
        else None
    )

    rm = summary["room_model"]
    model = model_knelpunt = None
    if rm:
        model = t(
            "live.trainer.model_summary",
            lang,
            intention=_fmt(rm["intention"], lang),
            ability=_fmt(rm["ability"], lang),
            behaviour=_fmt(rm["behaviour"], lang),
            lo=_fmt(rm["interval"][0], lang),
            hi=_fmt(rm["interval"][1], lang),
        )
        if ref:
            model_knelpunt = knelpunt_sentence(summary, rm["scores"], lang)

    pr = summary["predictions"]
    predictions = (
        t(
            "live.trainer.prediction_summary",
            lang,
            n=pr["n"],
            mean=_fmt(pr["mean"], lang),
            median=_fmt(pr["median"], lang),
            model=_fmt(rm["behaviour"], lang) if rm else "–",
        )
        if pr["n"]
        else t("live.trainer.no_answers", lang)
    )

    votes = summary["votes"]
    total = sum(votes.values())
    if total:
        top = max(DETERMINANTS, key=lambda k: votes[k])
        votes_text = t(
            "live.trainer.votes_summary", lang, n=total, top_n=votes[top], top=_lever(top, lang)
        )
    else:
        votes_text = t("live.trainer.no_answers", lang)

    reference = reference_knelpunt = None
    if ref:
        reference = t(
            "live.trainer.reference_summary",
            lang,
            behaviour=_fmt(ref["behaviour"], lang),
            lo=_fmt(ref["interval"][0], lang),
            hi=_fmt(ref["interval"][1], lang),
        )
        reference_knelpunt = knelpunt_sentence(summary, ref["scores"], lang)

    return RoomView(
        scores_summary=_scores_summary(summary, lang),
        rows=rows,
        disagreement=disagreement,
        disagreement_items=tuple((_name(d["key"], lang), _fmt(d["std"], lang)) for d in dis),
        model=model,
        model_knelpunt=model_knelpunt,
        predictions=predictions,
        prediction_bars=bars(pr["histogram"], [f"{lo}" for lo, _hi in PREDICTION_BINS]),
        votes=votes_text,
        vote_items=tuple((_lever(k, lang), votes[k]) for k in DETERMINANTS),
        reference=reference,
        reference_knelpunt=reference_knelpunt,
    )


# ------------------------------------------------------------------------------------------
# The reveal on a participant's phone: the same summary as the projector, as text
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RevealRow:
    """One determinant: the room's mean score and the case's reference score, as numbers
    written for ``lang`` (``–`` when nobody scored it)."""

    name: str
    room: str
    reference: str


@dataclass(frozen=True)
class RevealView:
    """What a phone shows once the trainer reveals: the reference answer (the model's chance
    with the case's scores and the knelpunt there), the scores side by side, and the room's
    answer in the projector's sentences (scores, the model at the room's mean, predictions,
    votes)."""

    reference: str
    reference_knelpunt: str
    rows: tuple[RevealRow, ...]
    room: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def reveal_view(summary: dict[str, Any], lang: str) -> RevealView | None:
    """The reveal for a phone, or ``None`` while the trainer has not revealed the reference.

    Built from :func:`room_view`, so the phone says what the projector says.
    """
    ref = summary["reference"]
    if not ref:
        return None
    view = room_view(summary, lang)
    assert view.reference is not None and view.reference_knelpunt is not None
    rows = tuple(
        RevealRow(
            name=_name(row["key"], lang),
            room=_fmt(row["mean"], lang),
            reference=_fmt(ref["scores"][row["key"]], lang),
        )
        for row in summary["scores"]
    )
    room = [view.scores_summary]
    if view.model is not None:
        room.append(view.model)
    if view.model_knelpunt is not None:
        room.append(f"{t('live.trainer.room_knelpunt_lead', lang)} {view.model_knelpunt}")
    room += [view.predictions, view.votes]
    return RevealView(
        reference=view.reference,
        reference_knelpunt=view.reference_knelpunt,
        rows=rows,
        room=tuple(room),
    )
