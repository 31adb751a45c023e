"""A real server for the exercise apps: its own SQLite gradebook and a trainer token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_server

TRAINER_TOKEN = "test-trainer-token-4821"


@dataclass(frozen=True)
class ExerciseServer:
    url: str
    database_url: str


@pytest.fixture(scope="session")
def exercise_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExerciseServer]:
    db = Path(tmp_path_factory.mktemp("gradebook")) / "igm.sqlite3"
    database_url = f"sqlite:///{db}"
    env = {
        "IGM_DATABASE_URL": database_url,
        "IGM_TRAINER_TOKEN": TRAINER_TOKEN,
        "IGM_SIGN_IN": "code",  # learners sign in with a personal code from a class roster
    }
    with run_server(env, log_name="serve-exercises.log", pool_size=0) as url:
        yield ExerciseServer(url, database_url)
