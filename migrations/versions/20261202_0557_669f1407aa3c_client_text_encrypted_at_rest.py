"""client text encrypted at rest

Revision ID: 669f1407aa3c
Revises: 98d90d02b69f
Create Date: 2026-12-02 05:57:37.819051
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "669f1407aa3c"
down_revision: str | None = "98d90d02b69f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The JSON columns that become encrypted text. Existing values stay readable as they are
# (plain JSON text) until `practice keys rotate` encrypts them.
COLUMNS = (
    ("agreement_versions", "content"),
    ("completions", "answers"),
    ("measure_responses", "answers"),
    ("note_versions", "content"),
    ("safety_screens", "answers"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.JSON(),
                type_=sa.Text(),
                existing_nullable=False,
                postgresql_using=f"{column}::text",
            )


def downgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.Text(),
                type_=sa.JSON(),
                existing_nullable=False,
                postgresql_using=f"{column}::json",
            )
