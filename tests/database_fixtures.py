"""Database fixtures: every database test runs on SQLite AND on PostgreSQL (``db_url``, ``gb``).

PostgreSQL comes from, in this order:

1. ``IGM_TEST_POSTGRES_URL`` (a throw-away database: each test drops and recreates its
   ``public`` schema, so the user must own it);
2. the local cluster, when running as root with ``pg_ctlcluster`` (Debian's postgresql
   package): the cluster ``15 main`` is started if needed, role ``igm`` (password ``igm``) is
   created if missing, and database ``igm_test_gradebook`` is dropped and created afresh for
   each test session. The cluster is left running;
3. otherwise the PostgreSQL half of each test is skipped, loudly, and fails when CI=true.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from gradebook import Gradebook, open_gradebook
from tests.conftest import require

PG_CLUSTER = ("15", "main")
PG_DATABASE = "igm_test_gradebook"
PG_URL = f"postgresql+psycopg://igm:igm@127.0.0.1:5432/{PG_DATABASE}"


def _as_postgres(*command: str) -> None:
    """Run ``command`` as the postgres user (``su postgres -c ...``); fail with its output."""
    done = subprocess.run(
        ["su", "postgres", "-c", shlex.join(command)],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed:\n{done.stdout}{done.stderr}")


def _psql(*statements: str) -> None:
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    for statement in statements:
        args += ["-c", statement]
    _as_postgres(*args)


def _start_local_cluster() -> str:
    status = subprocess.run(
        ["pg_ctlcluster", *PG_CLUSTER, "status"], capture_output=True, check=False, timeout=30
    )
    if status.returncode != 0:  # 3: not running
        subprocess.run(["pg_ctlcluster", *PG_CLUSTER, "start"], check=True, timeout=120)
    _psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'igm') THEN "
        "CREATE ROLE igm LOGIN PASSWORD 'igm'; END IF; END $$;",
    )
    _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    _psql(f"CREATE DATABASE {PG_DATABASE} OWNER igm")
    return PG_URL


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a PostgreSQL database for this test session (see the module docstring)."""
    from_env = os.environ.get("IGM_TEST_POSTGRES_URL", "").strip()
    if from_env:
        return from_env
    local = (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and shutil.which("pg_ctlcluster") is not None
        and shutil.which("psql") is not None
    )
    require(
        local,
        "no PostgreSQL for the database tests: set IGM_TEST_POSTGRES_URL, or run as root on "
        "a machine with Debian's postgresql package (pg_ctlcluster)",
    )
    try:
        return _start_local_cluster()
    except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
        require(False, f"could not start or prepare the local PostgreSQL cluster: {exc}")
        raise


def reset_postgres(url: str) -> None:
    """An empty database: drop and recreate the ``public`` schema."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in tmp_path, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    reset_postgres(url)
    return url


@pytest.fixture
def gb(db_url: str) -> Iterator[Gradebook]:
    """A migrated, empty gradebook on each database."""
    with open_gradebook(db_url) as gradebook:
        yield gradebook
