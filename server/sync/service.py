"""What a kiosk downloads first, and again after its cursor expired (DESIGN.md §5.8)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.bookings.models import Booking
from server.db.uow import UnitOfWork
from server.devices import service as devices_service
from server.errors import NotFound
from server.passes import service as passes_service
from server.passes.repository import MemberPassRepository
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, SessionType
from server.staff.models import StaffAccount
from server.staff.repository import StaffRepository, active_staff_for_location
from server.sync import pull, review, tables
from server.sync.repository import KioskScope
from server.tenants.repository import LocationRepository, TenantDirectory
from shared.clock import utcnow
from shared.eligibility import period_bounds
from shared.enums import LimitPeriod, StaffRole
from shared.sync.snapshot import (
    KioskSnapshot,
    SnapshotBooking,
    SnapshotCheckin,
    SnapshotClassSession,
    SnapshotMember,
    SnapshotMembership,
    SnapshotPlan,
    SnapshotSessionType,
    SnapshotStaff,
    SnapshotTenant,
)

#: Memberships that ended this long ago still travel, so a refusal can say when they ended.
ENDED_RECENTLY = timedelta(days=62)


def snapshot(*, uow: UnitOfWork, claims: AccessClaims) -> KioskSnapshot:
    with uow:
        device = devices_service.require_live_device(uow=uow, claims=claims)
        location = LocationRepository(uow.session, claims.tenant_id).get(device.location_id)
        if location is None:
            raise NotFound("this kiosk's location has been archived", code="location_archived")
        tenant = TenantDirectory(uow.session, claims.tenant_id).current()
        staff = active_staff_for_location(
            StaffRepository(uow.session, claims.tenant_id), location.id
        )
        # Read first: everything numbered up to here is committed, so the rows read below
        # include it (they may include later changes too, which a pull then repeats).
        cursor = pull.current_cursor(uow.session, claims.tenant_id, location.id)
        now = utcnow()
        tz = ZoneInfo(location.timezone)
        scope = KioskScope(uow.session, claims.tenant_id)
        plans = {
            plan.id: SnapshotPlan.model_validate(plan, from_attributes=True)
            for plan in scope.plans()
        }
        starts = {period: period_bounds(now, tz, period)[0] for period in LimitPeriod}
        memberships = []
        limited: set[uuid.UUID] = set()
        for row in scope.memberships(ended_after=(now - ENDED_RECENTLY).date()):
            if plans[row.plan_id].visit_limit_period:
                limited.add(row.id)
            memberships.append(SnapshotMembership.model_validate(row, from_attributes=True))
        # The kiosk counts visits from these check-ins (and the ones it pulls or makes).
        counted = scope.admitted_checkins(min(starts.values()), limited)
        yesterday = datetime.combine(now.astimezone(tz).date() - timedelta(days=1), time(), tz)
        types, sessions, bookings = _bookable(
            uow.session, claims.tenant_id, location.id, since=yesterday
        )
        return KioskSnapshot(
            tenant=SnapshotTenant(id=tenant.id, name=tenant.name),
            location=tables.location_shape(location),
            staff=[
                SnapshotStaff(id=s.id, name=s.name, role=StaffRole(s.role), pin_hash=s.pin_hash)
                for s in staff
            ],
            server_time=now,
            plans=list(plans.values()),
            members=[
                SnapshotMember.model_validate(m, from_attributes=True) for m in scope.members()
            ],
            memberships=memberships,
            pass_keys=passes_service.published_keys(uow, claims.tenant_id),
            checkins=[SnapshotCheckin.model_validate(c, from_attributes=True) for c in counted],
            revoked_pass_ids=MemberPassRepository(uow.session, claims.tenant_id).revoked_ids(now),
            cursor=cursor,
            review_items=[
                tables.review_shape(item)
                for item in review.open_for_location(uow.session, claims.tenant_id, location.id)
            ],
            session_types=types,
            class_sessions=sessions,
            bookings=bookings,
        )


def _bookable(
    db: Session, tenant_id: uuid.UUID, location_id: uuid.UUID, *, since: datetime
) -> tuple[list[SnapshotSessionType], list[SnapshotClassSession], list[SnapshotBooking]]:
    """Session types, this location's sessions from ``since`` on, and their bookings."""
    types: Sequence[SessionType] = (
        db.execute(select(SessionType).where(SessionType.tenant_id == tenant_id)).scalars().all()
    )
    type_names = {t.id: t.name for t in types}
    staff = select(StaffAccount.id, StaffAccount.name).where(StaffAccount.tenant_id == tenant_id)
    staff_names = {row.id: row.name for row in db.execute(staff)}
    in_scope = (
        ClassSession.tenant_id == tenant_id,
        ClassSession.location_id == location_id,
        ClassSession.starts_at >= since,
    )
    sessions = db.execute(
        select(ClassSession).where(*in_scope).order_by(ClassSession.starts_at, ClassSession.id)
    ).scalars()
    bookings = db.execute(
        select(Booking)
        .join(
            ClassSession,
            (ClassSession.tenant_id == Booking.tenant_id) & (ClassSession.id == Booking.session_id),
        )
        .where(Booking.tenant_id == tenant_id, *in_scope)
        .order_by(Booking.session_id, Booking.position)
    ).scalars()
    return (
        [tables.session_type_shape(t) for t in types],
        [
            tables.session_shape(
                s,
                type_names.get(s.session_type_id, ""),
                staff_names.get(s.instructor_id) if s.instructor_id else None,
            )
            for s in sessions
        ],
        [tables.booking_shape(b) for b in bookings],
    )
