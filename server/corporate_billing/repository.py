"""Data access of corporate billing, always within one tenant. Never commits."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.checkin.models import Checkin
from server.corporate.models import (
    CorporateAccount,
    CorporateDepartment,
    CorporateEmployee,
    CorporateInvoice,
    CorporatePackage,
)
from server.db.repository import TenantRepository
from server.engagement.models import MovementEvent
from server.journeys.models import JourneyTemplate
from server.plans.models import AccessPlan
from server.tenants.models import Tenant


class PackageRepository(TenantRepository[CorporatePackage]):
    model = CorporatePackage
    noun = "corporate package"

    def of_account(self, account_id: uuid.UUID) -> list[CorporatePackage]:
        query = self._select().where(CorporatePackage.account_id == account_id)
        query = query.order_by(CorporatePackage.starts_on, CorporatePackage.name)
        return list(self.db.execute(query).scalars())


class InvoiceRepository(TenantRepository[CorporateInvoice]):
    model = CorporateInvoice
    noun = "corporate invoice"

    def of_account(
        self, account_id: uuid.UUID, period_start: date | None = None
    ) -> list[CorporateInvoice]:
        query = self._select().where(CorporateInvoice.account_id == account_id)
        if period_start is not None:
            query = query.where(CorporateInvoice.period_start == period_start)
        query = query.order_by(CorporateInvoice.period_start.desc())
        return list(self.db.execute(query).scalars())

    def next_sequence(self) -> int:
        """The next invoice's sequence: invoices are never deleted, so a count is gapless."""
        count = self.db.execute(
            select(func.count()).where(CorporateInvoice.tenant_id == self.tenant_id)
        ).scalar_one()
        return int(count) + 1


def lock_tenant(db: Session, tenant_id: uuid.UUID) -> Tenant:
    """The tenant row, locked: invoices of one tenant are numbered one at a time."""
    tenant = db.execute(select(Tenant).where(Tenant.id == tenant_id).with_for_update()).scalar_one()
    return tenant


def tenant_currency(db: Session, tenant_id: uuid.UUID) -> str:
    return str(db.execute(select(Tenant.currency).where(Tenant.id == tenant_id)).scalar_one())


def missing_plans(db: Session, tenant_id: uuid.UUID, ids: Collection[uuid.UUID]) -> list[str]:
    found = set(
        db.execute(
            select(AccessPlan.id).where(AccessPlan.tenant_id == tenant_id, AccessPlan.id.in_(ids))
        ).scalars()
    )
    return sorted(str(i) for i in set(ids) - found)


def missing_journeys(db: Session, tenant_id: uuid.UUID, ids: Collection[uuid.UUID]) -> list[str]:
    found = set(
        db.execute(
            select(JourneyTemplate.id).where(
                JourneyTemplate.tenant_id == tenant_id, JourneyTemplate.id.in_(ids)
            )
        ).scalars()
    )
    return sorted(str(i) for i in set(ids) - found)


def seats_taken(
    db: Session, tenant_id: uuid.UUID, package_ids: Collection[uuid.UUID], today: date
) -> Counter[uuid.UUID]:
    """Per package: activated roster rows not ended, or ended but covered today."""
    rows = db.execute(
        select(CorporateEmployee.package_id, func.count())
        .where(
            CorporateEmployee.tenant_id == tenant_id,
            CorporateEmployee.package_id.in_(package_ids),
            CorporateEmployee.member_id.is_not(None),
            or_(
                CorporateEmployee.status != "ended",
                CorporateEmployee.covered_until >= today,
            ),
        )
        .group_by(CorporateEmployee.package_id)
    ).all()
    return Counter({package_id: int(count) for package_id, count in rows if package_id})


def roster_on(
    db: Session, tenant_id: uuid.UUID, package_ids: Collection[uuid.UUID]
) -> Sequence[CorporateEmployee]:
    """Activated roster rows on the packages (who holds a seat in a month is a rule)."""
    query = select(CorporateEmployee).where(
        CorporateEmployee.tenant_id == tenant_id,
        CorporateEmployee.package_id.in_(package_ids),
        CorporateEmployee.member_id.is_not(None),
    )
    return list(db.execute(query).scalars())


def departments(
    db: Session, tenant_id: uuid.UUID, account_id: uuid.UUID
) -> dict[uuid.UUID, CorporateDepartment]:
    query = select(CorporateDepartment).where(
        CorporateDepartment.tenant_id == tenant_id, CorporateDepartment.account_id == account_id
    )
    return {d.id: d for d in db.execute(query).scalars()}


def employees(
    db: Session, tenant_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, CorporateEmployee]:
    query = select(CorporateEmployee).where(
        CorporateEmployee.tenant_id == tenant_id, CorporateEmployee.id.in_(ids)
    )
    return {e.id: e for e in db.execute(query).scalars()}


def visits(
    db: Session,
    tenant_id: uuid.UUID,
    member_ids: Collection[uuid.UUID],
    start: datetime,
    end: datetime,
) -> Counter[uuid.UUID]:
    """Admissions per member in [start, end): re-entries are no visit of their own."""
    if not member_ids:
        return Counter()
    rows = db.execute(
        select(Checkin.member_id, func.count())
        .where(
            Checkin.tenant_id == tenant_id,
            Checkin.member_id.in_(member_ids),
            Checkin.admitted,
            Checkin.repeat_of.is_(None),
            Checkin.occurred_at >= start,
            Checkin.occurred_at < end,
        )
        .group_by(Checkin.member_id)
    ).all()
    return Counter({member_id: int(count) for member_id, count in rows})


def moved(
    db: Session, tenant_id: uuid.UUID, member_ids: Collection[uuid.UUID], first: date, last: date
) -> set[uuid.UUID]:
    """Members with a movement event (not voided) on a local day of first..last."""
    if not member_ids:
        return set()
    rows = db.execute(
        select(MovementEvent.member_id)
        .where(
            MovementEvent.tenant_id == tenant_id,
            MovementEvent.member_id.in_(member_ids),
            MovementEvent.local_date >= first,
            MovementEvent.local_date <= last,
            MovementEvent.is_void.is_(False),
            MovementEvent.voided_by.is_(None),
        )
        .distinct()
    ).scalars()
    return set(rows)


def accounts_with_packages_in(
    db: Session, tenant_id: uuid.UUID, first: date, last: date
) -> list[CorporateAccount]:
    query = (
        select(CorporateAccount)
        .where(
            CorporateAccount.tenant_id == tenant_id,
            CorporateAccount.id.in_(
                select(CorporatePackage.account_id).where(
                    CorporatePackage.tenant_id == tenant_id,
                    CorporatePackage.starts_on <= last,
                    or_(CorporatePackage.ends_on.is_(None), CorporatePackage.ends_on >= first),
                )
            ),
        )
        .order_by(CorporateAccount.name)
    )
    return list(db.execute(query).scalars())


def tenant_name(db: Session, tenant_id: uuid.UUID) -> str:
    return str(db.execute(select(Tenant.name).where(Tenant.id == tenant_id)).scalar_one())
