"""Benchmark: 60 learners writing attempts at the same moment, on SQLite and on PostgreSQL.

Prints, per database: attempts stored per second (wall clock, all writers together) and the
median and 95th percentile latency of one ``record_attempt`` call, and checks that every
attempt was stored once with gapless numbers.

    python benchmarks/gradebook_concurrency.py [--writers 60] [--attempts 20]

PostgreSQL: ``IGM_BENCH_POSTGRES_URL`` (a throw-away database; its public schema is dropped),
else, as root with Debian's postgresql package, the local cluster 15/main with role igm and a
fresh database igm_bench. Otherwise the PostgreSQL run is skipped with the reason.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gradebook import open_gradebook


def _psql(sql: str) -> None:
    command = shlex.join(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
    subprocess.run(["su", "postgres", "-c", command], cwd="/", check=True, capture_output=True)


def postgres_url() -> tuple[str | None, str]:
    """A URL of an empty PostgreSQL database, or None and why not."""
    url = os.environ.get("IGM_BENCH_POSTGRES_URL", "").strip()
    if url:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        return url, "IGM_BENCH_POSTGRES_URL"
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("pg_ctlcluster")):
        return None, "set IGM_BENCH_POSTGRES_URL, or run as root with Debian's postgresql"
    try:
        running = subprocess.run(["pg_ctlcluster", "15", "main", "status"], capture_output=True)
        if running.returncode != 0:
            subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=True)
        _psql(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'igm') THEN "
            "CREATE ROLE igm LOGIN PASSWORD 'igm'; END IF; END $$;"
        )
        _psql("DROP DATABASE IF EXISTS igm_bench WITH (FORCE)")
        _psql("CREATE DATABASE igm_bench OWNER igm")
    except (subprocess.CalledProcessError, OSError) as exc:
        return None, f"could not prepare the local cluster: {exc}"
    return "postgresql+psycopg://igm:igm@127.0.0.1:5432/igm_bench", "local cluster 15/main"


def run(url: str, writers: int, attempts: int) -> dict[str, float]:
    numbers = [f"B{i:05d}" for i in range(writers)]
    with open_gradebook(url) as gb:
        for number in numbers:
            gb.register_learner(number, f"Bench {number}")
    # Each writer opens its own gradebook (engine, connection, session) before the start.
    books = [open_gradebook(url, migrate=False) for _ in range(writers)]
    latencies: list[list[float]] = [[] for _ in range(writers)]
    failures: list[BaseException] = []
    barrier = threading.Barrier(writers + 1)

    def write(index: int) -> None:
        view = books[index].for_learner(numbers[index])
        try:
            barrier.wait()
            for i in range(attempts):
                start = time.perf_counter()
                view.record_attempt(f"ex-{i % 3}", i, {"i": i}, {"q1": 1, "q2": 0.5}, 2)
                latencies[index].append(time.perf_counter() - start)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    for book in books:
        book.close()
    if failures:
        raise RuntimeError(f"{len(failures)} writer(s) failed, first: {failures[0]!r}")
    with open_gradebook(url, migrate=False) as gb:
        stored = gb.attempts()
    per_key: dict[tuple[str, str], list[int]] = {}
    for attempt in stored:
        key = (attempt.learner.learner_number, attempt.exercise_id)
        per_key.setdefault(key, []).append(attempt.attempt_no)
    assert len(stored) == writers * attempts, f"stored {len(stored)} of {writers * attempts}"
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in per_key.values()), "gaps"
    flat = sorted(x for per_writer in latencies for x in per_writer)
    return {
        "attempts": float(len(flat)),
        "per_second": len(flat) / wall,
        "p50_ms": 1000 * statistics.median(flat),
        "p95_ms": 1000 * flat[int(0.95 * (len(flat) - 1))],
        "max_ms": 1000 * flat[-1],
        "wall_s": wall,
    }


def report(name: str, figures: dict[str, float]) -> None:
    print(
        f"{name:<11} {int(figures['attempts'])} attempts in {figures['wall_s']:.2f} s: "
        f"{figures['per_second']:.0f} attempts/s; write latency p50 {figures['p50_ms']:.1f} ms, "
        f"p95 {figures['p95_ms']:.1f} ms, max {figures['max_ms']:.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=60)
    parser.add_argument("--attempts", type=int, default=20, help="attempts per writer")
    args = parser.parse_args()
    print(
        f"{args.writers} concurrent writers x {args.attempts} attempts each "
        f"({os.cpu_count()} CPUs; every attempt checked stored once, numbers gapless)"
    )
    with tempfile.TemporaryDirectory() as folder:
        report("SQLite", run(f"sqlite:///{folder}/bench.sqlite3", args.writers, args.attempts))
    url, how = postgres_url()
    if url is None:
        print(f"PostgreSQL  SKIPPED: {how}")
    else:
        report("PostgreSQL", run(url, args.writers, args.attempts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
