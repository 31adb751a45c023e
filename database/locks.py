"""A queue for SQLite writers, so concurrent writers wait their turn instead of polling.

SQLite lets one writer in at a time; the others retry on a timer (its busy handler sleeps up to
100 ms between tries), which under 60 simultaneous writers leaves some waiting for seconds. The
facade therefore takes, around each transaction on a SQLite file, a lock that wakes the next
waiter as soon as it is released: a ``threading.Lock`` per database file within the process,
and ``flock`` on ``<file>.lock`` across processes (POSIX only; on Windows only the in-process
lock applies and SQLite's busy timeout does the rest). PostgreSQL needs none of this.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["writer_queue"]

_GUARD = threading.Lock()
_QUEUES: dict[str, _FileQueue] = {}


class _FileQueue:
    def __init__(self, path: Path) -> None:
        self.thread_lock = threading.Lock()
        self.lock_path = path.with_name(path.name + ".lock")
        self.fd: int | None = None
        self.pid = os.getpid()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self.thread_lock:
            if fcntl is None:
                yield
                return
            if self.fd is None or self.pid != os.getpid():
                # A forked child must not share its parent's open file: flock would not
                # exclude the two. (Correctness never depends on this lock: BEGIN IMMEDIATE.)
                self.fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                self.pid = os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


def writer_queue(engine: Engine) -> AbstractContextManager[None]:
    """A context manager to hold around one transaction on ``engine``."""
    url = engine.url
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in {"", ":memory:"}:
        return contextlib.nullcontext()
    if database.startswith("file:"):
        return contextlib.nullcontext()
    path = Path(database).expanduser().resolve()
    with _GUARD:
        queue = _QUEUES.get(str(path))
        if queue is None:
            queue = _QUEUES[str(path)] = _FileQueue(path)
    return queue.hold()
