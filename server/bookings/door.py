"""A check-in at the door during a class the member booked attends that booking: its
class-pack credit was taken when booking, so the door takes nothing more."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select

from server.bookings import rules
from server.bookings.attendance import record_attendance
from server.bookings.models import Booking
from server.checkin.booked_classes import BookedClass
from server.db.bulk import among, chunks
from server.db.uow import UnitOfWork
from server.ports.analytics import PublishedEvent
from server.scheduling.models import ClassSession
from shared.clock import ensure_utc
from shared.door_rules import DoorPolicy
from shared.enums import SessionStatus


def _attendable_here(location_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """A booking holding a place, not attended yet, of a running class at the location."""
    return [
        Booking.status.in_([s.value for s in rules.HOLDS_PLACE]),
        or_(Booking.attendance.is_(None), Booking.attendance == "no_show"),
        ClassSession.location_id == location_id,
        ClassSession.status != SessionStatus.CANCELLED.value,
    ]


def _with_session() -> ColumnElement[bool]:
    return (ClassSession.tenant_id == Booking.tenant_id) & (ClassSession.id == Booking.session_id)


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
            .join(ClassSession, _with_session())
            .where(
                Booking.tenant_id == tenant_id,
                Booking.member_id == member_id,
                *_attendable_here(location_id),
                ClassSession.starts_at <= at + policy.class_checkin_opens,
                ClassSession.ends_at > at,
            )
            .order_by(ClassSession.starts_at)
            .limit(1)
        )
        found: uuid.UUID | None = uow.db.execute(query).scalar_one_or_none()
        return found

    def booked_between(
        self,
        uow: UnitOfWork,
        *,
        tenant_id: uuid.UUID,
        member_ids: Sequence[uuid.UUID],
        location_id: uuid.UUID,
        start: datetime,
        end: datetime,
        policy: DoorPolicy,
    ) -> list[BookedClass]:
        found: list[BookedClass] = []
        for ids in chunks(member_ids):
            query = (
                select(Booking.id, Booking.member_id, ClassSession.starts_at, ClassSession.ends_at)
                .join(ClassSession, _with_session())
                .where(
                    Booking.tenant_id == tenant_id,
                    among(uow.db, Booking.member_id, ids),
                    *_attendable_here(location_id),
                    ClassSession.starts_at <= end + policy.class_checkin_opens,
                    ClassSession.ends_at > start,
                )
            )
            found += [
                BookedClass(booking_id, member_id, ensure_utc(starts), ensure_utc(ends))
                for booking_id, member_id, starts, ends in uow.db.execute(query)
            ]
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
