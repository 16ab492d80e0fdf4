"""Refund states: a refund is reserved (pending) before the PSP is asked, then done or
declined; a sale keeps the part of its refunded amount still pending

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-06 00:00:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import server.db.base

# revision identifiers, used by Alembic.
revision: str = "0049"
down_revision: Union[str, Sequence[str], None] = "0048"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("sale_refunds") as batch:
        batch.add_column(
            sa.Column("state", sa.String(length=10), nullable=False, server_default="done")
        )
        batch.add_column(sa.Column("requested_at", server.db.base.UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("declined_reason", sa.String(length=300), nullable=True))
        batch.alter_column("refunded_at", existing_type=server.db.base.UtcDateTime(), nullable=True)
        batch.alter_column("refunded_on", existing_type=sa.Date(), nullable=True)
        batch.create_index(
            "ix_sale_refunds_tenant_state", ["tenant_id", "state", "requested_at"], unique=False
        )
    # A plain ADD COLUMN on both databases: a batch copy of desk_payments on SQLite would
    # drop a table that sale_refunds' rows point at (foreign keys on).
    op.add_column(
        "desk_payments",
        sa.Column(
            "refund_pending_amount",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            server_default="0",
        ),
    )


def downgrade() -> None:
    op.drop_column("desk_payments", "refund_pending_amount")  # SQLite >= 3.35 drops columns
    # Refunds that never went back leave no trace in the older schema (which knew only
    # money given back): pending reservations are given back to their sales first.
    op.execute(
        "UPDATE desk_payments SET refunded_amount = refunded_amount - ("
        "SELECT COALESCE(SUM(r.amount), 0) FROM sale_refunds r "
        "WHERE r.tenant_id = desk_payments.tenant_id AND r.sale_id = desk_payments.id "
        "AND r.state = 'pending')"
    )
    op.execute("DELETE FROM sale_refunds WHERE state <> 'done'")
    with op.batch_alter_table("sale_refunds") as batch:
        batch.drop_index("ix_sale_refunds_tenant_state")
        batch.alter_column("refunded_on", existing_type=sa.Date(), nullable=False)
        batch.alter_column(
            "refunded_at", existing_type=server.db.base.UtcDateTime(), nullable=False
        )
        batch.drop_column("declined_reason")
        batch.drop_column("requested_at")
        batch.drop_column("state")
