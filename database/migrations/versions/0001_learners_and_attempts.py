"""Learners and attempts.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_number", sa.String(12), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("identity_source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("learner_number", name="uq_learners_number"),
        sa.CheckConstraint(
            "identity_source IN ('standalone', 'hub', 'header')", name="ck_learners_source"
        ),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "learner_id",
            sa.Integer(),
            sa.ForeignKey("learners.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("exercise_id", sa.String(100), nullable=False),
        sa.Column("variant", sa.String(100), nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("answers", JSON_TYPE, nullable=False),
        sa.Column("item_scores", JSON_TYPE, nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("learner_id", "exercise_id", "attempt_no", name="uq_attempts_number"),
        sa.CheckConstraint("attempt_no >= 1", name="ck_attempts_number"),
        sa.CheckConstraint("max_points > 0", name="ck_attempts_max_points"),
        sa.CheckConstraint("points >= 0 AND points <= max_points", name="ck_attempts_points"),
    )
    op.create_index("ix_attempts_exercise", "attempts", ["exercise_id"])


def downgrade() -> None:
    op.drop_index("ix_attempts_exercise", table_name="attempts")
    op.drop_table("attempts")
    op.drop_table("learners")
