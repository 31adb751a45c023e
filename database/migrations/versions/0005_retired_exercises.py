"""Retired exercises: which exercise ids the course took out, when, and what replaced them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Issue 13 replaces the exercises ``predict`` (it graded learners on their distance to the
kit's arbitrary constants) by ``compare-clients``, and ``caseload-question`` (it rehearsed
choosing target groups with a model) by ``model-limits``. Their attempts are not touched:
they stay stored and exported, and the exports mark them as attempts on a retired exercise
by this table. The rows are part of the revision (not read from the exercises package): a
migration stays what it was when it ran.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETIRED_ON = dt.date(2026, 12, 3)
ROWS = (
    {"exercise_id": "predict", "retired_on": RETIRED_ON, "replaced_by": "compare-clients"},
    {"exercise_id": "caseload-question", "retired_on": RETIRED_ON, "replaced_by": "model-limits"},
)


def upgrade() -> None:
    table = op.create_table(
        "retired_exercises",
        sa.Column("exercise_id", sa.String(100), primary_key=True),
        sa.Column("retired_on", sa.Date(), nullable=False),
        sa.Column("replaced_by", sa.String(100), nullable=True),
    )
    op.bulk_insert(table, list(ROWS))


def downgrade() -> None:
    op.drop_table("retired_exercises")
