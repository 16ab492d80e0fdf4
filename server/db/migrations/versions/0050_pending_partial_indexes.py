"""The payment jobs' sweeps find pending work in partial indexes that hold only pending
refunds and pending PSP payments: with none pending, nothing is read, however many tenants

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-06 03:40:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0050"
down_revision: Union[str, Sequence[str], None] = "0049"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_REFUNDS_PENDING = sa.text("state = 'pending'")
_SALES_PENDING = sa.text("payment_status = 'pending'")


def upgrade() -> None:
    op.drop_index("ix_sale_refunds_tenant_state", table_name="sale_refunds")
    op.create_index(
        "ix_sale_refunds_tenant_pending",
        "sale_refunds",
        ["tenant_id", "requested_at"],
        unique=False,
        sqlite_where=_REFUNDS_PENDING,
        postgresql_where=_REFUNDS_PENDING,
    )
    op.create_index(
        "ix_desk_payments_tenant_pending",
        "desk_payments",
        ["tenant_id", "taken_at"],
        unique=False,
        sqlite_where=_SALES_PENDING,
        postgresql_where=_SALES_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_desk_payments_tenant_pending", table_name="desk_payments")
    op.drop_index("ix_sale_refunds_tenant_pending", table_name="sale_refunds")
    op.create_index(
        "ix_sale_refunds_tenant_state",
        "sale_refunds",
        ["tenant_id", "state", "requested_at"],
        unique=False,
    )
