"""Use cases of corporate packages: owners and managers create, change and end them; the
company's own admins read theirs. One use case is one transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.corporate.access import MANAGING, visible_account
from server.corporate.models import CorporatePackage
from server.corporate_billing import repository as repo
from server.corporate_billing import rules
from server.corporate_billing.schemas import (
    PackageCreate,
    PackageEnd,
    PackagePage,
    PackageRead,
    PackageUpdate,
    page_of,
)
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.tenants.repository import tenant_zone
from shared.clock import utcnow
from shared.enums import PrincipalKind


def require_managing(claims: AccessClaims) -> None:
    """Changes are the provider's: owners and managers (a company's admin only reads)."""
    if claims.kind is not PrincipalKind.STAFF or claims.role not in MANAGING:
        raise Forbidden("Only owners and managers change corporate packages and invoices.")


def local_today(db: Session, tenant_id: uuid.UUID, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(tenant_zone(db, tenant_id))).date()


def _share(package: CorporatePackage, currency: str) -> rules.Share:
    try:
        return rules.split_fee(
            Decimal(package.seat_fee),
            package.split,
            currency=currency,
            company_percent=package.company_percent,
            company_amount=package.company_amount,
        )
    except rules.SplitError as error:
        # Named after the figure at fault, so that a form shows it next to that field.
        field = {"percentage": "company_percent", "fixed": "company_amount"}.get(package.split)
        raise InvalidInput(f"{field}: {error}" if field else str(error)) from error


def _read(package: CorporatePackage, currency: str, taken: int) -> PackageRead:
    share = _share(package, currency)
    return PackageRead(
        id=package.id,
        account_id=package.account_id,
        name=package.name,
        plan_ids=[uuid.UUID(str(i)) for i in package.plan_ids],
        journey_template_ids=[uuid.UUID(str(i)) for i in package.journey_template_ids],
        seats=package.seats,
        seat_fee=Decimal(package.seat_fee),
        split=package.split,
        company_percent=package.company_percent,
        company_amount=package.company_amount,
        company_share=share.company,
        employee_share=share.employee,
        currency=currency,
        starts_on=package.starts_on,
        ends_on=package.ends_on,
        seats_taken=taken,
        seats_left=rules.seats_left(package.seats, taken),
        created_at=package.created_at,
    )


def _check_ids(db: Session, tenant_id: uuid.UUID, plans: list[Any], journeys: list[Any]) -> None:
    plans = [uuid.UUID(str(i)) for i in plans]
    journeys = [uuid.UUID(str(i)) for i in journeys]
    unknown = repo.missing_plans(db, tenant_id, plans)
    if unknown:
        raise InvalidInput(f"plan_ids: no such access plan: {', '.join(unknown)}")
    unknown = repo.missing_journeys(db, tenant_id, journeys)
    if unknown:
        raise InvalidInput(f"journey_template_ids: no such journey: {', '.join(unknown)}")


def _normalise_split(package: CorporatePackage) -> None:
    """Keep only the figure the split uses, so a read never shows a stale one."""
    if package.split != "percentage":
        package.company_percent = None
    if package.split != "fixed":
        package.company_amount = None
    if package.split == "percentage" and package.company_percent is None:
        raise InvalidInput("company_percent: a percentage split needs the company's percentage")
    if package.split == "fixed" and package.company_amount is None:
        raise InvalidInput("company_amount: a fixed split needs the company's amount")


def _taken(db: Session, claims: AccessClaims, package_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    return dict(
        repo.seats_taken(db, claims.tenant_id, package_ids, local_today(db, claims.tenant_id))
    )


def list_packages(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    limit: int = 200,
    offset: int = 0,
) -> PackagePage:
    with uow:
        visible_account(uow.db, claims, account_id)
        every = repo.PackageRepository(uow.db, claims.tenant_id).of_account(account_id)
        packages, next_offset = page_of(every, limit, offset)
        currency = repo.tenant_currency(uow.db, claims.tenant_id)
        taken = _taken(uow.db, claims, [p.id for p in packages])
        return PackagePage(
            items=[_read(p, currency, taken.get(p.id, 0)) for p in packages],
            next_offset=next_offset,
        )


def _package(
    db: Session, claims: AccessClaims, account_id: uuid.UUID, package_id: uuid.UUID
) -> CorporatePackage:
    visible_account(db, claims, account_id)
    package = repo.PackageRepository(db, claims.tenant_id).get_or_404(package_id)
    if package.account_id != account_id:
        raise NotFound(f"corporate package {package_id} was not found")
    return package


def get_package(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID, package_id: uuid.UUID
) -> PackageRead:
    with uow:
        package = _package(uow.db, claims, account_id, package_id)
        currency = repo.tenant_currency(uow.db, claims.tenant_id)
        return _read(package, currency, _taken(uow.db, claims, [package.id]).get(package.id, 0))


def create_package(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID, cmd: PackageCreate
) -> PackageRead:
    with uow:
        # Another account is not found before the admin's role is refused.
        visible_account(uow.db, claims, account_id)
        require_managing(claims)
        _check_ids(uow.db, claims.tenant_id, cmd.plan_ids, cmd.journey_template_ids)
        package = CorporatePackage(
            tenant_id=claims.tenant_id,
            account_id=account_id,
            **cmd.model_dump(exclude={"plan_ids", "journey_template_ids"}),
            plan_ids=[str(i) for i in cmd.plan_ids],
            journey_template_ids=[str(i) for i in cmd.journey_template_ids],
        )
        _normalise_split(package)
        currency = repo.tenant_currency(uow.db, claims.tenant_id)
        _share(package, currency)
        uow.db.add(package)
        uow.flush()
        read = _read(package, currency, 0)
        uow.commit()
        return read


def update_package(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    package_id: uuid.UUID,
    cmd: PackageUpdate,
) -> PackageRead:
    changes = cmd.model_dump(exclude_unset=True)
    for field in ("name", "plan_ids", "journey_template_ids", "seat_fee", "split"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field}: may not be null")
    with uow:
        package = _package(uow.db, claims, account_id, package_id)
        require_managing(claims)
        plans = changes.get("plan_ids", package.plan_ids)
        journeys = changes.get("journey_template_ids", package.journey_template_ids)
        _check_ids(uow.db, claims.tenant_id, plans, journeys)
        if not plans and not journeys:
            raise InvalidInput("a package gives at least one access plan or journey")
        for field in ("plan_ids", "journey_template_ids"):
            if field in changes:
                changes[field] = [str(i) for i in changes[field]]
        for field, value in changes.items():
            setattr(package, field, value)
        _normalise_split(package)
        currency = repo.tenant_currency(uow.db, claims.tenant_id)
        _share(package, currency)
        taken = _taken(uow.db, claims, [package.id]).get(package.id, 0)
        if package.seats is not None and package.seats < taken:
            raise Conflict(
                f"seats: {taken} employees hold a seat; the pool cannot be smaller",
                code="seats_taken",
            )
        uow.flush()
        read = _read(package, currency, taken)
        uow.commit()
        return read


def end_package(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    package_id: uuid.UUID,
    cmd: PackageEnd,
) -> PackageRead:
    """The package's last day; employees on it keep their cover to then."""
    with uow:
        package = _package(uow.db, claims, account_id, package_id)
        require_managing(claims)
        if cmd.ends_on < package.starts_on:
            raise InvalidInput("ends_on: before the package starts")
        package.ends_on = cmd.ends_on
        currency = repo.tenant_currency(uow.db, claims.tenant_id)
        taken = _taken(uow.db, claims, [package.id]).get(package.id, 0)
        uow.flush()
        read = _read(package, currency, taken)
        uow.commit()
        return read
