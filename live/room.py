"""The trainer's view of the room: a JSON-ready summary and its HTML (escaped, projector-sized).

Statistics come from :mod:`live.stats`; every model number comes from the engine
(``model_for(domain).predict``). Charts are inline SVG bars with a one-sentence text summary
beside each; colours are Okabe–Ito.
"""

from __future__ import annotations

from html import escape
from typing import Any

from igm.determinants import DETERMINANTS, DeterminantScores
from igm.i18n import t
from igm.model import model_for
from igm.report import lever_name
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

__all__ = ["render_room", "summarise"]

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
            "intention": _r(p.intention, 0),
            "ability": _r(p.ability, 0),
            "behaviour": _r(100 * p.behaviour_probability, 0),
            "interval": [
                _r(100 * p.behaviour_interval[0], 0),
                _r(100 * p.behaviour_interval[1], 0),
            ],
            "lever": p.levers[0].key if p.levers else None,
        }
    summary: dict[str, Any] = {
        "session": session,
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
            "bottleneck": p.bottleneck,
            "lever": p.levers[0].key if p.levers else None,
        }
    return summary


def _name(key: str | None, lang: str) -> str:
    return t(f"determinant.{key}.name", lang) if key else "–"


def _lever(key: str | None, lang: str) -> str:
    """A determinant named as a knob to turn (the knelpunt): capacity reads as adapting the work."""
    return lever_name(key, lang) if key else "–"


def _fmt(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:g}"


def _bars(
    counts: list[int],
    labels: list[str],
    width: int = 560,
    colour: str = BLUE,
    reference: float | None = None,
    height: int = 120,
) -> str:
    """A horizontal strip of vertical bars (SVG) with the count above each bar; ``reference``
    (a 1–7 score) is drawn as a vermillion diamond around its tick label."""
    n = len(counts)
    top = max(counts) or 1
    slot = width / n
    base = height - 24  # room for the tick labels below
    tallest = base - 26  # room for the count above the tallest bar
    parts = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'aria-hidden="true" focusable="false">'
    ]
    for i, c in enumerate(counts):
        h = 0 if c == 0 else max(3.0, tallest * c / top)
        x = i * slot + slot * 0.15
        w = slot * 0.7
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}"/>'
        )
        cx = i * slot + slot / 2
        if c:
            parts.append(
                f'<text x="{cx:.1f}" y="{base - h - 6:.1f}" text-anchor="middle" '
                f'class="count">{c}</text>'
            )
        parts.append(
            f'<text x="{cx:.1f}" y="{height - 4}" text-anchor="middle" class="tick">'
            f"{escape(labels[i])}</text>"
        )
    parts.append(f'<line x1="0" x2="{width}" y1="{base}" y2="{base}" stroke="{TEXT}"/>')
    if reference is not None:
        rx = (reference - 1) * slot + slot / 2
        parts.append(
            f'<path d="M{rx:.1f} {base + 1} l14 12 l-14 12 l-14 -12 z" fill="none" '
            f'stroke="{VERMILLION}" stroke-width="3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _score_row(row: dict[str, Any], ref: float | None, flagged: bool, lang: str) -> str:
    name = _name(row["key"], lang)
    summary = (
        t("live.trainer.row_summary", lang, n=row["n"], mean=_fmt(row["mean"]), sd=_fmt(row["std"]))
        if row["n"]
        else t("live.trainer.no_answers", lang)
    )
    marker = ""
    if ref is not None:
        marker = (
            f' · <span class="ref">◆ {escape(t("live.trainer.reference_marker", lang, value=_fmt(ref)))}'
            "</span>"
        )
    flag = ' <span class="flag">⚑</span>' if flagged else ""
    return (
        f'<div class="row{" flagged" if flagged else ""}" data-key="{escape(row["key"])}">'
        f'<div class="row-label"><h3>{escape(name)}{flag}</h3>'
        f'<p class="row-summary">{escape(summary)}{marker}</p></div>'
        f"{_bars(row['counts'], [str(i) for i in range(1, 8)], width=420, reference=ref, height=90)}</div>"
    )


def render_room(summary: dict[str, Any], lang: str) -> str:
    """The live part of the trainer screen as an HTML fragment (all text escaped)."""
    out: list[str] = []
    ref = summary["reference"]
    flagged = {d["key"] for d in summary["disagreement"][:1]}
    rows = summary["scores"]

    # Scores per determinant + summary sentence
    n = summary["counts"]["scores"]
    if n:
        means = [(r["mean"], r["key"]) for r in rows if r["mean"] is not None]
        high = max(means, key=lambda m: m[0])
        low = min(means, key=lambda m: m[0])
        sentence = t(
            "live.trainer.scores_summary",
            lang,
            n=n,
            high=_name(high[1], lang),
            high_mean=_fmt(high[0]),
            low=_name(low[1], lang),
            low_mean=_fmt(low[0]),
        )
    else:
        sentence = t("live.trainer.no_answers", lang)
    out.append(
        '<section class="panel scores" aria-labelledby="h-scores">'
        f'<h2 id="h-scores">{escape(t("live.trainer.scores_heading", lang))}</h2>'
        f'<p class="summary">{escape(sentence)}</p><div class="rows">'
    )
    for r in rows:
        value = ref["scores"][r["key"]] if ref else None
        out.append(_score_row(r, value, r["key"] in flagged, lang))
    out.append("</div></section>")

    # Disagreement + model for the room's average
    dis = summary["disagreement"]
    if dis:
        text = t(
            "live.trainer.disagree_summary",
            lang,
            first=_name(dis[0]["key"], lang),
            sd=_fmt(dis[0]["std"]),
        )
        items = "".join(
            f"<li>{escape(_name(d['key'], lang))}: SD {escape(_fmt(d['std']))}</li>" for d in dis
        )
        body = f'<p class="big">⚑ {escape(text)}</p><ol class="disagree">{items}</ol>'
    else:
        body = f'<p class="summary">{escape(t("live.trainer.disagree_none", lang))}</p>'
    out.append(
        '<div class="side"><section class="panel" aria-labelledby="h-dis">'
        f'<h2 id="h-dis">{escape(t("live.trainer.disagree_heading", lang))}</h2>{body}</section>'
    )
    rm = summary["room_model"]
    if rm:
        text = t(
            "live.trainer.model_summary",
            lang,
            intention=_fmt(rm["intention"]),
            ability=_fmt(rm["ability"]),
            behaviour=_fmt(rm["behaviour"]),
            lo=_fmt(rm["interval"][0]),
            hi=_fmt(rm["interval"][1]),
        )
        body = f'<p class="big">{escape(text)}</p>'
        if ref:
            lever = t("live.trainer.reference_model_lever", lang, lever=_lever(rm["lever"], lang))
            body += f"<p>{escape(lever)}</p>"
    else:
        body = f'<p class="summary">{escape(t("live.trainer.no_answers", lang))}</p>'
    out.append(
        '<section class="panel" aria-labelledby="h-model">'
        f'<h2 id="h-model">{escape(t("live.trainer.model_heading", lang))}</h2>{body}'
        f'<p class="notice">{escape(t("notice.illustrative", lang))}</p></section>'
    )

    # Predictions (round 2)
    pr = summary["predictions"]
    if pr["n"]:
        text = t(
            "live.trainer.prediction_summary",
            lang,
            n=pr["n"],
            mean=_fmt(pr["mean"]),
            median=_fmt(pr["median"]),
            model=_fmt(rm["behaviour"]) if rm else "–",
        )
    else:
        text = t("live.trainer.no_answers", lang)
    labels = [f"{lo}" for lo, _hi in PREDICTION_BINS]
    out.append(
        '<section class="panel" aria-labelledby="h-pred">'
        f'<h2 id="h-pred">{escape(t("live.trainer.prediction_heading", lang))}</h2>'
        f'<p class="summary">{escape(text)}</p>{_bars(pr["histogram"], labels, width=560)}</section>'
    )

    # Votes (round 3)
    votes = summary["votes"]
    total = sum(votes.values())
    if total:
        top = max(DETERMINANTS, key=lambda k: votes[k])
        text = t(
            "live.trainer.votes_summary", lang, n=total, top_n=votes[top], top=_lever(top, lang)
        )
    else:
        text = t("live.trainer.no_answers", lang)
    items = "".join(
        f"<li><span>{escape(_lever(k, lang))}</span><strong>{votes[k]}</strong></li>"
        for k in DETERMINANTS
    )
    out.append(
        '<section class="panel" aria-labelledby="h-votes">'
        f'<h2 id="h-votes">{escape(t("live.trainer.votes_heading", lang))}</h2>'
        f'<p class="summary">{escape(text)}</p><ul class="votes">{items}</ul></section>'
    )

    # Reference (on request)
    if ref:
        text = t(
            "live.trainer.reference_summary",
            lang,
            behaviour=_fmt(ref["behaviour"]),
            lo=_fmt(ref["interval"][0]),
            hi=_fmt(ref["interval"][1]),
            bottleneck=_lever(ref["bottleneck"], lang),
        )
        out.append(
            '<section class="panel reference" aria-labelledby="h-ref">'
            f'<h2 id="h-ref">{escape(t("live.trainer.reference_heading", lang))}</h2>'
            f'<p class="big">{escape(text)}</p></section>'
        )
    out.append("</div>")
    return "".join(out)
