"""Reading a coach's members (one query for the page, one for its journeys), whether a
member is a coach's, and the lead coach rows."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from server.coaching import rules
from server.coaching.models import CoachAssignment, CoachContact, CoachingPolicy
from server.engagement.models import MemberEngagement
from server.journeys.models import JourneyEnrolment, JourneyTemplate
from server.members.models import Member
from server.members.repository import seen_at
from server.staff.models import StaffAccount
from shared.carepath.enrolment import LIVE

_LIVE = sorted(s.value for s in LIVE)


def slipping_below(db: Session, tenant_id: uuid.UUID) -> float:
    row = db.get(CoachingPolicy, tenant_id)
    return rules.DEFAULT_SLIPPING_BELOW if row is None else float(row.slipping_below)


def coached_by(tenant_id: uuid.UUID, coach_id: uuid.UUID) -> ColumnElement[bool]:
    """Members whose lead coach is ``coach_id`` or who are on a live journey with them."""
    assigned = select(CoachAssignment.member_id).where(
        CoachAssignment.tenant_id == tenant_id, CoachAssignment.coach_id == coach_id
    )
    journeys = select(JourneyEnrolment.member_id).where(
        JourneyEnrolment.tenant_id == tenant_id,
        JourneyEnrolment.coach_id == coach_id,
        JourneyEnrolment.status.in_(_LIVE),
    )
    return or_(Member.id.in_(assigned), Member.id.in_(journeys))


def is_coached_by(
    db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID, coach_id: uuid.UUID
) -> bool:
    assigned = exists().where(
        CoachAssignment.tenant_id == tenant_id,
        CoachAssignment.member_id == member_id,
        CoachAssignment.coach_id == coach_id,
    )
    journey = exists().where(
        JourneyEnrolment.tenant_id == tenant_id,
        JourneyEnrolment.member_id == member_id,
        JourneyEnrolment.coach_id == coach_id,
        JourneyEnrolment.status.in_(_LIVE),
    )
    return bool(db.execute(select(or_(assigned, journey))).scalar())


def live_member(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID) -> Member | None:
    member = db.get(Member, (tenant_id, member_id))
    return None if member is None or member.archived_at is not None else member


@dataclass(frozen=True, slots=True)
class ListFilter:
    coach_id: uuid.UUID | None
    standing: str | None  # "slipping", "steady" or None
    location_ids: Collection[uuid.UUID] | None
    threshold: float
    today: date
    #: One member only (a member's own page).
    member_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Row:
    member_id: uuid.UUID
    first_name: str
    last_name: str
    score: float
    daily: int
    weekly: int
    last_active_on: date | None
    coach_id: uuid.UUID | None
    coach_name: str | None
    last_contact_at: datetime | None


def _slipping(f: ListFilter) -> ColumnElement[bool]:
    cut = f.today - timedelta(days=rules.INACTIVE_DAYS)
    score = func.coalesce(MemberEngagement.score, 0.0)
    return or_(
        score < f.threshold,
        MemberEngagement.last_active_on.is_(None),
        MemberEngagement.last_active_on <= cut,
    )


def page(
    db: Session, tenant_id: uuid.UUID, f: ListFilter, limit: int, offset: int
) -> tuple[list[Row], int | None]:
    """One page in the order of ``rules.order_key``, and the total (None when the page is
    past the end: the window count came back with no row)."""
    slip = _slipping(f)
    score = func.coalesce(MemberEngagement.score, 0.0)
    last_contact = (
        select(func.max(CoachContact.at))
        .where(CoachContact.tenant_id == tenant_id, CoachContact.member_id == Member.id)
        .scalar_subquery()
    )
    where: list[ColumnElement[bool]] = [
        Member.tenant_id == tenant_id,
        Member.archived_at.is_(None),
        *seen_at(f.location_ids),
    ]
    if f.coach_id is not None:
        where.append(coached_by(tenant_id, f.coach_id))
    if f.member_id is not None:
        where.append(Member.id == f.member_id)
    if f.standing == "slipping":
        where.append(slip)
    elif f.standing == "steady":
        where.append(not_(slip))
    statement: Any = (
        select(
            Member.id,
            Member.first_name,
            Member.last_name,
            score,
            func.coalesce(MemberEngagement.daily_current, 0),
            func.coalesce(MemberEngagement.weekly_current, 0),
            MemberEngagement.last_active_on,
            CoachAssignment.coach_id,
            StaffAccount.name,
            last_contact,
            func.count().over(),
        )
        .select_from(Member)
        .outerjoin(
            MemberEngagement,
            and_(
                MemberEngagement.tenant_id == Member.tenant_id,
                MemberEngagement.member_id == Member.id,
            ),
        )
        .outerjoin(
            CoachAssignment,
            and_(
                CoachAssignment.tenant_id == Member.tenant_id,
                CoachAssignment.member_id == Member.id,
            ),
        )
        .outerjoin(
            StaffAccount,
            and_(
                StaffAccount.tenant_id == CoachAssignment.tenant_id,
                StaffAccount.id == CoachAssignment.coach_id,
            ),
        )
        .where(*where)
        .order_by(
            case((slip, 0), else_=1),
            case((slip, score)),
            case((slip, MemberEngagement.last_active_on)).nulls_first(),
            func.lower(Member.last_name),
            func.lower(Member.first_name),
            Member.id,
        )
        .limit(limit)
        .offset(offset)
    )
    rows: list[Row] = []
    total: int | None = None
    for r in db.execute(statement):
        rows.append(Row(*r[:10]))
        total = int(r[10])
    return rows, total


def count(db: Session, tenant_id: uuid.UUID, f: ListFilter) -> int:
    """The total when the page came back empty (an offset past the end)."""
    _, total = page(db, tenant_id, f, 1, 0)
    return total or 0


@dataclass(frozen=True, slots=True)
class Journey:
    member_id: uuid.UUID
    enrolment_id: uuid.UUID
    name: str
    status: str
    adherence: float


def live_journeys(
    db: Session, tenant_id: uuid.UUID, member_ids: Sequence[uuid.UUID]
) -> list[Journey]:
    if not member_ids:
        return []
    statement = (
        select(
            JourneyEnrolment.member_id,
            JourneyEnrolment.id,
            JourneyTemplate.name,
            JourneyEnrolment.status,
            JourneyEnrolment.adherence,
        )
        .join(
            JourneyTemplate,
            and_(
                JourneyTemplate.tenant_id == JourneyEnrolment.tenant_id,
                JourneyTemplate.id == JourneyEnrolment.template_id,
            ),
        )
        .where(
            JourneyEnrolment.tenant_id == tenant_id,
            JourneyEnrolment.member_id.in_(list(member_ids)),
            JourneyEnrolment.status.in_(_LIVE),
        )
        .order_by(JourneyEnrolment.starts_on, JourneyEnrolment.id)
    )
    return [Journey(r[0], r[1], r[2], r[3], float(r[4] or 0)) for r in db.execute(statement)]


def staff_names(
    db: Session, tenant_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    return {
        r.id: r.name
        for r in db.execute(
            select(StaffAccount.id, StaffAccount.name).where(
                StaffAccount.tenant_id == tenant_id, StaffAccount.id.in_(wanted)
            )
        )
    }


def staff(db: Session, tenant_id: uuid.UUID, staff_id: uuid.UUID) -> StaffAccount | None:
    return db.get(StaffAccount, (tenant_id, staff_id))


def coaches(db: Session, tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """Active coaches by name (who may lead members)."""
    return [
        (r.id, r.name)
        for r in db.execute(
            select(StaffAccount.id, StaffAccount.name)
            .where(
                StaffAccount.tenant_id == tenant_id,
                StaffAccount.role == "coach",
                StaffAccount.active.is_(True),
            )
            .order_by(StaffAccount.name, StaffAccount.id)
        )
    ]
