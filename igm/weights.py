"""Load the model's weights, their uncertainty ranges and their sources from one data file.

The file is ``igm/data/weights.yaml``. Its numbers are illustrative, not validated: see the
comments at its top and :mod:`igm.model` for the formula they feed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from igm.determinants import KUNNEN, WILLEN

__all__ = [
    "DOMAINS",
    "DomainWeights",
    "Weight",
    "domain_weights",
    "load_weights",
    "sources",
]

#: The behaviour domains that have their own weights.
DOMAINS: tuple[str, ...] = (
    "job_search",
    "return_to_work",
    "employer_hiring",
    "professional_development",
)


@dataclass(frozen=True)
class Weight:
    """One model parameter: its default value, its uncertainty range and where it comes from.

    The range is read as a triangle distribution with mode ``value`` on ``[low, high]``.
    """

    value: float
    low: float
    high: float
    sources: tuple[str, ...]
    note: str

    def __post_init__(self) -> None:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"weight needs low <= value <= high, got {self}")


@dataclass(frozen=True)
class DomainWeights:
    """All parameters of the model for one behaviour domain.

    ``willen`` and ``kunnen`` hold relative weights (normalised within their block);
    ``base_rate`` and ``ceiling`` are behaviour probabilities (0–1);
    ``compensation_exponent`` is the kunnen block's power-mean exponent (negative).
    """

    def __post_init__(self) -> None:
        if self.compensation_exponent.high >= 0:
            raise ValueError("weights.yaml: ability_link.compensation_exponent must stay below 0")

    domain: str
    willen: Mapping[str, Weight]
    kunnen: Mapping[str, Weight]
    base_rate: Weight
    ceiling: Weight
    curve_exponent: float  # diminishing returns: a scale share x counts as 1 - (1 - x)^exponent
    #: Power-mean exponent p (< 0) by which the kunnen block combines: how little a high
    #: kunnen score makes up for a low one (see igm/model.py).
    compensation_exponent: Weight

    def relative(self, key: str) -> Weight:
        """The weight of one determinant, wherever its block."""
        return self.willen[key] if key in self.willen else self.kunnen[key]

    def normalised_values(self) -> dict[str, float]:
        """Default weight of each determinant as its share of its block (each block sums to 1)."""
        willen_sum = sum(w.value for w in self.willen.values())
        kunnen_sum = sum(w.value for w in self.kunnen.values())
        shares = {k: w.value / willen_sum for k, w in self.willen.items()}
        shares.update({k: w.value / kunnen_sum for k, w in self.kunnen.items()})
        return shares


def _weight(raw: Mapping[str, Any], where: str) -> Weight:
    try:
        src = raw["source"]
        return Weight(
            value=float(raw["value"]),
            low=float(raw["low"]),
            high=float(raw["high"]),
            sources=tuple(src) if isinstance(src, list) else (str(src),),
            note=str(raw.get("note", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"weights.yaml: {where}: {exc}") from exc


@cache
def load_weights() -> Mapping[str, Any]:
    """The parsed weights file (cached; treat as read-only)."""
    text = resources.files("igm").joinpath("data/weights.yaml").read_text(encoding="utf-8")
    data: Mapping[str, Any] = yaml.safe_load(text)
    return data


@cache
def domain_weights(domain: str) -> DomainWeights:
    """The weights for one behaviour domain (one of :data:`DOMAINS`)."""
    data = load_weights()
    if domain not in data["domains"]:
        raise KeyError(f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
    raw = data["domains"][domain]
    link = data["behaviour_link"]
    return DomainWeights(
        domain=domain,
        willen={k: _weight(raw["willen"][k], f"{domain}.willen.{k}") for k in WILLEN},
        kunnen={k: _weight(raw["kunnen"][k], f"{domain}.kunnen.{k}") for k in KUNNEN},
        base_rate=_weight(link["base_rate"], "behaviour_link.base_rate"),
        ceiling=_weight(link["ceiling"], "behaviour_link.ceiling"),
        curve_exponent=float(data["response_curve"]["exponent"]),
        compensation_exponent=_weight(
            data["ability_link"]["compensation_exponent"], "ability_link.compensation_exponent"
        ),
    )


def sources() -> dict[str, str]:
    """Full references, by the keys used in the weights file."""
    return dict(load_weights()["sources"])
