"""memberships: recurring billing (periods billed, next renewal, next charge, declines)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 06:40:00

Recurring memberships renew themselves. A membership that exists already counts as billed for
every period begun by the day of the upgrade, so the first renewal the job charges is the next
one, never a backlog since its start.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    sa.Column("periods_billed", sa.Integer(), nullable=True),
    sa.Column("next_renewal_on", sa.Date(), nullable=True),
    sa.Column("next_charge_on", sa.Date(), nullable=True),
    sa.Column("failed_charges", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("first_failed_on", sa.Date(), nullable=True),
)
_INDEX = "ix_memberships_tenant_next_charge"


def _next_renewal(starts_on: date, period: str, today: date) -> tuple[int, date]:
    """The periods begun by ``today`` (at least one) and the day the next one begins, counted
    in whole months or years from ``starts_on`` (a copy of the rule as it was at this
    revision: a migration never changes with the code)."""
    periods = 1
    while True:
        step = relativedelta(years=periods) if period == "year" else relativedelta(months=periods)
        renews: date = starts_on + step
        if renews > today:
            return periods, renews
        periods += 1


def upgrade() -> None:
    """Add the columns in place (a batch rebuild on SQLite would drop tables others
    reference), then give live recurring memberships their next renewal."""
    for column in _COLUMNS:
        op.add_column("memberships", column)
    op.create_index(_INDEX, "memberships", ["tenant_id", "next_charge_on"])
    _backfill(op.get_bind())


def _backfill(bind: sa.Connection) -> None:
    memberships = sa.table(
        "memberships",
        sa.column("tenant_id", sa.Uuid()),
        sa.column("id", sa.Uuid()),
        sa.column("plan_id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("starts_on", sa.Date()),
        sa.column("periods_billed", sa.Integer()),
        sa.column("next_renewal_on", sa.Date()),
        sa.column("next_charge_on", sa.Date()),
    )
    plans = sa.table(
        "access_plans",
        sa.column("tenant_id", sa.Uuid()),
        sa.column("id", sa.Uuid()),
        sa.column("kind", sa.String()),
        sa.column("billing_period", sa.String()),
    )
    today = datetime.now(UTC).date()
    rows = bind.execute(
        sa.select(
            memberships.c.tenant_id,
            memberships.c.id,
            memberships.c.starts_on,
            plans.c.billing_period,
        )
        .join(
            plans,
            sa.and_(
                plans.c.tenant_id == memberships.c.tenant_id, plans.c.id == memberships.c.plan_id
            ),
        )
        .where(
            plans.c.kind == "recurring",
            plans.c.billing_period.in_(("month", "year")),
            memberships.c.status != "cancelled",
        )
    ).all()
    for tenant_id, membership_id, starts_on, period in rows:
        periods, renews = _next_renewal(starts_on, period, today)
        bind.execute(
            memberships.update()
            .where(memberships.c.tenant_id == tenant_id, memberships.c.id == membership_id)
            .values(periods_billed=periods, next_renewal_on=renews, next_charge_on=renews)
        )


def downgrade() -> None:
    """Drop them again (in place from SQLite 3.35; a batch rebuild before that)."""
    op.drop_index(_INDEX, table_name="memberships")
    bind = op.get_bind()
    version = bind.dialect.server_version_info or ()
    in_place = bind.dialect.name != "sqlite" or version >= (3, 35)
    for column in reversed(_COLUMNS):
        if in_place:
            op.drop_column("memberships", column.name)
            continue
        with op.batch_alter_table("memberships") as batch:
            batch.drop_column(column.name)
