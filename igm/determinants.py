"""The seven determinants of the Integratief Gedragsmodel and their 1–7 score scale.

Every determinant is scored on the same scale: 1 (very unfavourable for the target
behaviour) to 7 (very favourable). Higher is always better, so "raise the score" always
means "make the behaviour more likely".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Literal

__all__ = [
    "DETERMINANTS",
    "KUNNEN",
    "SCALE_MAX",
    "SCALE_MIN",
    "WILLEN",
    "Block",
    "DeterminantScores",
    "block_of",
]

Block = Literal["willen", "kunnen"]

#: Willen: together these form the intention.
WILLEN: tuple[str, ...] = ("attitude", "social_influence", "self_efficacy")
#: Kunnen: together these form the ability, which moderates intention → behaviour.
KUNNEN: tuple[str, ...] = ("knowledge_skills", "home_situation", "capacity", "self_regulation")
#: All determinant keys in their canonical order (willen first).
DETERMINANTS: tuple[str, ...] = WILLEN + KUNNEN

SCALE_MIN = 1.0
SCALE_MAX = 7.0


def block_of(key: str) -> Block:
    """Return the block ("willen" or "kunnen") a determinant key belongs to."""
    if key in WILLEN:
        return "willen"
    if key in KUNNEN:
        return "kunnen"
    raise KeyError(f"unknown determinant {key!r}; allowed: {', '.join(DETERMINANTS)}")


@dataclass(frozen=True)
class DeterminantScores:
    """Scores on the seven determinants, each on the 1–7 scale (higher = more favourable)."""

    attitude: float
    social_influence: float
    self_efficacy: float
    knowledge_skills: float
    home_situation: float
    capacity: float
    self_regulation: float

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{f.name}: expected a number from 1 to 7, got {value!r}")
            if not SCALE_MIN <= value <= SCALE_MAX:
                raise ValueError(f"{f.name}: {value!r} is outside the scale 1 to 7")

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> DeterminantScores:
        """Build scores from a mapping that holds exactly the seven determinant keys."""
        unknown = sorted(set(values) - set(DETERMINANTS))
        if unknown:
            raise KeyError(
                f"unknown determinant {unknown[0]!r}; allowed: {', '.join(DETERMINANTS)}"
            )
        missing = [k for k in DETERMINANTS if k not in values]
        if missing:
            raise KeyError(f"missing determinant {missing[0]!r}")
        return cls(**{k: values[k] for k in DETERMINANTS})

    def as_dict(self) -> dict[str, float]:
        """The scores as a plain dict in canonical order."""
        return {k: getattr(self, k) for k in DETERMINANTS}

    def __getitem__(self, key: str) -> float:
        if key not in DETERMINANTS:
            raise KeyError(key)
        value: float = getattr(self, key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(DETERMINANTS)

    def with_values(self, changes: Mapping[str, float]) -> DeterminantScores:
        """Return a copy with some determinants set to new values (validated)."""
        for key in changes:
            block_of(key)
        return replace(self, **dict(changes))

    def raised(self, deltas: Mapping[str, float]) -> DeterminantScores:
        """Return a copy with each named determinant raised by its delta, kept within 1–7."""
        new = {
            key: min(SCALE_MAX, max(SCALE_MIN, self[key] + delta))
            for key, delta in deltas.items()
            if block_of(key)
        }
        return self.with_values(new)
