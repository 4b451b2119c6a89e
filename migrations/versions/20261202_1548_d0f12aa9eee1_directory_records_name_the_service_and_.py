"""directory records name the service and place they belong to

Revision ID: d0f12aa9eee1
Revises: e2373d6d9d98
Create Date: 2026-12-02 15:48:28.257456

Editing one service used to read every record of the directory (39 s at 10,000 services);
with these two indexed columns it reads that service's records only. They are filled here
from each record's data, as the model fills them whenever the data is set.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d0f12aa9eee1"
down_revision: str | None = "e2373d6d9d98"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("directory_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("service_ref", sa.String(length=36), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("location_ref", sa.String(length=36), nullable=False, server_default="")
        )
    records = sa.table(
        "directory_records",
        sa.column("id", sa.Integer),
        sa.column("data", sa.JSON),
        sa.column("service_ref", sa.String),
        sa.column("location_ref", sa.String),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(records.c.id, records.c.data)
            .where(records.c.id > last)
            .order_by(records.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        changes = []
        for record_id, data in rows:
            data = json.loads(data) if isinstance(data, str) else data
            service = data.get("service_id") or data.get("link_id") or ""
            location = data.get("location_id") or ""
            if service or location:
                changes.append({"key": record_id, "service": service, "location": location})
        if changes:
            connection.execute(
                records.update()
                .where(records.c.id == sa.bindparam("key"))
                .values(service_ref=sa.bindparam("service"), location_ref=sa.bindparam("location")),
                changes,
            )
        last = rows[-1][0]
    with op.batch_alter_table("directory_records", schema=None) as batch_op:
        batch_op.alter_column("service_ref", server_default=None)
        batch_op.alter_column("location_ref", server_default=None)
        batch_op.create_index(
            batch_op.f("ix_directory_records_location_ref"), ["location_ref"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_records_service_ref"), ["service_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("directory_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_records_service_ref"))
        batch_op.drop_index(batch_op.f("ix_directory_records_location_ref"))
        batch_op.drop_column("location_ref")
        batch_op.drop_column("service_ref")
