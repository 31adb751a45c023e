"""The class roster of the standalone kit: classes, personal sign-in codes, failed sign-ins.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-12

* ``classes``: a class a trainer made (name unique).
* ``class_members``: which class a learner is in, and the salted scrypt hash of their personal
  code (never the code); replaced when the trainer resets a lost code.
* ``sign_in_failures``: failed sign-ins in a row per learner number (known or not), so that the
  throttle survives a new kernel.

Roster learners keep ``identity_source = 'standalone'`` (their number is a typed learner
number): the check constraint on ``learners`` is not changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name", name="uq_classes_name"),
    )
    op.create_table(
        "class_members",
        sa.Column(
            "learner_id",
            sa.Integer(),
            sa.ForeignKey("learners.id", ondelete="RESTRICT"),
            primary_key=True,
        ),
        sa.Column(
            "class_id",
            sa.Integer(),
            sa.ForeignKey("classes.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("code_hash", sa.String(200), nullable=True),
        sa.Column("code_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_class_members_class", "class_members", ["class_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("number", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sign_in_failures")
    op.drop_index("ix_class_members_class", table_name="class_members")
    op.drop_table("class_members")
    op.drop_table("classes")
