"""migration in: the source system's ids of imported records, and the console's runs

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05 17:50:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0040"
down_revision: Union[str, Sequence[str], None] = "0039"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "migration_keys",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("source_system", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("zmos_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("imported_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "source_system", "entity", "external_id", name=op.f("pk_migration_keys")
        ),
    )
    op.create_index(
        "ix_migration_keys_tenant_zmos",
        "migration_keys",
        ["tenant_id", "entity", "zmos_id"],
        unique=False,
    )
    op.create_table(
        "migration_runs",
        sa.Column("source_system", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("date_format", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("apply_good_rows", sa.Boolean(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_migration_runs")),
    )
    op.create_index(
        "ix_migration_runs_tenant_created",
        "migration_runs",
        ["tenant_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_migration_runs_tenant_created", table_name="migration_runs")
    op.drop_table("migration_runs")
    op.drop_index("ix_migration_keys_tenant_zmos", table_name="migration_keys")
    op.drop_table("migration_keys")
