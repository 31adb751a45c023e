"""Live session mode: a trainer runs an inspiration session, participants answer on a phone.

No kernel per participant: plain HTML, one small local JS file and a JSON API served by
tornado (:mod:`live.web`). Answers are stored in the gradebook database (:mod:`live.store`);
the statistics of the room are pure functions (:mod:`live.stats`); model arithmetic comes from
the engine (:mod:`igm`).
"""

from __future__ import annotations

__all__ = ["ROUNDS"]

#: The rounds of a session: scores (1), prediction (2), vote (3, optional).
ROUNDS: tuple[int, ...] = (1, 2, 3)
