"""A synthetic, fictional caseload for the caseload view and exercises, generated reproducibly.

No row describes a real person. Scores are drawn around a profile per group with two shared
latent factors (one for willen, one for kunnen) so that determinants within a block correlate,
as they do in practice. The observed behaviour (0/1) is simulated from the kit's own model, so
any association in this data reflects the model's assumptions, not evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from igm.caseload import predict_caseload
from igm.determinants import DETERMINANTS, KUNNEN, SCALE_MAX, SCALE_MIN, WILLEN

__all__ = ["CASELOAD_COLUMNS", "DEFAULT_SEED", "GROUP_PROFILES", "generate_caseload"]

DEFAULT_SEED = 20230622

#: Per group: share of the caseload, behaviour domain, age range, and mean score (1–7) per
#: determinant in canonical order. Invented to give each group a recognisable pattern.
GROUP_PROFILES: dict[str, tuple[float, str, tuple[int, int], tuple[float, ...]]] = {
    "long_term_job_seeker": (0.34, "job_search", (27, 64), (3.4, 3.4, 3.0, 3.4, 3.2, 3.8, 3.4)),
    "return_after_sickness": (
        0.22,
        "return_to_work",
        (25, 64),
        (5.2, 4.6, 3.8, 5.0, 4.2, 2.8, 3.8),
    ),
    "young_person": (0.16, "job_search", (16, 26), (4.8, 3.8, 4.6, 3.2, 3.8, 5.2, 2.8)),
    "statushouder": (0.14, "job_search", (20, 55), (6.0, 5.0, 4.6, 2.8, 3.0, 4.6, 4.4)),
    "employer": (0.08, "employer_hiring", (30, 65), (3.0, 3.0, 3.2, 3.6, 4.8, 4.2, 4.6)),
    "professional": (
        0.06,
        "professional_development",
        (24, 64),
        (4.2, 3.6, 4.0, 3.8, 4.2, 3.6, 4.2),
    ),
}

CASELOAD_COLUMNS = ("client_id", "group", "domain", "age", *DETERMINANTS, "behaviour")


def generate_caseload(n_clients: int = 600, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``n_clients`` fictional clients with scores (whole numbers 1–7) and observed behaviour.

    The same ``n_clients`` and ``seed`` always give the same frame.
    """
    rng = np.random.default_rng(seed)
    names = list(GROUP_PROFILES)
    shares = np.array([GROUP_PROFILES[g][0] for g in names])
    groups = rng.choice(names, size=n_clients, p=shares / shares.sum())

    means = np.array([GROUP_PROFILES[g][3] for g in groups])
    willen_factor = rng.normal(0.0, 0.9, size=(n_clients, 1))
    kunnen_factor = rng.normal(0.0, 0.9, size=(n_clients, 1))
    latent = np.hstack(
        [
            np.repeat(willen_factor, len(WILLEN), axis=1),
            np.repeat(kunnen_factor, len(KUNNEN), axis=1),
        ]
    )
    raw = means + latent + rng.normal(0.0, 0.9, size=(n_clients, len(DETERMINANTS)))
    scores = np.clip(np.rint(raw), SCALE_MIN, SCALE_MAX).astype(int)

    ages = np.array(
        [rng.integers(GROUP_PROFILES[g][2][0], GROUP_PROFILES[g][2][1] + 1) for g in groups]
    )
    frame = pd.DataFrame(scores, columns=list(DETERMINANTS))
    frame.insert(0, "client_id", [f"F{i:04d}" for i in range(1, n_clients + 1)])
    frame.insert(1, "group", groups)
    frame.insert(2, "domain", [GROUP_PROFILES[g][1] for g in groups])
    frame.insert(3, "age", ages)

    probability = predict_caseload(frame, interval=False, knelpunt=False)[
        "behaviour_probability"
    ].to_numpy()
    frame["behaviour"] = (rng.random(n_clients) < probability).astype(int)
    return frame[list(CASELOAD_COLUMNS)]
