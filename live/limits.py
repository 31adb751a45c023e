"""Rate limits of the participants' API: token buckets kept in memory, one per key.

A bucket holds up to ``burst`` tokens and refills at ``per_second``; each request takes one.
A person who taps "Save" a few times in a row never notices it; a script that posts hundreds
of answers a second is held to the refill rate. The buckets live in the server process (a
room is served by one process); a restart empties them, which only forgives.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ANSWERS", "JOINS_PER_ADDRESS", "JOINS_PER_DEVICE", "Limit", "RateLimiter"]


@dataclass(frozen=True)
class Limit:
    """``burst`` requests at once, then ``per_second`` on average."""

    burst: float
    per_second: float


#: Answers per device: a participant saves a form every few seconds at most; a burst of ten
#: allows quick corrections (and a few refused answers), then one a second.
ANSWERS = Limit(burst=10, per_second=1.0)
#: Joins per device: joining again on the same device is harmless (the same participant), but
#: needs no more than a few tries.
JOINS_PER_DEVICE = Limit(burst=5, per_second=0.2)
#: New devices per network address: a room behind one address (a proxy, a guest network's
#: NAT) may have all of its 60 people join at once; a script that makes participants by the
#: hundred is held to one a second after that.
JOINS_PER_ADDRESS = Limit(burst=60, per_second=1.0)


class RateLimiter:
    """Token buckets by key. ``take(key)`` answers 0 when allowed, else the seconds to wait.

    Not thread-safe by design: the web layer calls it on its event loop only. At most
    ``max_keys`` buckets are kept; full (idle) ones are dropped first when there are more.
    """

    def __init__(
        self,
        limit: Limit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 20_000,
    ) -> None:
        self.limit = limit
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key: (tokens, at)

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.limit.burst, now))
        return min(self.limit.burst, tokens + (now - at) * self.limit.per_second)

    def take(self, key: str) -> float:
        """Take one token of ``key``'s bucket: 0 when allowed, else seconds until one is back."""
        now = self.clock()
        tokens = self._tokens(key, now)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return math.ceil((1 - tokens) / self.limit.per_second * 10) / 10
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > self.max_keys:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        full = [k for k in self._buckets if self._tokens(k, now) >= self.limit.burst]
        for key in full:
            del self._buckets[key]
        while len(self._buckets) > self.max_keys:  # all busy: drop the oldest entries
            del self._buckets[next(iter(self._buckets))]
