"""tiles: a tenant's Movement Tiles and members' completions of them

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 12:00:00

A completion takes one of the day's few slots (unique per member and local date), so two
completions at once cannot both count past the daily cap on either database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = server.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tiles",
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("intensity", sa.String(length=10), nullable=False),
        sa.Column("contraindications", sa.JSON(), nullable=False),
        sa.Column("video_url", sa.String(length=500), nullable=True),
        sa.Column("starter_key", sa.String(length=50), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("archived_at", _UTC, nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_tiles")),
    )
    op.create_index("ix_tiles_tenant_title", "tiles", ["tenant_id", "title"])
    op.create_index("uq_tiles_tenant_starter", "tiles", ["tenant_id", "starter_key"], unique=True)
    op.create_table(
        "tile_completions",
        sa.Column("tile_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("completed_at", _UTC, nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "tile_id"],
            ["tiles.tenant_id", "tiles.id"],
            name=op.f("fk_tile_completions_tenant_id_tile_id_tiles"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_tile_completions_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_tile_completions")),
    )
    op.create_index(
        "uq_tile_completions_slot",
        "tile_completions",
        ["tenant_id", "member_id", "local_date", "slot"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_tile_completions_slot", table_name="tile_completions")
    op.drop_table("tile_completions")
    op.drop_index("uq_tiles_tenant_starter", table_name="tiles")
    op.drop_index("ix_tiles_tenant_title", table_name="tiles")
    op.drop_table("tiles")
