"""The waitlist: a freed place goes to the first in line at once, in the same transaction
that freed it, and the promoted member is told."""

from __future__ import annotations

import uuid

from server.bookings import notify, rules
from server.bookings.models import Booking
from server.bookings.repository import BookingRepository, SessionCounters
from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.scheduling.models import SessionType
from shared.clock import utcnow
from shared.enums import BookingStatus


def release_place(uow: UnitOfWork, booking: Booking, new: BookingStatus, **values: object) -> int:
    """End an active booking: counters follow, its place (if it held one) goes to the line.

    Returns how many were promoted. Raises Conflict if the booking changed meanwhile.
    """
    tenant_id = booking.tenant_id
    counters = SessionCounters(uow.db, tenant_id)
    held = booking.status in rules.HOLDS_PLACE
    waiting = booking.status == BookingStatus.WAITLISTED
    if not (held or waiting):
        raise Conflict(f"this booking is already {booking.status}", code="booking_inactive")
    counters.adjust(
        booking.session_id, confirmed=-1 if held else 0, waitlisted=-1 if waiting else 0
    )
    if not BookingRepository(uow.db, tenant_id).change_status(booking, new, **values):
        raise Conflict("this booking changed meanwhile; try again", code="booking_changed")
    return promote(uow, tenant_id, booking.session_id) if held else 0


def promote(uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID) -> int:
    """Fill free places from the waitlist in position order; tell each promoted member."""
    bookings = BookingRepository(uow.db, tenant_id)
    counters = SessionCounters(uow.db, tenant_id)
    kind_needs_approval: bool | None = None
    promoted = 0
    while True:
        first = bookings.first_waitlisted(session_id)
        if first is None or not counters.promote_one(session_id):
            return promoted
        if kind_needs_approval is None:
            class_session = counters.read(session_id)
            assert class_session is not None
            kind = uow.db.get(SessionType, (tenant_id, class_session.session_type_id))
            kind_needs_approval = bool(kind and kind.requires_approval)
        new = BookingStatus.PENDING if kind_needs_approval else BookingStatus.CONFIRMED
        if not bookings.change_status(first, new, promoted_at=utcnow()):
            raise Conflict("the waitlist changed meanwhile; try again", code="booking_changed")
        notify.promoted(uow, first)
        promoted += 1
