"""The model applied to a whole caseload at once, vectorised with numpy (no per-row loop)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from igm.determinants import DETERMINANTS, SCALE_MAX, SCALE_MIN
from igm.model import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    INTERVAL,
    Model,
    behaviour_interval,
    bottleneck_verdicts,
    evaluate,
    lever_order,
    lever_table,
    model_for,
    scale_share,
)
from igm.weights import DOMAINS, domain_weights

__all__ = [
    "OUTPUT_COLUMNS",
    "QUADRANTS",
    "determinant_relevance",
    "potential_for_change",
    "predict_caseload",
    "quadrants",
]

#: Columns that :func:`predict_caseload` adds.
OUTPUT_COLUMNS = (
    "intention",
    "ability",
    "behaviour_probability",
    "behaviour_low",
    "behaviour_high",
    "bottleneck",
)


def _check_scores(frame: pd.DataFrame) -> np.ndarray:
    missing = [k for k in DETERMINANTS if k not in frame.columns]
    if missing:
        raise KeyError(f"caseload lacks determinant column(s): {', '.join(missing)}")
    scores = frame[list(DETERMINANTS)].to_numpy(dtype=np.float64)
    bad = ~((scores >= SCALE_MIN) & (scores <= SCALE_MAX))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"caseload row {frame.index[row]!r}, column {DETERMINANTS[col]!r}: "
            f"{float(scores[row, col])!r} is outside the scale 1 to 7"
        )
    return scores


def _predict_block(
    scores: np.ndarray, model: Model, interval: bool, knelpunt: bool, chunk_size: int
) -> dict[str, np.ndarray]:
    exponent = model.weights.curve_exponent
    shares = scale_share(scores, exponent)
    intention, ability, behaviour = (a[:, 0] for a in evaluate(shares, model.point))

    out = {
        "intention": intention,
        "ability": ability,
        "behaviour_probability": behaviour,
    }
    if knelpunt:
        out["bottleneck"] = _bottlenecks(scores, model)
    if interval:
        bounds = behaviour_interval(shares, model.draws, INTERVAL, chunk_size)
        out["behaviour_low"] = bounds[:, 0]
        out["behaviour_high"] = bounds[:, 1]
    return out


def _bottlenecks(scores: np.ndarray, model: Model) -> np.ndarray:
    """The knelpunt of every client by the rule of :class:`igm.model.Prediction` (or None):
    one point up on each determinant in turn, with the default weights and over the draws."""
    gains, first_shares = lever_table(
        scores, model.weights.curve_exponent, model.point, model.draws
    )
    reasons, _close = bottleneck_verdicts(scores, gains, first_shares)
    first = lever_order(gains)[:, 0]
    named = np.asarray(DETERMINANTS, dtype=object)[first]
    bottleneck = np.array(
        [key if reason is None else None for key, reason in zip(named, reasons, strict=True)],
        dtype=object,
    )
    return bottleneck


def predict_caseload(
    frame: pd.DataFrame,
    *,
    domain: str | None = None,
    n_draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    interval: bool = True,
    knelpunt: bool = True,
    chunk_size: int = 8_192,
) -> pd.DataFrame:
    """Predict every client of a caseload; return a copy of ``frame`` with the model's columns.

    ``frame`` holds the seven determinant columns (scores 1–7). The behaviour domain is
    ``domain`` for every row, or else the frame's ``domain`` column. Adds intention and
    ability (0–100), behaviour_probability (0–1), behaviour_low / behaviour_high (the 80%
    interval, when ``interval``) and bottleneck (when ``knelpunt``: a determinant key, or
    ``None`` where the model names no single knelpunt; the rule of
    :class:`igm.model.Prediction`, which costs 8 evaluations over all draws per client).
    """
    scores = _check_scores(frame)
    if domain is not None:
        domains = np.full(len(frame), domain, dtype=object)
    elif "domain" in frame.columns:
        domains = frame["domain"].to_numpy(dtype=object)
    else:
        raise KeyError("give a domain, or a 'domain' column in the caseload")
    unknown = sorted(set(domains) - set(DOMAINS))
    if unknown:
        raise KeyError(f"unknown domain {unknown[0]!r}; allowed: {', '.join(DOMAINS)}")

    result = frame.copy()
    interval_columns = {"behaviour_low", "behaviour_high"}
    columns = [
        c
        for c in OUTPUT_COLUMNS
        if (interval or c not in interval_columns) and (knelpunt or c != "bottleneck")
    ]
    for name in columns:
        result[name] = np.empty(len(frame), dtype=object if name == "bottleneck" else np.float64)
    for name in set(domains):
        mask = domains == name
        if n_draws == DEFAULT_DRAWS and seed == DEFAULT_SEED:
            model = model_for(name)
        else:
            model = Model(domain_weights(name), n_draws=n_draws, seed=seed)
        values = _predict_block(scores[mask], model, interval, knelpunt, chunk_size)
        for column in columns:
            result.loc[mask, column] = values[column]
    return result


# --- Caseload statistics (model-independent, except potential_for_change) -------------------

#: Quadrant keys of the willen × kunnen plane: "<intention>_<ability>", each high or low.
QUADRANTS: tuple[str, ...] = ("high_high", "high_low", "low_high", "low_low")


def quadrants(predicted: pd.DataFrame, threshold: float = 50.0) -> pd.Series:
    """Each client's quadrant from predicted ``intention`` and ``ability`` (0–100).

    Keys are neutral descriptions, intention first: ``high_low`` means intention at or above
    ``threshold`` and ability below it.
    """
    intention = np.where(predicted["intention"].to_numpy() >= threshold, "high", "low")
    ability = np.where(predicted["ability"].to_numpy() >= threshold, "high", "low")
    labels = np.char.add(np.char.add(intention.astype(str), "_"), ability.astype(str))
    return pd.Series(labels, index=predicted.index, name="quadrant", dtype=object)


def _z(confidence: float) -> float:
    from statistics import NormalDist

    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def determinant_relevance(
    frame: pd.DataFrame, behaviour: str = "behaviour", confidence: float = 0.95
) -> pd.DataFrame:
    """Per determinant: mean score with its confidence interval, and its correlation with
    behaviour with a confidence interval (the two panels of a CIBER plot).

    Means use the normal approximation (mean ± z·sd/√n); correlations are Pearson's r (with a
    0/1 behaviour column: the point-biserial correlation) with Fisher's z interval. Values
    that cannot be computed (fewer than 4 rows, no variation) are NaN.
    Returns one row per determinant (index in canonical order) with columns n, mean,
    mean_low, mean_high, r, r_low, r_high.
    """
    z = _z(confidence)
    scores = frame[list(DETERMINANTS)].to_numpy(dtype=np.float64)
    outcome = frame[behaviour].to_numpy(dtype=np.float64)
    n = scores.shape[0]
    rows: list[dict[str, float]] = []
    for j in range(len(DETERMINANTS)):
        column = scores[:, j]
        mean = float(column.mean()) if n else float("nan")
        sd = float(column.std(ddof=1)) if n > 1 else float("nan")
        half = z * sd / np.sqrt(n) if n > 1 else float("nan")
        r = low = high = float("nan")
        if n >= 4 and column.std() > 0 and outcome.std() > 0:
            r = float(np.corrcoef(column, outcome)[0, 1])
            fisher = float(np.arctanh(np.clip(r, -0.999999, 0.999999)))
            spread = z / np.sqrt(n - 3)
            low, high = float(np.tanh(fisher - spread)), float(np.tanh(fisher + spread))
        rows.append(
            {
                "n": float(n),
                "mean": mean,
                "mean_low": mean - half,
                "mean_high": mean + half,
                "r": r,
                "r_low": low,
                "r_high": high,
            }
        )
    return pd.DataFrame(rows, index=pd.Index(DETERMINANTS, name="determinant"))


def potential_for_change(frame: pd.DataFrame, *, domain: str | None = None) -> pd.DataFrame:
    """Per determinant: the mean rise in behaviour probability if every client in ``frame``
    scored one point higher on it (capped at 7), and the share of clients for whom it is
    the bottleneck. Uses :func:`predict_caseload` (point predictions, no interval).
    Returns one row per determinant with columns mean_gain (0–1 scale) and bottleneck_share.
    """
    base = predict_caseload(frame, domain=domain, interval=False)
    before = base["behaviour_probability"].to_numpy(dtype=np.float64)
    gains: list[float] = []
    for key in DETERMINANTS:
        raised = frame.copy()
        raised[key] = np.minimum(SCALE_MAX, raised[key].to_numpy(dtype=np.float64) + 1.0)
        after = predict_caseload(raised, domain=domain, interval=False, knelpunt=False)
        delta = after["behaviour_probability"].to_numpy(dtype=np.float64) - before
        gains.append(float(delta.mean()) if len(delta) else float("nan"))
    counts = base["bottleneck"].value_counts()
    total = max(len(base), 1)
    return pd.DataFrame(
        {
            "mean_gain": gains,
            "bottleneck_share": [float(counts.get(k, 0)) / total for k in DETERMINANTS],
        },
        index=pd.Index(DETERMINANTS, name="determinant"),
    )
