"""Single sessions: create a one-off, list, read, change, move and cancel one instance.

Changing, moving or cancelling one instance of a series *detaches* it: later series edits
leave it alone. Booked members hear of a move or a cancellation through the bookings domain
(:class:`SessionBookings`).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from zoneinfo import ZoneInfo

from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput
from server.notices import service as notices
from server.ports.identity import AccessClaims
from server.scheduling import instructors
from server.scheduling.hours import hours_warnings
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import SessionFilter, SessionRepository
from server.scheduling.schemas import (
    SessionCancel,
    SessionCreate,
    SessionMove,
    SessionPage,
    SessionRead,
    SessionUpdate,
)
from server.scheduling.service import (
    active_type_or_error,
    check_leaders,
    location_or_404,
    place_times,
    session_read,
    set_capacity,
    start_in_future,
    zone_of,
)
from server.scheduling.session_bookings import SessionBookings
from shared.clock import utcnow
from shared.enums import SessionStatus
from shared.ids import new_id


def create_session(*, uow: UnitOfWork, claims: AccessClaims, cmd: SessionCreate) -> SessionRead:
    """A one-off session. A local time that does not exist that day is refused; one that
    happens twice (clocks going back) means its first occurrence."""
    with uow:
        location = location_or_404(uow, claims, cmd.location_id)
        kind = active_type_or_error(uow, claims.tenant_id, cmd.session_type_id)
        if cmd.instructor_id is not None:
            check_leaders(uow, claims.tenant_id, [cmd.instructor_id])
        starts_at = start_in_future(location, cmd.local_date, cmd.local_start)
        row = ClassSession(
            id=new_id(),
            location_id=location.id,
            session_type_id=kind.id,
            instructor_id=cmd.instructor_id,
            capacity=cmd.capacity or kind.default_capacity,
            confirmed_count=0,
            waitlist_count=0,
            next_position=1,
            room=cmd.room,
            status=SessionStatus.SCHEDULED.value,
            detached=False,
            sequence=0,
        )
        place_times(
            row, starts_at, cmd.duration_minutes or kind.duration_minutes, location.timezone
        )
        SessionRepository(uow.db, claims.tenant_id).add(row)
        instructors.check_sessions(uow, claims.tenant_id, [row])
        warnings = hours_warnings(uow, location, [row])
        uow.commit()
        read = session_read(row, location.timezone)
        read.warnings = warnings
        return read


def list_sessions(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    f: SessionFilter,
    limit: int,
    offset: int,
) -> SessionPage:
    if f.date_from and f.date_to and f.date_to < f.date_from:
        raise InvalidInput("date_to cannot be before date_from")
    f = replace(f, location_ids=claims.location_ids)
    with uow:
        rows = SessionRepository(uow.db, claims.tenant_id).search(f, limit=limit + 1, offset=offset)
        return SessionPage(
            items=[session_read(s, loc.timezone) for s, _t, loc, _staff in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_session(*, uow: UnitOfWork, claims: AccessClaims, session_id: uuid.UUID) -> SessionRead:
    with uow:
        row = SessionRepository(uow.db, claims.tenant_id).get_or_404(session_id)
        return session_read(row, zone_of(uow, claims.tenant_id, row.location_id))


def _open_for_change(uow: UnitOfWork, tenant_id: uuid.UUID, session_id: uuid.UUID) -> ClassSession:
    row = SessionRepository(uow.db, tenant_id).get_or_404(session_id, for_update=True)
    if row.status == SessionStatus.CANCELLED.value:
        raise Conflict("this session is cancelled", code="session_cancelled")
    if row.starts_at <= utcnow():
        raise Conflict("this session has already started", code="session_started")
    return row


def update_session(
    *,
    uow: UnitOfWork,
    bookings: SessionBookings,
    claims: AccessClaims,
    session_id: uuid.UUID,
    cmd: SessionUpdate,
) -> SessionRead:
    """Instructor, capacity or room of one session; lowering capacity below what is booked is
    refused. A raised capacity lets the waitlist in, in order."""
    changes = cmd.model_dump(exclude_unset=True)
    if "capacity" in changes and changes["capacity"] is None:
        raise InvalidInput("capacity cannot be empty")
    with uow:
        row = _open_for_change(uow, claims.tenant_id, session_id)
        zone = zone_of(uow, claims.tenant_id, row.location_id)
        if changes.get("instructor_id") is not None:
            check_leaders(uow, claims.tenant_id, [changes["instructor_id"]])
        if "instructor_id" in changes:
            row.instructor_id = changes["instructor_id"]
            instructors.check_sessions(uow, claims.tenant_id, [row])
        if "room" in changes:
            row.room = changes["room"]
        if changes:
            row.detached = True
            row.sequence += 1
        promoted = None
        capacity = changes.get("capacity")
        if capacity is not None and capacity != row.capacity and set_capacity(uow, [row], capacity):
            promoted = bookings.grown(uow=uow, session=row)
        uow.commit()
        return session_read(row, zone, promoted)


def move_session(
    *,
    uow: UnitOfWork,
    bookings: SessionBookings,
    claims: AccessClaims,
    session_id: uuid.UUID,
    cmd: SessionMove,
) -> SessionRead:
    """A new local date and time; everyone booked is told and their bookings follow."""
    with uow:
        row = _open_for_change(uow, claims.tenant_id, session_id)
        location = location_or_404(uow, claims, row.location_id)
        starts_at = start_in_future(location, cmd.local_date, cmd.local_start)
        minutes = cmd.duration_minutes or int((row.ends_at - row.starts_at).total_seconds() // 60)
        place_times(row, starts_at, minutes, location.timezone)
        instructors.check_sessions(uow, claims.tenant_id, [row])
        row.detached = True
        row.sequence += 1
        uow.db.flush()
        told = bookings.moved(uow=uow, session=row)
        warnings = hours_warnings(uow, location, [row])
        uow.commit()
        read = session_read(row, location.timezone, told)
        read.warnings = warnings
        return read


def cancel_session(
    *,
    uow: UnitOfWork,
    bookings: SessionBookings,
    claims: AccessClaims,
    session_id: uuid.UUID,
    cmd: SessionCancel,
) -> SessionRead:
    """Cancel one session: its bookings are released, credits return, everyone is told."""
    with uow:
        row = _open_for_change(uow, claims.tenant_id, session_id)
        zone = zone_of(uow, claims.tenant_id, row.location_id)
        told = cancel_row(uow, bookings, row, cmd.reason, detach=True)
        _tell_staff(uow, row, zone, cmd.reason, told)
        uow.commit()
        return session_read(row, zone, told)


def _tell_staff(uow: UnitOfWork, row: ClassSession, zone: str, reason: str, told: int) -> None:
    """Post the cancellation to the tenant's staff channels (if it chose this event)."""
    kind = uow.db.get(SessionType, (row.tenant_id, row.session_type_id))
    name = kind.name if kind is not None else "A class"
    when = row.starts_at.astimezone(ZoneInfo(zone))
    notices.to_staff(
        uow=uow,
        tenant_id=row.tenant_id,
        event="session.cancelled",
        subject=f"Class cancelled: {name} {when:%a %d %b %H:%M}",
        body=f"{name} on {when:%a %d %b %Y at %H:%M} was cancelled ({reason}). "
        f"{told} booked member(s) were told.",
    )


def cancel_row(
    uow: UnitOfWork, bookings: SessionBookings, row: ClassSession, reason: str, *, detach: bool
) -> int:
    """Mark a locked, scheduled session cancelled and release its bookings."""
    booked = row.confirmed_count + row.waitlist_count
    row.status = SessionStatus.CANCELLED.value
    row.cancel_reason = reason
    row.sequence += 1
    if detach:
        row.detached = True
    if not booked:  # read under the row's lock: nobody to release or tell
        return 0
    uow.db.flush()
    told = bookings.cancelled(uow=uow, session=row, reason=reason)
    uow.db.flush()
    uow.db.refresh(row)
    return told
