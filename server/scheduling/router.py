"""HTTP routes of scheduling. Thin: parse, call, return."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from server.api.deps import Admin, AnyStaff, ReadUowDep, UowDep
from server.api.params import Day, Limit, Offset, TenantSlug, Text
from server.api.threaded_route import ThreadedRoute
from server.errors import InvalidInput
from server.scheduling import browse, closures, ical, series, service, sessions
from server.scheduling.repository import SessionFilter
from server.scheduling.schemas import (
    ClosureSessionsCancel,
    ClosureSessionsCancelled,
    InstructorsRead,
    InstructorsUpdate,
    PublicLocation,
    PublicLocationPage,
    PublicSessionFilter,
    PublicSessionPage,
    PublicSessionTypePage,
    ScheduleCreate,
    ScheduleEdited,
    ScheduleEnd,
    SchedulePage,
    ScheduleRead,
    ScheduleUpdate,
    SessionCancel,
    SessionCreate,
    SessionMove,
    SessionPage,
    SessionRead,
    SessionTypeCreate,
    SessionTypePage,
    SessionTypeRead,
    SessionTypeUpdate,
    SessionUpdate,
)
from server.scheduling.session_bookings import SessionBookings
from server.tenants.schemas import ClosureCreate, ClosurePage, ClosureRead
from shared.enums import SessionKind, SessionStatus


async def get_session_bookings(request: Request) -> SessionBookings:
    """What bookings do when a session changes, plugged in by bootstrap."""
    bookings: SessionBookings = request.app.state.container.session_bookings
    return bookings


BookingsDep = Annotated[SessionBookings, Depends(get_session_bookings)]

router = APIRouter(route_class=ThreadedRoute, tags=["scheduling"])
public_router = APIRouter(route_class=ThreadedRoute, tags=["public browsing"])

# --- session types and instructors ---------------------------------------------------------


@router.post("/session-types", response_model=SessionTypeRead, status_code=status.HTTP_201_CREATED)
def create_session_type(cmd: SessionTypeCreate, claims: Admin, uow: UowDep) -> SessionTypeRead:
    """A class, personal-training or event type with its movement prescription profile."""
    return service.create_session_type(uow=uow, claims=claims, cmd=cmd)


@router.get("/session-types", response_model=SessionTypePage)
def list_session_types(
    claims: AnyStaff,
    uow: UowDep,
    active: bool | None = None,
    kind: SessionKind | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SessionTypePage:
    return service.list_session_types(
        uow=uow, claims=claims, active=active, kind=kind, limit=limit, offset=offset
    )


@router.get("/session-types/{session_type_id}", response_model=SessionTypeRead)
def get_session_type(
    session_type_id: uuid.UUID, claims: AnyStaff, uow: ReadUowDep
) -> SessionTypeRead:
    return service.get_session_type(uow=uow, claims=claims, session_type_id=session_type_id)


@router.patch("/session-types/{session_type_id}", response_model=SessionTypeRead)
def update_session_type(
    session_type_id: uuid.UUID, cmd: SessionTypeUpdate, claims: Admin, uow: UowDep
) -> SessionTypeRead:
    """Change a type; ``active: false`` archives it (no new sessions of it)."""
    return service.update_session_type(
        uow=uow, claims=claims, session_type_id=session_type_id, cmd=cmd
    )


@router.put("/session-types/{session_type_id}/instructors", response_model=InstructorsRead)
def set_instructors(
    session_type_id: uuid.UUID, cmd: InstructorsUpdate, claims: Admin, uow: UowDep
) -> InstructorsRead:
    """The coaches (or managers, owners) who lead this type; replaces the list."""
    return service.set_instructors(uow=uow, claims=claims, session_type_id=session_type_id, cmd=cmd)


@router.get("/session-types/{session_type_id}/instructors", response_model=InstructorsRead)
def get_instructors(session_type_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> InstructorsRead:
    return service.get_instructors(uow=uow, claims=claims, session_type_id=session_type_id)


# --- schedules -----------------------------------------------------------------------------


@router.post("/schedules", response_model=ScheduleEdited, status_code=status.HTTP_201_CREATED)
def create_schedule(cmd: ScheduleCreate, claims: Admin, uow: UowDep) -> ScheduleEdited:
    """A recurring series in the location's local time; makes every instance up to ends_on."""
    return series.create_schedule(uow=uow, claims=claims, cmd=cmd)


@router.get("/schedules", response_model=SchedulePage)
def list_schedules(
    claims: AnyStaff,
    uow: UowDep,
    location_id: uuid.UUID | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SchedulePage:
    return series.list_schedules(
        uow=uow, claims=claims, location_id=location_id, limit=limit, offset=offset
    )


@router.get("/schedules/{schedule_id}", response_model=ScheduleRead)
def get_schedule(schedule_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> ScheduleRead:
    return series.get_schedule(uow=uow, claims=claims, schedule_id=schedule_id)


@router.patch("/schedules/{schedule_id}", response_model=ScheduleEdited)
def update_schedule(
    schedule_id: uuid.UUID, cmd: ScheduleUpdate, claims: Admin, uow: UowDep, bookings: BookingsDep
) -> ScheduleEdited:
    """Edit the series; only future instances that still follow it change."""
    return series.update_schedule(
        uow=uow, bookings=bookings, claims=claims, schedule_id=schedule_id, cmd=cmd
    )


@router.post("/schedules/{schedule_id}/end", response_model=ScheduleEdited)
def end_schedule(
    schedule_id: uuid.UUID, cmd: ScheduleEnd, claims: Admin, uow: UowDep, bookings: BookingsDep
) -> ScheduleEdited:
    """End the series after ``last_day``; later instances are cancelled, members told."""
    return series.end_schedule(
        uow=uow, bookings=bookings, claims=claims, schedule_id=schedule_id, cmd=cmd
    )


# --- sessions ------------------------------------------------------------------------------


@router.post("/sessions", response_model=SessionRead, status_code=status.HTTP_201_CREATED)
def create_session(cmd: SessionCreate, claims: Admin, uow: UowDep) -> SessionRead:
    """A one-off session at a local date and time of the location."""
    return sessions.create_session(uow=uow, claims=claims, cmd=cmd)


@router.get("/sessions", response_model=SessionPage)
def list_sessions(
    claims: AnyStaff,
    uow: UowDep,
    location_id: uuid.UUID | None = None,
    date_from: Day | None = Query(None, description="Local date, inclusive"),
    date_to: Day | None = Query(None, description="Local date, inclusive"),
    session_type_id: uuid.UUID | None = None,
    instructor_id: uuid.UUID | None = None,
    schedule_id: uuid.UUID | None = None,
    status: SessionStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SessionPage:
    f = SessionFilter(
        location_id=location_id,
        date_from=date_from,
        date_to=date_to,
        session_type_id=session_type_id,
        instructor_id=instructor_id,
        schedule_id=schedule_id,
        status=status.value if status else None,
    )
    return sessions.list_sessions(uow=uow, claims=claims, f=f, limit=limit, offset=offset)


@router.get("/sessions/{session_id}", response_model=SessionRead)
def get_session(session_id: uuid.UUID, claims: AnyStaff, uow: UowDep) -> SessionRead:
    return sessions.get_session(uow=uow, claims=claims, session_id=session_id)


@router.patch("/sessions/{session_id}", response_model=SessionRead)
def update_session(
    session_id: uuid.UUID, cmd: SessionUpdate, claims: Admin, uow: UowDep, bookings: BookingsDep
) -> SessionRead:
    """Instructor, capacity or room of this one session (series edits then leave it alone)."""
    return sessions.update_session(
        uow=uow, bookings=bookings, claims=claims, session_id=session_id, cmd=cmd
    )


@router.post("/sessions/{session_id}/move", response_model=SessionRead)
def move_session(
    session_id: uuid.UUID, cmd: SessionMove, claims: Admin, uow: UowDep, bookings: BookingsDep
) -> SessionRead:
    """Move to a new local date and time; booked members are told."""
    return sessions.move_session(
        uow=uow, bookings=bookings, claims=claims, session_id=session_id, cmd=cmd
    )


@router.post("/sessions/{session_id}/cancel", response_model=SessionRead)
def cancel_session(
    session_id: uuid.UUID, cmd: SessionCancel, claims: Admin, uow: UowDep, bookings: BookingsDep
) -> SessionRead:
    """Cancel; bookings are released, credits return, booked and waitlisted members are told."""
    return sessions.cancel_session(
        uow=uow, bookings=bookings, claims=claims, session_id=session_id, cmd=cmd
    )


# --- closures and special hours of a location ------------------------------------------


@router.post(
    "/locations/{location_id}/closures",
    response_model=ClosureRead,
    status_code=status.HTTP_201_CREATED,
)
def create_closure(
    location_id: uuid.UUID, cmd: ClosureCreate, claims: Admin, uow: UowDep
) -> ClosureRead:
    """Closed for a day or a range of days (a holiday), or open with special hours; the
    answer counts the scheduled classes it catches."""
    return closures.create_closure(uow=uow, claims=claims, location_id=location_id, cmd=cmd)


@router.get("/locations/{location_id}/closures", response_model=ClosurePage)
def list_closures(
    location_id: uuid.UUID,
    claims: AnyStaff,
    uow: UowDep,
    include_past: bool = Query(False, description="Also closures already over"),
    limit: Limit = 50,
    offset: Offset = 0,
) -> ClosurePage:
    return closures.list_closures(
        uow=uow,
        claims=claims,
        location_id=location_id,
        include_past=include_past,
        limit=limit,
        offset=offset,
    )


@router.get("/locations/{location_id}/closures/{closure_id}", response_model=ClosureRead)
def get_closure(
    location_id: uuid.UUID, closure_id: uuid.UUID, claims: AnyStaff, uow: UowDep
) -> ClosureRead:
    return closures.get_closure(
        uow=uow, claims=claims, location_id=location_id, closure_id=closure_id
    )


@router.delete(
    "/locations/{location_id}/closures/{closure_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_closure(
    location_id: uuid.UUID, closure_id: uuid.UUID, claims: Admin, uow: UowDep
) -> None:
    closures.delete_closure(uow=uow, claims=claims, location_id=location_id, closure_id=closure_id)


@router.get("/locations/{location_id}/closures/{closure_id}/sessions", response_model=SessionPage)
def closure_sessions(
    location_id: uuid.UUID,
    closure_id: uuid.UUID,
    claims: Admin,
    uow: UowDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SessionPage:
    """Scheduled classes still ahead on the closed days (or outside the special hours)."""
    return closures.closure_sessions(
        uow=uow,
        claims=claims,
        location_id=location_id,
        closure_id=closure_id,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/locations/{location_id}/closures/{closure_id}/cancel-sessions",
    response_model=ClosureSessionsCancelled,
)
def cancel_closure_sessions(
    location_id: uuid.UUID,
    closure_id: uuid.UUID,
    cmd: ClosureSessionsCancel,
    claims: Admin,
    uow: UowDep,
    bookings: BookingsDep,
) -> ClosureSessionsCancelled:
    """Cancel every class the closure catches; booked and waitlisted members are told."""
    return closures.cancel_closure_sessions(
        uow=uow,
        bookings=bookings,
        claims=claims,
        location_id=location_id,
        closure_id=closure_id,
        cmd=cmd,
    )


# --- public browsing -----------------------------------------------------------------------


@public_router.get("/public/{tenant_slug}/locations", response_model=PublicLocationPage)
def public_locations(
    tenant_slug: TenantSlug, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> PublicLocationPage:
    return browse.locations(uow=uow, slug=tenant_slug, limit=limit, offset=offset)


@public_router.get("/public/{tenant_slug}/locations/{location_id}", response_model=PublicLocation)
def public_location(tenant_slug: TenantSlug, location_id: uuid.UUID, uow: UowDep) -> PublicLocation:
    """A location with its opening hours, closures and special hours."""
    return browse.location(uow=uow, slug=tenant_slug, location_id=location_id)


@public_router.get("/public/{tenant_slug}/session-types", response_model=PublicSessionTypePage)
def public_session_types(
    tenant_slug: TenantSlug, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> PublicSessionTypePage:
    return browse.session_types(uow=uow, slug=tenant_slug, limit=limit, offset=offset)


@public_router.get("/public/{tenant_slug}/sessions", response_model=PublicSessionPage)
def public_sessions(
    tenant_slug: TenantSlug,
    uow: UowDep,
    day: Day | None = Query(
        None, alias="date", description="One local date (instead of date_from and date_to)"
    ),
    date_from: Day | None = Query(None, description="Local date, inclusive"),
    date_to: Day | None = Query(None, description="Local date, inclusive"),
    time_from: time | None = Query(None, description="Starts at or after this local time"),
    time_to: time | None = Query(None, description="Starts before this local time"),
    session_type_id: uuid.UUID | None = None,
    category: Text | None = Query(None, max_length=50, description="Any case"),
    location_id: uuid.UUID | None = None,
    instructor_id: uuid.UUID | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PublicSessionPage:
    """Upcoming sessions with free places and waitlist length; no member data."""
    if day is not None and (date_from is not None or date_to is not None):
        raise InvalidInput("give either date or date_from/date_to, not both")
    f = PublicSessionFilter(
        date_from=day or date_from,
        date_to=day or date_to,
        time_from=time_from,
        time_to=time_to,
        session_type_id=session_type_id,
        category=category,
        location_id=location_id,
        instructor_id=instructor_id,
    )
    return browse.sessions(uow=uow, slug=tenant_slug, f=f, limit=limit, offset=offset)


@public_router.get(
    "/public/{tenant_slug}/locations/{location_id}/timetable.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def public_timetable(tenant_slug: TenantSlug, location_id: uuid.UUID, uow: UowDep) -> Response:
    """The location's timetable as iCalendar, to subscribe to from any calendar app."""
    body = ical.location_timetable(uow=uow, slug=tenant_slug, location_id=location_id)
    return Response(body, media_type=ical.MEDIA_TYPE)
