"""What corporate reports read: the account's roster, and per employee who became a member
their movement by month, their journeys, their challenges and their consents. Summed by
the database per member (never per event in Python), so a 5,000-employee year is a few
thousand rows. Read through the session's connection: plain columns, no ORM loading."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from server.challenges.models import Challenge, ChallengeParticipant
from server.corporate.models import CorporateConsent, CorporateDepartment, CorporateEmployee
from server.engagement.models import MovementEvent
from server.journeys.models import JourneyEnrolment
from server.tenants.models import Tenant
from shared.enums import Intensity


@dataclass(frozen=True, slots=True)
class RosterRow:
    id: uuid.UUID
    employee_ref: str | None
    first_name: str | None
    last_name: str | None
    department_id: uuid.UUID | None
    location_id: uuid.UUID | None
    status: str
    covered_until: date | None
    listed_on: datetime
    member_id: uuid.UUID | None
    activated_at: datetime | None


def min_group_setting(db: Session, tenant_id: uuid.UUID) -> int | None:
    return db.execute(
        select(Tenant.corporate_min_group).where(Tenant.id == tenant_id)
    ).scalar_one_or_none()


def departments(db: Session, tenant_id: uuid.UUID, account_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = db.execute(
        select(CorporateDepartment.id, CorporateDepartment.name)
        .where(
            CorporateDepartment.tenant_id == tenant_id,
            CorporateDepartment.account_id == account_id,
        )
        .order_by(CorporateDepartment.name)
    )
    return {r.id: r.name for r in rows}


def roster(db: Session, tenant_id: uuid.UUID, account_id: uuid.UUID) -> list[RosterRow]:
    e = CorporateEmployee
    rows = db.connection().execute(
        select(
            e.id,
            e.employee_ref,
            e.first_name,
            e.last_name,
            e.department_id,
            e.location_id,
            e.status,
            e.covered_until,
            e.created_at,
            e.member_id,
            e.activated_at,
        ).where(e.tenant_id == tenant_id, e.account_id == account_id)
    )
    return [RosterRow(*r) for r in rows]


def _account_members(tenant_id: uuid.UUID, account_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return select(CorporateEmployee.member_id).where(
        CorporateEmployee.tenant_id == tenant_id,
        CorporateEmployee.account_id == account_id,
        CorporateEmployee.member_id.is_not(None),
    )


@dataclass(frozen=True, slots=True)
class Moved:
    #: Bit i set: the member moved in month i (of the months asked).
    months: int
    #: From the first month of the period on: events, moderate-equivalent minutes, and
    #: months with any movement.
    sessions: int
    weighted: int
    active_months: int


def movement(
    db: Session,
    tenant_id: uuid.UUID,
    account_id: uuid.UUID,
    month_starts: Sequence[date],
    period_from: int,
    end: date,
) -> dict[uuid.UUID, Moved]:
    """Per member of the account who moved from the first month to ``end`` (voids and
    voided events left out): one row each, grouped once by member (the order of the
    index, so no sort), the months a member moved in summed as distinct bits."""
    m = MovementEvent
    whens = [(m.local_date < start, 1 << (i - 1)) for i, start in enumerate(month_starts) if i > 0]
    bit = case(*whens, else_=1 << (len(month_starts) - 1)) if whens else literal(1)
    vigorous = (Intensity.VIGOROUS.value, Intensity.HIGH.value)
    weighted = case(
        (m.intensity == Intensity.MODERATE.value, m.minutes),
        (m.intensity.in_(vigorous), 2 * m.minutes),
        else_=0,
    )
    in_period = m.local_date >= month_starts[period_from]
    rows = db.connection().execute(
        select(
            m.member_id,
            func.sum(bit.distinct()),
            func.sum(case((in_period, 1), else_=0)),
            func.sum(case((in_period, weighted), else_=0)),
        )
        .where(
            m.tenant_id == tenant_id,
            m.member_id.in_(_account_members(tenant_id, account_id)),
            m.local_date >= month_starts[0],
            m.local_date <= end,
            m.is_void.is_(False),
            m.voided_by.is_(None),
        )
        .group_by(m.member_id)
    )
    found = {}
    for member, months, sessions, weighted_minutes in rows:
        mask = int(months or 0)
        found[member] = Moved(
            mask, int(sessions or 0), int(weighted_minutes or 0), (mask >> period_from).bit_count()
        )
    return found


@dataclass(frozen=True, slots=True)
class Journeys:
    started: int
    completed: int
    #: The best mean adherence of the journeys started.
    adherence: float


def journeys(
    db: Session, tenant_id: uuid.UUID, account_id: uuid.UUID, first: date, last: date
) -> dict[uuid.UUID, Journeys]:
    """Per member: the journeys started in the period, how many of them completed, and the
    best adherence among them."""
    j = JourneyEnrolment
    rows = db.connection().execute(
        select(
            j.member_id,
            func.count(),
            func.sum(case((j.status == "completed", 1), else_=0)),
            func.max(j.adherence),
        )
        .where(
            j.tenant_id == tenant_id,
            j.member_id.in_(_account_members(tenant_id, account_id)),
            j.starts_on >= first,
            j.starts_on <= last,
        )
        .group_by(j.member_id)
    )
    return {r[0]: Journeys(int(r[1]), int(r[2] or 0), float(r[3] or 0.0)) for r in rows}


def challengers(
    db: Session, tenant_id: uuid.UUID, account_id: uuid.UUID, first: date, last: date
) -> dict[uuid.UUID, int]:
    """Per member: the challenges running in the period they joined."""
    p, c = ChallengeParticipant, Challenge
    rows = db.connection().execute(
        select(p.member_id, func.count())
        .join(c, and_(c.tenant_id == p.tenant_id, c.id == p.challenge_id))
        .where(
            p.tenant_id == tenant_id,
            p.member_id.in_(_account_members(tenant_id, account_id)),
            c.starts_on <= last,
            c.ends_on >= first,
            c.cancelled_at.is_(None),
        )
        .group_by(p.member_id)
    )
    return {r[0]: int(r[1]) for r in rows}


def consenting(
    db: Session, tenant_id: uuid.UUID, employee_ids: Sequence[uuid.UUID] | None, scope: str
) -> set[uuid.UUID]:
    """The employees (of ``employee_ids``; None: any) whose consent of ``scope`` stands."""
    c = CorporateConsent
    query = select(c.employee_id).where(
        c.tenant_id == tenant_id, c.scope == scope, c.revoked_at.is_(None)
    )
    if employee_ids is not None:
        query = query.where(c.employee_id.in_(employee_ids))
    return set(db.execute(query).scalars())


def member_roster_rows(
    db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> list[CorporateEmployee]:
    return list(
        db.execute(
            select(CorporateEmployee).where(
                CorporateEmployee.tenant_id == tenant_id,
                CorporateEmployee.member_id == member_id,
                or_(
                    CorporateEmployee.status == "active",
                    CorporateEmployee.covered_until.is_not(None),
                ),
            )
        ).scalars()
    )


def consents_of(
    db: Session, tenant_id: uuid.UUID, employee_ids: Sequence[uuid.UUID]
) -> list[CorporateConsent]:
    if not employee_ids:
        return []
    return list(
        db.execute(
            select(CorporateConsent)
            .where(
                CorporateConsent.tenant_id == tenant_id,
                CorporateConsent.employee_id.in_(employee_ids),
            )
            .order_by(CorporateConsent.granted_at)
        ).scalars()
    )
