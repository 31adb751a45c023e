"""A real ``apps.server.serve()`` in a subprocess, shared by the browser tests of the apps."""

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


#: The base URL of the second test server: apps behind a path prefix (``igm serve --base-url``).
BASE_PATH = "/igm-test/"


@pytest.fixture(scope="session")
def prefixed_server_url(tmp_path_factory: Any) -> Iterator[str]:
    """URL (ending in ``BASE_PATH``) of ``serve()`` with that base URL; one pooled kernel, for
    the explorer only."""
    database = tmp_path_factory.mktemp("apps-db-prefixed") / "igm.sqlite3"
    env = {"IGM_DATABASE_URL": f"sqlite:///{database}", "IGM_TRAINER_TOKEN": TRAINER_TOKEN}
    config = f"base_url={BASE_PATH!r}, pool_size=0, pools={{'apps/explorer.ipynb': 1}}"
    with run_server(env, log_name="serve_prefixed.log", config=config, base_path=BASE_PATH) as url:
        yield url
