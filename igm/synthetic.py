"""Made-up profiles for exploring the model, generated reproducibly (``igm/data/caseload.csv``).

No row describes a real person, and no row belongs to a group of people: every profile's
scores are drawn from one and the same distribution, whatever its behaviour domain. The file
has no groups (statushouders, young people, ...) and no age, so that nothing in it can suggest
that a kind of person scores lower on a determinant. The domain only says which behaviour the
model is asked about, and so which weights apply.

Two shared latent factors (one for willen, one for kunnen) make determinants within a block
correlate; that, the mean of 4 and the spreads are assumptions of the kit, not estimates.
The observed behaviour (0/1) is simulated from the kit's own model, so every association in
this data only shows the model's own assumptions back (circular), never evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from igm.caseload import predict_caseload
from igm.determinants import DETERMINANTS, KUNNEN, SCALE_MAX, SCALE_MIN, WILLEN
from igm.weights import DOMAINS

__all__ = ["CASELOAD_COLUMNS", "DEFAULT_SEED", "SCORE_MEAN", "generate_caseload"]

DEFAULT_SEED = 20230622

#: The one mean score (1–7) of every determinant for every profile: the middle of the scale.
SCORE_MEAN = 4.0
#: Spread of the shared willen and kunnen factors and of each score's own noise (scale points).
FACTOR_SD = 0.9
NOISE_SD = 0.9

CASELOAD_COLUMNS = ("profile_id", "domain", *DETERMINANTS, "behaviour")


def generate_caseload(n_clients: int = 600, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """``n_clients`` made-up profiles with scores (whole numbers 1–7) and simulated behaviour.

    Domains take turns (equal numbers); the scores never depend on the domain. The same
    ``n_clients`` and ``seed`` always give the same frame.
    """
    rng = np.random.default_rng(seed)
    domains = np.resize(np.asarray(DOMAINS, dtype=object), n_clients)

    willen_factor = rng.normal(0.0, FACTOR_SD, size=(n_clients, 1))
    kunnen_factor = rng.normal(0.0, FACTOR_SD, size=(n_clients, 1))
    latent = np.hstack(
        [
            np.repeat(willen_factor, len(WILLEN), axis=1),
            np.repeat(kunnen_factor, len(KUNNEN), axis=1),
        ]
    )
    raw = SCORE_MEAN + latent + rng.normal(0.0, NOISE_SD, size=(n_clients, len(DETERMINANTS)))
    scores = np.clip(np.rint(raw), SCALE_MIN, SCALE_MAX).astype(int)

    frame = pd.DataFrame(scores, columns=list(DETERMINANTS))
    frame.insert(0, "profile_id", [f"P{i:04d}" for i in range(1, n_clients + 1)])
    frame.insert(1, "domain", domains)

    probability = predict_caseload(frame, interval=False, knelpunt=False)[
        "behaviour_probability"
    ].to_numpy()
    frame["behaviour"] = (rng.random(n_clients) < probability).astype(int)
    return frame[list(CASELOAD_COLUMNS)]
