"""The provider overview for managers: today's sessions at a location, and attendance and
fill rates per session type, local time slot or instructor over a period."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from server.bookings.models import Booking
from server.bookings.schemas import (
    AttendanceGroup,
    AttendanceOverview,
    TodayOverview,
    TodaySession,
)
from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.scheduling.models import ClassSession, SessionType
from server.scheduling.repository import with_type_and_location
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
    return list(
        uow.db.execute(
            with_type_and_location(select(ClassSession, SessionType.name, Location.timezone))
            .where(ClassSession.tenant_id == tenant_id, *where)
            .order_by(ClassSession.starts_at, ClassSession.id)
        ).all()
    )


def today(
    *, uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID, day: date | None = None
) -> TodayOverview:
    with uow:
        location = uow.db.get(Location, (claims.tenant_id, location_id))
        if location is None:
            raise NotFound(f"location {location_id} was not found")
        tz = ZoneInfo(location.timezone)
        day = day or utcnow().astimezone(tz).date()
        start, end = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
        rows = _sessions(
            uow,
            claims.tenant_id,
            [
                ClassSession.location_id == location_id,
                ClassSession.starts_at >= start,
                ClassSession.starts_at < end,
            ],
        )
        counts = _counts(uow, claims.tenant_id, [s.id for s, _, _ in rows])
        sessions = []
        for s, type_name, _ in rows:
            attended, no_shows = counts.get(s.id, (0, 0))
            sessions.append(
                TodaySession(
                    session_id=s.id,
                    session_type_id=s.session_type_id,
                    session_type=type_name,
                    instructor_id=s.instructor_id,
                    starts_at=s.starts_at,
                    ends_at=s.ends_at,
                    starts_at_local=s.starts_at.astimezone(tz),
                    ends_at_local=s.ends_at.astimezone(tz),
                    timezone=location.timezone,
                    status=s.status,
                    capacity=s.capacity,
                    confirmed_count=s.confirmed_count,
                    waitlist_count=s.waitlist_count,
                    checked_in=attended,
                    no_shows=no_shows,
                    fill_rate=round(s.confirmed_count / s.capacity, 4) if s.capacity else 0.0,
                )
            )
        return TodayOverview(
            location_id=location.id,
            date=day.isoformat(),
            timezone=location.timezone,
            sessions=sessions,
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
    """Sessions whose local date lies in [start, end], cancelled ones left out."""
    if group_by not in GROUPS:
        raise InvalidInput(f"group_by must be one of: {', '.join(GROUPS)}")
    if end < start:
        raise InvalidInput("'to' is before 'from'")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(f"the period is longer than {MAX_DAYS} days")
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
            where.append(ClassSession.location_id == location_id)
        rows = [
            (s, name, tz)
            for s, name, tz in _sessions(uow, claims.tenant_id, where)
            if start <= s.starts_at.astimezone(ZoneInfo(tz)).date() <= end
        ]
        counts = _counts(uow, claims.tenant_id, [s.id for s, _, _ in rows])
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    labels: dict[str, str] = {}
    for s, name, tz in rows:
        if group_by == "session_type":
            key, label = str(s.session_type_id), name
        elif group_by == "time_slot":
            key = s.starts_at.astimezone(ZoneInfo(tz)).strftime("%H:%M")
            label = key
        else:
            key = str(s.instructor_id) if s.instructor_id else "none"
            label = key
        labels[key] = label
        attended, no_shows = counts.get(s.id, (0, 0))
        t = totals[key]
        t[0] += 1
        t[1] += s.capacity
        t[2] += s.confirmed_count
        t[3] += attended
        t[4] += no_shows
    items = [
        AttendanceGroup(
            key=key,
            label=labels[key],
            sessions=t[0],
            capacity=t[1],
            confirmed_count=t[2],
            attended=t[3],
            no_shows=t[4],
            attendance_rate=round(t[3] / t[2], 4) if t[2] else 0.0,
            fill_rate=round(t[2] / t[1], 4) if t[1] else 0.0,
        )
        for key, t in sorted(totals.items())
    ]
    return AttendanceOverview(group_by=group_by, items=items)
