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
from server.screening import gate
from server.screening.state import screening_state, today_in
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
    """Fill free places from the waitlist in position order; tell each promoted member.

    A member the screening gate holds back (awaiting clearance, for a class above low
    intensity) is passed over and told so, once for the class however many places free;
    they keep their place in line for later."""
    bookings = BookingRepository(uow.db, tenant_id)
    counters = SessionCounters(uow.db, tenant_id)
    kind: SessionType | None = None
    kind_read = False
    passed: set[uuid.UUID] = set()
    promoted = 0
    while True:
        first = bookings.first_waitlisted(session_id, passing=passed)
        if first is None:
            return promoted
        if not kind_read:
            class_session = counters.read(session_id)
            assert class_session is not None
            kind = uow.db.get(SessionType, (tenant_id, class_session.session_type_id))
            kind_read = True
        if _held_back(uow, tenant_id, first, kind):
            if not _has_free_place(counters, session_id):
                return promoted
            passed.add(first.id)
            if first.held_back_told_at is None:
                first.held_back_told_at = utcnow()
                notify.tell(
                    uow,
                    first,
                    "booking.held_back",
                    "A place came free: {what}",
                    "A place came free for {what}, but it went to the next in line: "
                    + gate.BLOCKED.lower()
                    + ". You keep your place in line.",
                )
            continue
        if not counters.promote_one(session_id):
            return promoted
        new = (
            BookingStatus.PENDING
            if kind is not None and kind.requires_approval
            else BookingStatus.CONFIRMED
        )
        if not bookings.change_status(first, new, promoted_at=utcnow()):
            raise Conflict("the waitlist changed meanwhile; try again", code="booking_changed")
        notify.promoted(uow, first)
        promoted += 1


def _held_back(
    uow: UnitOfWork, tenant_id: uuid.UUID, booking: Booking, kind: SessionType | None
) -> bool:
    """Whether the screening gate refuses the booking's member this class today (flags only
    warn, so they are not read)."""
    today = today_in(uow, tenant_id)
    state = screening_state(uow, None, tenant_id, [booking.member_id], today)
    verdict = gate.check(
        state[booking.member_id],
        intensity=kind.intensity if kind is not None else None,
        contraindications=(),
    )
    return verdict.blocked


def _has_free_place(counters: SessionCounters, session_id: uuid.UUID) -> bool:
    class_session = counters.read(session_id)
    return (
        class_session is not None
        and class_session.confirmed_count < class_session.capacity
        and class_session.waitlist_count > 0
    )
