"""LTI 1.3: learners from a learning environment, their launches, and login nonces.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10

* ``learners.identity_source`` may be ``'lti'`` (a learner known by a signed LTI launch).
  PostgreSQL drops and re-creates the check constraint. SQLite cannot alter a constraint, and
  Alembic's table copy cannot run here (``attempts`` refers to ``learners`` with ON DELETE
  RESTRICT and foreign keys are on, see revision 0004): the CREATE statement in
  ``sqlite_master`` is edited with ``PRAGMA writable_schema``, which SQLite documents for
  changes that leave the stored rows valid (a wider CHECK does), checked by
  ``PRAGMA integrity_check``.
* ``lti_launches``: one row per valid resource-link launch (package ``lti``).
* ``lti_values``: short-lived values of the OIDC login (nonces, deep-linking launch data).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SOURCES = "identity_source IN ('standalone', 'hub', 'header')"
NEW_SOURCES = "identity_source IN ('standalone', 'hub', 'header', 'lti')"


def _sqlite_replace_check(old: str, new: str) -> None:
    connection = op.get_bind()
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'learners'"
    ).scalar_one()
    if sql.count(old) != 1:
        raise RuntimeError(f"learners: expected one '{old}' in {sql!r}; nothing changed")
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'learners'",
            (sql.replace(old, new),),
        )
        connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"learners: integrity check after the change: {problems}")


def _replace_check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_replace_check(old, new)
    else:
        op.drop_constraint("ck_learners_source", "learners", type_="check")
        op.create_check_constraint("ck_learners_source", "learners", new)


def _json() -> Any:
    from sqlalchemy.dialects.postgresql import JSONB

    return sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    _replace_check(OLD_SOURCES, NEW_SOURCES)
    op.create_table(
        "lti_launches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "learner_id",
            sa.Integer(),
            sa.ForeignKey("learners.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("exercise_id", sa.String(100), nullable=False),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("roles", _json(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("lineitem", sa.String(1000), nullable=True),
        sa.Column("ags_scopes", _json(), nullable=False),
        sa.Column("ticket_hash", sa.String(64), nullable=False),
        sa.Column("ticket_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("kernel_key_hash", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_error", sa.String(500), nullable=True),
        sa.UniqueConstraint("ticket_hash", name="uq_lti_launches_ticket"),
    )
    op.create_index("ix_lti_launches_learner", "lti_launches", ["learner_id", "exercise_id"])
    op.create_table(
        "lti_values",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("value", _json(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    found = op.get_bind().execute(
        sa.text("SELECT COUNT(*) FROM learners WHERE identity_source = 'lti'")
    )
    if found.scalar():
        raise RuntimeError(
            "learners: some learners came from an LTI launch; revision 0005 cannot hold them, "
            "so the downgrade is refused and nothing is changed"
        )
    op.drop_table("lti_values")
    op.drop_index("ix_lti_launches_learner", table_name="lti_launches")
    op.drop_table("lti_launches")
    _replace_check(NEW_SOURCES, OLD_SOURCES)
