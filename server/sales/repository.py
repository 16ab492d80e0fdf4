"""Data access for the sales ledger, refunds and revenue, each query scoped to one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    Row,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    type_coerce,
    update,
)
from sqlalchemy import cast as cast_to

from server.db.repository import TenantRepository
from server.members.models import Member
from server.plans.models import AccessPlan, RevenueDay, Sale
from server.sales.models import Refund
from server.tenants.models import Location


@dataclass(frozen=True)
class SaleFilter:
    """What ``GET /sales`` narrows the ledger to; None: any."""

    from_day: date | None = None
    to_day: date | None = None
    location_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    #: The caller's locations, for staff limited to some; None: the whole tenant.
    seen_at: frozenset[uuid.UUID] | None = None


#: A sale's columns with the names people read beside it (``member_first_name``,
#: ``member_last_name``, ``plan_name``, ``plan_kind``, ``location_name``): Core rows, not ORM
#: objects, since a page reads many.
SaleRow = Row[Any]


class LedgerRepository(TenantRepository[Sale]):
    model = Sale
    noun = "sale"

    def _described(self) -> Select[Any]:
        sales = cast(Table, Sale.__table__)
        query: Any = (
            select(
                *sales.c,
                Member.first_name.label("member_first_name"),
                Member.last_name.label("member_last_name"),
                AccessPlan.name.label("plan_name"),
                AccessPlan.kind.label("plan_kind"),
                Location.name.label("location_name"),
            )
            .select_from(sales)
            .join(Member, (Member.tenant_id == Sale.tenant_id) & (Member.id == Sale.member_id))
            .outerjoin(
                AccessPlan,
                (AccessPlan.tenant_id == Sale.tenant_id) & (AccessPlan.id == Sale.plan_id),
            )
            .outerjoin(
                Location,
                (Location.tenant_id == Sale.tenant_id) & (Location.id == Sale.location_id),
            )
            .where(Sale.tenant_id == self.tenant_id)
        )
        described: Select[Any] = query
        return described

    def search(self, where: SaleFilter, *, limit: int, offset: int) -> Sequence[SaleRow]:
        """Newest first."""
        query = self._described().where(*_conditions(where))
        query = query.order_by(Sale.taken_at.desc(), Sale.id.desc()).limit(limit).offset(offset)
        return self.db.execute(query).all()

    def described(
        self, sale_id: uuid.UUID, *, member_id: uuid.UUID | None = None
    ) -> SaleRow | None:
        query = self._described().where(Sale.id == sale_id)
        if member_id is not None:
            query = query.where(Sale.member_id == member_id)
        row: SaleRow | None = self.db.execute(query).one_or_none()
        return row

    def take_back(self, sale_id: uuid.UUID, amount: Decimal) -> bool:
        """Reserve ``amount`` for a pending refund unless that would give back more than was
        charged: one conditional UPDATE, so two refunds at once never exceed the sale."""
        result = self.db.execute(
            update(Sale)
            .where(
                Sale.tenant_id == self.tenant_id,
                Sale.id == sale_id,
                Sale.refunded_amount + amount <= Sale.amount,
            )
            .values(
                refunded_amount=Sale.refunded_amount + amount,
                refund_pending_amount=Sale.refund_pending_amount + amount,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def confirm_refund(self, sale_id: uuid.UUID, amount: Decimal) -> None:
        """A pending refund of ``amount`` went back: it is no longer pending."""
        self._refund_settled(sale_id, amount, given_back=False)

    def give_back(self, sale_id: uuid.UUID, amount: Decimal) -> None:
        """A pending refund of ``amount`` was declined: the sale may refund it again."""
        self._refund_settled(sale_id, amount, given_back=True)

    def _refund_settled(self, sale_id: uuid.UUID, amount: Decimal, *, given_back: bool) -> None:
        values: dict[str, Any] = {"refund_pending_amount": Sale.refund_pending_amount - amount}
        if given_back:
            values["refunded_amount"] = Sale.refunded_amount - amount
        self.db.execute(
            update(Sale)
            .where(Sale.tenant_id == self.tenant_id, Sale.id == sale_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def revenue(
        self,
        group: str,
        period: str,
        from_day: date,
        to_day: date,
        seen_at: frozenset[uuid.UUID] | None = None,
    ) -> list[tuple[uuid.UUID, str, date, str, int, Decimal, Decimal]]:
        """(group id, group name, first day of the period, currency, sales, gross, refunds)
        summed by the database from the daily rows: sales on the day they were made,
        refunds on the day they were given. ``seen_at``: only these locations' money.
        One row per group, period and currency, in the report's order.

        The sums are grouped on the daily rows' own columns and named afterwards: grouping
        on the joined name as well made PostgreSQL hash a wider key for every daily row
        (a year of days per location is thousands), and the ordering is the database's,
        so the service makes one pass over the answer."""
        named: Any = AccessPlan if group == "plan" else Location
        column: Any = RevenueDay.plan_id if group == "plan" else RevenueDay.location_id
        starts = _period_start(self.db.get_bind().dialect.name, period)
        summed = (
            select(
                column.label("group_id"),
                starts.label("period_start"),
                RevenueDay.currency.label("currency"),
                func.sum(RevenueDay.sales).label("sales"),
                func.sum(RevenueDay.gross).label("gross"),
                func.sum(RevenueDay.refunds).label("refunds"),
            )
            .where(
                RevenueDay.tenant_id == self.tenant_id,
                RevenueDay.day >= from_day,
                RevenueDay.day <= to_day,
            )
            .group_by(column, starts, RevenueDay.currency)
        )
        if seen_at is not None:
            summed = summed.where(RevenueDay.location_id.in_(sorted(seen_at)))
        sums = summed.subquery("sums")
        query = (
            select(
                sums.c.group_id,
                named.name,
                sums.c.period_start,
                sums.c.currency,
                sums.c.sales,
                sums.c.gross,
                sums.c.refunds,
            )
            .join(named, (named.tenant_id == self.tenant_id) & (named.id == sums.c.group_id))
            .order_by(sums.c.period_start, named.name, sums.c.group_id, sums.c.currency)
        )
        return [
            (g, name, start, c, int(n), gross, refunds)
            for g, name, start, c, n, gross, refunds in self.db.execute(query)
        ]


def _period_start(dialect: str, period: str) -> Any:
    """The first day of the period of ``revenue_days.day`` (weeks start on Monday)."""
    day = RevenueDay.day
    if period == "day":
        return day
    if dialect == "postgresql":
        return cast_to(func.date_trunc(period, day), Date)
    if period == "month":
        return type_coerce(func.date(day, "start of month"), Date)
    back: Any = literal_column(
        "'-' || ((CAST(strftime('%w', revenue_days.day) AS INTEGER) + 6) % 7)"
    )
    return type_coerce(func.date(day, back.concat(" days")), Date)


class RefundRepository(TenantRepository[Refund]):
    model = Refund
    noun = "refund"


#: Every local day lies within these hours of the UTC day of the same date (UTC−12 to
#: UTC+14): bounds on ``taken_at`` that let the newest-first indexes range-scan a period.
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=14), timedelta(hours=12)


def _inline(column: Any, value: Any) -> Any:
    """``value`` written into the statement, not bound: PostgreSQL's generic plan of a
    prepared statement cannot see how narrow a filter is and scans ten times the rows."""
    return bindparam(None, value, type_=column.type, literal_execute=True)


def _conditions(where: SaleFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.from_day is not None:
        starts = datetime.combine(where.from_day, time.min, UTC) - EARLIEST_OFFSET
        conditions.append(Sale.taken_on >= _inline(Sale.taken_on, where.from_day))
        conditions.append(Sale.taken_at >= _inline(Sale.taken_at, starts))
    if where.to_day is not None:
        ends = datetime.combine(where.to_day + timedelta(days=1), time.min, UTC) + LATEST_OFFSET
        conditions.append(Sale.taken_on <= _inline(Sale.taken_on, where.to_day))
        conditions.append(Sale.taken_at < _inline(Sale.taken_at, ends))
    for column, value in (
        (Sale.location_id, where.location_id),
        (Sale.plan_id, where.plan_id),
        (Sale.taken_by, where.staff_id),
        (Sale.member_id, where.member_id),
    ):
        if value is not None:
            conditions.append(column == _inline(column, value))
    if where.seen_at is not None:
        conditions.append(Sale.location_id.in_(sorted(where.seen_at)))
    return conditions
