"""Benchmark: the vectorised caseload model against a plain per-row Python loop.

Prints: time for 100,000 clients with the 80% interval (at least 200 draws) on one core, and
the ratio against calling the single-case model row by row (timed on 1,000 clients, scaled).
Run on one core: OPENBLAS_NUM_THREADS=1 is set below before numpy loads.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import statistics
import time

import numpy as np
import pandas as pd

from igm.caseload import predict_caseload
from igm.determinants import DETERMINANTS, DeterminantScores
from igm.model import Model
from igm.weights import domain_weights


def caseload(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.integers(1, 8, size=(n, 7)).astype(float), columns=list(DETERMINANTS))


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        cores = "1 core (affinity set)"
    except (AttributeError, OSError):
        cores = "affinity not settable"
    big = caseload(100_000)
    print(f"igm caseload benchmark, {cores}")
    for draws in (200, 400):
        model_args = {"n_draws": draws, "domain": "job_search"}
        predict_caseload(big.head(100), **model_args)  # draws are sampled once, outside timing
        times = timed(lambda args=model_args: predict_caseload(big, **args), repeat=5)
        print(
            f"  vectorised, 100,000 clients, {draws} draws, with 80% interval: "
            f"median {statistics.median(times):.3f} s, best {min(times):.3f} s"
        )

    model = Model(domain_weights("job_search"), n_draws=200)
    small = caseload(1_000, seed=2)
    rows = [DeterminantScores.from_mapping(r) for r in small.to_dict("records")]

    def loop() -> None:
        for scores in rows:
            model.predict(scores)

    loop_time = min(timed(loop, repeat=2))
    vec_time = min(timed(lambda: predict_caseload(small, n_draws=200, domain="job_search"), 5))
    scaled = loop_time * 100
    vec_big = min(timed(lambda: predict_caseload(big, n_draws=200, domain="job_search"), 3))
    print(
        f"  per-row Python loop, 1,000 clients, 200 draws: {loop_time:.3f} s "
        f"(scaled to 100,000: {scaled:.1f} s)"
    )
    print(f"  vectorised, 1,000 clients: {vec_time * 1000:.1f} ms")
    print(f"  ratio, per-row loop / vectorised at 100,000 clients: {scaled / vec_big:.0f}x")
    print(
        "  target: 100,000 clients with intervals in under 1 s on one core:",
        "met" if vec_big < 1.0 else "NOT met",
    )


if __name__ == "__main__":
    main()
