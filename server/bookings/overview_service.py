"""The provider overview for managers: today at every branch they see (sessions with their
counts, door visits, class check-ins), and attendance and fill rates per session type,
local time slot or instructor over a period."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, false, func, or_, select

from server.bookings.models import Booking
from server.bookings.schemas import (
    AttendanceGroup,
    AttendanceOverview,
    LocationDay,
    TodayOverview,
    TodaySession,
)
from server.checkin.models import Checkin
from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import with_type_and_location
from server.staff.models import StaffAccount
from server.tenants.models import Location
from shared.clock import utcnow
from shared.eligibility import local_midnight
from shared.enums import SessionStatus

GROUPS = ("session_type", "time_slot", "instructor")
MAX_DAYS = 366


def _counts(uow: UnitOfWork, tenant_id: uuid.UUID, session_ids: list[uuid.UUID]) -> dict[Any, Any]:
    """Per session: (attended, no-shows)."""
    if not session_ids:
        return {}
    attended = func.sum(case((Booking.attendance.in_(["on_time", "late"]), 1), else_=0))
    no_show = func.sum(case((Booking.attendance == "no_show", 1), else_=0))
    rows = uow.db.execute(
        select(Booking.session_id, attended, no_show)
        .where(Booking.tenant_id == tenant_id, Booking.session_id.in_(session_ids))
        .group_by(Booking.session_id)
    ).all()
    return {sid: (int(a or 0), int(n or 0)) for sid, a, n in rows}


def _sessions(uow: UnitOfWork, tenant_id: uuid.UUID, where: list[Any]) -> list[Any]:
    """(session, type name, location, instructor name) in start order."""
    return list(
        uow.db.execute(
            with_type_and_location(
                select(ClassSession, SessionType.name, Location, StaffAccount.name)
            )
            .outerjoin(
                StaffAccount,
                (StaffAccount.tenant_id == ClassSession.tenant_id)
                & (StaffAccount.id == ClassSession.instructor_id),
            )
            .where(ClassSession.tenant_id == tenant_id, *where)
            .order_by(ClassSession.starts_at, ClassSession.id)
        ).all()
    )


def _locations(
    uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID | None
) -> list[Location]:
    """The location asked for (404 when it is not the caller's), or every open location the
    caller sees."""
    if location_id is not None:
        location = uow.db.get(Location, (claims.tenant_id, location_id))
        if location is None or not claims.sees_location(location_id):
            raise NotFound(f"location {location_id} was not found")
        return [location]
    rows = uow.db.execute(
        select(Location)
        .where(Location.tenant_id == claims.tenant_id, Location.archived_at.is_(None))
        .order_by(Location.name, Location.id)
    ).scalars()
    return [r for r in rows if claims.sees_location(r.id)]


def _door_visits(
    uow: UnitOfWork, tenant_id: uuid.UUID, windows: dict[uuid.UUID, tuple[datetime, datetime]]
) -> dict[uuid.UUID, int]:
    """Admissions at each location's door in its window; a re-entry is the same visit."""
    if not windows:
        return {}
    rows = uow.db.execute(
        select(Checkin.location_id, func.count())
        .where(
            Checkin.tenant_id == tenant_id,
            Checkin.admitted.is_(True),
            Checkin.repeat_of.is_(None),
            or_(
                *(
                    and_(
                        Checkin.location_id == location_id,
                        Checkin.occurred_at >= start,
                        Checkin.occurred_at < end,
                    )
                    for location_id, (start, end) in windows.items()
                )
            ),
        )
        .group_by(Checkin.location_id)
    ).all()
    return {location_id: int(n) for location_id, n in rows}


def today(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    location_id: uuid.UUID | None = None,
    day: date | None = None,
) -> TodayOverview:
    """Every location the caller sees (or the one asked for), each on its own local day:
    its sessions with their counts, door visits and class check-ins."""
    now = utcnow()
    with uow:
        locations = _locations(uow, claims, location_id)
        days: dict[uuid.UUID, date] = {}
        windows: dict[uuid.UUID, tuple[datetime, datetime]] = {}
        for location in locations:
            tz = ZoneInfo(location.timezone)
            local_day = day or now.astimezone(tz).date()
            days[location.id] = local_day
            windows[location.id] = (
                local_midnight(local_day, tz),
                local_midnight(local_day + timedelta(days=1), tz),
            )
        rows = _sessions(
            uow,
            claims.tenant_id,
            [
                or_(
                    *(
                        and_(
                            ClassSession.location_id == lid,
                            ClassSession.starts_at >= start,
                            ClassSession.starts_at < end,
                        )
                        for lid, (start, end) in windows.items()
                    )
                )
            ]
            if windows
            else [false()],
        )
        counts = _counts(uow, claims.tenant_id, [s.id for s, *_ in rows])
        visits = _door_visits(uow, claims.tenant_id, windows)
    sessions = [_today_session(row, counts.get(row[0].id, (0, 0)), now) for row in rows]
    one = locations[0] if location_id is not None else None
    return TodayOverview(
        location_id=location_id,
        date=(day or days[one.id]).isoformat() if one else (day.isoformat() if day else None),
        timezone=one.timezone if one else None,
        locations=[
            LocationDay(
                location_id=location.id,
                location=location.name,
                timezone=location.timezone,
                date=days[location.id].isoformat(),
                sessions=sum(1 for s in sessions if s.location_id == location.id),
                door_visits=visits.get(location.id, 0),
                class_checkins=sum(s.checked_in for s in sessions if s.location_id == location.id),
            )
            for location in locations
        ],
        sessions=sessions,
    )


def _today_session(row: Any, counts: tuple[int, int], now: datetime) -> TodaySession:
    s, type_name, location, instructor = row
    attended, no_shows = counts
    ended = s.status == SessionStatus.SCHEDULED.value and s.ends_at <= now
    return TodaySession(
        session_id=s.id,
        session_type_id=s.session_type_id,
        session_type=type_name,
        location_id=location.id,
        location=location.name,
        timezone=location.timezone,
        starts_at_local=s.starts_at.astimezone(ZoneInfo(location.timezone)),
        ends_at_local=s.ends_at.astimezone(ZoneInfo(location.timezone)),
        instructor_id=s.instructor_id,
        instructor=instructor,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        status="ended" if ended else s.status,
        ended=ended,
        capacity=s.capacity,
        confirmed_count=s.confirmed_count,
        waitlist_count=s.waitlist_count,
        checked_in=attended,
        no_shows=no_shows,
        fill_rate=round(s.confirmed_count / s.capacity, 4) if s.capacity else 0.0,
    )


def attendance(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    start: date,
    end: date,
    group_by: str,
    location_id: uuid.UUID | None,
) -> AttendanceOverview:
    """Sessions whose local date lies in [start, end], cancelled ones left out. Attendance is
    rated on sessions that have ended: a booking of a class still to come is no absence."""
    if group_by not in GROUPS:
        raise InvalidInput(f"group_by must be one of: {', '.join(GROUPS)}")
    if end < start:
        raise InvalidInput("'to' is before 'from'")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(f"the period is longer than {MAX_DAYS} days")
    now = utcnow()
    with uow:
        # A day either side: local dates are decided below with each location's zone.
        lo = local_midnight(start - timedelta(days=1), ZoneInfo("UTC"))
        hi = local_midnight(end + timedelta(days=2), ZoneInfo("UTC"))
        where: list[Any] = [
            ClassSession.starts_at >= lo,
            ClassSession.starts_at < hi,
            ClassSession.status == SessionStatus.SCHEDULED.value,
        ]
        if location_id is not None:
            _locations(uow, claims, location_id)
            where.append(ClassSession.location_id == location_id)
        elif claims.location_ids is not None:
            where.append(ClassSession.location_id.in_(sorted(claims.location_ids)))
        rows = [
            (s, name, location, instructor)
            for s, name, location, instructor in _sessions(uow, claims.tenant_id, where)
            if start <= s.starts_at.astimezone(ZoneInfo(location.timezone)).date() <= end
        ]
        counts = _counts(uow, claims.tenant_id, [s.id for s, *_ in rows])
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    labels: dict[str, str] = {}
    for s, name, location, instructor in rows:
        key, label = _group(group_by, s, name, location.timezone, instructor)
        labels[key] = label
        attended, no_shows = counts.get(s.id, (0, 0))
        t = totals[key]
        t[0] += 1
        t[1] += s.capacity
        t[2] += s.confirmed_count
        t[3] += attended
        t[4] += no_shows
        if s.ends_at <= now:
            t[5] += s.confirmed_count
            t[6] += attended
    items = [
        AttendanceGroup(
            key=key,
            label=labels[key],
            sessions=t[0],
            capacity=t[1],
            confirmed_count=t[2],
            attended=t[3],
            no_shows=t[4],
            ended_booked=t[5],
            attendance_rate=round(t[6] / t[5], 4) if t[5] else 0.0,
            fill_rate=round(t[2] / t[1], 4) if t[1] else 0.0,
        )
        for key, t in sorted(totals.items())
    ]
    return AttendanceOverview(group_by=group_by, items=items)


def _group(
    group_by: str, s: ClassSession, type_name: str, zone: str, instructor: str | None
) -> tuple[str, str]:
    """(key, label) of the group a session counts in."""
    if group_by == "session_type":
        return str(s.session_type_id), type_name
    if group_by == "time_slot":
        slot = s.starts_at.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        return slot, slot
    if s.instructor_id is None:
        return "none", "No instructor"
    return str(s.instructor_id), instructor or str(s.instructor_id)
