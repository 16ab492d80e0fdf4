"""Booking use cases shared with other domains (scheduling, kiosk sync): placing a booking,
attendance, and what happens to bookings when their session is cancelled, moved or grows.

All of them work inside the caller's open unit of work; the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from server.bookings import notify, rules
from server.bookings.lookups import (
    BookingMember,
    booking_context,
    member_for_booking,
    members_for_booking,
)
from server.bookings.models import Booking, BookingPolicy
from server.bookings.repository import BookingRepository, Places, give_credit_back, policy_of
from server.db.uow import UnitOfWork
from server.engagement import service as engagement_service
from server.errors import Conflict, NotFound
from server.plans.models import Membership
from server.plans.repository import MembershipRepository
from server.plans.terms import terms_of
from server.ports.analytics import PublishedEvent
from server.ports.eligibility import (
    EligibilityBatch,
    EligibilityDecision,
    EligibilityRequest,
    EligibilityService,
    KnownMember,
    Purpose,
)
from server.scheduling.models import ClassSession, SessionType
from server.tenants.models import Location
from shared.clock import utcnow
from shared.enums import (
    BookingSource,
    BookingStatus,
    CancelKind,
    MovementKind,
    SessionStatus,
)
from shared.ids import new_id

_MAX_CREDIT_RACES = 5
#: Movement events recorded in a unit of work, published by the caller after it commits.
PUBLISHED = "zmos.bookings.published"


def session_or_404(uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID) -> ClassSession:
    row = Places(uow.session, tenant_id).read(session_id)
    if row is None:
        raise NotFound(f"session {session_id} was not found")
    return row


#: ``session.info`` key of a batch's state (:func:`begin_batch`).
BATCH = "zmos.bookings.batch"


@dataclass
class _Context:
    session: ClassSession
    kind: SessionType | None
    location: Location
    policy: BookingPolicy
    #: A hint only (the conditional UPDATE decides): try the line first.
    full: bool
    #: In a batch (which holds the session's lock, so these are exact): the counters as
    #: the batch's bookings move them, written once by :func:`finish_batch`.
    confirmed: int = 0
    waitlisted: int = 0
    next_position: int = 1
    changed: bool = False


def _context_of(
    found: tuple[ClassSession, SessionType | None, Location, BookingPolicy],
) -> _Context:
    session = found[0]
    return _Context(
        *found,
        full=session.confirmed_count >= session.capacity,
        confirmed=session.confirmed_count,
        waitlisted=session.waitlist_count,
        next_position=session.next_position,
    )


@dataclass
class _Batch:
    contexts: dict[tuple[uuid.UUID, uuid.UUID], _Context] = field(default_factory=dict)
    members: dict[tuple[uuid.UUID, uuid.UUID], BookingMember] = field(default_factory=dict)
    #: Set once the current booking wrote: from then on it must not be refused.
    wrote: bool = False
    #: New bookings' rows, inserted together by :func:`finish_batch`.
    rows: list[dict[str, Any]] = field(default_factory=list)
    eligibility: EligibilityBatch | None = None


def batch_of(uow: UnitOfWork) -> _Batch:
    found: _Batch = uow.session.info[BATCH]
    return found


def _request(
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


Decide = Callable[[EligibilityRequest], EligibilityDecision]


def _take_credit(
    uow: UnitOfWork,
    decide: Decide,
    tenant_id: uuid.UUID,
    member: BookingMember,
    class_session: ClassSession,
) -> uuid.UUID | None:
    """Refuse a member no membership admits; take a class-pack credit when one is used."""
    repository = MembershipRepository(uow.session, tenant_id)
    for attempt in range(_MAX_CREDIT_RACES):
        if attempt:  # another booking took the last credit meanwhile: read them again
            again = member_for_booking(uow.session, tenant_id, member.id)
            member = again if again is not None else replace(member, memberships=[])
        decision = decide(_request(tenant_id, member, class_session))
        if not decision.admitted:
            raise Conflict(f"not eligible for this session: {decision.reason}", code="not_eligible")
        if not decision.consumes_credit:
            return None
        assert decision.membership_id is not None
        if repository.take_credit(decision.membership_id):
            from server.sync import changes as sync_changes

            sync_changes.touch(uow.session, Membership, tenant_id, decision.membership_id)
            return decision.membership_id
    raise Conflict("not eligible for this session: no credits left", code="not_eligible")


class BatchAborted(Exception):
    """A batch's booking failed after it wrote: the whole batch must roll back (503)."""


def begin_batch(
    uow: UnitOfWork,
    eligibility: EligibilityService,
    wanted: Sequence[tuple[uuid.UUID, uuid.UUID, uuid.UUID]],
) -> None:
    """Read what a batch of (tenant, session, member) bookings needs, once, in the batch's
    transaction, which already holds their locks (see ``server.bookings.queue``): the
    sessions with their type, location and policy; the members with their memberships and
    their active bookings near those sessions. :func:`place_booking` then reads no more and
    refuses a request only before it writes anything, so a batch needs no savepoints."""
    db = uow.session
    state = _Batch()
    db.info[BATCH] = state
    for tenant_id in sorted({t for t, _, _ in wanted}):
        times = []
        for session_id in sorted({s for t, s, _ in wanted if t == tenant_id}):
            found = booking_context(db, tenant_id, session_id)
            if found is not None:
                state.contexts[(tenant_id, session_id)] = _context_of(found)
                times.append((found[0].starts_at, found[0].ends_at))
        if not times:
            continue
        members = members_for_booking(
            db,
            tenant_id,
            [m for t, _, m in wanted if t == tenant_id],
            min(start for start, _ in times),
            max(end for _, end in times),
        )
        for member_id, member in members.items():
            state.members[(tenant_id, member_id)] = member
    requests = [
        _request(tenant_id, found_member, found_context.session)
        for tenant_id, session_id, member_id in wanted
        if (found_context := state.contexts.get((tenant_id, session_id))) is not None
        and (found_member := state.members.get((tenant_id, member_id))) is not None
    ]
    state.eligibility = eligibility.open_batch(requests, uow=uow)


def finish_batch(uow: UnitOfWork) -> None:
    """Write what the batch's bookings did: their rows (one executemany) and each session's
    counters (one UPDATE per session)."""
    batch = batch_of(uow)
    BookingRepository.insert_rows(uow.session, batch.rows)
    batch.rows = []
    for (tenant_id, session_id), context in batch.contexts.items():
        if context.changed:
            Places(uow.session, tenant_id).set_counts(
                session_id,
                confirmed=context.confirmed,
                waitlisted=context.waitlisted,
                next_position=context.next_position,
            )
            context.changed = False


def _write_lock(uow: UnitOfWork) -> None:
    """On SQLite, take the database's write lock before reading (checks then writes must see
    what they write over); PostgreSQL locks rows instead."""
    connection = uow.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not getattr(raw, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def place_booking(
    *,
    uow: UnitOfWork,
    eligibility: EligibilityService,
    tenant_id: uuid.UUID,
    session_id: uuid.UUID,
    member_id: uuid.UUID,
    source: BookingSource,
    booking_id: uuid.UUID | None = None,
    booked_at: datetime | None = None,
    booked_by: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None,
    skip_window: bool = False,
) -> Booking:
    """Book a place, a place pending approval, or a place in line (see interfaces.md).

    Every check comes before the first write: a refusal leaves nothing to undo. Alone, five
    statements: the session with its type, location and policy; the member (row-locked)
    with memberships and plans; the overlap check; one conditional UPDATE of the session's
    counters (its row lock orders the session's bookings: positions follow booked-at);
    the INSERT. In a batch (:func:`begin_batch`) only the last two.
    """
    db = uow.session
    bookings = BookingRepository(db, tenant_id)
    if booking_id is not None:
        existing = bookings.get(booking_id)
        if existing is not None:
            return existing
    now = utcnow()
    batch: _Batch | None = db.info.get(BATCH)
    if batch is None:
        _write_lock(uow)
    context = batch.contexts.get((tenant_id, session_id)) if batch is not None else None
    if context is None:
        found_context = booking_context(db, tenant_id, session_id)
        if found_context is None:
            raise NotFound(f"session {session_id} was not found")
        context = _context_of(found_context)
        if batch is not None:
            batch.contexts[(tenant_id, session_id)] = context
    class_session, kind, policy = context.session, context.kind, context.policy
    if class_session.status != SessionStatus.SCHEDULED.value:
        raise Conflict("this session was cancelled", code="session_cancelled")
    if not skip_window:
        window = rules.Window(policy.opens_days_before, policy.closes_minutes_before)
        refusal = rules.window_refusal(window, class_session.starts_at, now)
        if refusal is not None:
            raise Conflict(refusal, code="booking_window")
    member = batch.members.get((tenant_id, member_id)) if batch is not None else None
    if member is None or member.active is None:
        member = member_for_booking(db, tenant_id, member_id)
        if member is None:
            raise NotFound(f"member {member_id} was not found")
    starts_at, ends_at = class_session.starts_at, class_session.ends_at
    if member.active is not None:
        clash = member.clash(session_id, starts_at, ends_at)
    else:
        clash = bookings.active_clash(member.id, session_id, starts_at, ends_at)
    if clash is not None:
        clash_id, clash_session = clash
        if clash_session == session_id:
            raise Conflict("the member is already booked on this session", code="already_booked")
        raise Conflict(
            f"the member already has a booking at that time (booking {clash_id})",
            code="overlapping_booking",
        )
    # The last possible refusal: a failed conditional UPDATE of credits writes nothing.
    decide: Decide = (
        batch.eligibility.decide
        if batch is not None and batch.eligibility is not None
        else partial(eligibility.decide, uow=uow)
    )
    membership_id = _take_credit(uow, decide, tenant_id, member, class_session)
    if batch is not None:
        batch.wrote = True
    if batch is not None:  # the batch holds the session's lock: its counters are exact
        holds_place = context.confirmed < class_session.capacity
        position = context.next_position
        context.next_position += 1
        context.confirmed += holds_place
        context.waitlisted += not holds_place
        context.changed = True
    else:
        placed = Places(db, tenant_id).place_or_line(session_id, looks_full=context.full)
        if placed is None:
            raise Conflict("this session was cancelled", code="session_cancelled")
        position, holds_place = placed
        context.full = not holds_place
    if holds_place:
        needs_approval = bool(kind and kind.requires_approval)
        status = BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED
    else:
        status = BookingStatus.WAITLISTED
    stamp = utcnow()
    booking = bookings.insert(
        id=booking_id or new_id(),
        session_id=session_id,
        member_id=member.id,
        status=status.value,
        position=position,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source.value,
        booked_by=booked_by,
        device_id=device_id,
        # Taken after the session row's lock: booked_at order is position order.
        booked_at=booked_at or stamp,
        membership_id=membership_id,
        credit_taken=membership_id is not None,
        created_at=stamp,
        updated_at=stamp,
        deferred_to=batch.rows if batch is not None else None,
    )
    if member.active is not None:
        member.active.append((booking.id, session_id, starts_at, ends_at))
    if member.email:  # (notify tells members with an email address only)
        notify.confirmed(uow, booking)
    return booking


def free_place(uow: UnitOfWork, booking: Booking, new: BookingStatus, **values: object) -> int:
    """End an active booking: counters follow, its place (if it held one) goes to the line.

    Returns how many were promoted. Raises Conflict if the booking changed meanwhile.
    """
    tenant_id = booking.tenant_id
    places = Places(uow.session, tenant_id)
    held = booking.status in rules.HOLDS_PLACE
    waiting = booking.status == BookingStatus.WAITLISTED
    if not (held or waiting):
        raise Conflict(f"this booking is already {booking.status}", code="booking_inactive")
    places.adjust(booking.session_id, confirmed=-1 if held else 0, waitlisted=-1 if waiting else 0)
    if not BookingRepository(uow.session, tenant_id).change_status(booking, new, **values):
        raise Conflict("this booking changed meanwhile; try again", code="booking_changed")
    return promote(uow, tenant_id, booking.session_id) if held else 0


def promote(uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID) -> int:
    """Fill free places from the waitlist in position order; tell each promoted member."""
    bookings = BookingRepository(uow.session, tenant_id)
    places = Places(uow.session, tenant_id)
    kind_needs_approval: bool | None = None
    promoted = 0
    while True:
        first = bookings.first_waitlisted(session_id)
        if first is None or not places.promote_one(session_id):
            return promoted
        if kind_needs_approval is None:
            class_session = places.read(session_id)
            assert class_session is not None
            kind = uow.session.get(SessionType, (tenant_id, class_session.session_type_id))
            kind_needs_approval = bool(kind and kind.requires_approval)
        new = BookingStatus.PENDING if kind_needs_approval else BookingStatus.CONFIRMED
        if not bookings.change_status(first, new, promoted_at=utcnow()):
            raise Conflict("the waitlist changed meanwhile; try again", code="booking_changed")
        notify.promoted(uow, first)
        promoted += 1


def record_attendance(
    *,
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    booking_id: uuid.UUID,
    checked_in_at: datetime,
    checkin_id: uuid.UUID | None = None,
) -> Booking:
    """Mark a booked member as there (on time or late), once, with one movement event."""
    bookings = BookingRepository(uow.session, tenant_id)
    booking = bookings.get_or_404(booking_id)
    if booking.attendance in ("on_time", "late"):
        return booking
    if booking.status not in rules.HOLDS_PLACE:
        raise Conflict(
            f"a {booking.status} booking cannot be checked in", code="booking_not_attendable"
        )
    policy = policy_of(uow.session, tenant_id)
    class_session = session_or_404(uow, tenant_id, booking.session_id)
    attendance = rules.attendance_of(
        class_session.starts_at, checked_in_at, policy.late_after_minutes
    )
    from sqlalchemy import update

    result = uow.session.execute(
        update(Booking)
        .where(
            Booking.tenant_id == tenant_id,
            Booking.id == booking.id,
            Booking.status.in_([s.value for s in rules.HOLDS_PLACE]),
            (Booking.attendance.is_(None)) | (Booking.attendance == "no_show"),
        )
        .values(attendance=attendance, checked_in_at=checked_in_at, checkin_id=checkin_id)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        fresh = bookings.get_or_404(booking_id)
        uow.session.refresh(fresh)
        if fresh.attendance in ("on_time", "late"):
            return fresh
        raise Conflict("this booking changed meanwhile; try again", code="booking_changed")
    was_no_show = booking.attendance == "no_show"
    booking.attendance, booking.checked_in_at, booking.checkin_id = (
        attendance,
        checked_in_at,
        checkin_id,
    )
    from server.sync import changes as sync_changes

    sync_changes.touch(uow.session, Booking, tenant_id, booking.id)
    if was_no_show:
        from server.bookings import penalties

        penalties.forgive_no_show(uow, booking)
    event = engagement_service.record_movement(
        uow=uow,
        tenant_id=tenant_id,
        member_id=booking.member_id,
        kind=MovementKind.ATTENDANCE,
        occurred_at=checked_in_at,
        location_id=class_session.location_id,
        checkin_id=checkin_id,
        data={"booking_id": str(booking.id), "session_id": str(booking.session_id)},
    )
    published: list[PublishedEvent] = uow.session.info.setdefault(PUBLISHED, [])
    published.append(event)
    return booking


def published_in(uow: UnitOfWork) -> list[PublishedEvent]:
    """Movement events recorded in ``uow`` for the caller to publish once it committed."""
    events: list[PublishedEvent] = uow.session.info.pop(PUBLISHED, [])
    return events


def release_cancelled_session(*, uow: UnitOfWork, session: ClassSession, reason: str) -> int:
    """The session was cancelled: cancel its active bookings, return credits, tell everyone."""
    tenant_id = session.tenant_id
    bookings = BookingRepository(uow.session, tenant_id)
    changed = 0
    now = utcnow()
    for booking in bookings.of_session(session.id, statuses=[s.value for s in rules.ACTIVE]):
        held = booking.status in rules.HOLDS_PLACE
        had_credit = booking.credit_taken
        Places(uow.session, tenant_id).adjust(
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
            give_credit_back(uow.session, tenant_id, booking.membership_id)
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
    bookings = BookingRepository(uow.session, tenant_id)
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
    uow.session.flush()
    return moved


def capacity_changed(*, uow: UnitOfWork, session: ClassSession) -> int:
    """Capacity was raised: the line moves up into the new places, in order."""
    return promote(uow, session.tenant_id, session.id)
