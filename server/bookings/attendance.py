"""Attendance: a booked member is there, on time or late (the policy says), recorded once
with one movement event; a no-show recorded earlier is forgiven."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from server.bookings import penalties, rules
from server.bookings.models import Booking
from server.bookings.repository import BookingRepository, SessionCounters, policy_of
from server.checkin.models import Checkin
from server.checkin.policy import door_policy
from server.db.uow import UnitOfWork
from server.engagement import service as engagement_service
from server.errors import Conflict, InvalidInput
from server.ports.analytics import PublishedEvent
from server.scheduling.models import ClassSession, SessionType
from server.sync import changes as sync_changes
from server.tenants.models import Location
from shared.door_rules import class_checkin_refusal
from shared.enums import MovementKind
from shared.movement import MAX_MINUTES_PER_DAY, MovementSource, intensity_of_session_type


@dataclass(frozen=True)
class Attended:
    booking: Booking
    #: The movement event to publish once the caller committed; None when the booking was
    #: marked attended already.
    movement: PublishedEvent | None


def record_attendance(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    booking_id: uuid.UUID,
    checked_in_at: datetime,
    checkin_id: uuid.UUID | None = None,
    enforce_window: bool = True,
) -> Attended:
    """Mark a booked member as there (on time or late), once, with one movement event.

    Only while the class's check-in is open (from the policy's window before the start
    until the end); ``enforce_window`` False: a kiosk's attendance whose time the server
    could not trust (its clock ran far ahead), a fact it checked by its own clock."""
    bookings = BookingRepository(uow.db, tenant_id)
    booking = bookings.get_or_404(booking_id)
    if checkin_id is not None:
        _check_checkin(uow, tenant_id, checkin_id, booking.member_id)
    if booking.attendance in ("on_time", "late"):
        return Attended(booking, None)
    if booking.status not in rules.HOLDS_PLACE:
        raise Conflict(
            f"a {booking.status} booking cannot be checked in", code="booking_not_attendable"
        )
    policy = policy_of(uow.db, tenant_id)
    class_session = SessionCounters(uow.db, tenant_id).read_or_404(booking.session_id)
    if enforce_window:
        _check_window(uow, class_session, checked_in_at)
    attendance = rules.attendance_of(
        class_session.starts_at, checked_in_at, policy.late_after_minutes
    )
    if not _mark(uow, booking, attendance, checked_in_at, checkin_id):
        fresh = bookings.get_or_404(booking_id)
        uow.db.refresh(fresh)
        if fresh.attendance in ("on_time", "late"):
            return Attended(fresh, None)
        raise Conflict("this booking changed meanwhile; try again", code="booking_changed")
    was_no_show = booking.attendance == "no_show"
    booking.attendance, booking.checked_in_at, booking.checkin_id = (
        attendance,
        checked_in_at,
        checkin_id,
    )
    sync_changes.touch(uow.db, Booking, tenant_id, booking.id)
    if was_no_show:
        penalties.forgive_no_show(uow, booking)
    kind = uow.db.get(SessionType, (tenant_id, class_session.session_type_id))
    length = (class_session.ends_at - class_session.starts_at).total_seconds() // 60
    movement = engagement_service.record_movement(
        uow=uow,
        tenant_id=tenant_id,
        member_id=booking.member_id,
        kind=MovementKind.ATTENDANCE,
        occurred_at=checked_in_at,
        location_id=class_session.location_id,
        checkin_id=checkin_id,
        data={"booking_id": str(booking.id), "session_id": str(booking.session_id)},
        minutes=max(0, min(MAX_MINUTES_PER_DAY, int(length))),
        intensity=intensity_of_session_type(kind.intensity if kind is not None else None),
        source=MovementSource.KIOSK if checkin_id is not None else MovementSource.DESK,
        session_id=booking.session_id,
    )
    return Attended(booking, movement)


def _check_window(uow: UnitOfWork, class_session: ClassSession, at: datetime) -> None:
    """A class is checked into from its check-in window before the start until its end."""
    db, tenant_id = uow.db, class_session.tenant_id
    kind = db.get(SessionType, (tenant_id, class_session.session_type_id))
    location = db.get(Location, (tenant_id, class_session.location_id))
    refusal = class_checkin_refusal(
        kind.name if kind is not None else "this class",
        class_session.starts_at,
        class_session.ends_at,
        at,
        door_policy(db, tenant_id),
        ZoneInfo(location.timezone if location is not None else "UTC"),
    )
    if refusal is not None:
        raise Conflict(refusal, code="class_checkin_closed")


def _check_checkin(
    uow: UnitOfWork, tenant_id: uuid.UUID, checkin_id: uuid.UUID, member_id: uuid.UUID
) -> None:
    """The check-in an attendance names is the member's own, of this tenant: the same answer
    for another member's, another tenant's or none."""
    owner = uow.db.execute(
        select(Checkin.member_id).where(Checkin.tenant_id == tenant_id, Checkin.id == checkin_id)
    ).scalar_one_or_none()
    if owner != member_id:
        raise InvalidInput(f"checkin_id {checkin_id} is not a check-in of this booking's member")


def _mark(
    uow: UnitOfWork,
    booking: Booking,
    attendance: str,
    checked_in_at: datetime,
    checkin_id: uuid.UUID | None,
) -> bool:
    """Set the attendance unless someone did meanwhile (a conditional UPDATE)."""
    result = uow.db.execute(
        update(Booking)
        .where(
            Booking.tenant_id == booking.tenant_id,
            Booking.id == booking.id,
            Booking.status.in_([s.value for s in rules.HOLDS_PLACE]),
            (Booking.attendance.is_(None)) | (Booking.attendance == "no_show"),
        )
        .values(attendance=attendance, checked_in_at=checked_in_at, checkin_id=checkin_id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
