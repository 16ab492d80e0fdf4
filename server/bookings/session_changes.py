"""What happens to bookings when their session changes: cancelled, moved, or grown.

All of them work inside the caller's open unit of work; the caller commits.
"""

from __future__ import annotations

from server.bookings import notify, rules
from server.bookings.repository import BookingRepository, SessionCounters, give_credit_back
from server.bookings.waitlist import promote
from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.scheduling.models import ClassSession
from shared.clock import utcnow
from shared.enums import BookingStatus, CancelKind


def release_cancelled_session(*, uow: UnitOfWork, session: ClassSession, reason: str) -> int:
    """The session was cancelled: cancel its active bookings, return credits, tell everyone."""
    tenant_id = session.tenant_id
    bookings = BookingRepository(uow.db, tenant_id)
    changed = 0
    now = utcnow()
    for booking in bookings.of_session(session.id, statuses=[s.value for s in rules.ACTIVE]):
        held = booking.status in rules.HOLDS_PLACE
        had_credit = booking.credit_taken
        SessionCounters(uow.db, tenant_id).adjust(
            session.id, confirmed=-1 if held else 0, waitlisted=0 if held else -1
        )
        if not bookings.change_status(
            booking,
            BookingStatus.CANCELLED,
            cancelled_at=now,
            cancel_kind=CancelKind.SESSION_CANCELLED.value,
            credit_taken=False,
        ):
            raise Conflict("a booking changed meanwhile; try again", code="booking_changed")
        if had_credit and booking.membership_id is not None:
            give_credit_back(uow.db, tenant_id, booking.membership_id)
        notify.tell(
            uow,
            booking,
            "session.cancelled",
            "Cancelled: {what}",
            "We are sorry: {what} has been cancelled"
            + (f" ({reason})" if reason else "")
            + ". Your booking is cancelled and any class credit has been returned.",
        )
        changed += 1
    return changed


def session_moved(*, uow: UnitOfWork, session: ClassSession) -> int:
    """The session's time changed: its bookings follow, and everyone on it is told."""
    tenant_id = session.tenant_id
    bookings = BookingRepository(uow.db, tenant_id)
    moved = 0
    for booking in bookings.of_session(session.id, statuses=[s.value for s in rules.ACTIVE]):
        booking.starts_at, booking.ends_at = session.starts_at, session.ends_at
        notify.tell(
            uow,
            booking,
            "session.moved",
            "New time: {what}",
            "Please note the new time: {what}. Your booking has moved with it.",
        )
        moved += 1
    uow.db.flush()
    return moved


def capacity_changed(*, uow: UnitOfWork, session: ClassSession) -> int:
    """Capacity was raised: the line moves up into the new places, in order."""
    return promote(uow, session.tenant_id, session.id)


class BookingsFollowSessions:
    """The bookings side of scheduling's :class:`SessionBookings`."""

    def cancelled(self, *, uow: UnitOfWork, session: ClassSession, reason: str) -> int:
        return release_cancelled_session(uow=uow, session=session, reason=reason)

    def moved(self, *, uow: UnitOfWork, session: ClassSession) -> int:
        return session_moved(uow=uow, session=session)

    def grown(self, *, uow: UnitOfWork, session: ClassSession) -> int:
        return capacity_changed(uow=uow, session=session)
