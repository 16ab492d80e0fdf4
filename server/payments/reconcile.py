"""Reconciliation: the sales ledger against a PSP's own records for a period (UTC days):
what matches, what only one side has, and what differs in amount or outcome."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.payments import service
from server.payments.schemas import MismatchKind, ReconciliationItem, ReconciliationRead
from server.plans.models import Sale
from server.ports.payments import (
    PaymentAccounts,
    PaymentGateway,
    ProviderRecord,
    ProviderUnavailable,
)
from server.tenants.repository import tenant_by_slug
from shared.enums import PaymentProvider, PaymentStatus

MAX_DAYS = 92


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise InvalidInput("the period ends before it starts")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"reconcile at most {MAX_DAYS} days at a time")
    return (
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
    )


def _compare(sale: Sale, record: ProviderRecord) -> ReconciliationItem | None:
    kind: MismatchKind
    if (sale.amount, sale.currency) != (record.amount, record.currency.upper()):
        kind = "amount_mismatch"
    elif (sale.payment_status == PaymentStatus.PAID.value) != record.succeeded:
        kind = "status_mismatch"
    else:
        return None
    return ReconciliationItem(
        kind=kind,
        reference=record.reference,
        sale_id=sale.id,
        ours=sale.amount,
        theirs=record.amount,
        currency=sale.currency,
    )


def _missing_ours(record: ProviderRecord) -> ReconciliationItem:
    return ReconciliationItem(
        kind="missing_ours",
        reference=record.reference,
        sale_id=record.payment_id,
        ours=None,
        theirs=record.amount,
        currency=record.currency.upper(),
    )


def reconcile(
    *,
    uow: UnitOfWork,
    accounts: PaymentAccounts,
    gateway: PaymentGateway,
    tenant_id: uuid.UUID,
    start: date,
    end: date,
) -> ReconciliationRead:
    since, until = _window(start, end)
    service.asking(accounts, gateway, tenant_id)
    try:
        records = gateway.records(tenant_id=tenant_id, start=since, end=until)
    except ProviderUnavailable as down:
        raise service.ProviderDown(str(down)) from None
    with uow:
        sales = (
            uow.db.execute(
                select(Sale).where(
                    Sale.tenant_id == tenant_id,
                    Sale.provider == gateway.provider,
                    Sale.taken_at >= since,
                    Sale.taken_at < until,
                )
            )
            .scalars()
            .all()
        )
        ours = {sale.id: sale for sale in sales}
        by_reference = {sale.provider_reference: sale for sale in sales}
        mismatches: list[ReconciliationItem] = []
        matched = 0
        for record in records:
            sale = ours.pop(record.payment_id, None) if record.payment_id else None
            if sale is None:
                sale = by_reference.get(record.reference)
                if sale is not None:
                    ours.pop(sale.id, None)
            if sale is None:
                mismatches.append(_missing_ours(record))
                continue
            problem = _compare(sale, record)
            if problem is None:
                matched += 1
            else:
                mismatches.append(problem)
        for sale in ours.values():
            if sale.payment_status != PaymentStatus.FAILED.value:
                mismatches.append(
                    ReconciliationItem(
                        kind="missing_theirs",
                        reference=sale.provider_reference,
                        sale_id=sale.id,
                        ours=sale.amount,
                        theirs=None,
                        currency=sale.currency,
                    )
                )
    return ReconciliationRead(
        provider=PaymentProvider(gateway.provider),
        start=start,
        end=end,
        matched=matched,
        mismatches=mismatches,
    )


def reconcile_tenant(
    *,
    uow: UnitOfWork,
    accounts: PaymentAccounts,
    gateways: Mapping[str, PaymentGateway],
    slug: str,
    provider: PaymentProvider,
    start: date,
    end: date,
) -> ReconciliationRead:
    """The command line's way in: a tenant named by its slug."""
    with uow:
        tenant = tenant_by_slug(uow.db, slug)
        tenant_id = tenant.id if tenant is not None else None
    if tenant_id is None:
        raise NotFound(f"no tenant {slug!r}")
    gateway = gateways.get(provider.value)
    if gateway is None:
        raise Conflict(f"{provider.value} is not in ZMOS_PAYMENT_PROVIDERS")
    return reconcile(
        uow=uow, accounts=accounts, gateway=gateway, tenant_id=tenant_id, start=start, end=end
    )
