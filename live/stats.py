"""Statistics of the room: pure functions, no database, no web, no model arithmetic.

Scores are whole numbers 1–7; predictions are percentages 0–100; votes are determinant keys.
Disagreement per determinant is the (population) standard deviation of the room's scores;
the interquartile range is given too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from igm.determinants import DETERMINANTS

__all__ = [
    "PREDICTION_BINS",
    "Spread",
    "distribution",
    "iqr",
    "mean",
    "median",
    "prediction_histogram",
    "quantile",
    "ranked_by_disagreement",
    "room_mean_scores",
    "spread",
    "std",
    "vote_counts",
]

#: Bins of the prediction histogram: 0–9, 10–19, ..., 90–100.
PREDICTION_BINS: tuple[tuple[int, int], ...] = tuple(
    (lo, lo + 9 if lo < 90 else 100) for lo in range(0, 100, 10)
)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def std(values: Sequence[float]) -> float | None:
    """The population standard deviation (0 for one value), or None for no values."""
    m = mean(values)
    if m is None:
        return None
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile with linear interpolation between order statistics (numpy's default)."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q={q!r}: allowed 0 to 1")
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float | None:
    return quantile(values, 0.5)


def iqr(values: Sequence[float]) -> float | None:
    """The interquartile range (Q3 − Q1), or None for no values."""
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    return None if q1 is None or q3 is None else q3 - q1


def distribution(values: Iterable[int], low: int = 1, high: int = 7) -> list[int]:
    """Counts of each whole number low..high (index 0 is ``low``); other values are refused."""
    counts = [0] * (high - low + 1)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise ValueError(f"{v!r}: expected a whole number from {low} to {high}")
        counts[v - low] += 1
    return counts


@dataclass(frozen=True)
class Spread:
    """The room's scores for one determinant."""

    key: str
    n: int
    counts: tuple[int, ...]
    mean: float | None
    std: float | None
    iqr: float | None


def spread(key: str, values: Sequence[int]) -> Spread:
    return Spread(
        key=key,
        n=len(values),
        counts=tuple(distribution(values)),
        mean=mean(values),
        std=std(values),
        iqr=iqr(values),
    )


def room_mean_scores(answers: Iterable[Mapping[str, int]]) -> dict[str, float] | None:
    """The room's mean score per determinant over complete score sets, or None if there are none."""
    rows = list(answers)
    if not rows:
        return None
    return {k: sum(r[k] for r in rows) / len(rows) for k in DETERMINANTS}


def ranked_by_disagreement(spreads: Iterable[Spread]) -> list[Spread]:
    """Determinants with at least two scores, most disagreement first (std, then IQR; ties keep
    the canonical order)."""
    order = {k: i for i, k in enumerate(DETERMINANTS)}
    usable = [s for s in spreads if s.n >= 2 and s.std is not None]
    return sorted(usable, key=lambda s: (-(s.std or 0.0), -(s.iqr or 0.0), order.get(s.key, 99)))


def prediction_histogram(percents: Iterable[float]) -> list[int]:
    """Counts per bin of :data:`PREDICTION_BINS` (100 falls in the last bin)."""
    counts = [0] * len(PREDICTION_BINS)
    for p in percents:
        if isinstance(p, bool) or not 0 <= p <= 100:
            raise ValueError(f"{p!r}: expected a percentage from 0 to 100")
        counts[min(int(p // 10), len(PREDICTION_BINS) - 1)] += 1
    return counts


def vote_counts(votes: Iterable[str]) -> dict[str, int]:
    """Votes per determinant, every determinant present (canonical order)."""
    counts = dict.fromkeys(DETERMINANTS, 0)
    for v in votes:
        if v not in counts:
            raise ValueError(f"{v!r}: not a determinant; allowed: {', '.join(DETERMINANTS)}")
        counts[v] += 1
    return counts
