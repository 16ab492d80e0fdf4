"""The sales ledger's one way in: every sale (desk pass, membership, pack, renewal) is written
by :func:`record`, which numbers its receipt and dates it at the location."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.plans.models import AccessPlan, ReceiptCounter, RevenueDay, Sale
from server.plans.repository import SaleRepository
from server.tenants.models import Location
from shared.clock import utcnow

ZERO = Decimal("0.00")


def write_lock(uow: UnitOfWork) -> None:
    """On SQLite, take the database's write lock before the first read: a transaction that
    read first and writes later would fail when another one wrote in between. PostgreSQL
    locks the counter's row instead."""
    connection = uow.db.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not getattr(raw, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _insert(db: Session) -> Any:
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def add_to_revenue(
    db: Session,
    sale: Sale,
    *,
    day: date,
    sales: int = 0,
    gross: Decimal = ZERO,
    refunds: Decimal = ZERO,
) -> None:
    """Count a sale (or a refund of it, on the day it was given) in the day's revenue row:
    one upsert in the caller's transaction."""
    if sale.plan_id is None:
        return
    statement = (
        _insert(db)(RevenueDay)
        .values(
            tenant_id=sale.tenant_id,
            day=day,
            location_id=sale.location_id,
            plan_id=sale.plan_id,
            currency=sale.currency,
            sales=sales,
            gross=gross,
            refunds=refunds,
        )
        .on_conflict_do_update(
            index_elements=[
                RevenueDay.tenant_id,
                RevenueDay.day,
                RevenueDay.location_id,
                RevenueDay.plan_id,
                RevenueDay.currency,
            ],
            set_={
                "sales": RevenueDay.sales + sales,
                "gross": RevenueDay.gross + gross,
                "refunds": RevenueDay.refunds + refunds,
            },
        )
    )
    db.execute(statement)


def next_receipt_number(db: Session, tenant_id: uuid.UUID) -> int:
    """The tenant's next receipt number, in the caller's transaction: one upsert, so two
    sales at once wait on the counter's row and a rolled-back sale leaves no gap."""
    return next_receipt_numbers(db, tenant_id, 1)[0]


def next_receipt_numbers(db: Session, tenant_id: uuid.UUID, count: int) -> range:
    """``count`` consecutive receipt numbers of the tenant, taken by one upsert (a batch of
    renewals numbers its sales in one statement)."""
    statement = (
        _insert(db)(ReceiptCounter)
        .values(tenant_id=tenant_id, last_number=count)
        .on_conflict_do_update(
            index_elements=[ReceiptCounter.tenant_id],
            set_={"last_number": ReceiptCounter.last_number + count},
        )
        .returning(ReceiptCounter.last_number)
    )
    last = int(db.execute(statement).scalar_one())
    return range(last - count + 1, last + 1)


def record_rows(db: Session, tenant_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
    """Complete sale rows already charged (``taken_at``, ``amount``, ``location_id`` …) with
    their receipt numbers, and count them in the revenue days, in the caller's transaction:
    the bulk path of :func:`record`, for the renewal job. Each row carries its local
    ``taken_on`` already; the caller inserts them."""
    if not rows:
        return
    for row, number in zip(rows, next_receipt_numbers(db, tenant_id, len(rows)), strict=True):
        row["receipt_number"] = number
        row.setdefault("list_price", row["amount"])
        row.setdefault("discount_amount", ZERO)
        row.setdefault("refunded_amount", ZERO)
    totals: dict[tuple[date, uuid.UUID, uuid.UUID, str], tuple[int, Decimal]] = {}
    for row in rows:
        key = (row["taken_on"], row["location_id"], row["plan_id"], row["currency"])
        count, gross = totals.get(key, (0, ZERO))
        totals[key] = (count + 1, gross + row["amount"])
    for (day, location_id, plan_id, currency), (count, gross) in totals.items():
        add_to_revenue(
            db,
            Sale(tenant_id=tenant_id, location_id=location_id, plan_id=plan_id, currency=currency),
            day=day,
            sales=count,
            gross=gross,
        )


def record(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    *,
    sale_id: uuid.UUID,
    member_id: uuid.UUID,
    plan: AccessPlan,
    location: Location,
    membership_id: uuid.UUID | None,
    amount: Decimal,
    method: str,
    taken_by: uuid.UUID | None,
    device_id: uuid.UUID | None = None,
    taken_at: datetime | None = None,
    discount_amount: Decimal = ZERO,
    discount_reason: str | None = None,
    currency: str | None = None,
) -> Sale:
    """Write one sale of ``plan`` (already charged) in the open unit of work; the caller
    commits. ``amount`` is what was charged; the currency is the plan's unless the money was
    taken in another (a kiosk's offline sale at a price since changed)."""
    when = taken_at or utcnow()
    sale = SaleRepository(uow.db, tenant_id).add(
        Sale(
            id=sale_id,
            member_id=member_id,
            membership_id=membership_id,
            plan_id=plan.id,
            location_id=location.id,
            amount=amount,
            currency=currency or plan.currency,
            method=method,
            taken_by=taken_by,
            device_id=device_id,
            taken_at=when,
            taken_on=when.astimezone(ZoneInfo(location.timezone)).date(),
            receipt_number=next_receipt_number(uow.db, tenant_id),
            list_price=amount + discount_amount,
            discount_amount=discount_amount,
            discount_reason=discount_reason,
            refunded_amount=ZERO,
        )
    )
    add_to_revenue(uow.db, sale, day=sale.taken_on, sales=1, gross=amount)
    return sale
