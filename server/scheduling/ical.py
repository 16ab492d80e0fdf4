"""iCalendar feeds (RFC 5545) for Google, Outlook and Apple calendars: a location's public
timetable, every session from a week ago to four months ahead, and the pieces every feed is
made of (a member's bookings feed is ``server.bookings.calendar``).

Events keep stable UIDs (``<session id>@zmos``), are written in the location's zone with its
VTIMEZONE, and carry a SEQUENCE that grows with every change members see; cancelled
sessions stay in the feed with STATUS:CANCELLED so that calendars remove them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from server.db.uow import UnitOfWork
from server.scheduling.browse import provider_or_404
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import (
    SessionFilter,
    SessionRepository,
)
from server.staff.models import StaffAccount
from server.tenants.models import Location
from server.tenants.repository import LocationRepository
from shared.clock import utcnow
from shared.enums import SessionStatus

MEDIA_TYPE = "text/calendar; charset=utf-8"
_TIMETABLE_PAST, _TIMETABLE_AHEAD = timedelta(days=7), timedelta(days=120)
MAX_EVENTS = 2000
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})


def calendar_of(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Zimasa MotionOS//ZMOS//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def event_of(
    *,
    uid: uuid.UUID,
    session: ClassSession,
    kind: SessionType,
    location: Location,
    status: str,
    sequence: int,
    stamp: datetime,
    instructor: str | None = None,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{uid}@zmos")
    event.add("dtstamp", stamp)
    _add_local(event, "dtstart", session.starts_at, location.timezone)
    _add_local(event, "dtend", session.ends_at, location.timezone)
    event.add("summary", kind.name)
    where = location.name + (f", {session.room}" if session.room else "")
    event.add("location", where + (f", {location.address}" if location.address else ""))
    lines = [f"{kind.category} · {kind.duration_minutes} min"]
    if instructor:
        lines.append(f"With {instructor}")
    if session.status == SessionStatus.CANCELLED.value and session.cancel_reason:
        lines.append(f"Cancelled: {session.cancel_reason}")
    event.add("description", "\n".join(lines))
    event.add("status", status)
    event.add("sequence", sequence)
    event.add("last-modified", session.updated_at)
    return event


def _add_local(event: icalendar.Event, name: str, at: datetime, timezone: str) -> None:
    """``at`` as the location's wall-clock time with its TZID. Given an aware datetime,
    icalendar writes UTC ("Z") for every zone it holds equivalent to UTC, Africa/Accra
    among them: the feed would then not say the class is in Accra time."""
    if timezone in _UTC_NAMES:
        event.add(name, at.astimezone(ZoneInfo("UTC")))
        return
    local = at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    event.add(name, local, parameters={"TZID": timezone})


def finish(calendar: icalendar.Calendar, first: date, last: date) -> bytes:
    calendar.add_missing_timezones(first_date=first, last_date=last + timedelta(days=1))
    data: bytes = calendar.to_ical()
    return data


def location_timetable(*, uow: UnitOfWork, slug: str, location_id: uuid.UUID) -> bytes:
    now = utcnow()
    with uow:
        tenant = provider_or_404(uow, slug)
        location = LocationRepository(uow.db, tenant.id).get_or_404(location_id)
        today = now.astimezone(ZoneInfo(location.timezone)).date()
        f = SessionFilter(
            location_id=location.id,
            date_from=today - _TIMETABLE_PAST,
            date_to=today + _TIMETABLE_AHEAD,
        )
        rows = SessionRepository(uow.db, tenant.id).search(f, limit=MAX_EVENTS, offset=0)
        calendar = calendar_of(f"{tenant.name} · {location.name}")
        for session, kind, loc, staff in rows:
            cancelled = session.status == SessionStatus.CANCELLED.value
            calendar.add_component(
                event_of(
                    uid=session.id,
                    session=session,
                    kind=kind,
                    location=loc,
                    status="CANCELLED" if cancelled else "CONFIRMED",
                    sequence=session.sequence,
                    stamp=now,
                    instructor=_name(staff),
                )
            )
        return finish(calendar, f.date_from or today, f.date_to or today)


def _name(staff: StaffAccount | None) -> str | None:
    return staff.name if staff is not None else None
