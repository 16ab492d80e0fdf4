"""Monthly invoices to a company, one per account and month, with a line per cost centre
and package: the seats held, the company's share, and the usage that explains them.

A seat counts for the whole month if held on any day of it (no pro-rating; see
``rules.holds_seat``). Usage: visits are admissions at the door in the month (re-entries
excluded); active employees are those with a visit or a movement event in it. The month is
the tenant's calendar month in its own time zone. The employee's share of each seat is
recorded per employee in the invoice (lines of kind ``employee``); collecting it from the
member is the payments work's, not this module's.

Issuing is idempotent: a month already invoiced answers the same invoice, unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.corporate.access import visible_account
from server.corporate.models import (
    CorporateAccount,
    CorporateDepartment,
    CorporateEmployee,
    CorporateInvoice,
    CorporatePackage,
)
from server.corporate_billing import repository as repo
from server.corporate_billing import rules
from server.corporate_billing.schemas import (
    EmployeeSharePage,
    EmployeeShareRead,
    InvoiceLineRead,
    InvoicePage,
    InvoiceRead,
    InvoiceSummary,
    IssuedRead,
    page_of,
)
from server.corporate_billing.service import require_managing
from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.tenants.repository import tenant_zone
from shared.enums import PrincipalKind

NO_DEPARTMENT = "No department"


@dataclass
class _Line:
    department: str
    cost_centre: str
    package: str
    seat_fee: Decimal
    company_share: Decimal
    employee_share: Decimal
    department_id: uuid.UUID | None
    package_id: uuid.UUID
    members: list[uuid.UUID] = field(default_factory=list)


def _bounds(month: str) -> tuple[date, date]:
    try:
        return rules.month_bounds(month)
    except ValueError as error:
        raise InvalidInput(f"month: {error}") from error


def _instants(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    return (
        datetime.combine(first, time(), tz),
        datetime.combine(last + timedelta(days=1), time(), tz),
    )


def _seat_holders(
    db: Session,
    tenant_id: uuid.UUID,
    packages: list[CorporatePackage],
    first: date,
    last: date,
    zone: str,
) -> list[CorporateEmployee]:
    tz = ZoneInfo(zone)
    holders = []
    for row in repo.roster_on(db, tenant_id, [p.id for p in packages]):
        activated = row.activated_at.astimezone(tz).date() if row.activated_at else date.min
        if rules.holds_seat(row.status, row.covered_until, activated, first=first, last=last):
            holders.append(row)
    return holders


def _lines(
    db: Session,
    account: CorporateAccount,
    packages: list[CorporatePackage],
    holders: list[CorporateEmployee],
    currency: str,
) -> dict[tuple[uuid.UUID | None, uuid.UUID], _Line]:
    by_id = {p.id: p for p in packages}
    departments: dict[uuid.UUID, CorporateDepartment] = repo.departments(
        db, account.tenant_id, account.id
    )
    lines: dict[tuple[uuid.UUID | None, uuid.UUID], _Line] = {}
    for row in holders:
        assert row.package_id is not None and row.member_id is not None
        package = by_id[row.package_id]
        key = (row.department_id, package.id)
        if key not in lines:
            share = rules.split_fee(
                Decimal(package.seat_fee),
                package.split,
                currency=currency,
                company_percent=package.company_percent,
                company_amount=package.company_amount,
            )
            department = departments.get(row.department_id) if row.department_id else None
            lines[key] = _Line(
                department=department.name if department else NO_DEPARTMENT,
                cost_centre=(department.cost_centre or "") if department else "",
                package=package.name,
                seat_fee=Decimal(package.seat_fee),
                company_share=share.company,
                employee_share=share.employee,
                department_id=row.department_id,
                package_id=package.id,
            )
        lines[key].members.append(row.member_id)
    return lines


def _compose(
    db: Session, account: CorporateAccount, first: date, last: date, currency: str
) -> tuple[Decimal, list[dict[str, Any]]]:
    """The invoice's total and JSON lines for the month."""
    tenant_id = account.tenant_id
    zone = tenant_zone(db, tenant_id)
    packages = [
        p
        for p in repo.PackageRepository(db, tenant_id).of_account(account.id)
        if rules.package_runs_in(p.starts_on, p.ends_on, first, last)
    ]
    holders = _seat_holders(db, tenant_id, packages, first, last, zone)
    members = {row.member_id for row in holders if row.member_id is not None}
    start, end = _instants(first, last, zone)
    visits = repo.visits(db, tenant_id, members, start, end)
    moved = repo.moved(db, tenant_id, members, first, last)
    lines = _lines(db, account, packages, holders, currency)
    total = Decimal(0)
    stored: list[dict[str, Any]] = []
    for line in sorted(lines.values(), key=lambda x: (x.cost_centre, x.department, x.package)):
        seats = len(line.members)
        amount = line.company_share * seats
        total += amount
        stored.append(
            {
                "kind": "cost_centre",
                "department_id": str(line.department_id) if line.department_id else None,
                "department": line.department,
                "cost_centre": line.cost_centre,
                "package_id": str(line.package_id),
                "package": line.package,
                "seats": seats,
                "seat_fee": str(line.seat_fee),
                "company_share": str(line.company_share),
                "amount": str(amount),
                "employees_owe": str(line.employee_share * seats),
                "active_employees": sum(1 for m in line.members if visits[m] or m in moved),
                "visits": sum(visits[m] for m in line.members),
            }
        )
    by_member = {row.member_id: row for row in holders}
    for line in lines.values():
        if line.employee_share <= 0:
            continue
        for member_id in line.members:
            stored.append(
                {
                    "kind": "employee",
                    "employee_id": str(by_member[member_id].id),
                    "department": line.department,
                    "package": line.package,
                    "amount": str(line.employee_share),
                }
            )
    return total, stored


def _issue_one(
    db: Session, account: CorporateAccount, month: str, first: date, last: date
) -> CorporateInvoice:
    invoices = repo.InvoiceRepository(db, account.tenant_id)
    tenant = repo.lock_tenant(db, account.tenant_id)
    existing = invoices.of_account(account.id, first)
    if existing:
        return existing[0]
    total, lines = _compose(db, account, first, last, tenant.currency)
    invoice = CorporateInvoice(
        tenant_id=account.tenant_id,
        account_id=account.id,
        number=rules.invoice_number(invoices.next_sequence()),
        period_start=first,
        period_end=last,
        currency=tenant.currency,
        total=total,
        lines=lines,
    )
    db.add(invoice)
    db.flush()
    record_action(
        db,
        tenant_id=account.tenant_id,
        action=audit_rules.INVOICE_ISSUE,
        entity="corporate_invoices",
        entity_id=invoice.id,
    )
    return invoice


def _summary(invoice: CorporateInvoice) -> InvoiceSummary:
    return InvoiceSummary(
        id=invoice.id,
        account_id=invoice.account_id,
        number=invoice.number,
        month=invoice.period_start.strftime("%Y-%m"),
        issued_at=invoice.issued_at,
        currency=invoice.currency,
        total=Decimal(invoice.total),
    )


def issue_for_account(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID, month: str
) -> InvoiceRead:
    first, last = _bounds(month)
    with uow:
        account = visible_account(uow.db, claims, account_id)
        require_managing(claims)
        invoice = _issue_one(uow.db, account, month, first, last)
        read = _read(invoice, account)
        uow.commit()
        return read


def issue_month(*, uow: UnitOfWork, tenant_id: uuid.UUID, month: str) -> IssuedRead:
    """Every account with a package live in the month gets its invoice (the job and the
    CLI; the route checks the caller first)."""
    first, last = _bounds(month)
    with uow:
        accounts = repo.accounts_with_packages_in(uow.db, tenant_id, first, last)
        issued = [_summary(_issue_one(uow.db, a, month, first, last)) for a in accounts]
        uow.commit()
        return IssuedRead(month=month, items=issued)


def issue_month_as(*, uow: UnitOfWork, claims: AccessClaims, month: str) -> IssuedRead:
    require_managing(claims)
    return issue_month(uow=uow, tenant_id=claims.tenant_id, month=month)


def list_invoices(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    month: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> InvoicePage:
    first = _bounds(month)[0] if month else None
    with uow:
        visible_account(uow.db, claims, account_id)
        rows = repo.InvoiceRepository(uow.db, claims.tenant_id).of_account(account_id, first)
        shown, next_offset = page_of(rows, limit, offset)
        return InvoicePage(items=[_summary(r) for r in shown], next_offset=next_offset)


def _invoice(
    db: Session, claims: AccessClaims, account_id: uuid.UUID, invoice_id: uuid.UUID
) -> tuple[CorporateInvoice, CorporateAccount]:
    account = visible_account(db, claims, account_id)
    invoice = repo.InvoiceRepository(db, claims.tenant_id).get_or_404(invoice_id)
    if invoice.account_id != account_id:
        raise NotFound(f"corporate invoice {invoice_id} was not found")
    return invoice, account


def _read(invoice: CorporateInvoice, account: CorporateAccount) -> InvoiceRead:
    lines = [
        InvoiceLineRead(**{k: v for k, v in line.items() if k in InvoiceLineRead.model_fields})
        for line in invoice.lines
        if line.get("kind") == "cost_centre"
    ]
    return InvoiceRead(
        id=invoice.id,
        account_id=invoice.account_id,
        account_name=account.name,
        number=invoice.number,
        month=invoice.period_start.strftime("%Y-%m"),
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issued_at=invoice.issued_at,
        currency=invoice.currency,
        total=Decimal(invoice.total),
        employees_owe=sum((line.employees_owe for line in lines), Decimal(0)),
        lines=lines,
    )


def get_invoice(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID, invoice_id: uuid.UUID
) -> InvoiceRead:
    with uow:
        invoice, account = _invoice(uow.db, claims, account_id, invoice_id)
        return _read(invoice, account)


def employee_shares(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    invoice_id: uuid.UUID,
    limit: int = 1000,
    offset: int = 0,
) -> EmployeeSharePage:
    """What each employee owes for the month. The provider's (it collects it); a company's
    admin sees the invoice's totals, never who owes what."""
    with uow:
        invoice, _account = _invoice(uow.db, claims, account_id, invoice_id)
        if claims.kind is PrincipalKind.CORPORATE_ADMIN:
            raise Forbidden("Who owes what is the provider's; the company sees the totals.")
        owed = [line for line in invoice.lines if line.get("kind") == "employee"]
        roster = repo.employees(
            uow.db, claims.tenant_id, [uuid.UUID(line["employee_id"]) for line in owed]
        )
        items = []
        for line in owed:
            row = roster.get(uuid.UUID(line["employee_id"]))
            name = " ".join(p for p in (row.first_name, row.last_name) if p) if row else ""
            items.append(
                EmployeeShareRead(
                    employee_id=uuid.UUID(line["employee_id"]),
                    employee_ref=row.employee_ref if row else None,
                    name=name or (row.work_email or "" if row else ""),
                    department=line["department"],
                    package=line["package"],
                    amount=Decimal(line["amount"]),
                )
            )
        items.sort(key=lambda i: (i.department, i.name))
        shown, next_offset = page_of(items, limit, offset)
        total = sum((i.amount for i in items), Decimal(0))
        return EmployeeSharePage(items=shown, next_offset=next_offset, total=total)


def provider_name(*, uow: UnitOfWork, claims: AccessClaims) -> str:
    with uow:
        return repo.tenant_name(uow.db, claims.tenant_id)


def account_name(*, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID) -> str:
    with uow:
        return visible_account(uow.db, claims, account_id).name
