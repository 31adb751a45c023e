"""Attempts are append-only in the database too: UPDATE, DELETE and TRUNCATE are refused.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "attempts are append-only: stored attempts are never changed or deleted"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION gradebook_refuse_attempt_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP;
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER attempts_append_only BEFORE UPDATE OR DELETE ON attempts "
            "FOR EACH ROW EXECUTE FUNCTION gradebook_refuse_attempt_change()"
        )
        op.execute(
            "CREATE TRIGGER attempts_no_truncate BEFORE TRUNCATE ON attempts "
            "FOR EACH STATEMENT EXECUTE FUNCTION gradebook_refuse_attempt_change()"
        )
    else:  # SQLite
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER attempts_no_{action.lower()} BEFORE {action} ON attempts "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({action} refused)'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER attempts_no_truncate ON attempts")
        op.execute("DROP TRIGGER attempts_append_only ON attempts")
        op.execute("DROP FUNCTION gradebook_refuse_attempt_change()")
    else:
        op.execute("DROP TRIGGER attempts_no_delete")
        op.execute("DROP TRIGGER attempts_no_update")
