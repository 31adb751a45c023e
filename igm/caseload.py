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
    evaluate,
    model_for,
    scale_share,
)
from igm.weights import DOMAINS, domain_weights

__all__ = ["OUTPUT_COLUMNS", "predict_caseload"]

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
    scores: np.ndarray, model: Model, interval: bool, chunk_size: int
) -> dict[str, np.ndarray]:
    exponent = model.weights.curve_exponent
    shares = scale_share(scores, exponent)
    intention, ability, behaviour = (a[:, 0] for a in evaluate(shares, model.point))

    # One point up on each determinant in turn, all clients at once.
    gains = np.empty((scores.shape[0], len(DETERMINANTS)))
    for j in range(len(DETERMINANTS)):
        raised = scores.copy()
        raised[:, j] = np.minimum(SCALE_MAX, raised[:, j] + 1.0)
        gains[:, j] = evaluate(scale_share(raised, exponent), model.point)[2][:, 0] - behaviour
    bottleneck = np.asarray(DETERMINANTS, dtype=object)[np.argmax(np.round(gains, 12), axis=1)]

    out = {
        "intention": intention,
        "ability": ability,
        "behaviour_probability": behaviour,
        "bottleneck": bottleneck,
    }
    if interval:
        bounds = behaviour_interval(shares, model.draws, INTERVAL, chunk_size)
        out["behaviour_low"] = bounds[:, 0]
        out["behaviour_high"] = bounds[:, 1]
    return out


def predict_caseload(
    frame: pd.DataFrame,
    *,
    domain: str | None = None,
    n_draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    interval: bool = True,
    chunk_size: int = 8_192,
) -> pd.DataFrame:
    """Predict every client of a caseload; return a copy of ``frame`` with the model's columns.

    ``frame`` holds the seven determinant columns (scores 1–7). The behaviour domain is
    ``domain`` for every row, or else the frame's ``domain`` column. Adds intention and
    ability (0–100), behaviour_probability (0–1), behaviour_low / behaviour_high (the 80%
    interval, when ``interval``) and bottleneck (a determinant key).
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
    columns = [c for c in OUTPUT_COLUMNS if interval or c not in interval_columns]
    for name in columns:
        result[name] = np.empty(len(frame), dtype=object if name == "bottleneck" else np.float64)
    for name in set(domains):
        mask = domains == name
        if n_draws == DEFAULT_DRAWS and seed == DEFAULT_SEED:
            model = model_for(name)
        else:
            model = Model(domain_weights(name), n_draws=n_draws, seed=seed)
        values = _predict_block(scores[mask], model, interval, chunk_size)
        for column in columns:
            result.loc[mask, column] = values[column]
    return result
