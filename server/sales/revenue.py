"""The revenue report: per group (plan or location), period and currency, net of refunds."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic_core import to_json

from server.db.uow import UnitOfWork
from server.errors import InvalidInput
from server.ports.identity import AccessClaims
from server.sales import rules
from server.sales.repository import LedgerRepository
from server.sales.schemas import GroupBy, Period


def revenue(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    group_by: GroupBy,
    period: Period,
    from_day: date,
    to_day: date,
) -> bytes:
    """The report as JSON, in the shape of ``RevenueReport``."""
    rows = revenue_rows(
        uow=uow, claims=claims, group_by=group_by, period=period, from_day=from_day, to_day=to_day
    )
    report = {"group_by": group_by, "period": period, "from": from_day, "to": to_day}
    return to_json({**report, "rows": rows})


def revenue_rows(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    group_by: GroupBy,
    period: Period,
    from_day: date,
    to_day: date,
) -> list[dict[str, Any]]:
    """The report's rows, in the order and shape of ``RevenueRow``. Days are the sales'
    (and refunds') local days at their location. The ledger keeps daily sums (see
    ``server.plans.ledger``); the database folds them into periods."""
    if from_day > to_day:
        raise InvalidInput("from cannot be after to")
    if (to_day - from_day).days >= rules.MAX_REPORT_DAYS:
        raise InvalidInput(f"a report spans at most {rules.MAX_REPORT_DAYS} days")
    with uow:
        ledger = LedgerRepository(uow.db, claims.tenant_id)
        summed = ledger.revenue(group_by, period, from_day, to_day, claims.location_ids)
    # Plain dicts in the order and shape of ``RevenueRow``, serialised once: a year of days
    # per location is thousands of rows, and building a model for each costs more than the
    # database's part of the answer. ``RevenueReport`` documents the shape.
    rows = [
        {
            "group_id": group,
            "group_name": name,
            "period_start": start,
            "currency": currency,
            "sales": sales,
            "gross": gross,
            "refunds": refunds,
            "net": gross - refunds,
        }
        for group, name, start, currency, sales, gross, refunds in summed
    ]
    return rows
