"""directory words found through a trigram index on PostgreSQL

Revision ID: e2373d6d9d98
Revises: bcae300f410e
Create Date: 2026-12-02 15:35:00

A word search asks for services whose text holds every word anywhere (``LIKE '%word%'``).
On PostgreSQL a trigram GIN index answers that without reading every service; SQLite reads
the table, which at a practice's size stays a few milliseconds. The index is PostgreSQL's
alone, so it is made here and not declared on the model (migrations/env.py leaves it out of
the comparison).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e2373d6d9d98"
down_revision: str | None = "bcae300f410e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_directory_services_search_text_trigrams"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX {INDEX} ON directory_services USING gin (search_text gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
