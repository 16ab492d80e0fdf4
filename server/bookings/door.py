"""A check-in at the door during a class the member booked attends that booking: its
class-pack credit was taken when booking, so the door takes nothing more."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select

from server.bookings import rules
from server.bookings.attendance import record_attendance
from server.bookings.models import Booking
from server.db.uow import UnitOfWork
from server.ports.analytics import PublishedEvent
from server.scheduling.models import ClassSession
from shared.door_rules import DoorPolicy
from shared.enums import SessionStatus


class BookingsAtTheDoor:
    """:class:`server.checkin.booked_classes.BookedClasses` over the tenant's bookings."""

    def at_door(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        member_id: uuid.UUID,
        location_id: uuid.UUID,
        at: datetime,
        policy: DoorPolicy,
    ) -> uuid.UUID | None:
        query = (
            select(Booking.id)
            .join(
                ClassSession,
                (ClassSession.tenant_id == Booking.tenant_id)
                & (ClassSession.id == Booking.session_id),
            )
            .where(
                Booking.tenant_id == tenant_id,
                Booking.member_id == member_id,
                Booking.status.in_([s.value for s in rules.HOLDS_PLACE]),
                or_(Booking.attendance.is_(None), Booking.attendance == "no_show"),
                ClassSession.location_id == location_id,
                ClassSession.status != SessionStatus.CANCELLED.value,
                ClassSession.starts_at <= at + policy.class_checkin_opens,
                ClassSession.ends_at > at,
            )
            .order_by(ClassSession.starts_at)
            .limit(1)
        )
        found: uuid.UUID | None = uow.db.execute(query).scalar_one_or_none()
        return found

    def attend(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        booking_id: uuid.UUID,
        at: datetime,
        checkin_id: uuid.UUID,
    ) -> PublishedEvent | None:
        attended = record_attendance(
            uow=uow,
            tenant_id=tenant_id,
            booking_id=booking_id,
            checked_in_at=at,
            checkin_id=checkin_id,
        )
        return attended.movement
