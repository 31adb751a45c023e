"""Live sessions (package live/): sessions, participants and append-only answers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MESSAGE = "live answers are append-only: stored answers are never changed or deleted"


def upgrade() -> None:
    op.create_table(
        "live_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("current_round", sa.Integer(), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("code", name="uq_live_sessions_code"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_live_sessions_status"),
        sa.CheckConstraint("current_round BETWEEN 1 AND 3", name="ck_live_sessions_round"),
    )
    op.create_table(
        "live_participants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("live_sessions.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("nickname", sa.String(40), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("token_hash", name="uq_live_participants_token"),
    )
    op.create_index("ix_live_participants_session_id", "live_participants", ["session_id"])
    op.create_table(
        "live_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("live_sessions.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "participant_id",
            sa.Integer(),
            sa.ForeignKey("live_participants.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("payload", JSON_TYPE, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('scores', 'prediction', 'vote')", name="ck_live_answers_kind"),
    )
    op.create_index("ix_live_answers_session", "live_answers", ["session_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION live_refuse_answer_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER live_answers_append_only BEFORE UPDATE OR DELETE ON live_answers "
            "FOR EACH ROW EXECUTE FUNCTION live_refuse_answer_change()"
        )
    else:  # SQLite
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER live_answers_no_{action.lower()} BEFORE {action} ON live_answers "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({action} refused)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER live_answers_append_only ON live_answers")
        op.execute("DROP FUNCTION live_refuse_answer_change()")
    else:
        op.execute("DROP TRIGGER live_answers_no_delete")
        op.execute("DROP TRIGGER live_answers_no_update")
    op.drop_index("ix_live_answers_session", table_name="live_answers")
    op.drop_table("live_answers")
    op.drop_index("ix_live_participants_session_id", table_name="live_participants")
    op.drop_table("live_participants")
    op.drop_table("live_sessions")
