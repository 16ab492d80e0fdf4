"""What a signed-in member reads about themselves. Read-only use cases, each one query (or
two) over the domains that hold the data; other members' rows are never in reach."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.bookings.models import Booking
from server.checkin.models import Checkin
from server.checkin.repository import CheckinRepository
from server.db.uow import UnitOfWork
from server.errors import NotFound
from server.me.schemas import (
    MyBooking,
    MyBookingPage,
    MyCheckin,
    MyCheckinPage,
    MyMembership,
    MyMembershipPage,
    MySession,
    MySessionBooking,
)
from server.members.repository import MemberRepository
from server.plans.membership_service import to_read
from server.plans.models import AccessPlan, Membership
from server.plans.repository import MembershipRepository
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import with_type_and_location
from server.staff.models import StaffAccount
from server.tenants.models import Location
from shared.clock import utcnow
from shared.eligibility import period_bounds
from shared.enums import BookingStatus, LimitPeriod, SessionStatus


def _local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def _home_zone(uow: UnitOfWork, claims: AccessClaims) -> str | None:
    """The zone visit periods are shown in, unless a membership has a home of its own: the
    member's home location's, else the provider's first location's (a one-site studio's
    door counts in it)."""
    member = MemberRepository(uow.db, claims.tenant_id).get(claims.subject_id)
    if member is None:
        raise NotFound("your member account no longer exists")
    query = select(Location.timezone).where(Location.tenant_id == claims.tenant_id)
    if member.home_location_id is not None:
        query = query.where(Location.id == member.home_location_id)
    zone: str | None = uow.db.execute(
        query.order_by(Location.created_at, Location.id).limit(1)
    ).scalar_one_or_none()
    return zone


def _my_membership(
    uow: UnitOfWork, membership: Membership, plan: AccessPlan, zone: str | None, now: datetime
) -> MyMembership:
    read = to_read(membership, plan, zone)
    period = LimitPeriod(plan.visit_limit_period) if plan.visit_limit_period else None
    used: int | None = None
    resets: datetime | None = None
    if period is not None and plan.visit_limit is not None:
        start, resets = period_bounds(now, ZoneInfo(zone or "UTC"), period)
        counts = CheckinRepository(uow.db, membership.tenant_id).admissions(
            [membership.id], start, resets
        )
        used = counts.get(membership.id, 0)
    return MyMembership(
        id=membership.id,
        plan_id=plan.id,
        plan_name=plan.name,
        plan_kind=read.plan_kind,
        status=read.status,
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
        frozen_until=membership.frozen_until,
        credits_left=membership.credits_remaining,
        visit_limit=plan.visit_limit,
        visit_limit_period=period,
        visits_used=used,
        period_resets_at=resets,
        period_resets_local=_local(resets, zone or "UTC") if resets else None,
        timezone=zone or ("UTC" if resets else None),
        # Renewals come with recurring billing; read the date when the membership has one.
        next_renewal_on=_renewal(membership),
    )


def _renewal(membership: Membership) -> date | None:
    value: Any = getattr(membership, "next_renewal_on", None)
    return value if isinstance(value, date) else None


def memberships(
    *, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int
) -> MyMembershipPage:
    """The member's memberships, newest first: one page of them (a member holds a few)."""
    with uow:
        home = _home_zone(uow, claims)
        rows = sorted(
            MembershipRepository(uow.db, claims.tenant_id).of_member(claims.subject_id),
            key=lambda row: (row[0].starts_on, row[0].id),
            reverse=True,
        )
        now = utcnow()
        page = rows[offset : offset + limit]
        return MyMembershipPage(
            items=[_my_membership(uow, m, p, zone or home, now) for m, p, zone in page],
            next_offset=offset + limit if len(rows) > offset + limit else None,
        )


def checkins(*, uow: UnitOfWork, claims: AccessClaims, limit: int, offset: int) -> MyCheckinPage:
    """The member's visits, latest first: admissions, without re-entries of the same visit."""
    with uow:
        query = (
            select(Checkin, Location.name, Location.timezone)
            .join(
                Location,
                (Location.tenant_id == Checkin.tenant_id) & (Location.id == Checkin.location_id),
            )
            .where(
                Checkin.tenant_id == claims.tenant_id,
                Checkin.member_id == claims.subject_id,
                Checkin.admitted.is_(True),
                Checkin.repeat_of.is_(None),
            )
            .order_by(Checkin.occurred_at.desc(), Checkin.id)
            .limit(limit + 1)
            .offset(offset)
        )
        rows = uow.db.execute(query).all()
        items = [
            MyCheckin(
                id=checkin.id,
                occurred_at=checkin.occurred_at,
                occurred_at_local=_local(checkin.occurred_at, zone),
                timezone=zone,
                location_id=checkin.location_id,
                location_name=name,
                membership_id=checkin.membership_id,
                method=checkin.method,
            )
            for checkin, name, zone in rows[:limit]
        ]
        return MyCheckinPage(items=items, next_offset=offset + limit if len(rows) > limit else None)


def _session_rows() -> Any:
    return with_type_and_location(
        select(ClassSession, SessionType, Location, StaffAccount.name)
    ).outerjoin(
        StaffAccount,
        (StaffAccount.tenant_id == ClassSession.tenant_id)
        & (StaffAccount.id == ClassSession.instructor_id),
    )


def bookings(
    *, uow: UnitOfWork, claims: AccessClaims, upcoming: bool, limit: int, offset: int
) -> MyBookingPage:
    """The member's bookings (upcoming: soonest first; past: latest first) with their class's
    name, place, coach and local times."""
    now = utcnow()
    query = (
        _session_rows()
        .add_columns(Booking)
        .join(
            Booking,
            (Booking.tenant_id == ClassSession.tenant_id) & (Booking.session_id == ClassSession.id),
        )
        .where(Booking.tenant_id == claims.tenant_id, Booking.member_id == claims.subject_id)
    )
    if upcoming:
        query = query.where(Booking.ends_at > now).order_by(Booking.starts_at, Booking.id)
    else:
        query = query.where(Booking.ends_at <= now).order_by(Booking.starts_at.desc(), Booking.id)
    with uow:
        rows = uow.db.execute(query.limit(limit + 1).offset(offset)).all()
        items = [
            MyBooking.model_validate(
                {
                    **_booking_fields(booking),
                    "session_type_name": kind.name,
                    "location_id": location.id,
                    "location_name": location.name,
                    "instructor_name": coach,
                    "timezone": location.timezone,
                    "starts_at_local": _local(session.starts_at, location.timezone),
                    "ends_at_local": _local(session.ends_at, location.timezone),
                }
            )
            for session, kind, location, coach, booking in rows[:limit]
        ]
        return MyBookingPage(items=items, next_offset=offset + limit if len(rows) > limit else None)


def _booking_fields(booking: Booking) -> dict[str, Any]:
    return {
        name: getattr(booking, name) for name in MyBooking.model_fields if hasattr(booking, name)
    }


def session(*, uow: UnitOfWork, claims: AccessClaims, session_id: uuid.UUID) -> MySession:
    """A class of the member's provider, as they read it: places left, and their booking."""
    with uow:
        row = uow.db.execute(
            _session_rows().where(
                ClassSession.tenant_id == claims.tenant_id, ClassSession.id == session_id
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"session {session_id} was not found")
        found, kind, location, coach = row
        return MySession(
            id=found.id,
            session_type_id=kind.id,
            session_type_name=kind.name,
            description=kind.description,
            status=SessionStatus(found.status),
            location_id=location.id,
            location_name=location.name,
            timezone=location.timezone,
            instructor_name=coach,
            starts_at=found.starts_at,
            ends_at=found.ends_at,
            starts_at_local=_local(found.starts_at, location.timezone),
            ends_at_local=_local(found.ends_at, location.timezone),
            room=found.room,
            capacity=found.capacity,
            places_left=max(0, found.capacity - found.confirmed_count),
            waitlist_count=found.waitlist_count,
            my_booking=_my_booking(uow, claims, session_id),
        )


def _my_booking(
    uow: UnitOfWork, claims: AccessClaims, session_id: uuid.UUID
) -> MySessionBooking | None:
    """The member's latest booking of the session (a rebooking after a cancel wins)."""
    mine = uow.db.execute(
        select(Booking)
        .where(
            Booking.tenant_id == claims.tenant_id,
            Booking.session_id == session_id,
            Booking.member_id == claims.subject_id,
        )
        .order_by(Booking.booked_at.desc(), Booking.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if mine is None:
        return None
    place = None
    if mine.status == BookingStatus.WAITLISTED.value:
        place = uow.db.execute(
            select(func.count()).where(
                Booking.tenant_id == claims.tenant_id,
                Booking.session_id == session_id,
                Booking.status == BookingStatus.WAITLISTED.value,
                Booking.position <= mine.position,
            )
        ).scalar_one()
    return MySessionBooking(id=mine.id, status=BookingStatus(mine.status), waitlist_place=place)
