"""Learner ids up to 64 characters, so JupyterHub user names such as 'jan.de.vries' fit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

PostgreSQL widens ``varchar(12)`` to ``varchar(64)`` in place (no table rewrite).

SQLite does not enforce a VARCHAR length, so only the declared type changes. Alembic's usual
way (copy the table, drop the old one, rename) cannot run here: ``attempts`` refers to
``learners`` with ON DELETE RESTRICT and foreign keys are on, so dropping ``learners`` is
refused, and ``PRAGMA foreign_keys`` cannot be switched off inside the migration's
transaction. SQLite documents another way for changes that leave the stored rows as they
are: edit the table's CREATE statement in ``sqlite_master`` with ``PRAGMA writable_schema``
and bump ``schema_version`` (https://www.sqlite.org/lang_altertable.html, "Making Other
Kinds Of Table Schema Changes"). That is what this revision does, checked by
``PRAGMA integrity_check`` before the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite_declared_type(old: str, new: str) -> None:
    """Change ``learner_number``'s declared type in SQLite's stored CREATE TABLE statement."""
    connection = op.get_bind()
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'learners'"
    ).scalar_one()
    before, after = f"learner_number {old}", f"learner_number {new}"
    if sql.count(before) != 1:
        raise RuntimeError(f"learners: expected one '{before}' in {sql!r}; nothing changed")
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'learners'",
            (sql.replace(before, after),),
        )
        connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"learners: integrity check after the change: {problems}")


def _set_length(old: int, new: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_declared_type(f"VARCHAR({old})", f"VARCHAR({new})")
    else:
        op.alter_column(
            "learners",
            "learner_number",
            existing_type=sa.String(old),
            type_=sa.String(new),
            existing_nullable=False,
        )


def upgrade() -> None:
    _set_length(12, 64)


def downgrade() -> None:
    longest = op.get_bind().execute(sa.text("SELECT MAX(LENGTH(learner_number)) FROM learners"))
    if (longest.scalar() or 0) > 12:
        raise RuntimeError(
            "learners: some learner ids are longer than 12 characters; revision 0003 cannot "
            "hold them, so the downgrade is refused and nothing is changed"
        )
    _set_length(64, 12)
