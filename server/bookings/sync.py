"""What kiosks hold of bookings (those of the sessions they hold), and ``booking.create.v1``
and ``booking.attend.v1``: bookings and roster check-ins made at a kiosk, possibly hours ago,
offline.

The server decides. A kiosk booking that no longer fits when it arrives goes on the waitlist
in arrival order (``place_booking`` never passes capacity). A member the kiosk checked into a
session is in the room: if their booking has no place (waitlisted, cancelled, refused), the
attendance cannot be recorded and a review item tells staff, rather than anything being
dropped silently.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from server.bookings import rules as booking_rules
from server.bookings.attendance import record_attendance
from server.bookings.models import Booking
from server.bookings.placing import place_booking
from server.bookings.repository import BookingRepository, SessionCounters
from server.members.models import Member
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.sync import bookable_at, recent
from server.staff.repository import StaffRepository
from server.sync import rules
from server.sync.registry import MutationContext, MutationRejected, SnapshotScope, SyncRegistry
from shared.clock import ensure_utc
from shared.enums import BookingSource, BookingStatus
from shared.sync import messages as wire
from shared.sync.messages import BookingAttendArgs, BookingCreateArgs
from shared.sync.snapshot import SnapshotBooking

BOOKING_CREATE = "booking.create.v1"
BOOKING_ATTEND = "booking.attend.v1"
#: Review kind: a member checked into a session at a kiosk holds no place in it.
IN_ROOM_WITHOUT_PLACE = "checked_in_without_place"


def _business_time(context: MutationContext, given: datetime | None) -> datetime:
    at, clamped = rules.clamp_time(ensure_utc(given or context.mutation.device_time), context.now)
    context.clamped = context.clamped or clamped
    return at


def _session_here(context: MutationContext, session_id: uuid.UUID) -> ClassSession:
    found = SessionCounters(context.uow.db, context.tenant_id).read(session_id)
    if found is None:
        raise MutationRejected(f"session {session_id} is not known to the server")
    if found.location_id != context.location.id:
        raise MutationRejected("a kiosk books sessions at its own location only")
    return found


def _staff_here(context: MutationContext, staff_id: uuid.UUID) -> None:
    staff = StaffRepository(context.uow.db, context.tenant_id)
    if staff_id not in staff.serving([staff_id], context.location.id):
        raise MutationRejected(f"staff_id {staff_id} is not staff of this location")


def create_booking(context: MutationContext, args: BookingCreateArgs) -> str | None:
    bookings = BookingRepository(context.uow.db, context.tenant_id)
    earlier = bookings.get(args.id)
    if earlier is not None:
        if (earlier.session_id, earlier.member_id) != (args.session_id, args.member_id):
            raise MutationRejected(f"booking {args.id} was already recorded with other details")
        return "already recorded"
    _session_here(context, args.session_id)
    if args.staff_id is not None:
        _staff_here(context, args.staff_id)
    booking = place_booking(
        uow=context.uow,
        eligibility=context.eligibility,
        tenant_id=context.tenant_id,
        session_id=args.session_id,
        member_id=args.member_id,
        source=BookingSource.KIOSK,
        booking_id=args.id,
        booked_at=_business_time(context, args.booked_at),
        booked_by=args.staff_id,
        device_id=context.device.id,
        # The booking window is judged by the kiosk's time, not by when it arrived.
        skip_window=True,
    )
    if booking.status == BookingStatus.WAITLISTED.value:
        return (
            "the session was full when this booking arrived: "
            "waitlisted, number "
            f"{BookingRepository(context.uow.db, context.tenant_id).waitlist_place(booking)} "
            "in line"
        )
    return None


def _attendable(
    context: MutationContext, args: BookingAttendArgs
) -> tuple[Booking | None, Booking | None]:
    """The booking to mark attended (the kiosk's, or another of the member's bookings of the
    session that holds a place), and the kiosk's own booking as the server has it."""
    db, tenant_id = context.uow.db, context.tenant_id
    own = BookingRepository(db, tenant_id).get(args.booking_id)
    if own is not None and (own.session_id, own.member_id) != (args.session_id, args.member_id):
        raise MutationRejected(f"booking {args.booking_id} is of another member or session")
    if own is not None and (own.status in booking_rules.HOLDS_PLACE or own.checked_in_at):
        return own, own
    holding = [s.value for s in booking_rules.HOLDS_PLACE]
    other: Booking | None = (
        db.execute(
            select(Booking).where(
                Booking.tenant_id == tenant_id,
                Booking.session_id == args.session_id,
                Booking.member_id == args.member_id,
                Booking.status.in_(holding),
            )
        )
        .scalars()
        .first()
    )
    return other, own


def _why_no_place(context: MutationContext, own: Booking | None) -> str:
    if own is None:
        return "the kiosk's booking could not be made on the server"
    if own.status == BookingStatus.WAITLISTED.value:
        line = BookingRepository(context.uow.db, context.tenant_id).waitlist_place(own)
        return (
            "the class was already full when the kiosk's booking arrived: it is waitlisted, "
            f"number {line} in line"
        )
    return f"the booking is {own.status}"


def attend_booking(context: MutationContext, args: BookingAttendArgs) -> str | None:
    class_session = _session_here(context, args.session_id)
    at, clamped = rules.clamp_time(
        ensure_utc(args.checked_in_at or context.mutation.device_time), context.now
    )
    context.clamped = context.clamped or clamped
    booking, own = _attendable(context, args)
    if booking is not None:
        attended = record_attendance(
            uow=context.uow,
            tenant_id=context.tenant_id,
            booking_id=booking.id,
            checked_in_at=at,
            checkin_id=args.checkin_id,
            enforce_window=not clamped,
        )
        if attended.movement is not None:
            context.published.append(attended.movement)
        if booking is not own:
            return f"recorded on the member's booking {booking.id}"
        return None
    db = context.uow.db
    member = db.get(Member, (context.tenant_id, args.member_id))
    kind = db.get(SessionType, (context.tenant_id, class_session.session_type_id))
    name = f"{member.first_name} {member.last_name}" if member else f"member {args.member_id}"
    what = kind.name if kind is not None else "a session"
    context.review(
        IN_ROOM_WITHOUT_PLACE,
        f"{name} was checked into {what} of {context.local(class_session.starts_at)} at "
        f"{context.location.name} ({context.local(at)}), but {_why_no_place(context, own)}. "
        "They are in the room: check the class's numbers and the booking",
        member_id=args.member_id,
        checkin_id=args.checkin_id,
    )
    return "the member holds no place in this session: a review item was opened"


def booking_shape(row: Booking) -> SnapshotBooking:
    return SnapshotBooking.model_validate(row, from_attributes=True)


class SessionLocations:
    """Where each class session is: a booking goes to its session's location. Sessions never
    change location, so the answer is kept (bounded) once read, for the process's life."""

    def __init__(self, keep: int = 50_000) -> None:
        self._keep = keep
        self._known: dict[uuid.UUID, uuid.UUID] = {}

    def of_booking(self, row: Booking) -> uuid.UUID | None:
        found = self._known.get(row.session_id)
        if found is not None:
            return found
        db = object_session(row)
        if db is None:
            return None  # unknown: every location of the tenant (kiosks skip unknown sessions)
        with db.no_autoflush:
            session = db.get(ClassSession, (row.tenant_id, row.session_id))
        if session is None:
            return None
        if len(self._known) >= self._keep:
            self._known.clear()
        self._known[row.session_id] = session.location_id
        return session.location_id


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    """The bookings of the sessions the snapshot holds."""
    bookings = scope.db.execute(
        select(Booking)
        .join(
            ClassSession,
            (ClassSession.tenant_id == Booking.tenant_id) & (ClassSession.id == Booking.session_id),
        )
        .where(Booking.tenant_id == scope.tenant_id, *bookable_at(scope))
        .order_by(Booking.session_id, Booking.position)
    ).scalars()
    return {"bookings": [booking_shape(b) for b in bookings]}


def register(registry: SyncRegistry) -> None:
    registry.tables.register(
        wire.TABLE_BOOKINGS,
        Booking,
        serialise=lambda row: booking_shape(row).model_dump(mode="json"),
        location=SessionLocations().of_booking,
        include=lambda row: recent(row.starts_at),
    )
    registry.snapshot_parts.append(_snapshot)
    registry.mutations.register(BOOKING_CREATE, BookingCreateArgs, create_booking)
    registry.mutations.register(BOOKING_ATTEND, BookingAttendArgs, attend_booking)
