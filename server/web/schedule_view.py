"""What the console's Schedule shows: a location's week of sessions, one session with its
roster, and the choices the series and session forms offer. Built in a worker thread from
the services the API's scheduling, staff and booking routes call, with the caller's claims,
so tenant scoping and the coaches' own-classes rule are the services' own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from server.api.deps import Services
from server.bookings import booking_service
from server.bookings.schemas import Roster
from server.errors import NotFound
from server.ports.identity import AccessClaims
from server.scheduling import series, service, sessions
from server.scheduling.repository import SessionFilter
from server.scheduling.schemas import ScheduleRead, SessionRead
from server.staff import service as staff_service
from server.staff.schemas import StaffRead
from server.tenants import service as tenants
from server.tenants.schemas import LocationRead
from server.web.formatting import Formats
from shared.clock import utcnow
from shared.enums import ADMIN_ROLES, StaffRole

#: A page of locations, types or staff: more than a studio has.
_PAGE = 200
#: Sessions of one location in one week: more than any timetable holds.
_WEEK_LIMIT = 500
#: Who may approve or decline a pending booking (as the API's member editors).
APPROVER_ROLES = frozenset({StaffRole.OWNER, StaffRole.MANAGER, StaffRole.FRONT_DESK})
WEEKDAYS = ((1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (7, "Sun"))


def may_plan(claims: AccessClaims) -> bool:
    """Series and sessions are planned by owners and managers (the API's admin routes)."""
    return claims.role in ADMIN_ROLES


def may_approve(claims: AccessClaims) -> bool:
    return claims.role in APPROVER_ROLES


@dataclass(frozen=True)
class Card:
    session: SessionRead
    type_name: str
    instructor: str | None


@dataclass(frozen=True)
class Day:
    on: date
    today: bool
    cards: list[Card]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def _locations(container: Services, claims: AccessClaims) -> list[LocationRead]:
    page = tenants.list_locations(uow=container.read_uow(), claims=claims, limit=_PAGE, offset=0)
    return page.items


def _type_names(container: Services, claims: AccessClaims) -> dict[uuid.UUID, str]:
    page = service.list_session_types(
        uow=container.read_uow(), claims=claims, active=None, kind=None, limit=_PAGE, offset=0
    )
    return {t.id: t.name for t in page.items}


def _staff(container: Services, claims: AccessClaims) -> list[StaffRead]:
    page = staff_service.list_staff(uow=container.read_uow(), claims=claims, limit=_PAGE, offset=0)
    return page.items


def _formats(container: Services, claims: AccessClaims, location: LocationRead) -> Formats:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    return Formats.of(location, tenant.currency)


def _chosen(locations: list[LocationRead], location_id: uuid.UUID | None) -> LocationRead:
    if location_id is None:
        return locations[0]
    for location in locations:
        if location.id == location_id:
            return location
    raise NotFound(f"location {location_id} was not found")


def week_view(
    container: Services,
    claims: AccessClaims,
    location_id: uuid.UUID | None,
    week: date | None,
) -> dict[str, Any]:
    """One location's week (Monday to Sunday, its local days), today marked."""
    locations = _locations(container, claims)
    if not locations:
        return {"locations": [], "location": None, "days": [], "may_plan": may_plan(claims)}
    location = _chosen(locations, location_id)
    fmt = _formats(container, claims, location)
    today = fmt.local(utcnow()).date()
    monday = monday_of(week or today)
    found = sessions.list_sessions(
        uow=container.read_uow(),
        claims=claims,
        f=SessionFilter(
            location_id=location.id, date_from=monday, date_to=monday + timedelta(days=6)
        ),
        limit=_WEEK_LIMIT,
        offset=0,
    ).items
    names = _type_names(container, claims)
    people = {s.id: s.name for s in _staff(container, claims)}
    by_day: dict[date, list[Card]] = {}
    for s in sorted(found, key=lambda s: s.starts_at):
        by_day.setdefault(s.local_date, []).append(
            Card(
                session=s,
                type_name=names.get(s.session_type_id, "Session"),
                instructor=people.get(s.instructor_id) if s.instructor_id else None,
            )
        )
    days = [
        Day(on=d, today=d == today, cards=by_day.get(d, []))
        for d in (monday + timedelta(days=i) for i in range(7))
    ]
    return {
        "locations": locations,
        "location": location,
        "fmt": fmt,
        "days": days,
        "monday": monday,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "this_week": monday_of(today),
        "may_plan": may_plan(claims),
    }


def form_choices(container: Services, claims: AccessClaims) -> dict[str, Any]:
    """What the series and session forms offer: locations, active types, staff who lead."""
    types = service.list_session_types(
        uow=container.read_uow(), claims=claims, active=True, kind=None, limit=_PAGE, offset=0
    ).items
    leaders = [s for s in _staff(container, claims) if s.active and s.role in service.LEADER_ROLES]
    return {
        "locations": _locations(container, claims),
        "types": types,
        "leaders": leaders,
        "weekday_names": WEEKDAYS,
    }


def series_view(
    container: Services, claims: AccessClaims, schedule_id: uuid.UUID
) -> dict[str, Any]:
    schedule: ScheduleRead = series.get_schedule(
        uow=container.read_uow(), claims=claims, schedule_id=schedule_id
    )
    choices = form_choices(container, claims)
    names = _type_names(container, claims)
    location = next((x for x in choices["locations"] if x.id == schedule.location_id), None)
    return {
        **choices,
        "schedule": schedule,
        "type_name": names.get(schedule.session_type_id, "Session"),
        "location_name": location.name if location else "",
    }


def session_view(
    container: Services, claims: AccessClaims, session_id: uuid.UUID
) -> dict[str, Any]:
    """A session with its roster (a coach: only a class they lead, as the API says)."""
    found = sessions.get_session(uow=container.read_uow(), claims=claims, session_id=session_id)
    roster: Roster = booking_service.roster(
        uow=container.read_uow(), claims=claims, session_id=session_id
    )
    location = tenants.get_location(
        uow=container.read_uow(), claims=claims, location_id=found.location_id
    )
    kind = service.get_session_type(
        uow=container.read_uow(), claims=claims, session_type_id=found.session_type_id
    )
    staff = _staff(container, claims)
    people = {s.id: s.name for s in staff}
    return {
        "session": found,
        "leaders": [s for s in staff if s.active and s.role in service.LEADER_ROLES],
        "roster": roster,
        "booked": [e for e in roster.items if e.waitlist_place is None],
        "waiting": [e for e in roster.items if e.waitlist_place is not None],
        "location": location,
        "type_name": kind.name,
        "instructor": people.get(found.instructor_id) if found.instructor_id else None,
        "fmt": _formats(container, claims, location),
        "may_plan": may_plan(claims),
        "may_approve": may_approve(claims),
        "open": found.status.value == "scheduled" and found.starts_at > utcnow(),
    }
