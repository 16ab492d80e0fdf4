"""notifications on every channel: the delivery log's channel, kind, member, status and
provider id; tenants' notice settings (sender, quiet hours, staff events) and staff channels (sealed
webhook URLs);
members' channel preferences

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05 20:45:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0043"
down_revision: Union[str, Sequence[str], None] = "0042"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(10), nullable=False, server_default="email")
        )
        batch.add_column(
            sa.Column("kind", sa.String(15), nullable=False, server_default="transactional")
        )
        batch.add_column(sa.Column("member_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(10), nullable=False, server_default="queued")
        )
        batch.add_column(sa.Column("provider_id", sa.String(100), nullable=True))
        batch.add_column(sa.Column("provider_status", sa.String(20), nullable=True))
    # What was sent before is sent; what gave up after its attempts failed.
    op.execute("UPDATE notices SET status = 'sent' WHERE sent_at IS NOT NULL")
    op.execute("UPDATE notices SET status = 'failed' WHERE sent_at IS NULL AND attempts >= 8")
    op.create_index(
        "ix_notices_tenant_created", "notices", ["tenant_id", "created_at"], unique=False
    )
    op.create_table(
        "notice_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("sender_name", sa.String(100), nullable=True),
        sa.Column("sender_email", sa.String(320), nullable=True),
        sa.Column("quiet_start_minute", sa.Integer(), nullable=False),
        sa.Column("quiet_end_minute", sa.Integer(), nullable=False),
        sa.Column("staff_events", sa.JSON(), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_notice_settings")),
    )
    op.create_table(
        "staff_channels",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("sealed_url", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_staff_channels")),
        sa.UniqueConstraint(
            "tenant_id", "channel", name=op.f("uq_staff_channels_tenant_id_channel")
        ),
    )
    op.create_table(
        "channel_preferences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_channel_preferences_tenant_id_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_channel_preferences")),
    )


def downgrade() -> None:
    op.drop_table("channel_preferences")
    op.drop_table("staff_channels")
    op.drop_table("notice_settings")
    op.drop_index("ix_notices_tenant_created", table_name="notices")
    with op.batch_alter_table("notices") as batch:
        for name in ("provider_status", "provider_id", "status", "member_id", "kind", "channel"):
            batch.drop_column(name)
