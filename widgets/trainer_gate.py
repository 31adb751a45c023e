"""The trainer token check shared by the trainer apps (dashboard, case editor).

``igm serve`` puts the trainer token in ``IGM_TRAINER_TOKEN``, which every kernel inherits;
a trainer app asks for it before it shows anything.

Guessing is throttled: after :data:`FREE_TRIES` wrong keys in a row, each next try waits
longer (5 s, 10 s, 20 s, … up to :data:`MAX_WAIT_SECONDS`). The count must outlive a kernel
(a guesser opens a new page, and so a new kernel, for every try), so it is kept in a small
file that ``igm serve`` names in ``IGM_TRAINER_GATE_FILE`` (beside the trainer key; every
kernel of the server shares it, under a file lock). It is one count for the whole server, not
per browser: a kernel does not know who is asking, and one count also stops guessers that
spread over many browsers. The price, a trainer who mistypes right after a guesser must wait
a few minutes at most, is small. Without the variable (a notebook run by hand, a test)
nothing is counted: there is no server for a guesser to reach.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FAILURES_ENV",
    "FREE_TRIES",
    "MAX_WAIT_SECONDS",
    "KeyCheck",
    "check_key",
    "token_matches",
    "trainer_token",
    "wait_after",
]

#: The file with the count of wrong keys (set by ``igm serve``).
FAILURES_ENV = "IGM_TRAINER_GATE_FILE"
#: Wrong keys allowed in a row before the waiting starts.
FREE_TRIES = 5
#: The longest wait between tries (seconds).
MAX_WAIT_SECONDS = 300
#: Wrong keys older than this (seconds) are forgotten.
FORGET_AFTER_SECONDS = 3600


def trainer_token() -> str | None:
    """The trainer token from the kernel's environment, or None when none is set."""
    return os.environ.get("IGM_TRAINER_TOKEN", "").strip() or None


def token_matches(typed: str, token: str | None) -> bool:
    """Whether ``typed`` is the trainer token (in constant time; never true without a token)."""
    return bool(token) and hmac.compare_digest(typed.encode("utf-8"), (token or "").encode("utf-8"))


def wait_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong keys in a row before the next try."""
    if failures < FREE_TRIES:
        return 0
    return int(min(MAX_WAIT_SECONDS, 5 * 2 ** (failures - FREE_TRIES)))


@dataclass(frozen=True)
class KeyCheck:
    """The answer to a typed key: ``ok``, else ``wait_seconds`` before the next try (0: try
    again now)."""

    ok: bool
    wait_seconds: int = 0


@contextlib.contextmanager
def _record(path: Path | None) -> Iterator[dict[str, float]]:
    """The count of wrong keys, locked for reading and writing (None: not kept)."""
    if path is None:
        yield {"failures": 0.0, "last": 0.0}
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as fh:
        with contextlib.suppress(ImportError):  # no fcntl on Windows: one process there
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            data = json.loads(fh.read() or "{}")
            record = {
                "failures": float(data.get("failures", 0)),
                "last": float(data.get("last", 0.0)),
            }
        except (ValueError, TypeError, AttributeError):
            record = {"failures": 0.0, "last": 0.0}
        yield record
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(record))


def check_key(
    typed: str, token: str | None, *, path: Path | None = None, now: float | None = None
) -> KeyCheck:
    """Check a typed trainer key, counting wrong ones (``path``: default the file in
    ``IGM_TRAINER_GATE_FILE``). While a wait runs, no key is compared, the right one neither."""
    if path is None and os.environ.get(FAILURES_ENV):
        path = Path(os.environ[FAILURES_ENV])
    moment = time.time() if now is None else now
    with _record(path) as record:
        if moment - record["last"] > FORGET_AFTER_SECONDS:
            record["failures"] = 0
        failures = int(record["failures"])
        left = wait_after(failures) - (moment - record["last"])
        if left > 0:
            return KeyCheck(False, math.ceil(left))
        if token_matches(typed, token):
            record["failures"] = 0
            return KeyCheck(True)
        record["failures"] = failures + 1
        record["last"] = moment
        return KeyCheck(False, wait_after(failures + 1))
