r"""The igm-kit model: from determinant scores to intention, ability and behaviour.

ILLUSTRATIVE, NOT VALIDATED. No publication gives the Integratief Gedragsmodel a numeric
formula; this one is the kit's own, built to teach the model's logic. Use it to learn and to
discuss, never to decide about a real person.

In plain words
    1. Each determinant score (1–7) becomes a share of its scale: 1 → 0, 7 → 1. Returns
       diminish: a step up from a low score counts more than a step near the top.
    2. **Intention** (0–100) is the weighted mean of the three willen determinants. Willen
       compensates: a strong attitude can make up for little support from others.
    3. **Ability** (0–100) combines the four kunnen determinants by a weighted *power mean*
       with a negative exponent. Kunnen does not compensate: every condition is needed. One
       determinant at 1 (no childcare at all, say) makes ability 0 however high the others
       are; one that is low pulls ability down more than its weight.
    4. **Behaviour** (probability 0–1) starts at a low base rate and rises towards a ceiling
       in proportion to intention *times* ability. Because it is a product, kunnen moderates
       the path from intention to behaviour: intention without ability does not become
       behaviour, and ability without intention does not either.

In maths, with scores :math:`s_k \in [1, 7]`, relative weights :math:`w_k` normalised to sum
to 1 within willen (:math:`W`) and within kunnen (:math:`K`), curve exponent :math:`\gamma`,
compensation exponent :math:`p < 0`, base rate :math:`b` and ceiling :math:`c`:

.. math::

    x_k = 1 - \left(1 - \frac{s_k - 1}{6}\right)^{\gamma}, \qquad
    I = 100 \sum_{k \in W} w_k x_k, \qquad
    A = 100 \Big(\sum_{k \in K} w_k x_k^{\,p}\Big)^{1/p}, \qquad
    P = b + (c - b)\,\frac{I}{100}\,\frac{A}{100}.

With :math:`x_k = 0` for some kunnen :math:`k`, :math:`x_k^p` is infinite and :math:`A = 0`
(the limit of the power mean).

Uncertainty
    Every weight, :math:`p`, :math:`b` and :math:`c` is drawn from a triangle distribution on
    its range in ``igm/data/weights.yaml`` (``n_draws`` times, fixed seed, so results repeat).
    The 80% interval of behaviour is the 10th to 90th percentile over those draws.

Contributions
    A convention for the chart "what each determinant adds now": half of :math:`P - b` goes to
    the willen block and half to the kunnen block, and within a block each determinant gets a
    part in proportion to :math:`w_k x_k`. Together they add up to :math:`P - b`.

Levers and the knelpunt (bottleneck)
    A determinant's lever is the rise in :math:`P` when its score goes up one point (capped
    at 7): the "potential for change". Its *share* is the part of the Monte Carlo draws in
    which its lever comes first. The model names a knelpunt only when it stands out: the best
    lever adds at least :data:`MIN_BOTTLENECK_GAIN`, the runner-up is not about equal (see
    :attr:`Prediction.close_levers`), it comes first in at least :data:`MIN_BOTTLENECK_SHARE`
    of the draws, and it is a weak spot of this person (a score below their own average).
    Otherwise :attr:`Prediction.bottleneck` is ``None``: there is no single knelpunt, and
    combining steps is the better advice.
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
    "CLOSE_GAIN_GAP",
    "CLOSE_GAIN_RATIO",
    "CLOSE_RUNNER_UP_SHARE",
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "INTERVAL",
    "MIN_BOTTLENECK_GAIN",
    "MIN_BOTTLENECK_SHARE",
    "Comparison",
    "Lever",
    "Model",
    "ParameterDraws",
    "Prediction",
    "behaviour_interval",
    "bottleneck_verdicts",
    "evaluate",
    "lever_order",
    "lever_table",
    "model_for",
    "power_mean",
    "scale_share",
]

FloatArray = npt.NDArray[np.float64]

#: Monte Carlo draws of the weights for the uncertainty interval.
DEFAULT_DRAWS = 400
#: Fixed seed, so that the same inputs always give the same interval.
DEFAULT_SEED = 2018
#: Percentiles of the behaviour interval (an 80% interval).
INTERVAL = (10.0, 90.0)

#: A knelpunt must add at least this much for one point (probability, 0–1: half a percentage point).
MIN_BOTTLENECK_GAIN = 0.005
#: ... and come first in at least this share of the Monte Carlo draws.
MIN_BOTTLENECK_SHARE = 0.6
#: Two levers are "about equal" when their gains differ by less than this (probability, 0–1),
CLOSE_GAIN_GAP = 0.005
#: or the runner-up adds at least this fraction of the best one (a 20% difference is well
#: within what the weights' sources and the case authors' estimates can tell apart),
CLOSE_GAIN_RATIO = 0.8
#: ... or when the runner-up comes first in at least this share of the draws.
CLOSE_RUNNER_UP_SHARE = 0.3

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


def power_mean(shares: FloatArray, weights: FloatArray, exponent: FloatArray) -> FloatArray:
    """Weighted power means of shares (0–1) for many clients and many parameter draws.

    ``shares`` has shape (n, k), ``weights`` shape (d, k) with rows summing to 1 and
    ``exponent`` shape (d,), every exponent negative. Returns shape (n, d):
    ``(sum_k w_k x_k ** p) ** (1 / p)``, which is 0 when any share is 0 (the limit).
    """
    # x ** p as exp(p log x), one determinant at a time: the same numbers as a broadcast
    # power and einsum, in half the time and a quarter of the memory (log 0 = -inf gives inf).
    with np.errstate(divide="ignore"):
        logs = np.log(shares)
        total = np.zeros((shares.shape[0], exponent.shape[0]))
        for j in range(shares.shape[1]):
            term = np.exp(np.multiply.outer(logs[:, j], exponent))
            term *= weights[:, j]
            total += term
        result: FloatArray = np.exp(np.log(total) / exponent)  # log inf / p = -inf: exp 0
    return result


@dataclass(frozen=True)
class ParameterDraws:
    """One or more sets of model parameters, one row per draw.

    ``willen`` has shape (d, 3) and ``kunnen`` shape (d, 4), each row summing to 1;
    ``base_rate`` and ``ceiling`` have shape (d,) and are probabilities;
    ``compensation`` has shape (d,): the kunnen block's power-mean exponent (negative).
    """

    willen: FloatArray
    kunnen: FloatArray
    base_rate: FloatArray
    ceiling: FloatArray
    compensation: FloatArray

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
            compensation=np.array([weights.compensation_exponent.value]),
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
            compensation=draw(weights.compensation_exponent),
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
    ability_share = power_mean(shares[:, _KUNNEN_IDX], params.kunnen, params.compensation)
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
    chunk_size: int = 2_048,
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
        behaviour *= power_mean(kunnen[rows], params.kunnen, params.compensation)
        behaviour *= spread
        behaviour += params.base_rate
        behaviour.sort(axis=1)
        out[rows] = _percentiles_sorted(behaviour, percentiles)
    return out


def lever_table(
    scores: FloatArray,
    curve_exponent: float,
    point: ParameterDraws,
    draws: ParameterDraws,
    chunk_size: int = 256,
) -> tuple[FloatArray, FloatArray]:
    """The levers of many clients: one point up on each determinant in turn (capped at 7).

    ``scores`` has shape (n, 7) on the 1–7 scale. Returns two arrays of shape (n, 7): the gain
    in behaviour probability (0–1, never below 0) with the ``point`` parameters, and the share
    (0–1) of ``draws`` in which that determinant's gain comes first. A draw in which no lever
    adds anything, or two tie for first, counts for none. Chunked, so that a large caseload
    never holds more than ``chunk_size`` clients × draws × 8 in memory.
    """
    n, k = scores.shape
    gains = np.empty((n, k))
    shares = np.empty((n, k))
    for start in range(0, n, chunk_size):
        block = scores[start : start + chunk_size]
        m = block.shape[0]
        # Row 0 of each client: its scores; rows 1..7: one determinant raised.
        steps = np.repeat(block[:, None, :], k + 1, axis=1)
        idx = np.arange(k)
        steps[:, idx + 1, idx] = np.minimum(SCALE_MAX, steps[:, idx + 1, idx] + 1.0)
        curved = scale_share(steps.reshape(m * (k + 1), k), curve_exponent)
        for params, target in ((point, gains), (draws, None)):
            behaviour = evaluate(curved, params)[2].reshape(m, k + 1, len(params))
            step_gains = np.maximum(0.0, behaviour[:, 1:, :] - behaviour[:, :1, :])  # (m, 7, d)
            if target is not None:
                target[start : start + m] = step_gains[:, :, 0]
                continue
            best = step_gains.max(axis=1, keepdims=True)
            first = np.isclose(step_gains, best, rtol=0.0, atol=1e-12) & (best > 1e-12)
            unique = first.sum(axis=1, keepdims=True) == 1
            shares[start : start + m] = (first & unique).mean(axis=2)
    return gains, shares


def lever_order(gains: FloatArray) -> npt.NDArray[np.intp]:
    """Determinant indices per row, largest gain first (ties: canonical order). Shape (n, 7)."""
    order: npt.NDArray[np.intp] = np.argsort(-np.round(gains, 12), axis=1, kind="stable")
    return order


def bottleneck_verdicts(
    scores: FloatArray, gains: FloatArray, shares: FloatArray
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    """The knelpunt rule for many clients at once (see the module docstring).

    ``scores`` (1–7), ``gains`` (point gains, 0–1) and ``shares`` (0–1, per draw-first) have
    shape (n, 7). Returns, per client, the reason there is no knelpunt (``None`` when there is
    one: the first lever of :func:`lever_order`) and whether the two best are about equal.
    Reasons: ``"no_gain"``, ``"close"``, ``"uncertain"``, ``"not_weak"``.
    """
    order = lever_order(gains)
    rows = np.arange(gains.shape[0])
    first, second = order[:, 0], order[:, 1]
    gain1, gain2 = gains[rows, first], gains[rows, second]
    close = (gain2 >= MIN_BOTTLENECK_GAIN) & (
        (gain1 - gain2 < CLOSE_GAIN_GAP)
        | (gain2 >= CLOSE_GAIN_RATIO * gain1)
        | (shares[rows, second] >= CLOSE_RUNNER_UP_SHARE)
    )
    reasons = np.full(gains.shape[0], None, dtype=object)
    not_weak = scores[rows, first] >= scores.mean(axis=1)
    # Later assignments win, so they go from the least to the most basic reason.
    reasons[not_weak] = "not_weak"
    reasons[shares[rows, first] < MIN_BOTTLENECK_SHARE] = "uncertain"
    reasons[close] = "close"
    reasons[gain1 < MIN_BOTTLENECK_GAIN] = "no_gain"
    return reasons, close


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
    #: Per determinant: share (0–1) of the Monte Carlo draws in which its lever comes first.
    lever_shares: Mapping[str, float]
    n_draws: int  # the Monte Carlo draws behind the interval and the shares
    #: The two best levers when they are about equal, else ``None``. About equal: the
    #: runner-up adds at least :data:`MIN_BOTTLENECK_GAIN`, and the two differ by less than
    #: :data:`CLOSE_GAIN_GAP`, or the runner-up adds at least :data:`CLOSE_GAIN_RATIO` of the
    #: best, or it comes first in at least :data:`CLOSE_RUNNER_UP_SHARE` of the draws.
    close_levers: tuple[str, str] | None
    #: Why the model names no knelpunt, or ``None`` when it names one. ``"no_gain"``: the best
    #: step adds less than :data:`MIN_BOTTLENECK_GAIN`; ``"close"``: the two best are about
    #: equal (:attr:`close_levers`); ``"uncertain"``: the best comes first in less than
    #: :data:`MIN_BOTTLENECK_SHARE` of the draws; ``"not_weak"``: the best scores no lower than
    #: this person's average, so it leads only by the kit's weights (a flat profile).
    no_bottleneck_reason: str | None

    @property
    def bottleneck_share(self) -> float:
        """Share (0–1) of the draws in which the best lever (at the default weights) comes first."""
        return self.lever_shares[self.levers[0].key]

    @property
    def bottleneck(self) -> str | None:
        """The knelpunt: the weak spot whose one-point step clearly adds most, or ``None``.

        ``None`` when no single determinant stands out (see :attr:`no_bottleneck_reason`);
        then the advice is to combine steps.
        """
        return None if self.no_bottleneck_reason else self.levers[0].key

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
            "bottleneck_share": round(self.bottleneck_share, 4),
            "close_levers": list(self.close_levers) if self.close_levers else None,
            "no_bottleneck_reason": self.no_bottleneck_reason,
            "levers": [lever.key for lever in self.levers],
            "lever_gains": {lever.key: round(lever.gain, 6) for lever in self.levers},
            "lever_shares": {
                lever.key: round(self.lever_shares[lever.key], 4) for lever in self.levers
            },
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

    def predict(self, scores: DeterminantScores) -> Prediction:
        """Intention, ability, behaviour with its 80% interval, contributions and levers."""
        shares = self.shares(scores)
        intention, ability, behaviour = (a[0, 0] for a in evaluate(shares, self.point))
        low, high = behaviour_interval(shares, self.draws)[0]
        values = np.array([list(scores.as_dict().values())])
        gains, first_shares = lever_table(
            values, self.weights.curve_exponent, self.point, self.draws
        )
        reasons, close = bottleneck_verdicts(values, gains, first_shares)
        order = lever_order(gains)[0]

        w = self.point
        half = (behaviour - w.base_rate[0]) / 2
        contributions: dict[str, float] = {}
        for keys, idx, block_weights in (
            (WILLEN, _WILLEN_IDX, w.willen[0]),
            (KUNNEN, _KUNNEN_IDX, w.kunnen[0]),
        ):
            terms = block_weights * shares[0, idx]
            total = terms.sum()
            for key, term in zip(keys, terms, strict=True):
                contributions[key] = float(half * term / total) if total > 0 else 0.0
        return Prediction(
            domain=self.domain,
            scores=scores,
            intention=float(intention),
            ability=float(ability),
            behaviour_probability=float(behaviour),
            behaviour_interval=(float(low), float(high)),
            base_rate=float(w.base_rate[0]),
            contributions={k: contributions[k] for k in DETERMINANTS},
            levers=tuple(
                Lever(DETERMINANTS[i], scores[DETERMINANTS[i]], float(gains[0, i])) for i in order
            ),
            lever_shares={k: float(v) for k, v in zip(DETERMINANTS, first_shares[0], strict=True)},
            n_draws=len(self.draws),
            close_levers=(DETERMINANTS[order[0]], DETERMINANTS[order[1]]) if close[0] else None,
            no_bottleneck_reason=reasons[0],
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
