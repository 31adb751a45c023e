"""Where the kit's database lives and how it is opened: engine settings and migrations.

The database URL is, in this order:

1. the ``url`` argument;
2. the environment variable ``IGM_DATABASE_URL`` (e.g.
   ``postgresql+psycopg://igm:secret@127.0.0.1:5432/igm``);
3. a SQLite file: ``<repo>/var/igm.sqlite3`` when running from a source checkout (``var/`` is
   git-ignored), otherwise ``$XDG_DATA_HOME/igm-kit/igm.sqlite3`` (``~/.local/share/...``;
   ``%LOCALAPPDATA%\\igm-kit`` on Windows, ``~/Library/Application Support/igm-kit`` on macOS).

:func:`gradebook.open_gradebook` and :class:`live.store.LiveStore` run :func:`upgrade` (``alembic upgrade head``) before they return, so a schema change in a
new version never needs a manual step and never loses data.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from database import live_models, models

_TABLE_MODULES = (models, live_models)  # both register their tables on models.Base

__all__ = [
    "METADATA",
    "MIGRATIONS",
    "SQLITE_BUSY_TIMEOUT_S",
    "MissingDriverError",
    "alembic_config",
    "data_dir",
    "default_url",
    "make_engine",
    "require_driver",
    "safe_url",
    "upgrade",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: Every table of the database, for Alembic's autogenerate and the schema test.
METADATA = models.Base.metadata
REPO_ROOT = PACKAGE_DIR.parent
MIGRATIONS = PACKAGE_DIR / "migrations"


#: How long a SQLite writer waits for another writer before giving up, in seconds.
SQLITE_BUSY_TIMEOUT_S = 30.0
_MIGRATION_LOCK = threading.Lock()


def _user_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "igm-kit"


def data_dir() -> Path:
    """The kit's own data folder: ``<repo>/var`` in a source checkout, else the user's data
    folder (see the module docstring). The default SQLite file lives here."""
    in_checkout = (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "igm").is_dir()
    return REPO_ROOT / "var" if in_checkout else _user_data_dir()


def default_url() -> str:
    """The database URL to use when none is given (see the module docstring)."""
    from_env = os.environ.get("IGM_DATABASE_URL", "").strip()
    if from_env:
        return from_env
    return f"sqlite:///{data_dir() / 'igm.sqlite3'}"


def safe_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and ``BEGIN IMMEDIATE``: concurrent writers queue instead of failing.

    ``BEGIN IMMEDIATE`` takes the write lock at the start of each transaction, so the
    read-then-insert that numbers an attempt cannot interleave with another writer's.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode except on power loss
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class MissingDriverError(ValueError):
    """The database URL needs a driver that is not installed (PostgreSQL's is an extra)."""


def require_driver(url: str | URL) -> None:
    """Raise :class:`MissingDriverError` with the install command when the URL's driver is
    missing: ``psycopg`` comes with ``pip install 'igm-kit[postgres]'``, not by default."""
    import importlib.util

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    driver = parsed.get_driver_name()  # "psycopg2" for a plain postgresql:// URL
    if importlib.util.find_spec(driver) is None:
        raise MissingDriverError(
            f"database URL {safe_url(parsed)!r} needs the PostgreSQL driver {driver!r}, "
            "which is not installed; install the kit with its postgres extra "
            "(pip install 'igm-kit[postgres]') and use a postgresql+psycopg://… URL"
        )


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, with the settings the gradebook relies on."""
    parsed = make_url(url or default_url())
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        require_driver(parsed)
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    raise ValueError(
        f"database URL {safe_url(parsed)!r}: unsupported backend {backend!r}; "
        "allowed: sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB"
    )


def alembic_config() -> Config:
    """An Alembic configuration pointing at ``database/migrations`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` in one transaction; a no-op when already there."""
    config = alembic_config()
    # Alembic keeps its migration context in module globals: one migration per process at a
    # time. Across processes, BEGIN IMMEDIATE (SQLite) or an advisory lock (PostgreSQL, taken
    # in migrations/env.py) makes concurrent first opens wait for each other.
    with _MIGRATION_LOCK, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
