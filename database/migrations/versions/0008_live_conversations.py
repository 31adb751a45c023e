"""Live conversation sessions (issue 18): the conversation of a session, its path, its votes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-20

* ``live_conversations``: one row per session of the kind "conversation": the scenario, how
  many turns are decided, the phase (voting, deciding, shown, ended).
* ``live_conversation_steps``: the path the room took, one row per decided turn (unique per
  position, so two trainer screens cannot decide the same turn twice).
* ``live_conversation_votes``: append-only, as ``live_answers``: a changed vote adds a row and
  the latest per participant and turn counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "live conversation votes are append-only: stored votes are never changed or deleted"


def upgrade() -> None:
    op.create_table(
        "live_conversations",
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("live_sessions.id", ondelete="RESTRICT"),
            primary_key=True,
        ),
        sa.Column("conversation_id", sa.String(100), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(10), nullable=False),
        sa.CheckConstraint(
            "phase IN ('voting', 'deciding', 'shown', 'ended')", name="ck_live_conversations_phase"
        ),
        sa.CheckConstraint("step >= 0", name="ck_live_conversations_step"),
    )
    op.create_table(
        "live_conversation_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer(),
            sa.ForeignKey("live_sessions.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.String(100), nullable=False),
        sa.Column("response_id", sa.String(100), nullable=False),
        sa.Column("chosen_by", sa.String(8), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "position", name="uq_live_conversation_steps_position"),
        sa.CheckConstraint(
            "chosen_by IN ('room', 'trainer')", name="ck_live_conversation_steps_by"
        ),
    )
    op.create_table(
        "live_conversation_votes",
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
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.String(100), nullable=False),
        sa.Column("response_id", sa.String(100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_live_conversation_votes_session",
        "live_conversation_votes",
        ["session_id", "position", "id"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION live_refuse_vote_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER live_conversation_votes_append_only BEFORE UPDATE OR DELETE "
            "ON live_conversation_votes FOR EACH ROW EXECUTE FUNCTION live_refuse_vote_change()"
        )
    else:  # SQLite
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER live_conversation_votes_no_{action.lower()} BEFORE {action} "
                f"ON live_conversation_votes "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({action} refused)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER live_conversation_votes_append_only ON live_conversation_votes")
        op.execute("DROP FUNCTION live_refuse_vote_change()")
    else:
        op.execute("DROP TRIGGER live_conversation_votes_no_delete")
        op.execute("DROP TRIGGER live_conversation_votes_no_update")
    op.drop_index("ix_live_conversation_votes_session", table_name="live_conversation_votes")
    op.drop_table("live_conversation_votes")
    op.drop_table("live_conversation_steps")
    op.drop_table("live_conversations")
