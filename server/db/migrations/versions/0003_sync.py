"""sync: device sync state, per-location change log and counters, mutation log, review items

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 23:52:04.471972

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "device_sync_state",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("last_mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "device_id", name=op.f("pk_device_sync_state")),
    )
    op.create_table(
        "location_sync_seq",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("pruned_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "location_id", name=op.f("pk_location_sync_seq")),
    )
    op.create_table(
        "sync_changes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=50), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "location_id", "seq", name=op.f("pk_sync_changes")),
    )
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_changes_tenant_created", ["tenant_id", "created_at"], unique=False
        )

    op.create_table(
        "sync_mutations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("device_time", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("clamped", sa.Boolean(), nullable=False),
        sa.Column("hlc", sa.String(length=100), nullable=False),
        sa.Column("received_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "device_id", "mutation_id", name=op.f("pk_sync_mutations")
        ),
    )
    op.create_table(
        "review_items",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("checkin_id", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=True),
        sa.Column("mutation_id", sa.BigInteger(), nullable=True),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("resolution_note", sa.String(length=1000), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["locations.tenant_id", "locations.id"],
            name=op.f("fk_review_items_tenant_id_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_review_items")),
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_items_tenant_location_status",
            ["tenant_id", "location_id", "status"],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_tenant_location_status")

    op.drop_table("review_items")
    op.drop_table("sync_mutations")
    with op.batch_alter_table("sync_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_changes_tenant_created")

    op.drop_table("sync_changes")
    op.drop_table("location_sync_seq")
    op.drop_table("device_sync_state")
