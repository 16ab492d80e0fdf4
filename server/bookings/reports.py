"""The attendance reports: attendance and fill rate by week, popular classes and time
slots, no-show and late-cancel rates. Owners see every location, a manager limited to some
locations only theirs; days and hours are each location's own."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date, timedelta

from server.bookings import report_queries as queries
from server.bookings.report_queries import Counts
from server.bookings.report_schemas import (
    AttendanceReport,
    AttendanceWeek,
    ClassTypeRow,
    NoShowReport,
    NoShowType,
    NoShowWeek,
    PopularReport,
    SlotRow,
)
from server.db.uow import UnitOfWork
from server.errors import InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.tenants.models import Location

#: A report spans at most a year of weeks.
MAX_REPORT_DAYS = 371


_NOTHING = Counts(0, 0, 0, 0, 0, 0, 0)


def _every_week(
    from_day: date, to_day: date, rows: list[tuple[date, Counts]]
) -> list[tuple[date, Counts]]:
    """A row for every week of the period, those without sessions at zero: a chart's
    weeks are evenly spaced."""
    found = dict(rows)
    week = from_day - timedelta(days=from_day.weekday())
    result = []
    while week <= to_day:
        result.append((week, found.get(week, _NOTHING)))
        week += timedelta(days=7)
    return result


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def scope(
    uow: UnitOfWork, claims: AccessClaims, location_id: uuid.UUID | None
) -> Collection[uuid.UUID] | None:
    """The locations a report sums: the one asked for (if this caller sees it), else all
    the caller sees. Inside the caller's unit of work."""
    if location_id is None:
        return claims.location_ids
    place = uow.db.get(Location, (claims.tenant_id, location_id))
    if place is None or not claims.sees_location(location_id):
        raise NotFound("location not found")
    return frozenset({location_id})


def check_period(from_day: date, to_day: date) -> None:
    if from_day > to_day:
        raise InvalidInput("from cannot be after to")
    if (to_day - from_day).days >= MAX_REPORT_DAYS:
        raise InvalidInput(f"a report spans at most {MAX_REPORT_DAYS} days")


def attendance(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    from_day: date,
    to_day: date,
    location_id: uuid.UUID | None,
) -> AttendanceReport:
    check_period(from_day, to_day)
    with uow:
        seen = scope(uow, claims, location_id)
        rows = queries.by_week(uow.db, claims.tenant_id, from_day, to_day, seen)
    rows = _every_week(from_day, to_day, rows)
    return AttendanceReport(
        from_day=from_day,
        to_day=to_day,
        location_id=location_id,
        weeks=[
            AttendanceWeek(
                week_start=week,
                sessions=c.sessions,
                places=c.places,
                confirmed_count=c.booked,
                attended=c.attended,
                fill_rate=_ratio(c.booked, c.places),
                attendance_rate=_ratio(c.attended, c.booked),
            )
            for week, c in rows
        ],
    )


def popular(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    from_day: date,
    to_day: date,
    location_id: uuid.UUID | None,
) -> PopularReport:
    """Classes by places booked (most first), and the weekday × local hour slots."""
    check_period(from_day, to_day)
    with uow:
        seen = scope(uow, claims, location_id)
        types = queries.by_session_type(uow.db, claims.tenant_id, from_day, to_day, seen)
        slots = queries.by_weekday_hour(uow.db, claims.tenant_id, from_day, to_day, seen)
    ranked = sorted(types, key=lambda t: (-t[2].booked, t[1], str(t[0])))
    return PopularReport(
        from_day=from_day,
        to_day=to_day,
        location_id=location_id,
        types=[
            ClassTypeRow(
                session_type_id=type_id,
                session_type=name,
                sessions=c.sessions,
                places=c.places,
                confirmed_count=c.booked,
                attended=c.attended,
                fill_rate=_ratio(c.booked, c.places),
            )
            for type_id, name, c in ranked
        ],
        slots=[
            SlotRow(
                weekday=day,
                hour=hour,
                sessions=c.sessions,
                confirmed_count=c.booked,
                attended=c.attended,
            )
            for day, hour, c in slots
        ],
    )


def _no_show_figures(c: Counts) -> dict[str, int | float | None]:
    held = c.booked + c.late_cancels + c.in_time_cancels
    return {
        "confirmed_count": c.booked,
        "no_shows": c.no_shows,
        "no_show_rate": _ratio(c.no_shows, c.booked),
        "late_cancels": c.late_cancels,
        "late_cancel_rate": _ratio(c.late_cancels, held),
    }


def no_shows(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    from_day: date,
    to_day: date,
    location_id: uuid.UUID | None,
) -> NoShowReport:
    check_period(from_day, to_day)
    with uow:
        seen = scope(uow, claims, location_id)
        weeks = queries.by_week(uow.db, claims.tenant_id, from_day, to_day, seen)
        types = queries.by_session_type(uow.db, claims.tenant_id, from_day, to_day, seen)
    weeks = _every_week(from_day, to_day, weeks)
    return NoShowReport(
        from_day=from_day,
        to_day=to_day,
        location_id=location_id,
        weeks=[NoShowWeek(week_start=week, **_no_show_figures(c)) for week, c in weeks],  # type: ignore[arg-type]
        types=[
            NoShowType(session_type_id=type_id, session_type=name, **_no_show_figures(c))  # type: ignore[arg-type]
            for type_id, name, c in sorted(types, key=lambda t: (t[1], str(t[0])))
        ],
    )
