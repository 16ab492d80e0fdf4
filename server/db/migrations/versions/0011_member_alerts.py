"""member alerts for the desk, and when a member's photo last changed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 03:40:00

``member_alerts`` holds staff notes on a member ("waiver missing") that kiosks show at the
desk until resolved. ``members.photo_updated_at`` tells kiosks when to fetch a new
thumbnail; members who already have a photo get their last update time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place: a batch rebuild of members on SQLite would drop tables that reference it.
    op.add_column(
        "members",
        sa.Column("photo_updated_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE members SET photo_updated_at = updated_at WHERE photo_content_type IS NOT NULL"
    )
    op.create_table(
        "member_alerts",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_member_alerts_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_member_alerts")),
    )
    op.create_index(
        "ix_member_alerts_tenant_member", "member_alerts", ["tenant_id", "member_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_member_alerts_tenant_member", table_name="member_alerts")
    op.drop_table("member_alerts")
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    if bind.dialect.name != "sqlite" or version >= (3, 35):
        op.drop_column("members", "photo_updated_at")
        return
    with op.batch_alter_table("members") as batch:
        batch.drop_column("photo_updated_at")
