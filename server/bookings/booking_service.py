"""Booking use cases of the API: members booking and cancelling, staff acting for them,
approvals, rosters and attendance. Each is one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.bookings import coaching, notify, penalties, rules
from server.bookings.attendance import record_attendance
from server.bookings.models import Booking
from server.bookings.placing import place_booking
from server.bookings.queue import BookingRequest
from server.bookings.repository import (
    BookingRepository,
    SessionCounters,
    give_credit_back,
    policy_of,
    session_zones,
)
from server.bookings.schemas import (
    AttendanceCreate,
    BookingRead,
    Roster,
    RosterEntry,
    booking_read,
)
from server.bookings.waitlist import release_place
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, NotFound
from server.members.models import Member
from server.outbox import record as outbox
from server.ports.eligibility import EligibilityService
from server.ports.identity import AccessClaims
from server.ports.payments import PaymentService
from shared.clock import utcnow
from shared.enums import (
    Attendance,
    BookingSource,
    BookingStatus,
    CancelKind,
    PenaltyKind,
    PenaltyOutcome,
    PrincipalKind,
)


def book(
    *,
    uow: UnitOfWork,
    eligibility: EligibilityService,
    claims: AccessClaims,
    session_id: uuid.UUID,
    member_id: uuid.UUID,
) -> BookingRead:
    staff = claims.kind is PrincipalKind.STAFF
    with uow:
        booking = place_booking(
            uow=uow,
            eligibility=eligibility,
            tenant_id=claims.tenant_id,
            session_id=session_id,
            member_id=member_id,
            source=BookingSource.STAFF if staff else BookingSource.MEMBER,
            booked_by=claims.subject_id if staff else None,
        )
        uow.commit()
        return _read(uow, booking)


def book_request(
    *, claims: AccessClaims, session_id: uuid.UUID, member_id: uuid.UUID
) -> BookingRequest:
    """The same booking as :func:`book`, for the process's booking queue (group commit)."""
    staff = claims.kind is PrincipalKind.STAFF
    return BookingRequest(
        tenant_id=claims.tenant_id,
        session_id=session_id,
        member_id=member_id,
        source=BookingSource.STAFF if staff else BookingSource.MEMBER,
        booked_by=claims.subject_id if staff else None,
    )


def check_coach_session(*, uow: UnitOfWork, claims: AccessClaims, session_id: uuid.UUID) -> None:
    """Before a coach books someone in: only into a class they lead."""
    if coaching.is_coach(claims):
        with uow:
            coaching.check_session(uow.db, claims, session_id)


def _owned(uow: UnitOfWork, claims: AccessClaims, booking_id: uuid.UUID) -> Booking:
    booking = BookingRepository(uow.db, claims.tenant_id).get_or_404(booking_id)
    if claims.kind is PrincipalKind.MEMBER and booking.member_id != claims.subject_id:
        raise NotFound(f"booking {booking_id} was not found")
    coaching.check_session(uow.db, claims, booking.session_id)
    return booking


def cancel(
    *,
    uow: UnitOfWork,
    payments: PaymentService,
    claims: AccessClaims,
    booking_id: uuid.UUID,
    waiver_reason: str | None,
) -> BookingRead:
    """Cancel; a late cancellation of a confirmed place costs what the policy says."""
    if waiver_reason is not None and not rules.may_waive(claims.kind, claims.role):
        raise Forbidden(rules.WAIVER_REFUSED)
    fee_ids: list[uuid.UUID] = []
    with uow:
        booking = _owned(uow, claims, booking_id)
        now = utcnow()
        if booking.status not in rules.ACTIVE:
            raise Conflict(f"this booking is already {booking.status}", code="booking_inactive")
        if now >= booking.ends_at:
            raise Conflict("this session is over; it can no longer be cancelled")
        policy = policy_of(uow.db, claims.tenant_id)
        late = booking.status == BookingStatus.CONFIRMED and rules.is_late_cancel(
            booking.starts_at, now, policy.late_cancel_minutes
        )
        penalty = None
        if late:
            penalty = penalties.impose(
                uow,
                policy,
                booking,
                PenaltyKind.LATE_CANCEL,
                waived_by=claims.subject_id if waiver_reason else None,
                waived_reason=waiver_reason,
            )
        outcome = None if penalty is None else penalty.outcome
        returned = booking.credit_taken and rules.credit_returned(
            PenaltyOutcome(outcome) if outcome else None, late=late
        )
        membership_id = booking.membership_id
        if claims.kind is PrincipalKind.STAFF:
            record_action(
                uow.db,
                tenant_id=claims.tenant_id,
                action=audit_rules.BOOKING_CANCEL,
                entity="bookings",
                entity_id=booking.id,
            )
        release_place(
            uow,
            booking,
            BookingStatus.CANCELLED,
            cancelled_at=now,
            cancel_kind=(CancelKind.LATE if late else CancelKind.IN_TIME).value,
            credit_taken=booking.credit_taken and not returned,
        )
        if returned and membership_id is not None:
            give_credit_back(uow.db, claims.tenant_id, membership_id)
        if penalty is not None and penalty.outcome == PenaltyOutcome.FEE.value:
            fee_ids.append(penalty.id)
        uow.commit()
        result = _read(uow, booking)
    if fee_ids:
        penalties.charge_unpaid(uow, payments, fee_ids)
    return result


def approve(*, uow: UnitOfWork, claims: AccessClaims, booking_id: uuid.UUID) -> BookingRead:
    with uow:
        bookings = BookingRepository(uow.db, claims.tenant_id)
        booking = bookings.get_or_404(booking_id)
        if booking.status != BookingStatus.PENDING:
            raise Conflict(f"only a pending booking can be approved; this one is {booking.status}")
        if not bookings.change_status(booking, BookingStatus.CONFIRMED):
            raise Conflict("this booking changed meanwhile; try again", code="booking_changed")
        notify.confirmed(uow, booking)
        uow.commit()
        return _read(uow, booking)


def decline(
    *, uow: UnitOfWork, claims: AccessClaims, booking_id: uuid.UUID, reason: str | None
) -> BookingRead:
    with uow:
        booking = BookingRepository(uow.db, claims.tenant_id).get_or_404(booking_id)
        if booking.status != BookingStatus.PENDING:
            raise Conflict(f"only a pending booking can be declined; this one is {booking.status}")
        membership_id, had_credit = booking.membership_id, booking.credit_taken
        release_place(
            uow, booking, BookingStatus.DECLINED, cancelled_at=utcnow(), credit_taken=False
        )
        if had_credit and membership_id is not None:
            give_credit_back(uow.db, claims.tenant_id, membership_id)
        notify.tell(
            uow,
            booking,
            "booking.declined",
            "Booking not accepted: {what}",
            "The studio could not accept your booking for {what}"
            + (f": {reason}" if reason else ".")
            + " Any class credit has been returned.",
        )
        uow.commit()
        return _read(uow, booking)


def attend(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    booking_id: uuid.UUID,
    cmd: AttendanceCreate,
) -> BookingRead:
    with uow:
        if coaching.is_coach(claims):
            _owned(uow, claims, booking_id)
        attended = record_attendance(
            uow=uow,
            tenant_id=claims.tenant_id,
            booking_id=booking_id,
            checked_in_at=cmd.checked_in_at or utcnow(),
            checkin_id=cmd.checkin_id,
        )
        if attended.movement is not None:
            outbox.record(uow.db, [attended.movement])
        uow.commit()
        result = _read(uow, attended.booking)
    return result


def get(*, uow: UnitOfWork, claims: AccessClaims, booking_id: uuid.UUID) -> BookingRead:
    with uow:
        return _read(uow, _owned(uow, claims, booking_id))


def roster(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    session_id: uuid.UUID,
    limit: int = 500,
    offset: int = 0,
) -> Roster:
    """One page of the roster. A class holds tens of people: all are read, for each waiting
    one's place in line, and the page is cut from them."""
    with uow:
        class_session = SessionCounters(uow.db, claims.tenant_id).read_or_404(session_id)
        coaching.check_leads(claims, class_session.instructor_id)
        rows = uow.db.execute(
            select(Booking, Member.first_name, Member.last_name)
            .join(
                Member,
                (Member.tenant_id == Booking.tenant_id) & (Member.id == Booking.member_id),
            )
            .where(
                Booking.tenant_id == claims.tenant_id,
                Booking.session_id == session_id,
                Booking.status.in_([s.value for s in rules.ACTIVE]),
            )
            .order_by(Booking.position)
        ).all()
        entries = []
        line = 0
        for booking, first, last in rows:
            waiting = booking.status == BookingStatus.WAITLISTED
            line += waiting
            entries.append(
                RosterEntry(
                    booking_id=booking.id,
                    member_id=booking.member_id,
                    first_name=first,
                    last_name=last,
                    status=BookingStatus(booking.status),
                    position=booking.position,
                    attendance=(
                        None if booking.attendance is None else Attendance(booking.attendance)
                    ),
                    checked_in_at=booking.checked_in_at,
                    waitlist_place=line if waiting else None,
                )
            )
        return Roster(
            session_id=class_session.id,
            capacity=class_session.capacity,
            confirmed_count=class_session.confirmed_count,
            waitlist_count=class_session.waitlist_count,
            items=entries[offset : offset + limit],
            next_offset=offset + limit if len(entries) > offset + limit else None,
            total=len(entries),
        )


def _reads(uow: UnitOfWork, rows: Sequence[Booking]) -> list[BookingRead]:
    if not rows:
        return []
    zones = session_zones(uow.db, rows[0].tenant_id, [r.session_id for r in rows])
    return [booking_read(r, zones.get(r.session_id)) for r in rows]


def _read(uow: UnitOfWork, row: Booking) -> BookingRead:
    return _reads(uow, [row])[0]
