"""A real ``widgets.server.serve()`` in a subprocess, shared by the browser tests of the apps."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import run_server

#: The trainer token the test server is started with.
TRAINER_TOKEN = "test-trainer-token-apps"


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: Any) -> Iterator[str]:
    """Base URL (ending in /) of a Voila server started with ``serve()`` on a free port."""
    database = tmp_path_factory.mktemp("apps-db") / "igm.sqlite3"
    env = {"IGM_DATABASE_URL": f"sqlite:///{database}", "IGM_TRAINER_TOKEN": TRAINER_TOKEN}
    pool = int(os.environ.get("IGM_TEST_POOL_SIZE", "1"))
    with run_server(env, log_name="serve.log", pool_size=pool) as url:
        yield url
