"""PSP payments: tenants' Stripe and Paystack accounts (sealed keys), members' cards on
file, processed webhook events, and a sale's payment status and PSP reference

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-05 21:20:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0046"
down_revision: Union[str, Sequence[str], None] = "0045"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "payment_accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=10), nullable=False),
        sa.Column("sealed_secret_key", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_webhook_secret", sa.LargeBinary(), nullable=True),
        sa.Column("key_hint", sa.String(length=8), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "provider"),
    )
    op.create_table(
        "payment_cards",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=False),
        sa.Column("payment_method_id", sa.String(length=100), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "member_id"], ["members.tenant_id", "members.id"]),
        sa.PrimaryKeyConstraint("tenant_id", "member_id"),
    )
    op.create_table(
        "payment_webhook_events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=10), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("received_at", server.db.base.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "provider", "event_id"),
    )
    with op.batch_alter_table("desk_payments") as batch:
        batch.add_column(
            sa.Column("payment_status", sa.String(length=10), nullable=False, server_default="paid")
        )
        batch.add_column(sa.Column("provider", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("provider_reference", sa.String(length=100), nullable=True))
        batch.create_index(
            "ix_desk_payments_tenant_reference",
            ["tenant_id", "provider", "provider_reference"],
            unique=False,
        )


def downgrade() -> None:
    # Plain DROP COLUMNs (SQLite >= 3.35): a batch copy of desk_payments on SQLite would drop
    # a table that sale_refunds' rows point at (foreign keys on), and fail once refunds exist.
    op.drop_index("ix_desk_payments_tenant_reference", table_name="desk_payments")
    op.drop_column("desk_payments", "provider_reference")
    op.drop_column("desk_payments", "provider")
    op.drop_column("desk_payments", "payment_status")
    op.drop_table("payment_webhook_events")
    op.drop_table("payment_cards")
    op.drop_table("payment_accounts")
