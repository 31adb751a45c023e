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


#: The base URL of the second test server: apps behind a path prefix (``igm serve --base-url``).
BASE_PATH = "/igm-test/"


@pytest.fixture(scope="session")
def prefixed_server_url(tmp_path_factory: Any) -> Iterator[str]:
    """URL (ending in ``BASE_PATH``) of ``serve()`` with that base URL; one pooled kernel, for
    the explorer only."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import ARTIFACTS, free_port, require, stop_process_group, wait_until_up

    try:
        import voila  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the machine
        require(False, "voila is not installed")
    database = tmp_path_factory.mktemp("apps-db-prefixed") / "igm.sqlite3"
    port = free_port()
    code = (
        "from widgets.server import serve; from widgets.serve_config import ServeConfig; "
        f"serve(config=ServeConfig(port={port}, base_url={BASE_PATH!r}, pool_size=0, "
        "pools={'apps/explorer.ipynb': 1}))"
    )
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "IGM_DATABASE_URL": f"sqlite:///{database}",
        "IGM_TRAINER_TOKEN": TRAINER_TOKEN,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "serve_prefixed.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}{BASE_PATH}"
    try:
        wait_until_up(url, proc)
        yield url
    finally:
        stop_process_group(proc, timeout=20)
