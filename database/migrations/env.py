"""Alembic environment of the kit's database (gradebook and live sessions).

Called by :func:`database.engine.upgrade`, which passes an open connection in
``config.attributes["connection"]``. Without one (Alembic's own command line, with an ini file
whose ``script_location`` is this folder), it connects to ``sqlalchemy.url`` or, failing that,
to :func:`database.engine.default_url`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from database.engine import METADATA, make_engine

target_metadata = METADATA  # the gradebook's and live sessions' tables: one chain
#: Any constant: PostgreSQL's transaction-level advisory lock that serialises migrations, so
#: two processes opening a fresh database at once do not both create the tables.
MIGRATION_LOCK_ID = 0x16D6B00C


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("the gradebook migrations run online only (they need a connection)")
run_migrations_online()
