"""The placement core: the checks and steps every booking goes through, alone or in a batch.

A booking is a place, a place pending approval, or a place in line. Every check comes before
the first write, so that a refusal leaves nothing to undo: the session is scheduled and open
for booking, the member exists, the screening gate admits them to the class's intensity
(``server.screening.gate``), they have no booking at that time, eligibility (through the
port) admits them and a class-pack credit, if one is used, is taken by a conditional UPDATE
(the last possible refusal: a failed one writes nothing). Then the session's counters give a
position, and the row is written.

*How* the steps read and write is a :class:`Placement`: alone (``server.bookings.placing``)
each reads as it goes and the counters move with one conditional UPDATE; in a batch
(``server.bookings.batch_placing``) everything was read up front and the counters and rows
are written once for the whole batch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from server.bookings import notify, rules
from server.bookings.lookups import BookingMember, member_for_booking
from server.bookings.models import Booking, BookingPolicy
from server.bookings.repository import BookingRepository
from server.db.uow import UnitOfWork
from server.errors import Conflict
from server.plans.models import Membership
from server.plans.repository import MembershipRepository
from server.plans.terms import terms_of
from server.ports.eligibility import (
    EligibilityDecision,
    EligibilityRequest,
    KnownMember,
    Purpose,
)
from server.scheduling.models import ClassSession, SessionType
from server.screening import gate
from server.screening.rules import ScreeningState
from server.sync import changes as sync_changes
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import BookingSource, BookingStatus, SessionStatus
from shared.ids import new_id

_MAX_CREDIT_RACES = 5


@dataclass(frozen=True)
class BookingOrder:
    """One booking asked for."""

    tenant_id: uuid.UUID
    session_id: uuid.UUID
    member_id: uuid.UUID
    source: BookingSource
    #: The booking's id when the caller chose it (a kiosk's); placing it again returns it.
    booking_id: uuid.UUID | None = None
    booked_at: datetime | None = None
    booked_by: uuid.UUID | None = None
    device_id: uuid.UUID | None = None
    #: The booking window was judged by the kiosk's clock, when it was made offline.
    skip_window: bool = False


@dataclass
class SessionContext:
    session: ClassSession
    kind: SessionType | None
    location: Location
    policy: BookingPolicy
    #: A hint only (the conditional UPDATE decides): try the line first.
    full: bool
    #: In a batch (which holds the session's lock, so these are exact): the counters as
    #: the batch's bookings move them, written once when the batch ends.
    confirmed: int = 0
    waitlisted: int = 0
    next_position: int = 1
    changed: bool = False

    @classmethod
    def of(
        cls, found: tuple[ClassSession, SessionType | None, Location, BookingPolicy]
    ) -> SessionContext:
        session = found[0]
        return cls(
            *found,
            full=session.confirmed_count >= session.capacity,
            confirmed=session.confirmed_count,
            waitlisted=session.waitlist_count,
            next_position=session.next_position,
        )


class Placement(Protocol):
    """How the placement core reads and writes (one booking alone, or a batch)."""

    def session(self, order: BookingOrder) -> SessionContext:
        """The session with its type, location and policy; NotFound if there is none."""
        ...

    def member(self, order: BookingOrder) -> BookingMember:
        """The member (locked) with memberships and plans; NotFound if there is none."""
        ...

    def clash(
        self, member: BookingMember, session: ClassSession
    ) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(id, session id) of the member's active booking of ``session`` or at its time."""
        ...

    def decide(
        self, tenant_id: uuid.UUID, member: BookingMember, session: ClassSession
    ) -> EligibilityDecision:
        """The eligibility port's answer: may ``member`` (as read) have a place in ``session``?"""
        ...

    def take_place(self, context: SessionContext) -> tuple[int, bool]:
        """(position, holds a place): the counters move; no refusal comes after this."""
        ...

    def insert(self, bookings: BookingRepository, row: dict[str, Any]) -> Booking: ...

    def line_place(
        self, context: SessionContext, bookings: BookingRepository, booking: Booking
    ) -> int:
        """The place in line, from 1, of ``booking``, just put on the session's waitlist."""
        ...

    def screening(self, tenant_id: uuid.UUID, member_id: uuid.UUID) -> ScreeningState:
        """The member's screening state today (the gate's input)."""
        ...

    #: The gate's warnings of each booking placed (by booking id), for the answer.
    warnings: dict[uuid.UUID, tuple[str, ...]]


def place(uow: UnitOfWork, placement: Placement, order: BookingOrder) -> Booking:
    """Place ``order``: every check, then the counters, then the row (see the module)."""
    bookings = BookingRepository(uow.db, order.tenant_id)
    if order.booking_id is not None:
        existing = bookings.get(order.booking_id)
        if existing is not None:
            return existing
    now = utcnow()
    context = placement.session(order)
    _check_open(context, order, now)
    member = placement.member(order)
    warnings = _check_screening(placement, order, context)
    _check_clash(placement.clash(member, context.session), order.session_id)
    membership_id = _take_credit(uow, placement, order.tenant_id, member, context.session)
    position, holds_place = placement.take_place(context)
    booking = placement.insert(
        bookings, _row(order, context, member, position, holds_place, membership_id)
    )
    if warnings:
        placement.warnings[booking.id] = warnings
    if member.active is not None:
        member.active.append((booking.id, order.session_id, booking.starts_at, booking.ends_at))
    if member.email:  # (notify tells members with an email address only)
        line = None if holds_place else placement.line_place(context, bookings, booking)
        notify.confirmed(uow, booking, line=line)
    return booking


def _check_open(context: SessionContext, order: BookingOrder, now: datetime) -> None:
    if context.session.status != SessionStatus.SCHEDULED.value:
        raise Conflict("this session was cancelled", code="session_cancelled")
    if order.skip_window:
        return
    window = rules.Window(context.policy.opens_days_before, context.policy.closes_minutes_before)
    refusal = rules.window_refusal(
        window, context.session.starts_at, now, by_staff=order.source is BookingSource.STAFF
    )
    if refusal is not None:
        raise Conflict(refusal, code="booking_window")


def _check_screening(
    placement: Placement, order: BookingOrder, context: SessionContext
) -> tuple[str, ...]:
    """The screening gate: refuse a member awaiting clearance anything above low intensity;
    otherwise the warnings of the member's risk flags the class is contra-indicated for."""
    kind = context.kind
    verdict = gate.check(
        placement.screening(order.tenant_id, order.member_id),
        intensity=kind.intensity if kind is not None else None,
        contraindications=kind.contraindications if kind is not None else (),
    )
    if verdict.blocked:
        raise Conflict(verdict.reason, code="clearance_needed")
    return verdict.warnings


def _check_clash(clash: tuple[uuid.UUID, uuid.UUID] | None, session_id: uuid.UUID) -> None:
    if clash is None:
        return
    clash_id, clash_session = clash
    if clash_session == session_id:
        raise Conflict("the member is already booked on this session", code="already_booked")
    raise Conflict(
        f"the member already has a booking at that time (booking {clash_id})",
        code="overlapping_booking",
    )


def eligibility_request(
    tenant_id: uuid.UUID, member: BookingMember, class_session: ClassSession
) -> EligibilityRequest:
    """What the port is asked: a place in the class, at its start, with the member's
    memberships as booking read them."""
    return EligibilityRequest(
        tenant_id=tenant_id,
        member_id=member.id,
        location_id=class_session.location_id,
        at=class_session.starts_at,
        purpose=Purpose.BOOKING,
        known=KnownMember(
            home_location_id=member.home_location_id,
            memberships=tuple(terms_of(m, p) for m, p in member.memberships),
        ),
    )


def _take_credit(
    uow: UnitOfWork,
    placement: Placement,
    tenant_id: uuid.UUID,
    member: BookingMember,
    class_session: ClassSession,
) -> uuid.UUID | None:
    """Refuse a member the port does not admit; take a class-pack credit when one is used."""
    repository = MembershipRepository(uow.db, tenant_id)
    for attempt in range(_MAX_CREDIT_RACES):
        if attempt:  # another booking took the last credit meanwhile: read them again
            again = member_for_booking(uow.db, tenant_id, member.id)
            member = again if again is not None else replace(member, memberships=[])
        decision = placement.decide(tenant_id, member, class_session)
        if not decision.admitted:
            raise Conflict(f"not eligible for this session: {decision.reason}", code="not_eligible")
        if not decision.consumes_credit:
            return None
        assert decision.membership_id is not None
        if repository.take_credit(decision.membership_id):
            sync_changes.touch(uow.db, Membership, tenant_id, decision.membership_id)
            return decision.membership_id
    raise Conflict("not eligible for this session: no credits left", code="not_eligible")


def _row(
    order: BookingOrder,
    context: SessionContext,
    member: BookingMember,
    position: int,
    holds_place: bool,
    membership_id: uuid.UUID | None,
) -> dict[str, Any]:
    if holds_place:
        needs_approval = bool(context.kind and context.kind.requires_approval)
        status = BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED
    else:
        status = BookingStatus.WAITLISTED
    stamp = utcnow()
    return {
        "id": order.booking_id or new_id(),
        "session_id": order.session_id,
        "member_id": member.id,
        "status": status.value,
        "position": position,
        "starts_at": context.session.starts_at,
        "ends_at": context.session.ends_at,
        "source": order.source.value,
        "booked_by": order.booked_by,
        "device_id": order.device_id,
        # Taken after the session row's lock: booked_at order is position order.
        "booked_at": order.booked_at or stamp,
        "membership_id": membership_id,
        "credit_taken": membership_id is not None,
        "created_at": stamp,
        "updated_at": stamp,
    }
