"""the transactional event outbox: events, their deliveries, tenants' webhook subscriptions

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-05 20:45:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0047"
down_revision: Union[str, Sequence[str], None] = "0046"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_UTC = server.db.base.UtcDateTime(timezone=True)
_SEQ = sa.Sequence("outbox_event_seq")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.CreateSequence(_SEQ))
    op.create_table(
        "outbox_events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", _UTC, nullable=False),
        sa.Column("recorded_at", _UTC, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("dispatched_at", _UTC, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        "ix_outbox_events_tenant_undispatched",
        "outbox_events",
        ["tenant_id", "seq"],
        unique=False,
        postgresql_where=sa.text("dispatched_at IS NULL"),
        sqlite_where=sa.text("dispatched_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_events_tenant_recorded", "outbox_events", ["tenant_id", "recorded_at"]
    )
    op.create_index("ix_outbox_events_tenant_subject", "outbox_events", ["tenant_id", "subject"])
    op.create_table(
        "outbox_deliveries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("subject", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", _UTC, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _UTC, nullable=False),
        sa.Column("claimed_until", _UTC, nullable=True),
        sa.Column("claim", sa.Uuid(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_attempt_at", _UTC, nullable=True),
        sa.Column("delivered_at", _UTC, nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "target", "event_seq", name=op.f("pk_outbox_deliveries")
        ),
    )
    op.create_index(
        "ix_outbox_deliveries_tenant_state", "outbox_deliveries", ["tenant_id", "state", "event_seq"]
    )
    op.create_index(
        "ix_outbox_deliveries_tenant_target",
        "outbox_deliveries",
        ["tenant_id", "target", "recorded_at"],
    )
    op.create_index(
        "ix_outbox_deliveries_tenant_line",
        "outbox_deliveries",
        ["tenant_id", "target", "subject", "event_seq"],
        postgresql_where=sa.text("state = 'pending'"),
        sqlite_where=sa.text("state = 'pending'"),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("previous_secret_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("previous_until", _UTC, nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_webhook_subscriptions")),
    )


def downgrade() -> None:
    op.drop_table("webhook_subscriptions")
    op.drop_index("ix_outbox_deliveries_tenant_line", table_name="outbox_deliveries")
    op.drop_index("ix_outbox_deliveries_tenant_target", table_name="outbox_deliveries")
    op.drop_index("ix_outbox_deliveries_tenant_state", table_name="outbox_deliveries")
    op.drop_table("outbox_deliveries")
    op.drop_index("ix_outbox_events_tenant_subject", table_name="outbox_events")
    op.drop_index("ix_outbox_events_tenant_recorded", table_name="outbox_events")
    op.drop_index("ix_outbox_events_tenant_undispatched", table_name="outbox_events")
    op.drop_table("outbox_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.DropSequence(_SEQ))
