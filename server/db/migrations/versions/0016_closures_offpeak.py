"""locations: holiday closures and special hours; plans: off-peak time windows

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 07:00:00

A closure covers a range of local dates at one location: closed (no hours) or open with
special hours. A plan may be limited to weekly time windows (off-peak); existing plans
have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "access_plans",
        sa.Column("time_windows", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_table(
        "location_closures",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["locations.tenant_id", "locations.id"],
            name=op.f("fk_location_closures_tenant_id_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_location_closures")),
    )
    op.create_index(
        "ix_location_closures_tenant_location_ends",
        "location_closures",
        ["tenant_id", "location_id", "ends_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_location_closures_tenant_location_ends", table_name="location_closures")
    op.drop_table("location_closures")
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        op.drop_column("access_plans", "time_windows")
        return
    with op.batch_alter_table("access_plans") as batch:
        batch.drop_column("time_windows")
