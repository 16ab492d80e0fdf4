"""sales: a ledger of every sale with receipts and refunds; currencies per tenant and branch

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 07:00:00

A tenant has a currency (existing tenants take their plans' currency, else their booking
policy's, which was the only currency they had); a location may have its own. A sale
records its list price, discount, refunds so far, its day at the location (revenue periods)
and a receipt number per tenant (existing sales numbered in the order they were taken).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("tenants", sa.Column("currency", sa.String(length=3), nullable=False, server_default="EUR")),
    ("locations", sa.Column("currency", sa.String(length=3), nullable=True)),
    (
        "desk_payments",
        sa.Column("taken_on", sa.Date(), nullable=False, server_default="1970-01-01"),
    ),
    (
        "desk_payments",
        sa.Column("receipt_number", sa.Integer(), nullable=False, server_default="0"),
    ),
    ("desk_payments", sa.Column("list_price", sa.Numeric(precision=12, scale=2), nullable=True)),
    (
        "desk_payments",
        sa.Column(
            "discount_amount", sa.Numeric(precision=12, scale=2), nullable=False, server_default="0"
        ),
    ),
    ("desk_payments", sa.Column("discount_reason", sa.String(length=200), nullable=True)),
    (
        "desk_payments",
        sa.Column(
            "refunded_amount", sa.Numeric(precision=12, scale=2), nullable=False, server_default="0"
        ),
    ),
)

_INDEXES = (
    ("ix_desk_payments_tenant_taken", ["tenant_id", "taken_at"], False),
    ("ix_desk_payments_tenant_member", ["tenant_id", "member_id", "taken_at"], False),
    ("ix_desk_payments_tenant_location", ["tenant_id", "location_id", "taken_at"], False),
    ("ix_desk_payments_tenant_day", ["tenant_id", "taken_on"], False),
    ("ix_desk_payments_tenant_receipt", ["tenant_id", "receipt_number"], True),
)


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _backfill(bind: sa.Connection) -> None:
    bind.execute(
        sa.text(
            "UPDATE tenants SET currency = COALESCE("
            "(SELECT MIN(p.currency) FROM access_plans p WHERE p.tenant_id = tenants.id),"
            "(SELECT b.currency FROM booking_policies b WHERE b.tenant_id = tenants.id),"
            "'EUR')"
        )
    )
    rows = bind.execute(
        sa.text(
            "SELECT s.tenant_id, s.id, s.taken_at, l.timezone FROM desk_payments s "
            "LEFT JOIN locations l ON l.tenant_id = s.tenant_id AND l.id = s.location_id "
            "ORDER BY s.tenant_id, s.taken_at, s.id"
        )
    ).all()
    numbers: dict[object, int] = {}
    for tenant_id, sale_id, taken_at, timezone in rows:
        numbers[tenant_id] = numbers.get(tenant_id, 0) + 1
        zone = ZoneInfo(timezone or "UTC")
        bind.execute(
            sa.text(
                "UPDATE desk_payments SET receipt_number = :number, taken_on = :day "
                "WHERE tenant_id = :tenant_id AND id = :id"
            ),
            {
                "number": numbers[tenant_id],
                "day": _aware(taken_at).astimezone(zone).date(),
                "tenant_id": tenant_id,
                "id": sale_id,
            },
        )
    if numbers:
        # The ids as the database gave them (text on SQLite), so plain SQL writes them back.
        bind.execute(
            sa.text("INSERT INTO receipt_counters (tenant_id, last_number) VALUES (:t, :n)"),
            [{"t": t, "n": n} for t, n in numbers.items()],
        )


def upgrade() -> None:
    """Add the columns in place (a batch rebuild on SQLite would drop tables others
    reference), fill them, then index them."""
    bind = op.get_bind()
    for table, column in _COLUMNS:
        op.add_column(table, column)
    op.create_table(
        "receipt_counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_receipt_counters")),
    )
    op.create_table(
        "sale_refunds",
        sa.Column("sale_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("refunded_by", sa.Uuid(), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "sale_id"],
            ["desk_payments.tenant_id", "desk_payments.id"],
            name=op.f("fk_sale_refunds_tenant_id_sale_id_desk_payments"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sale_refunds")),
    )
    op.create_index("ix_sale_refunds_tenant_sale", "sale_refunds", ["tenant_id", "sale_id"])
    op.create_index("ix_sale_refunds_tenant_day", "sale_refunds", ["tenant_id", "refunded_on"])
    op.create_table(
        "revenue_days",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("gross", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("refunds", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "day", "location_id", "plan_id", "currency", name=op.f("pk_revenue_days")
        ),
    )
    _backfill(bind)
    bind.execute(
        sa.text(
            "INSERT INTO revenue_days "
            "(tenant_id, day, location_id, plan_id, currency, sales, gross, refunds) "
            "SELECT tenant_id, taken_on, location_id, plan_id, currency, COUNT(*), SUM(amount), 0 "
            "FROM desk_payments WHERE plan_id IS NOT NULL "
            "GROUP BY tenant_id, taken_on, location_id, plan_id, currency"
        )
    )
    if bind.dialect.name != "sqlite":
        for table, column in _COLUMNS:
            if column.server_default is not None:
                op.alter_column(table, column.name, server_default=None)
    for name, columns, unique in _INDEXES:
        op.create_index(name, "desk_payments", columns, unique=unique)


def downgrade() -> None:
    """Drop them again (in place from SQLite 3.35; a batch rebuild before that)."""
    for name, _columns, _unique in reversed(_INDEXES):
        op.drop_index(name, table_name="desk_payments")
    op.drop_index("ix_sale_refunds_tenant_day", table_name="sale_refunds")
    op.drop_index("ix_sale_refunds_tenant_sale", table_name="sale_refunds")
    op.drop_table("revenue_days")
    op.drop_table("sale_refunds")
    op.drop_table("receipt_counters")
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    in_place = bind.dialect.name != "sqlite" or version >= (3, 35)
    for table, column in reversed(_COLUMNS):
        if in_place:
            op.drop_column(table, column.name)
            continue
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
