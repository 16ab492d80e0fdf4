"""Holiday closures and special hours of a location, and the classes they catch.

A closure is the location's; what it means for classes is scheduling's: every answer says
how many scheduled future sessions fall on a closed day (or outside the special hours), the
manager can list them, and cancel them all at once, with the booked members told through
the same path as a single cancellation.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession
from server.scheduling.repository import SessionFilter, SessionRepository
from server.scheduling.schemas import ClosureSessionsCancel, ClosureSessionsCancelled, SessionPage
from server.scheduling.service import location_or_404, session_read
from server.scheduling.session_bookings import SessionBookings
from server.scheduling.sessions import cancel_row
from server.tenants.models import Location, LocationClosure
from server.tenants.repository import ClosureRepository, closure_days
from server.tenants.schemas import ClosureCreate, ClosurePage, ClosureRead
from shared.clock import utcnow
from shared.closures import hours_warning
from shared.enums import SessionStatus
from shared.ids import new_id
from shared.opening_hours import OpeningHours, OpeningInterval

#: A closure covers at most a year: its sessions are read in one go.
_MAX_SESSIONS = 5000


def _affected(uow: UnitOfWork, location: Location, closure: LocationClosure) -> list[ClassSession]:
    """Scheduled sessions still ahead on the closure's days that it catches: all of them
    on a closed day, those outside the special hours otherwise."""
    found = SessionRepository(uow.db, location.tenant_id).search(
        SessionFilter(
            location_id=location.id,
            date_from=closure.starts_on,
            date_to=closure.ends_on,
            status=SessionStatus.SCHEDULED.value,
            starts_after=utcnow(),
        ),
        limit=_MAX_SESSIONS,
        offset=0,
    )
    days = [closure_days(closure)]
    weekly = OpeningHours.model_validate(location.opening_hours)
    zone = ZoneInfo(location.timezone)
    return [
        s
        for s, _type, _loc, _staff in found
        if hours_warning(weekly, days, s.starts_at.astimezone(zone), s.ends_at.astimezone(zone))
    ]


def _read(uow: UnitOfWork, location: Location, closure: LocationClosure) -> ClosureRead:
    return ClosureRead(
        id=closure.id,
        location_id=closure.location_id,
        name=closure.name,
        starts_on=closure.starts_on,
        ends_on=closure.ends_on,
        closed=not closure.hours,
        hours=[OpeningInterval.model_validate(i) for i in closure.hours],
        created_at=closure.created_at,
        affected_sessions=len(_affected(uow, location, closure)),
    )


def create_closure(
    *, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID, cmd: ClosureCreate
) -> ClosureRead:
    with uow:
        location = location_or_404(uow, claims, location_id)
        closure = ClosureRepository(uow.db, claims.tenant_id).add(
            LocationClosure(
                id=new_id(),
                location_id=location.id,
                name=cmd.name,
                starts_on=cmd.starts_on,
                ends_on=cmd.ends_on or cmd.starts_on,
                hours=[i.model_dump(mode="json") for i in cmd.hours],
                created_by=claims.subject_id,
            )
        )
        uow.db.flush()
        read = _read(uow, location, closure)
        uow.commit()
        return read


def list_closures(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    location_id: uuid.UUID,
    include_past: bool,
    limit: int,
    offset: int,
) -> ClosurePage:
    """In date order; those over before yesterday (any zone's today) only when asked."""
    with uow:
        location = location_or_404(uow, claims, location_id)
        ending_from = None if include_past else utcnow().date() - timedelta(days=1)
        rows = ClosureRepository(uow.db, claims.tenant_id).of_location(
            location.id, ending_from=ending_from, limit=limit + 1, offset=offset
        )
        return ClosurePage(
            items=[_read(uow, location, r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def get_closure(
    *, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID, closure_id: uuid.UUID
) -> ClosureRead:
    with uow:
        location = location_or_404(uow, claims, location_id)
        closure = ClosureRepository(uow.db, claims.tenant_id).of_location_or_404(
            location.id, closure_id
        )
        return _read(uow, location, closure)


def delete_closure(
    *, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID, closure_id: uuid.UUID
) -> None:
    """The location keeps its usual hours those days again (cancelled classes stay so)."""
    with uow:
        location = location_or_404(uow, claims, location_id)
        closure = ClosureRepository(uow.db, claims.tenant_id).of_location_or_404(
            location.id, closure_id
        )
        uow.db.delete(closure)
        uow.commit()


def closure_sessions(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    location_id: uuid.UUID,
    closure_id: uuid.UUID,
    limit: int,
    offset: int,
) -> SessionPage:
    """The scheduled future sessions the closure catches, in start order."""
    with uow:
        location = location_or_404(uow, claims, location_id)
        closure = ClosureRepository(uow.db, claims.tenant_id).of_location_or_404(
            location.id, closure_id
        )
        rows = _affected(uow, location, closure)
        return SessionPage(
            items=[session_read(s, location.timezone) for s in rows[offset : offset + limit]],
            next_offset=offset + limit if len(rows) > offset + limit else None,
        )


def cancel_closure_sessions(
    *,
    uow: UnitOfWork,
    bookings: SessionBookings,
    claims: AccessClaims,
    location_id: uuid.UUID,
    closure_id: uuid.UUID,
    cmd: ClosureSessionsCancel,
) -> ClosureSessionsCancelled:
    """Cancel every session the closure catches, in one transaction: bookings released,
    credits returned, booked and waitlisted members told (as for one cancellation)."""
    with uow:
        location = location_or_404(uow, claims, location_id)
        closure = ClosureRepository(uow.db, claims.tenant_id).of_location_or_404(
            location.id, closure_id
        )
        reason = cmd.reason or f"{location.name} is closed: {closure.name}"
        cancelled: list[ClassSession] = []
        told = 0
        for row in _affected(uow, location, closure):
            # Read again under the row's lock: a booking or a change may have come in since.
            uow.db.refresh(row, with_for_update=True)
            if row.status != SessionStatus.SCHEDULED.value or row.starts_at <= utcnow():
                continue
            told += cancel_row(uow, bookings, row, reason, detach=True)
            cancelled.append(row)
        uow.commit()
        return ClosureSessionsCancelled(
            cancelled=len(cancelled),
            members_told=told,
            items=[session_read(s, location.timezone) for s in cancelled],
        )
