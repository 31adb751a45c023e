r"""The igm-kit model: from determinant scores to intention, ability and behaviour.

ILLUSTRATIVE, NOT VALIDATED. No publication gives the Integratief Gedragsmodel a numeric
formula; this one is the kit's own, built to teach the model's logic. Use it to learn and to
discuss, never to decide about a real person.

In plain words
    1. Each determinant score (1–7) becomes a share of its scale: 1 → 0, 7 → 1. Returns
       diminish: a step up from a low score counts more than a step near the top.
    2. **Intention** (0–100) is the weighted mean of the three willen determinants.
    3. **Ability** (0–100) is the weighted mean of the four kunnen determinants.
    4. **Behaviour** (probability 0–1) starts at a low base rate and rises towards a ceiling
       in proportion to intention *times* ability. Because it is a product, kunnen moderates
       the path from intention to behaviour: intention without ability does not become
       behaviour, and ability without intention does not either.

In maths, with scores :math:`s_k \in [1, 7]`, relative weights :math:`w_k` normalised to sum
to 1 within willen (:math:`W`) and within kunnen (:math:`K`), curve exponent :math:`\gamma`,
base rate :math:`b` and ceiling :math:`c`:

.. math::

    x_k = 1 - \left(1 - \frac{s_k - 1}{6}\right)^{\gamma}, \qquad
    I = 100 \sum_{k \in W} w_k x_k, \qquad
    A = 100 \sum_{k \in K} w_k x_k, \qquad
    P = b + (c - b)\,\frac{I}{100}\,\frac{A}{100}.

Uncertainty
    Every weight, and :math:`b` and :math:`c`, is drawn from a triangle distribution on its
    range in ``igm/data/weights.yaml`` (``n_draws`` times, fixed seed, so results repeat).
    The 80% interval of behaviour is the 10th to 90th percentile over those draws.

Contributions
    :math:`P - b` is a sum of products :math:`(c-b)\,w_k x_k\,w_j x_j` of one willen and one
    kunnen term. Splitting each product equally between its two determinants (the Shapley
    value) gives every determinant a contribution in probability points; together they add
    up to :math:`P - b`.

Levers and bottleneck
    A determinant's lever is the rise in :math:`P` when its score goes up one point (capped
    at 7): the "potential for change". The bottleneck is the determinant with the largest
    lever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from igm.determinants import DETERMINANTS, KUNNEN, SCALE_MAX, SCALE_MIN, WILLEN, DeterminantScores
from igm.weights import DomainWeights, Weight, domain_weights

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "INTERVAL",
    "Comparison",
    "Lever",
    "Model",
    "ParameterDraws",
    "Prediction",
    "behaviour_interval",
    "evaluate",
    "model_for",
    "scale_share",
]

FloatArray = npt.NDArray[np.float64]

#: Monte Carlo draws of the weights for the uncertainty interval.
DEFAULT_DRAWS = 400
#: Fixed seed, so that the same inputs always give the same interval.
DEFAULT_SEED = 2018
#: Percentiles of the behaviour interval (an 80% interval).
INTERVAL = (10.0, 90.0)

_WILLEN_IDX = [DETERMINANTS.index(k) for k in WILLEN]
_KUNNEN_IDX = [DETERMINANTS.index(k) for k in KUNNEN]


def scale_share(scores: FloatArray | float, exponent: float = 1.0) -> FloatArray:
    """Map scores on the 1–7 scale to 0–1 (1 → 0, 7 → 1), with diminishing returns.

    ``exponent`` 1 is a straight line; above 1, low scores rise faster than high ones:
    ``1 - (1 - share) ** exponent``.
    """
    share = (np.asarray(scores, dtype=np.float64) - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
    if exponent == 1.0:
        return share
    result: FloatArray = 1.0 - (1.0 - share) ** exponent
    return result


@dataclass(frozen=True)
class ParameterDraws:
    """One or more sets of model parameters, one row per draw.

    ``willen`` has shape (d, 3) and ``kunnen`` shape (d, 4), each row summing to 1;
    ``base_rate`` and ``ceiling`` have shape (d,) and are probabilities.
    """

    willen: FloatArray
    kunnen: FloatArray
    base_rate: FloatArray
    ceiling: FloatArray

    @classmethod
    def point(cls, weights: DomainWeights) -> ParameterDraws:
        """The default weights as a single draw."""
        willen = np.array([[weights.willen[k].value for k in WILLEN]])
        kunnen = np.array([[weights.kunnen[k].value for k in KUNNEN]])
        return cls(
            willen=willen / willen.sum(axis=1, keepdims=True),
            kunnen=kunnen / kunnen.sum(axis=1, keepdims=True),
            base_rate=np.array([weights.base_rate.value]),
            ceiling=np.array([weights.ceiling.value]),
        )

    @classmethod
    def sample(cls, weights: DomainWeights, n_draws: int, seed: int) -> ParameterDraws:
        """``n_draws`` parameter sets from the weights' triangle distributions."""
        rng = np.random.default_rng(seed)

        def draw(w: Weight) -> FloatArray:
            if w.low == w.high:
                return np.full(n_draws, w.value)
            return rng.triangular(w.low, w.value, w.high, size=n_draws)

        willen = np.column_stack([draw(weights.willen[k]) for k in WILLEN])
        kunnen = np.column_stack([draw(weights.kunnen[k]) for k in KUNNEN])
        return cls(
            willen=willen / willen.sum(axis=1, keepdims=True),
            kunnen=kunnen / kunnen.sum(axis=1, keepdims=True),
            base_rate=draw(weights.base_rate),
            ceiling=draw(weights.ceiling),
        )

    def __len__(self) -> int:
        return int(self.base_rate.shape[0])


def evaluate(
    shares: FloatArray, params: ParameterDraws
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The model for many clients and many parameter draws at once.

    ``shares`` has shape (n, 7): curved scale shares (0–1, see :func:`scale_share`) in the
    order of :data:`DETERMINANTS`.
    Returns intention (0–100), ability (0–100) and behaviour probability (0–1), each of
    shape (n, d) for d parameter draws.
    """
    intention_share = shares[:, _WILLEN_IDX] @ params.willen.T
    ability_share = shares[:, _KUNNEN_IDX] @ params.kunnen.T
    behaviour = params.base_rate + (params.ceiling - params.base_rate) * (
        intention_share * ability_share
    )
    return 100.0 * intention_share, 100.0 * ability_share, behaviour


def _percentiles_sorted(sorted_rows: FloatArray, percentiles: tuple[float, ...]) -> FloatArray:
    """Percentiles of each row of an already sorted array (numpy's default linear method)."""
    last = sorted_rows.shape[1] - 1
    out = np.empty((sorted_rows.shape[0], len(percentiles)))
    for i, q in enumerate(percentiles):
        pos = q / 100.0 * last
        lo = int(np.floor(pos))
        hi = min(lo + 1, last)
        frac = pos - lo
        out[:, i] = sorted_rows[:, lo] * (1.0 - frac) + sorted_rows[:, hi] * frac
    return out


def behaviour_interval(
    shares: FloatArray,
    params: ParameterDraws,
    percentiles: tuple[float, ...] = INTERVAL,
    chunk_size: int = 8_192,
) -> FloatArray:
    """Percentiles of behaviour probability over parameter draws, for many clients.

    Same maths as :func:`evaluate`, in chunks of rows and with in-place operations so that a
    caseload of 100,000 clients × 400 draws never holds more than one chunk in memory.
    Returns shape (n, len(percentiles)).
    """
    out = np.empty((shares.shape[0], len(percentiles)))
    willen = shares[:, _WILLEN_IDX]
    kunnen = shares[:, _KUNNEN_IDX]
    spread = params.ceiling - params.base_rate
    for start in range(0, shares.shape[0], chunk_size):
        rows = slice(start, start + chunk_size)
        behaviour = willen[rows] @ params.willen.T
        behaviour *= kunnen[rows] @ params.kunnen.T
        behaviour *= spread
        behaviour += params.base_rate
        behaviour.sort(axis=1)
        out[rows] = _percentiles_sorted(behaviour, percentiles)
    return out


@dataclass(frozen=True)
class Lever:
    """What raising one determinant by one point (capped at 7) adds to the behaviour probability."""

    key: str
    score: float
    gain: float  # probability points (0–1 scale) for +1 on the score

    @property
    def room(self) -> float:
        """Points left on the scale above the current score."""
        return SCALE_MAX - self.score


@dataclass(frozen=True)
class Prediction:
    """The model's view of one set of scores in one behaviour domain."""

    domain: str
    scores: DeterminantScores
    intention: float  # 0–100
    ability: float  # 0–100
    behaviour_probability: float  # 0–1, within the target behaviour's time frame
    behaviour_interval: tuple[float, float]  # 80% interval from the weights' uncertainty
    base_rate: float  # behaviour probability with no intention or no ability
    contributions: Mapping[str, float]  # probability points; they sum to behaviour - base_rate
    levers: tuple[Lever, ...]  # all seven, largest gain first

    @property
    def bottleneck(self) -> str:
        """The determinant whose one-point improvement raises behaviour most."""
        return self.levers[0].key

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the contract of ``igm predict --json``)."""
        return {
            "domain": self.domain,
            "scores": self.scores.as_dict(),
            "intention": round(self.intention, 4),
            "ability": round(self.ability, 4),
            "behaviour_probability": round(self.behaviour_probability, 6),
            "behaviour_interval": [round(v, 6) for v in self.behaviour_interval],
            "base_rate": round(self.base_rate, 6),
            "contributions": {k: round(v, 6) for k, v in self.contributions.items()},
            "bottleneck": self.bottleneck,
            "levers": [lever.key for lever in self.levers],
            "lever_gains": {lever.key: round(lever.gain, 6) for lever in self.levers},
        }


@dataclass(frozen=True)
class Comparison:
    """Before and after applying changes to the determinant scores."""

    before: Prediction
    after: Prediction
    changes: Mapping[str, float]  # determinant -> points actually added (after capping at 7)

    @property
    def behaviour_gain(self) -> float:
        """Rise in behaviour probability (probability points, 0–1 scale)."""
        return self.after.behaviour_probability - self.before.behaviour_probability


@dataclass(frozen=True, eq=False)
class Model:
    """The model with the weights of one behaviour domain."""

    weights: DomainWeights
    n_draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED

    @property
    def domain(self) -> str:
        return self.weights.domain

    @cached_property
    def point(self) -> ParameterDraws:
        """The default weights as one parameter set."""
        return ParameterDraws.point(self.weights)

    @cached_property
    def draws(self) -> ParameterDraws:
        """The Monte Carlo parameter draws behind the intervals (fixed seed)."""
        return ParameterDraws.sample(self.weights, self.n_draws, self.seed)

    def shares(self, scores: DeterminantScores) -> FloatArray:
        """The curved scale shares (shape (1, 7)) that enter :func:`evaluate`."""
        values = np.array([list(scores.as_dict().values())])
        return scale_share(values, self.weights.curve_exponent)

    def behaviour(self, scores: DeterminantScores) -> float:
        """Behaviour probability (0–1) with the default weights."""
        shares = self.shares(scores)
        return float(evaluate(shares, self.point)[2][0, 0])

    def levers(self, scores: DeterminantScores) -> tuple[Lever, ...]:
        """All seven determinants ranked by the gain of one more point (ties: canonical order)."""
        base = scores.as_dict()
        rows = [list(base.values())]
        for key in DETERMINANTS:
            rows.append([min(SCALE_MAX, v + 1.0) if k == key else v for k, v in base.items()])
        behaviour = evaluate(scale_share(np.array(rows), self.weights.curve_exponent), self.point)[
            2
        ][:, 0]
        gains = behaviour[1:] - behaviour[0]
        levers = [
            Lever(k, base[k], float(max(0.0, g))) for k, g in zip(DETERMINANTS, gains, strict=True)
        ]
        order = sorted(range(len(levers)), key=lambda i: (-round(levers[i].gain, 12), i))
        return tuple(levers[i] for i in order)

    def predict(self, scores: DeterminantScores) -> Prediction:
        """Intention, ability, behaviour with its 80% interval, contributions and levers."""
        shares = self.shares(scores)
        intention, ability, behaviour = (a[0, 0] for a in evaluate(shares, self.point))
        low, high = behaviour_interval(shares, self.draws)[0]

        w = self.point
        spread = float(w.ceiling[0] - w.base_rate[0])
        willen_terms = w.willen[0] * shares[0, _WILLEN_IDX]
        kunnen_terms = w.kunnen[0] * shares[0, _KUNNEN_IDX]
        contributions = {
            **{
                k: spread * t * (ability / 100) / 2
                for k, t in zip(WILLEN, willen_terms, strict=True)
            },
            **{
                k: spread * t * (intention / 100) / 2
                for k, t in zip(KUNNEN, kunnen_terms, strict=True)
            },
        }
        return Prediction(
            domain=self.domain,
            scores=scores,
            intention=float(intention),
            ability=float(ability),
            behaviour_probability=float(behaviour),
            behaviour_interval=(float(low), float(high)),
            base_rate=float(w.base_rate[0]),
            contributions={k: float(contributions[k]) for k in DETERMINANTS},
            levers=self.levers(scores),
        )

    def compare(self, scores: DeterminantScores, deltas: Mapping[str, float]) -> Comparison:
        """Predict before and after raising determinants by ``deltas`` (kept within 1–7)."""
        after = scores.raised(deltas)
        changes = {k: after[k] - scores[k] for k in DETERMINANTS if after[k] != scores[k]}
        return Comparison(self.predict(scores), self.predict(after), changes)


@cache
def model_for(domain: str) -> Model:
    """The default model for a behaviour domain (cached: its draws are computed once)."""
    return Model(domain_weights(domain))
