"""The messages bookings send to members, queued in the booking's own transaction."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from server.bookings.models import Booking
from server.bookings.repository import BookingRepository
from server.db.uow import UnitOfWork
from server.members.models import Member
from server.notices import service as notices
from server.scheduling.models import ClassSession, SessionType
from server.tenants.models import Location


def _describe(uow: UnitOfWork, booking: Booking) -> str:
    db: Session = uow.db
    class_session = db.get(ClassSession, (booking.tenant_id, booking.session_id))
    name = "your session"
    where = ""
    if class_session is not None:
        kind = db.get(SessionType, (class_session.tenant_id, class_session.session_type_id))
        location = db.get(Location, (class_session.tenant_id, class_session.location_id))
        if kind is not None:
            name = kind.name
        if location is not None:
            local = booking.starts_at.astimezone(ZoneInfo(location.timezone))
            where = f" at {location.name} on {local:%a %d %b %Y, %H:%M}"
    return f"{name}{where}"


def tell(uow: UnitOfWork, booking: Booking, topic: str, subject: str, text: str) -> None:
    """Queue ``text`` (with ``{what}`` filled in) for the booking's member, if they have email."""
    member = uow.db.get(Member, (booking.tenant_id, booking.member_id))
    if member is None or not member.email:
        return
    what = _describe(uow, booking)
    notices.queue(
        uow=uow,
        tenant_id=booking.tenant_id,
        to_email=member.email,
        subject=subject.format(what=what)[:300],
        body=f"Hello {member.first_name},\n\n{text.format(what=what)}\n",
        topic=topic,
        member_id=member.id,
    )


def confirmed(uow: UnitOfWork, booking: Booking, *, line: int | None = None) -> None:
    """Tell the member how the booking stands; ``line`` is its place in the waitlist when
    the caller knows it (else it is counted)."""
    status = booking.status
    if status == "waitlisted":
        if line is None:
            line = BookingRepository(uow.db, booking.tenant_id).waitlist_place(booking)
        tell(
            uow,
            booking,
            "booking.waitlisted",
            "On the waitlist: {what}",
            f"{{what}} is full. You are number {line} in line; we will tell you "
            "as soon as a place frees up.",
        )
    elif status == "pending":
        tell(
            uow,
            booking,
            "booking.pending",
            "Booking request received: {what}",
            "We received your booking for {what}; the studio will confirm it shortly.",
        )
    else:
        tell(uow, booking, "booking.confirmed", "Booked: {what}", "You are booked for {what}.")


def promoted(uow: UnitOfWork, booking: Booking) -> None:
    tell(
        uow,
        booking,
        "booking.promoted",
        "A place opened up: {what}",
        "Good news: a place opened up and you are now booked for {what}.",
    )
    _tell_staff_promoted(uow, booking)


def _tell_staff_promoted(uow: UnitOfWork, booking: Booking) -> None:
    """Post the promotion to the tenant's staff channels (if it chose this event): the
    desk sees who now comes to a full class."""
    member = uow.db.get(Member, (booking.tenant_id, booking.member_id))
    who = f"{member.first_name} {member.last_name}" if member is not None else "A member"
    what = _describe(uow, booking)
    notices.to_staff(
        uow=uow,
        tenant_id=booking.tenant_id,
        event="booking.promoted",
        subject=f"Waitlist promoted: {what}"[:300],
        body=f"A place opened up in {what}: {who} was promoted from the waitlist and is "
        "now booked.",
    )
