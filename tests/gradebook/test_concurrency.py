"""Many learners submitting at the same moment: every attempt stored once, numbers gapless.

Each thread opens its own gradebook (its own engine, connection and session), waits at a
barrier, and then submits. On SQLite the writers queue (WAL, busy timeout, BEGIN IMMEDIATE);
on PostgreSQL the learner row lock and the unique key keep the numbering race-free.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

import pytest
from sqlalchemy.orm import Session

from gradebook import Gradebook, Learner, open_gradebook

T = TypeVar("T")

LEARNERS = 60


def run_at_once(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads released together; return what they raised."""
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(index)
        except BaseException as exc:  # reported by the caller
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return failures


def check_stored_once_and_gapless(db_url: str, markers: set[str]) -> None:
    with open_gradebook(db_url) as gb:
        attempts = gb.attempts()
    stored = [a.answers["marker"] for a in attempts]
    assert sorted(stored) == sorted(markers), "an attempt is missing or stored twice"
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for attempt in attempts:
        numbers[(attempt.learner.learner_number, attempt.exercise_id)].append(attempt.attempt_no)
    for key, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), f"gaps or repeats for {key}"


def test_sixty_learners_submitting_at_the_same_moment(db_url: str) -> None:
    """60 learners, each 2 attempts at ex-a and 1 at ex-b, all released at once."""
    numbers = [f"L{i:05d}" for i in range(LEARNERS)]
    with open_gradebook(db_url) as gb:
        for number in numbers:
            gb.register_learner(number, f"Learner {number}")
    markers: set[str] = set()
    lock = threading.Lock()

    def submit(index: int) -> None:
        with open_gradebook(db_url, migrate=False) as own:
            view = own.for_learner(numbers[index])
            for exercise in ("ex-a", "ex-b", "ex-a"):
                marker = uuid.uuid4().hex
                with lock:
                    markers.add(marker)
                view.record_attempt(exercise, index, {"marker": marker}, {"q": 1}, 2)

    assert run_at_once(LEARNERS, submit) == []
    assert len(markers) == 3 * LEARNERS
    check_stored_once_and_gapless(db_url, markers)


def test_one_learner_submitting_ten_attempts_at_once(db_url: str) -> None:
    """10 concurrent attempts by one learner at one exercise are numbered 1 to 10."""
    with open_gradebook(db_url) as gb:
        gb.register_learner("s0000001", "Snelle Sam")
    markers = {uuid.uuid4().hex for _ in range(10)}
    ordered = sorted(markers)

    def submit(index: int) -> None:
        with open_gradebook(db_url, migrate=False) as own:
            own.record_attempt("s0000001", "ex", 1, {"marker": ordered[index]}, {"q": 1}, 1)

    assert run_at_once(10, submit) == []
    check_stored_once_and_gapless(db_url, markers)
    with open_gradebook(db_url) as gb:
        assert [a.attempt_no for a in gb.attempts("s0000001", "ex")] == list(range(1, 11))


def test_the_unique_key_and_retry_alone_keep_numbers_gapless(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the row lock, do colliding numbers get retried rather than lost or doubled?"""
    original = Gradebook._find_learner
    retried: list[int] = []

    def without_lock(session: Session, number: str, *, lock: bool = False) -> Learner:
        return original(session, number, lock=False)

    real_run = Gradebook._run

    def counting_run(self: Gradebook, work: Callable[[Session], T], *, retry: bool = False) -> T:
        def counted(session: Session) -> T:
            retried.append(1)
            return work(session)

        return real_run(self, counted, retry=retry)

    monkeypatch.setattr(Gradebook, "_find_learner", staticmethod(without_lock))
    monkeypatch.setattr(Gradebook, "_run", counting_run)
    with open_gradebook(db_url) as gb:
        gb.register_learner("s0000001", "Sam")
    markers = sorted(uuid.uuid4().hex for _ in range(10))
    retried.clear()

    def submit(index: int) -> None:
        with open_gradebook(db_url, migrate=False) as own:
            own.record_attempt("s0000001", "ex", 1, {"marker": markers[index]}, {"q": 1}, 1)

    assert run_at_once(10, submit) == []
    check_stored_once_and_gapless(db_url, set(markers))
    if db_url.startswith("postgresql"):
        assert len(retried) > 10, "no collision happened: the test proves nothing"


def _submit_from_process(db_url: str, process: int, count: int) -> int:
    with open_gradebook(db_url, migrate=False) as gb:
        for k in range(count):
            gb.record_attempt("s0000001", "ex", k, {"marker": f"{process}-{k}"}, {"q": 1}, 1)
    return count


def test_writers_in_separate_processes(db_url: str) -> None:
    """Like Voila kernels: 4 processes x 10 attempts for one learner, numbered 1 to 40?"""
    import multiprocessing

    with open_gradebook(db_url) as gb:
        gb.register_learner("s0000001", "Sam")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        done = pool.starmap(_submit_from_process, [(db_url, p, 10) for p in range(4)])
    assert sum(done) == 40
    check_stored_once_and_gapless(db_url, {f"{p}-{k}" for p in range(4) for k in range(10)})
