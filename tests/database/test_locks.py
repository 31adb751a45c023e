"""The SQLite writer queue: one per database file, none for PostgreSQL or memory."""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy import create_engine

from database.locks import writer_queue


def test_no_queue_for_postgresql_or_memory() -> None:
    for url in ("postgresql+psycopg://u:p@localhost/db", "sqlite://", "sqlite:///:memory:"):
        assert isinstance(writer_queue(create_engine(url)), contextlib.nullcontext)


def test_a_sqlite_file_gets_a_lock_file_beside_it(tmp_path: Path) -> None:
    """Is the queue a real lock, released after use, with its .lock file beside the database?"""
    engine = create_engine(f"sqlite:///{tmp_path / 'gb.sqlite3'}")
    with writer_queue(engine):
        pass
    with writer_queue(engine):  # released: can be taken again
        pass
    assert (tmp_path / "gb.sqlite3.lock").exists()
